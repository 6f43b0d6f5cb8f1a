"""``--format virt-install``: the ``--features hyperv.*``, ``--clock`` and related arguments.

virt-install writes libvirt XML, so this format follows the same
:class:`~hvtui.export.libvirt.LibvirtPlan` as ``--format libvirt`` (same
target version, same ``-global`` fallbacks, passed with
``--qemu-commandline``).  Each native element becomes a ``--features
hyperv.<element>.state=on`` sub-option when the virt-install at hand has it;
virt-install grew them over time (Debian 12's 4.1 has only relaxed, vapic,
spinlocks, synic and reset; 5.0 most; 5.1 the rest), so sub-options it lacks,
free-text attributes (the vendor string) and the passthrough mode are written
as ``--xml XPATH`` edits, which every virt-install since 3.0 applies.

virt-install before 5.1 escapes ``& < > ' "`` in XML attribute values a
second time (virt-manager issue #838, fixed by pull request #843), so a
string containing them would reach libvirt changed: such values are refused
for this format rather than exported wrong.

virt-install also adds Hyper-V defaults of its own for ``--osinfo win*``
(the virt-install peer in :mod:`hvtui.catalog.peers`, which cites
virt-manager 4.1.0's and 5.0.0's ``virtinst/domain/features.py`` and
``clock.py``): relaxed, vapic, spinlocks 8191 and the hypervclock timer, and
since 5.0 also vpindex, runtime, synic, stimer (direct), frequencies,
tlbflush, ipi, evmcs and avic where libvirt's domain capabilities list them.
It only fills in what the user left unset, so every one of them the
configuration does not write is written off here (``state='off'``,
``hypervclock_present=no``), and where the target libvirt has no element to
write it off with, deleted with ``--xml xpath.delete=``, which virt-install
applies after its defaults and which does nothing when the element is absent.
With hv-passthrough the ``<hyperv>`` children are deleted too: older libvirt
still passes them to QEMU in passthrough mode.

Its spinlocks default matters most: libvirt refuses ``retries`` below 4095,
so a lower value is passed as ``-global <cpu type>.hv-spinlocks=V``; the
``hv-spinlocks=0x1fff`` libvirt would put on ``-cpu`` for virt-install's
default wins over any ``-global`` (QEMU applies ``-cpu`` properties last), so
``<spinlocks state='off'>`` keeps it off the ``-cpu`` line and the guest gets V.

The preset's ``[cpu]`` settings go where ``--format libvirt`` puts them
(checked against virt-manager 4.1.0's ``virtinst/cli.py``): vmx/svm and invtsc
as ``--cpu MODEL,require=vmx`` (virt-install's ``+vmx`` would be
``policy='force'``, not the libvirt export's ``require``), the TSC rate as
``--clock timerN.name=tsc,timerN.frequency=HZ`` (``ParserClock`` applies the
``NAME_present`` helpers first, each adding a timer, and ``timerN`` edits the
N-th, so N counts them), and a hidden KVM as ``--features
kvm.hidden.state=on`` (``--xml`` where ``--features=?`` does not list it).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess

from hvtui import catalog
from hvtui.catalog import Enlightenment, LibvirtKind, Value, ValueKind
from hvtui.catalog.peers import get_peer
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.libvirt import (
    LibvirtPlan,
    cpu_settings_element,
    kvm_hidden_element,
    plan_libvirt,
    tsc_timer_element,
)
from hvtui.export.qemu import cpu_setting_notes
from hvtui.export.shell import command_lines
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.spelling import libvirt_state, libvirt_value
from hvtui.model import Config
from hvtui.records import record

#: Characters virt-install < 5.1 escapes twice in attribute values (issue #838).
DOUBLE_ESCAPED = frozenset("&<>'\"")
#: The prefix of every ``--features`` sub-option for ``<hyperv>`` children.
FEATURE_PREFIX = layout.HYPERV


@record(frozen=True)
class VirtInstallExport:
    """virt-install arguments, grouped one option per line, plus notes."""

    groups: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    plan: LibvirtPlan
    pinned: tuple[str, ...] = ()
    """Options written off only so that virt-install's Windows defaults cannot turn
    them on (spinlocks also when its value goes through ``-global``)."""
    deleted: tuple[str, ...] = ()
    """Options whose element virt-install may add but the target libvirt cannot
    write off: removed with ``--xml xpath.delete=``."""

    @property
    def args(self) -> tuple[str, ...]:
        """Every argument word in order."""
        return tuple(word for group in self.groups for word in group)

    def expressed(self) -> Config:
        """The configuration the arguments carry: the plan's, plus the pinned switches
        as off (a value option written off, spinlocks, is absent or its -global)."""
        values: dict[str, Value] = {
            name: False for name in self.pinned if catalog.get(name).kind is ValueKind.SWITCH
        }
        values.update(self.plan.expressed())
        return Config.of(values)


def probe_features(binary: str = "virt-install", timeout: float = 20.0) -> frozenset[str] | None:
    """The ``--features`` sub-options the installed virt-install knows, or ``None``.

    Runs ``virt-install --features=?``, which lists them without connecting to
    libvirt.  Any failure (not installed, too old to list them) means unknown.
    """
    path = shutil.which(binary)
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--features=?"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    found = frozenset(
        line.strip() for line in done.stdout.splitlines()[1:] if line.startswith("  ")
    )
    return found or None


def _xpath(*steps: str) -> str:
    return "./" + "/".join(steps)


def refuse_escaped(entry: Enlightenment, text: str, tool: str = "virt-install") -> None:
    """Refuse a value virt-manager's tools (``tool``: virt-install, virt-xml) before 5.1
    would escape twice on its way into the domain XML."""
    bad = sorted(set(text) & DOUBLE_ESCAPED)
    if bad:
        raise ExportError(
            f"{entry.name}: {tool} before 5.1 escapes {bad[0]!r} twice in XML "
            "(virt-manager issue #838), so the value would reach libvirt changed; "
            "use --format libvirt for this value",
            code=1,
        )


class _Builder:
    def __init__(self, known: frozenset[str] | None) -> None:
        self.known = known
        self.features: list[str] = []
        self.xml: list[tuple[str, str]] = []
        self.deletes: list[str] = []

    def has(self, suboption: str) -> bool:
        return self.known is None or suboption in self.known

    def set(self, steps: tuple[str, ...], attribute: str, value: str, *, free_text: bool) -> None:
        """One attribute: as a ``--features`` sub-option if possible, else ``--xml``."""
        suboption = ".".join((FEATURE_PREFIX, *steps, attribute))
        if not free_text and self.has(suboption):
            self.features.append(f"{suboption}={value}")
        else:
            self.xml.append(
                (_xpath(layout.FEATURES, layout.HYPERV, *steps, f"@{attribute}"), value)
            )

    def element(self, entry: Enlightenment, value: Value, steps: tuple[str, ...]) -> None:
        on = value is not False and value != "off"
        self.set(steps, layout.STATE, libvirt_state(on), free_text=False)
        if on and entry.libvirt.attribute is not None:
            text = libvirt_value(entry, value)
            free_text = entry.kind is ValueKind.STRING
            if free_text:
                refuse_escaped(entry, text)
            self.set(steps, entry.libvirt.attribute, text, free_text=free_text)


def _xml_arg(xpath: str, value: str) -> str:
    """``--xml`` text that survives virt-install's own splitting.

    virt-install splits an option on commas with ``shlex`` and a plain
    ``XPATH=VALUE`` on the last ``=``; the ``xpath.set=...,xpath.value=...``
    form with a quoted value avoids both.
    """
    if all(c.isalnum() or c in "-_." for c in value):
        return f"{xpath}={value}"
    return f"xpath.set={xpath},xpath.value={shlex.quote(value)}"


def build_virt_install(
    config: Config, target: ExportTarget, *, known_features: frozenset[str] | None = None
) -> VirtInstallExport:
    """The arguments for ``config``; ``known_features`` from :func:`probe_features`."""
    plan = plan_libvirt(config, target)
    builder = _Builder(known_features)
    clock: list[str] = []
    panic: list[str] = []
    mode = plan.passthrough
    if mode is not None:
        builder.xml.append(
            (_xpath(layout.FEATURES, layout.HYPERV, f"@{layout.MODE}"), mode.libvirt.element)
        )
    for entry, value in plan.native:
        kind = entry.libvirt.kind
        if kind is LibvirtKind.HYPERV:
            builder.element(entry, value, (entry.libvirt.element,))
        elif kind is LibvirtKind.HYPERV_CHILD:
            builder.element(entry, value, layout.split_child(entry))
        elif kind is LibvirtKind.CLOCK_TIMER:
            clock.append(
                f"{entry.libvirt.element}_{layout.TIMER_PRESENT}={'yes' if value else 'no'}"
            )
        elif kind is LibvirtKind.PANIC and value is True:
            panic.append(f"{layout.PANIC_MODEL}={layout.PANIC_HYPERV}")
    pinned, deleted = _keep_out_defaults(config, plan, builder, clock)
    _cpu_settings(target, builder, clock)
    groups: list[tuple[str, ...]] = [("--cpu", _cpu_arg(target))]
    if builder.features:
        groups.append(("--features", ",".join(builder.features)))
    groups.extend(("--xml", _xml_arg(xpath, value)) for xpath, value in builder.xml)
    groups.extend(("--xml", f"xpath.delete={xpath}") for xpath in builder.deletes)
    if clock:
        groups.append(("--clock", ",".join(clock)))
    groups.extend(("--panic", item) for item in panic)
    for fallback, option, setting in plan.global_args():
        refuse_escaped(fallback.entry, setting)
        groups.append((f"--qemu-commandline={shlex.join((option, setting))}",))
    for _entry, words in plan.extra:
        groups.append((f"--qemu-commandline={shlex.join(words)}",))
    notes = [f"hvtui: Hyper-V settings for {target.describe()}"]
    notes.extend(
        f"{f.entry.qemu_property} via --qemu-commandline: {f.reason}" for f in plan.fallback
    )
    notes.extend(f"left out {o.entry.name}: {o.reason}" for o in plan.omitted)
    notes.extend(_default_notes(config, plan, pinned, deleted))
    notes.extend(cpu_setting_notes(target))
    return VirtInstallExport(tuple(groups), tuple(notes), plan, pinned, deleted)


def _passthrough(config: Config) -> bool:
    """Whether an option that overrides the others (hv-passthrough) is on."""
    return any(catalog.get(name).overrides_list for name in config.enabled())


def _written_on(plan: LibvirtPlan, entry: Enlightenment) -> bool:
    value = plan.native_value(entry)
    return value is not None and value is not False and value != "off"


def _keep_out_defaults(
    config: Config, plan: LibvirtPlan, builder: _Builder, clock: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write off (or delete) each virt-install Windows default the plan does not write.

    Returns the options written off and the options deleted.
    """
    # With hv-passthrough the <hyperv> children are deleted rather than written off:
    # libvirt passed them to QEMU in passthrough mode until it learnt to ignore them
    # (the catalog's passthrough note says since when), and virt-install's spinlocks
    # 8191 would replace the host's value.
    passthrough = _passthrough(config)
    pinned: list[str] = []
    deleted: list[str] = []
    for name in get_peer("virt-install").may_turn_on():
        entry = catalog.get(name)
        if plan.native_value(entry) is not None:
            continue
        if passthrough and config.get(name) is not None:
            continue  # the user's own choice, which passthrough overrides
        lv = entry.libvirt
        known = lv.since is not None and lv.since <= plan.target.libvirt
        if lv.kind is LibvirtKind.CLOCK_TIMER:
            # virt-install checks the libvirt version before adding the timer.
            if known:
                clock.append(f"{lv.element}_{layout.TIMER_PRESENT}=no")
                pinned.append(name)
            continue
        if lv.kind is LibvirtKind.HYPERV:
            steps: tuple[str, ...] = (lv.element,)
        elif lv.kind is LibvirtKind.HYPERV_CHILD:
            parent = layout.parent_entry(entry)
            if parent is None or not _written_on(plan, parent):
                # virt-install only adds the child under a parent that is on, and
                # deleting the parent deletes it too.
                continue
            steps = layout.split_child(entry)
        else:
            continue
        if known and not passthrough:
            builder.set(steps, layout.STATE, libvirt_state(False), free_text=False)
            pinned.append(name)
        else:
            builder.deletes.append(_xpath(layout.FEATURES, layout.HYPERV, *steps))
            deleted.append(name)
    return tuple(pinned), tuple(deleted)


def _default_notes(
    config: Config, plan: LibvirtPlan, pinned: tuple[str, ...], deleted: tuple[str, ...]
) -> list[str]:
    notes: list[str] = []
    through_global = {f.entry.name for f in plan.fallback}
    off = [n for n in pinned if n not in through_global]
    if off:
        notes.append(
            "written off, else virt-install's defaults for --osinfo win* would turn "
            f"them on: {', '.join(off)}"
        )
    peer = get_peer("virt-install")
    for name in pinned:
        if name in through_global:
            own = peer.default(name).value
            added = f" ({own})" if own is not None else ""
            notes.append(
                f"{name} written off in <hyperv>, so that only the -global sets it: "
                f"virt-install would add its own value{added}, and the -cpu property "
                "libvirt makes of it wins over a -global"
            )
    if deleted:
        why = (
            "older libvirt passes them to QEMU even in passthrough mode"
            if _passthrough(config)
            else f"libvirt {plan.target.libvirt} cannot write them off"
        )
        notes.append(
            f"deleted with --xml xpath.delete ({why}), else virt-install's defaults for "
            f"--osinfo win* (5.0+: what its libvirt lists) turn them on: {', '.join(deleted)}"
        )
    return notes


def _cpu_arg(target: ExportTarget) -> str:
    """``--cpu``: the model, plus the preset's CPU features as ``POLICY=NAME`` sub-options.

    The features are the ``<feature>`` children of ``--format libvirt``'s ``<cpu>``
    (:func:`~hvtui.export.libvirt.cpu_settings_element`), so both write the same
    XML: ``require=vmx``, not virt-install's ``+vmx`` shorthand, which is
    ``policy='force'`` (claimed even where the host lacks it).
    """
    model = target.cpu_model
    mode = layout.MODE_FOR_MODEL.get(model)
    words = [f"{layout.CPU_MODE}={mode}" if mode is not None else f"{model},match=exact"]
    element = cpu_settings_element(target)
    if element is not None:
        words.extend(
            f"{feature.get(layout.FEATURE_POLICY)}={feature.get(layout.FEATURE_NAME)}"
            for feature in element.iter(layout.CPU_FEATURE)
        )
    return ",".join(words)


def _cpu_settings(target: ExportTarget, builder: _Builder, clock: list[str]) -> None:
    """The ``[cpu]`` settings outside ``--cpu``: the tsc timer and ``<kvm><hidden>``.

    The timer is ``timerN.name=tsc,timerN.frequency=HZ``.  virt-install applies the
    ``NAME_present`` sub-options before the ``timerN`` ones, each adding a timer to
    the list, and ``timerN`` then edits the N-th timer of that list, so N counts
    them (``timer0`` after ``hypervclock_present`` would rename that timer).
    """
    tsc = tsc_timer_element(target)
    if tsc is not None:
        index = len({item.partition("=")[0] for item in clock})
        clock.extend(
            f"{layout.TIMER}{index}.{attribute}={value}" for attribute, value in tsc.items()
        )
    kvm = kvm_hidden_element(target)
    if kvm is not None:
        hidden = kvm.find(layout.KVM_HIDDEN)
        state = "" if hidden is None else hidden.get(layout.STATE, "")
        suboption = f"{layout.KVM}.{layout.KVM_HIDDEN}.{layout.STATE}"
        if builder.has(suboption):
            builder.features.append(f"{suboption}={state}")
        else:
            builder.xml.append(
                (_xpath(layout.FEATURES, layout.KVM, layout.KVM_HIDDEN, f"@{layout.STATE}"), state)
            )


def render_virt_install(
    config: Config, target: ExportTarget, *, known_features: frozenset[str] | None = None
) -> str:
    """Shell-quoted virt-install arguments, one option per line, notes as comments."""
    built = build_virt_install(config, target, known_features=known_features)
    return command_lines(built.groups, built.notes)


__all__ = [
    "DOUBLE_ESCAPED",
    "VirtInstallExport",
    "build_virt_install",
    "probe_features",
    "refuse_escaped",
    "render_virt_install",
]
