"""``--format proxmox``: what to change on a Proxmox VE VM so it runs exactly the preset.

qemu-server adds its own Hyper-V set to every Windows VM (:mod:`hvtui.catalog.proxmox`),
so the export starts from that set for the VM it is meant for (:class:`ProxmoxPlan`,
by default ``ostype: win11`` on a current machine version, no GPU with ``x-vga``)
and writes only the difference, in Proxmox's own terms:

- switches the VM's ``cpu: flags=`` may carry (``hv-tlbflush``, ``hv-evmcs``) go
  there, ``+`` to add and ``-`` to take one away;
- every other switch goes into a custom CPU model appended to
  ``/etc/pve/virtual-guest/cpu-models.conf`` (``flags +hv-frequencies;-hv-reset``:
  a ``-`` there turns an automatic option off, QEMU applying ``-`` items last);
- ``hv-vendor-id`` and ``hidden`` are options of ``cpu:``;
- what Proxmox cannot say (values other than its own: another ``hv-spinlocks``,
  the version ids, ``hv-no-nonarch-coresharing``, a vendor id outside
  ``[a-zA-Z0-9]{1,12}``, an automatic vendor id to remove, ``tsc-frequency``)
  needs ``args: -cpu ...``, which replaces qemu-server's whole ``-cpu``: then the
  export writes the preset's complete ``-cpu`` there and nothing else.
"""

from __future__ import annotations

import re
import shlex

from hvtui import catalog
from hvtui.catalog import Value, ValueKind
from hvtui.catalog import proxmox as facts
from hvtui.catalog.proxmox import machine_text
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.qemu import build_qemu, extra_arguments
from hvtui.export.shell import comment
from hvtui.formats.proxmox import VmContext, automatic_set, quote_arg
from hvtui.formats.spelling import qemu_value
from hvtui.model import Config
from hvtui.presets import values_equal
from hvtui.records import field, record
from hvtui.textsafe import SAFE_NAME
from hvtui.versions import Version

#: Where the custom CPU models live (shared by the cluster).
CPU_MODELS_FILE = "/etc/pve/virtual-guest/cpu-models.conf"
#: The shell word for the VM id: the export fails at once when it is not set.
VMID = '"${VMID:?set VMID to the id of the VM}"'

#: The VM the export is for when nothing else is said: Windows 11, a machine
#: version from 3.1 (every verified rule applies) up to 11.0+pve1 (before the
#: Intel-only evmcs rule), SeaBIOS or OVMF alike, no GPU with x-vga.
DEFAULT_CONTEXT = VmContext(
    "win11",
    11,
    Version(10, 1, 0),
    "machine 3.1 or newer (a Windows VM runs the version it was pinned to)",
    "ovmf",
    gpu=False,
    kvm=True,
)


@record(frozen=True)
class ProxmoxPlan:
    """The changes, as data (tests apply them to a configuration)."""

    cpu: str
    """The VM's new ``cpu:`` value."""
    args: str | None
    """The VM's new ``args:`` value, ``None`` when none is needed."""
    model: str | None
    """The custom CPU model's name (``hvtui-windows-desktop``), if one is needed."""
    model_lines: tuple[tuple[str, str], ...]
    """Its ``key value`` lines."""
    context: VmContext
    automatic: tuple[tuple[str, str], ...]
    """qemu-server's automatic set for the context, ``(property, value)``."""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    via_args: tuple[str, ...] = ()
    """Why ``args:`` is needed, one item each."""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model_block(self) -> str:
        """The section to append to ``cpu-models.conf``."""
        if self.model is None:
            return ""
        lines = [f"cpu-model: {self.model}", *(f"    {k} {v}" for k, v in self.model_lines)]
        return "\n".join(lines) + "\n"


def model_name(preset_name: str) -> str:
    """A section id for the preset (``hvtui-windows-desktop``)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", preset_name.lower()).strip("-")[:40]
    return f"hvtui-{cleaned or 'preset'}"


def plan_proxmox(
    config: Config,
    target: ExportTarget,
    *,
    preset_name: str = "preset",
    context: VmContext = DEFAULT_CONTEXT,
) -> ProxmoxPlan:
    """What to set on a VM in ``context`` so that it starts with exactly ``config``."""
    want = {name: value for name, value in config if config.is_on(name)}
    settings = target.cpu
    via_args: list[str] = []
    vendor = want.get("vendor-id")
    cpu_vendor: str | None = None
    if isinstance(vendor, str):
        if re.fullmatch(facts.VENDOR_ID_PATTERN, vendor):
            cpu_vendor = vendor
        else:
            via_args.append(f"hv-vendor-id={vendor} (cpu: takes only {facts.VENDOR_ID_PATTERN})")
    elif context.gpu and context.no_automatic is None:
        via_args.append(
            f'no hv-vendor-id (qemu-server sets "{facts.VENDOR_ID_DEFAULT}" for a GPU with x-vga)'
        )
    autos, auto_notes = automatic_set(context, cpu_vendor)
    auto = {a.option: a.value for a in autos}
    vm_flags: list[str] = []
    model_flags: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    for entry in catalog.ENTRIES:
        name = entry.name
        if name == "vendor-id":
            continue
        wanted, automatic = want.get(name), auto.get(name)
        if entry.kind is ValueKind.SWITCH:
            if bool(wanted) == bool(automatic):
                continue
            op = "+" if wanted else "-"
            (added if wanted else removed).append(entry.qemu_property)
            (vm_flags if entry.qemu_property in facts.VM_FLAGS else model_flags).append(
                f"{op}{entry.qemu_property}"
            )
            continue
        if wanted is None and automatic is None:
            continue
        if wanted is not None and automatic is not None and values_equal(wanted, automatic):
            continue
        if wanted is None:
            via_args.append(f"no {entry.qemu_property} (qemu-server sets {automatic!r})")
        else:
            via_args.append(f"{entry.qemu_property}={qemu_value(entry, wanted)}")
    evmcs = next(r for r in facts.AUTO_RULES if r.option == "evmcs")
    if not want.get("evmcs") and context.rule_applies(evmcs) is None:
        vm_flags.append("-hv-evmcs")
    if settings.tsc_frequency is not None:
        via_args.append(f"tsc-frequency={settings.tsc_frequency}")
    if settings.nested_virt and target.cpu_model not in ("host", "max"):
        vm_flags.append("+nested-virt")
    if settings.invtsc is not None:
        model_flags.append("+invtsc" if settings.invtsc else "-invtsc")
    extra = [word for group in extra_arguments(config) for word in group]
    notes = list(auto_notes)
    shown = tuple((catalog.get(a.option).qemu_property, _shown(a.option, a.value)) for a in autos)
    hidden = settings.hide_kvm
    model = target.cpu_model
    _check_model(model)
    if via_args:
        cpu_line = build_qemu(config, target).cpu
        args = " ".join(quote_arg(w) for w in ["-cpu", cpu_line, *extra])
        notes.append(
            "args: -cpu replaces qemu-server's whole -cpu, its own items too (enforce, "
            "+kvm_pv_unhalt, +kvm_pv_eoi, vendor=); cpu: then only names the model"
        )
        return ProxmoxPlan(
            model, args, None, (), context, shown, via_args=tuple(via_args), notes=tuple(notes)
        )
    custom = None
    lines: tuple[tuple[str, str], ...] = ()
    if model_flags:
        custom = model_name(preset_name)
        lines = (("flags", ";".join(model_flags)), ("reported-model", model))
    parts = [f"custom-{custom}" if custom else model]
    if vm_flags:
        parts.append("flags=" + ";".join(vm_flags))
    if cpu_vendor is not None:
        parts.append(f"hv-vendor-id={cpu_vendor}")
    if hidden or (hidden is False and context.gpu):
        parts.append(f"hidden={int(bool(hidden))}")
    if removed and model_flags:
        notes.append(
            "a '-hv-...' flag in the custom model turns off what qemu-server adds as 'hv_...'; "
            'QEMU applies it last and warns "Ambiguous CPU model string"'
        )
    return ProxmoxPlan(
        ",".join(parts),
        " ".join(quote_arg(w) for w in extra) if extra else None,
        custom,
        lines,
        context,
        shown,
        tuple(added),
        tuple(removed),
        notes=tuple(notes),
    )


def _shown(option: str, value: Value) -> str:
    entry = catalog.get(option)
    return qemu_value(entry, value)


def _check_model(model: str) -> None:
    """The one name rule (:data:`hvtui.textsafe.SAFE_NAME`); targets already obey it."""
    if not SAFE_NAME.fullmatch(model):
        raise ExportError(f"CPU model {model!r}: Proxmox's cputype cannot hold it", 2)


def render_proxmox(config: Config, target: ExportTarget, *, preset_name: str = "preset") -> str:
    """A shell script with comments: the cpu-models.conf section (if any), then ``qm set``."""
    try:
        plan = plan_proxmox(config, target, preset_name=preset_name)
    except ValueError as exc:
        raise ExportError(str(exc), 2) from exc
    ctx = plan.context
    out = [
        comment(
            f"hvtui: preset {preset_name} for Proxmox VE, by the rules of {facts.QEMU_SERVER} "
            "(CPUConfig.pm get_hyperv_enlightenments)"
        ),
        comment(
            f"For a VM with ostype: {ctx.ostype} (or win8/win10), a machine version from 3.1 "
            f"to {machine_text(Version(11, 0, 1))} (a Windows VM keeps the one it was created "
            "or pinned with) and no hostpci with x-vga=1; 'hvtui audit VMID.conf' shows what "
            "another VM gets."
        ),
        comment(
            "qemu-server turns on by itself: "
            + " ".join(f"{p}={v}" if v != "on" else p for p, v in plan.automatic)
        ),
    ]
    if plan.added:
        out.append(comment("this adds: " + " ".join(plan.added)))
    if plan.removed:
        out.append(comment("this takes away: " + " ".join(plan.removed)))
    if plan.via_args:
        out.append(comment("only via args: " + "; ".join(plan.via_args)))
    out += [comment(note) for note in plan.notes]
    if plan.model is not None:
        out.append(comment(f"1. The custom CPU model, appended to {CPU_MODELS_FILE}"))
        out.append(
            comment(f"   (replace an older {plan.model} section rather than adding a second)")
        )
        out.append(f"cat >> {CPU_MODELS_FILE} <<'EOF'\n\n{plan.model_block}EOF")
        out.append(comment("2. The VM (set VMID first: VMID=100):"))
    else:
        out.append(comment("The VM (set VMID first: VMID=100):"))
    command = f"qm set {VMID} --cpu {shlex.quote(plan.cpu)}"
    if plan.args is not None:
        command += f" --args {shlex.quote(plan.args)}"
        out.append(comment("--args replaces every args: the VM has; merge by hand if it has more"))
    else:
        out.append(
            comment("if the VM's args: has a -cpu, that -cpu replaces all of this: remove it")
        )
    out.append(command)
    return "\n".join(out) + "\n"


__all__ = [
    "CPU_MODELS_FILE",
    "DEFAULT_CONTEXT",
    "ProxmoxPlan",
    "model_name",
    "plan_proxmox",
    "render_proxmox",
]
