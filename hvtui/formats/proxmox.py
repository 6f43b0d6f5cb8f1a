"""Proxmox VE's ``-cpu`` for a VM, as qemu-server builds it: the model behind audit and export.

:func:`proxmox_cpu` takes the ``key: value`` options of ``/etc/pve/qemu-server/VMID.conf``
(and the custom CPU models of ``/etc/pve/virtual-guest/cpu-models.conf``, when
known) and returns the ``-cpu`` qemu-server passes to QEMU, each item with where
it came from.  The rules are the catalog's (:mod:`hvtui.catalog.proxmox`); this
module only evaluates them the way ``get_cpu_options`` and ``resolve_cpu_flags``
do: one table of flags keyed by name, later sources replacing earlier ones
(qemu-server's own flags, the automatic Hyper-V set, the built-in or custom
model's flags, the VM's ``flags=``, then what it forces), printed sorted by name.

QEMU then reads that string its own way
(:func:`hvtui.formats.qemu_argv.cpu_items_in_qemu_order`, which the command-line
importer follows): ``name[=value]`` items first, then every ``+name``, then every
``-name`` (``x86_cpu_parse_featurestr`` keeps the ``+``/``-`` ones apart and applies
them last).  So ``-hv-reset`` in a
custom model turns off the automatic ``hv_reset`` (two names for qemu-server,
one property for QEMU, which warns "Ambiguous CPU model string"); and
``-hv_reset`` is refused, since QEMU does not translate ``_`` in ``+``/``-`` items
(checked with QEMU 7.2: "Property 'qemu64-x86_64-cpu.hv_reset' not found").
"""

from __future__ import annotations

import re

from hvtui import catalog
from hvtui.catalog import Value
from hvtui.catalog import proxmox as facts
from hvtui.catalog.proxmox import machine_text
from hvtui.limits import MAX_WORDS
from hvtui.records import record
from hvtui.versions import Version

#: ``args:`` words as PVE::Tools::split_args (Text::ParseWords::shellwords) reads them:
#: double quotes and unquoted text drop a backslash before any character; single
#: quotes keep it but a backslash still escapes the closing quote.
_WORD_PIECE = re.compile(
    r"""\s++|"((?:[^"\\]++|\\.)*+)"|'((?:[^'\\]++|\\.)*+)'|((?:[^\s"'\\]++|\\.)++)|(.)""",
    re.DOTALL,
)
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
#: The whole value is words Text::ParseWords can read (checked in C before splitting).
_BALANCED = re.compile(
    r"""(?:[^"'\\]++|\\.|"(?:[^"\\]++|\\.)*+"|'(?:[^'\\]++|\\.)*+')*+""", re.DOTALL
)
_VENDOR_ID = re.compile(facts.VENDOR_ID_PATTERN)
_FLAG = re.compile(facts.FLAG_PATTERN)
_MACHINE = re.compile(
    r"^(?:pc(?:-i440fx|-q35)?|virt)-(\d+)\.(\d+)(?:\.\d+)?(?:\+pve(\d+))?(?:\.pxe)?$"
)
_CREATION_QEMU = re.compile(r"(?:^|,)\s*creation-qemu=(\d+)\.(\d+)")
_SECTION = re.compile(r"^cpu-model:\s*(\S+)\s*$")
_CUSTOM_LINE = re.compile(r"^\s+([a-z][a-z0-9-]*)\s+(.*?)\s*$")

#: qemu-server's built-in models (``$builtin_models``): reported as qemu64 plus flags.
BUILTIN_MODELS = frozenset({"x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4"})
#: Generic models that take the host's vendor (no ``vendor=`` forced).
GENERIC_MODELS = frozenset({"host", "kvm32", "kvm64", "qemu32", "qemu64", "max"})


def split_args(text: str) -> list[str] | None:
    """The words of an ``args:`` value; ``None`` when Text::ParseWords gives none at all
    (an unbalanced quote or a lone trailing backslash: Proxmox then adds no args).

    At most :data:`~hvtui.limits.MAX_WORDS` + 1 words are split (QEMU's reader reports
    the rest); whether the whole value is balanced is checked first, in one pass.
    """
    if not any(c in text for c in "\"'\\"):
        return text.split()[: MAX_WORDS + 1]
    if _BALANCED.fullmatch(text) is None:
        return None
    words: list[str] = []
    current: list[str] | None = None
    for match in _WORD_PIECE.finditer(text):
        double, single, plain, other = match.groups()
        if other is not None:
            return None
        if double is None and single is None and plain is None:  # whitespace
            if current is not None:
                words.append("".join(current))
                current = None
                if len(words) > MAX_WORDS:
                    return words
            continue
        current = current if current is not None else []
        if double is not None:
            current.append(_UNESCAPE.sub(r"\1", double))
        elif single is not None:
            current.append(single)
        else:
            current.append(_UNESCAPE.sub(r"\1", plain or ""))
    if current is not None:
        words.append("".join(current))
    return words


def quote_arg(word: str) -> str:
    """One word for an ``args:`` value that :func:`split_args` (and Proxmox) read back
    as exactly ``word``: bare when safe, else in double quotes with ``\\`` and ``"``
    escaped.  A newline or other control character is refused: a config line ends there."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in word):
        raise ValueError(f"{word!r}: a control character cannot be written into args:")
    if word and re.fullmatch(r"[A-Za-z0-9_,.=+:/@%-]+", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


@record(frozen=True)
class CpuConf:
    """A ``cpu:`` value or a custom model (``$cpu_fmt``), as far as the -cpu needs it."""

    cputype: str = ""
    flags: tuple[tuple[str, str], ...] = ()
    """``(op, name)`` pairs in order: ``("+", "hv-tlbflush")``."""
    bad_flags: tuple[str, ...] = ()
    """Items of ``flags=`` that do not match ``[+-]name``."""
    hv_vendor_id: str | None = None
    hidden: bool | None = None
    reported_model: str | None = None
    others: tuple[str, ...] = ()


def parse_cpu_conf(value: str) -> CpuConf:
    """``[cputype=]MODEL,flags=+a;-b,hv-vendor-id=X,hidden=1`` (a property string)."""
    conf: dict[str, str] = {}
    others: list[str] = []
    for n, part in enumerate(value.split(",")):
        key, sep, item = part.partition("=")
        key = key.strip()
        if not sep and n == 0:
            conf["cputype"] = key
        elif sep and key in ("cputype", "flags", "hv-vendor-id", "hidden", "reported-model"):
            conf[key] = item.strip()
        elif part.strip():
            others.append(part.strip())
    return _cpu_conf(conf, others)


def _cpu_conf(conf: dict[str, str], others: list[str]) -> CpuConf:
    flags: list[tuple[str, str]] = []
    bad: list[str] = []
    for flag in conf.get("flags", "").split(";"):
        flag = flag.strip()
        if not flag:
            continue
        if _FLAG.fullmatch(flag):
            flags.append((flag[0], flag[1:]))
        else:
            bad.append(flag)
    hidden = conf.get("hidden")
    return CpuConf(
        conf.get("cputype", ""),
        tuple(flags),
        tuple(bad),
        conf.get("hv-vendor-id"),
        None if hidden is None else hidden.lower() in ("1", "on", "yes", "true"),
        conf.get("reported-model"),
        tuple(others),
    )


def parse_cpu_models(text: str) -> dict[str, CpuConf] | None:
    """``/etc/pve/virtual-guest/cpu-models.conf``: ``cpu-model: NAME`` sections of
    tab-indented ``key value`` lines; ``None`` when the text is not such a file."""
    models: dict[str, CpuConf] = {}
    name: str | None = None
    conf: dict[str, str] = {}
    others: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        section = _SECTION.match(line)
        if section is not None:
            if name is not None:
                models[name] = _cpu_conf(conf, others)
            name, conf, others = section.group(1), {"cputype": f"custom-{section.group(1)}"}, []
            continue
        item = _CUSTOM_LINE.match(line)
        if name is None or item is None:
            return None
        conf[item.group(1)] = item.group(2)
    if name is None:
        return None
    models[name] = _cpu_conf(conf, others)
    return models


@record(frozen=True)
class VmContext:
    """What the automatic set depends on, read from a VM's options (or assumed)."""

    ostype: str
    windows: int
    machine: Version
    """Major, minor and the ``+pveN`` revision as the third part."""
    machine_note: str
    """Where ``machine`` came from, in words (set, pinned, assumed)."""
    bios: str
    gpu: bool
    """A ``hostpci*`` with ``x-vga=1``."""
    kvm: bool
    host_intel: bool | None = None
    qemu_server: Version | None = None
    """The qemu-server release (``None``: assume the newest, every rule applies)."""

    def rule_applies(self, rule: facts.AutoRule) -> bool | None:
        """Whether ``rule`` adds its option here; ``None`` when it depends on what is not
        known (the host vendor of an Intel-only rule)."""
        if self.windows < rule.windows:
            return False
        if rule.machine is not None and self.machine < rule.machine:
            return False
        if rule.before_machine is not None and self.machine >= rule.before_machine:
            return False
        if (
            rule.qemu_server is not None
            and self.qemu_server is not None
            and self.qemu_server < rule.qemu_server
        ):
            return False
        if rule.intel_only:
            return self.host_intel
        return True

    @property
    def no_automatic(self) -> str | None:
        """Why there is no automatic set at all, or ``None``."""
        if not self.kvm:
            return "kvm: 0 (no KVM, no Hyper-V flags)"
        if self.windows < facts.MIN_WINDOWS:
            return f"ostype {self.ostype or 'not set'} (only Windows Vista/2008 and later get any)"
        if self.bios == "ovmf" and self.windows < facts.MIN_WINDOWS_OVMF:
            return f"bios: ovmf with ostype {self.ostype} (OVMF gets them from Windows 8 on)"
        return None


def machine_kind(options: dict[str, str]) -> str:
    """The machine type ``machine:`` names, as written (``pc-q35-8.1+pve0``, ``q35``), or
    ``""``: its unnamed first part or its ``type=`` (qemu-server's ``$machine_fmt``,
    ``[[type=]<type>][,viommu=<intel|virtio>]``, in any order)."""
    parts = [part.strip() for part in options.get("machine", "").split(",")]
    named = [part for part in parts[:1] if part and "=" not in part]
    named += [part.removeprefix("type=") for part in parts if part.startswith("type=")]
    return named[-1] if named else ""


def versioned_machine(kind: str) -> bool:
    """Whether the machine type ``kind`` (:func:`machine_kind`) names a version
    (``pc-i440fx-5.1``, ``pc-q35-8.1+pve0``), not the newest (``pc``, ``q35``)."""
    return _MACHINE.match(kind) is not None


def machine_version(options: dict[str, str], windows: int) -> tuple[Version, str]:
    """The machine version qemu-server starts the VM with (Machine.pm ``get_vm_machine``)."""
    kind = machine_kind(options)
    match = _MACHINE.match(kind)
    if match is not None:
        version = Version(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        return version, f"machine: {kind}"
    if windows:
        creation = _CREATION_QEMU.search(options.get("meta", ""))
        if creation is not None:
            made = Version(int(creation.group(1)), int(creation.group(2)), 0)
            if made >= facts.WINDOWS_PIN_FROM_CREATION:
                return made, (
                    f"machine: {kind or 'not set'}: a Windows VM is pinned to the QEMU that "
                    f"created it (meta: creation-qemu={machine_text(made)}), as qemu-server "
                    "9.x does; the creation version if this QEMU still runs it"
                )
        pinned = facts.WINDOWS_PINNED_MACHINE
        return pinned, (
            f"machine: {kind or 'not set'}: a Windows VM without a version is pinned to "
            f"{machine_text(pinned)} (Machine.pm get_vm_machine; from QEMU 9.1 on, "
            "new VMs record creation-qemu= and get that version)"
        )
    return Version(99, 0, 0), (
        f"machine: {kind or 'not set'}: assumed the newest machine of the installed QEMU"
    )


def context_of(
    options: dict[str, str],
    *,
    host_intel: bool | None = None,
    qemu_server: Version | None = None,
) -> VmContext:
    """The :class:`VmContext` of a VM's ``key: value`` options."""
    ostype = options.get("ostype", "").strip()
    windows = facts.WINDOWS_VERSIONS.get(ostype, 0)
    machine, note = machine_version(options, windows)
    gpu = any(
        re.match(r"hostpci\d+$", key) is not None
        and re.search(r"(?:^|,)\s*x-vga=(?:1|on|yes|true)\s*(?:,|$)", value) is not None
        for key, value in options.items()
    )
    kvm = options.get("kvm", "1").strip() not in ("0", "off", "no", "false")
    return VmContext(
        ostype,
        windows,
        machine,
        note,
        options.get("bios", "seabios").strip() or "seabios",
        gpu,
        kvm,
        host_intel,
        qemu_server,
    )


@record(frozen=True)
class AutoItem:
    """One option of the automatic set and why it is there."""

    option: str
    value: Value
    reason: str
    verified: bool = True


def automatic_set(ctx: VmContext, vendor_id: str | None) -> tuple[list[AutoItem], list[str]]:
    """``get_hyperv_enlightenments`` for ``ctx``: the options and notes on rules that
    depend on what is not known (an Intel-only rule without a host vendor)."""
    if ctx.no_automatic is not None:
        return [], []
    items: list[AutoItem] = []
    notes: list[str] = []
    if ctx.gpu or vendor_id is not None:
        why = "hv-vendor-id set in cpu:" if vendor_id is not None else "GPU passed with x-vga"
        items.append(AutoItem("vendor-id", vendor_id or facts.VENDOR_ID_DEFAULT, why))
    for rule in facts.AUTO_RULES:
        applies = ctx.rule_applies(rule)
        why = f"automatic: ostype {ctx.ostype}, {rule.describe()}"
        if applies is None:
            notes.append(
                f"hv-{rule.option}: also on if the host is Intel ({rule.describe()}; "
                f"{'rule not verified: ' if not rule.verified else ''}{rule.where})"
            )
        elif applies:
            items.append(AutoItem(rule.option, rule.value, why, rule.verified))
    return items, notes


@record()
class _Flag:
    op: str
    value: str | None
    origin: str


@record(frozen=True)
class ProxmoxCpu:
    """The ``-cpu`` qemu-server builds, and what each item came from."""

    model: str
    items: tuple[tuple[str, str, str | None], ...]
    """``(op, name, value)`` in qemu-server's order (sorted by name)."""
    origins: dict[str, str]
    """Origin per flag name as qemu-server keys it (``hv_relaxed``, ``hv-tlbflush``)."""
    context: VmContext
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    custom_model: str | None = None

    @property
    def text(self) -> str:
        """``host,enforce,hv_ipi,...``: the ``-cpu`` value."""
        words = [f"{op}{name}" + (f"={value}" if value else "") for op, name, value in self.items]
        return ",".join([self.model, *words])


def proxmox_cpu(
    options: dict[str, str],
    models: dict[str, CpuConf] | None = None,
    *,
    host_intel: bool | None = None,
    qemu_server: Version | None = None,
) -> ProxmoxCpu:
    """qemu-server's ``get_cpu_options`` for a VM's options (``models``: cpu-models.conf)."""
    ctx = context_of(options, host_intel=host_intel, qemu_server=qemu_server)
    problems: list[str] = []
    notes: list[str] = [ctx.machine_note]
    cpu = parse_cpu_conf(options["cpu"]) if options.get("cpu", "").strip() else CpuConf()
    cputype = cpu.cputype or ("kvm64" if ctx.kvm else "qemu64")
    kvm_off = ctx.gpu
    vendor_id: str | None = None
    model_flags: list[tuple[str, str]] = []
    custom: str | None = None
    builtin = cputype in BUILTIN_MODELS
    if builtin:
        model = "qemu64"
    elif cputype.startswith("custom-"):
        custom = cputype.removeprefix("custom-")
        conf = (models or {}).get(custom)
        if conf is None:
            where = "not in the cpu-models.conf given" if models else "no cpu-models.conf given"
            problems.append(
                f"cpu: {cputype}: {where}; its flags, hidden and hv-vendor-id are unknown "
                "(audit it together with /etc/pve/virtual-guest/cpu-models.conf)"
            )
            conf = CpuConf()
        model = conf.reported_model or "kvm64"
        if conf.hidden is not None:
            kvm_off = conf.hidden
        vendor_id = conf.hv_vendor_id
        model_flags = list(conf.flags)
        problems += [
            f"cpu-models.conf {custom}: flag {f!r} is not [+-]name" for f in conf.bad_flags
        ]
    else:
        model = cputype
    if cpu.hidden is not None:
        kvm_off = cpu.hidden
    if cpu.hv_vendor_id is not None:
        vendor_id = cpu.hv_vendor_id
    if vendor_id is not None and not _VENDOR_ID.fullmatch(vendor_id):
        problems.append(
            f"hv-vendor-id={vendor_id!r}: Proxmox refuses it ({facts.VENDOR_ID_PATTERN})"
        )
    vm_flags = [f for f in cpu.flags if f[1] in facts.VM_FLAGS]
    refused = [f"{op}{name}" for op, name in cpu.flags if name not in facts.VM_FLAGS]
    if refused or cpu.bad_flags:
        problems.append(
            f"cpu: flags={';'.join([*refused, *cpu.bad_flags])}: Proxmox refuses this VM "
            f"(VM-specific flags must be among {', '.join(facts.VM_FLAGS)}; use a custom "
            "CPU model for others)"
        )
    table: dict[str, _Flag] = {}

    def put(name: str, op: str, value: str | None, origin: str) -> None:
        if name == "nested-virt":
            name = "svm" if host_intel is False else "vmx"
        table[name] = _Flag(op, value, origin)

    pve = "set by qemu-server"
    if model == "kvm64":
        put("lahf_lm", "+", None, pve)
    if model in ("kvm64", "kvm32"):
        put("sep", "+", None, pve)
    if ctx.kvm and ctx.machine >= Version(2, 3, 0):
        put("kvm_pv_unhalt", "+", None, pve)
        put("kvm_pv_eoi", "+", None, pve)
    autos, auto_notes = automatic_set(ctx, vendor_id) if ctx.kvm else ([], [])
    notes += auto_notes
    if ctx.no_automatic is not None:
        notes.append(f"no automatic Hyper-V set: {ctx.no_automatic}")
    for auto in autos:
        value = auto.value
        text = None if value is True else (f"{value:#x}" if isinstance(value, int) else str(value))
        mark = "" if auto.verified else " (rule not verified)"
        put(f"hv_{auto.option.replace('-', '_')}", "", text, auto.reason + mark)
    for op, name in model_flags:
        put(name, op, None, f"custom CPU model {custom} (cpu-models.conf)")
    for op, name in vm_flags:
        put(name, op, None, "cpu: flags= of this VM")
    if model not in GENERIC_MODELS and ctx.kvm:
        put("enforce", "", None, pve)
    if kvm_off:
        put("kvm", "", "off", "hidden=1" if cpu.hidden or not ctx.gpu else "GPU passed with x-vga")
    items = tuple((table[n].op, n, table[n].value) for n in sorted(table))
    origins = {n: f.origin for n, f in table.items()}
    return ProxmoxCpu(model, items, origins, ctx, tuple(notes), tuple(problems), custom)


def origin_of(cpu: ProxmoxCpu, option: str) -> str:
    """Where ``option`` (a catalog name) on :attr:`ProxmoxCpu.text` came from: the item
    QEMU applies last (a ``-`` item, else a ``+`` item, else the plain one)."""
    entry = catalog.get(option)
    names = {entry.qemu_property, entry.qemu_property.replace("-", "_")}
    names |= {f"hv-{a}" for a in entry.aliases} | {
        f"hv_{a.replace('-', '_')}" for a in entry.aliases
    }
    found = [(op, name) for op, name, _value in cpu.items if name in names]
    for wanted in ("-", "+", ""):
        for op, name in found:
            if op == wanted:
                return cpu.origins[name]
    return "not set"


__all__ = [
    "BUILTIN_MODELS",
    "GENERIC_MODELS",
    "AutoItem",
    "CpuConf",
    "ProxmoxCpu",
    "VmContext",
    "automatic_set",
    "context_of",
    "machine_kind",
    "machine_version",
    "origin_of",
    "parse_cpu_conf",
    "parse_cpu_models",
    "proxmox_cpu",
    "quote_arg",
    "split_args",
    "versioned_machine",
]
