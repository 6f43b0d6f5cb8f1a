"""The CPU: vendor, model, virtualization extension, topology (``/proc/cpuinfo`` + sysfs).

Topology prefers sysfs (``online``, ``cpuN/topology``) over ``/proc/cpuinfo``'s
``siblings``/``cpu cores``: inside LXC, LXCFS filters the processor list while
those fields still describe the whole host, so counting what is listed is the
only honest answer there.
"""

from __future__ import annotations

from hvtui.detect.report import (
    BIOS_DISABLED,
    MISSING,
    NONE,
    NOT_X86,
    UNPARSABLE,
    CpuInfo,
    Fact,
    known,
    unknown,
)
from hvtui.detect.sysroot import Root, parse_int, prefixed_number
from hvtui.formats.cpulist import CpuListError, parse_cpulist
from hvtui.limits import MAX_CPUINFO_LINE
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # collections stays unloaded at run time (issue #13)
    from collections.abc import Mapping

CPUINFO = "/proc/cpuinfo"
CPU_DIR = "/sys/devices/system/cpu"
NODE_DIR = "/sys/devices/system/node"

#: CPUID vendor ids and hvtui's vendor names (libvirt's capabilities spell the names
#: capitalised: Intel, AMD, Hygon).
VENDOR_IDS = {"GenuineIntel": "intel", "AuthenticAMD": "amd", "HygonGenuine": "hygon"}
_CPU_ENTRY = prefixed_number("cpu")
_NODE_ENTRY = prefixed_number("node")

# Architectural CPUID bits for the firmware check (Intel SDM / AMD APM), not
# Hyper-V facts: leaf 1 ECX[5] = VMX, leaf 0x80000001 ECX[2] = SVM.
_VMX_LEAF, _VMX_ECX_BIT = 0x1, 1 << 5
_SVM_LEAF, _SVM_ECX_BIT = 0x80000001, 1 << 2


@record(frozen=True)
class Cpuinfo:
    """``/proc/cpuinfo`` split into one mapping per processor block."""

    blocks: tuple[dict[str, str], ...]

    @property
    def first(self) -> Mapping[str, str]:
        """The first processor's fields (the kernel prints the same flags for all)."""
        return self.blocks[0] if self.blocks else {}

    @property
    def is_x86(self) -> bool:
        """x86 kernels print ``vendor_id``; others (ARM's ``CPU implementer``) do not."""
        return "vendor_id" in self.first

    def field(self, key: str) -> Fact[str]:
        """A field of the first processor, or ``unparsable`` when the kernel would print it."""
        value = self.first.get(key)
        if value is None:
            if not self.is_x86:
                return unknown(NOT_X86, f"{CPUINFO} has no {key!r} (not an x86 CPU)")
            return unknown(UNPARSABLE, f"{CPUINFO} has no {key!r} line")
        return known(value)


def parse_cpuinfo(text: str) -> Cpuinfo:
    """Blocks of ``key : value`` lines separated by blank lines; junk lines are skipped."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        current.setdefault(key.strip(), value.strip())
    if current:
        blocks.append(current)
    return Cpuinfo(tuple(b for b in blocks if "processor" in b or "vendor_id" in b))


def read_cpuinfo(root: Root) -> Fact[Cpuinfo]:
    """Parsed ``/proc/cpuinfo``, or why it could not be had."""
    text = root.read(CPUINFO)
    if text.value is None:
        return Fact(None, text.reason)
    # A real line is at most a few KiB (the flags); a longer one is not cpuinfo, and
    # its millions of "flags" would only slow every report down.
    longest = max(map(len, text.value.splitlines()), default=0)
    if longest > MAX_CPUINFO_LINE:
        return unknown(
            UNPARSABLE,
            f"{CPUINFO} has a line of {longest} characters; a line may have {MAX_CPUINFO_LINE}",
        )
    parsed = parse_cpuinfo(text.value)
    if not parsed.blocks:
        return unknown(UNPARSABLE, f"{CPUINFO} lists no processor")
    return known(parsed)


def flag_set(cpuinfo: Fact[Cpuinfo], key: str = "flags") -> Fact[tuple[str, ...]]:
    """The ``flags`` (or ``vmx flags``) words of the first processor."""
    if cpuinfo.value is None:
        return Fact(None, cpuinfo.reason)
    value = cpuinfo.value.first.get(key)
    if value is None:
        if not cpuinfo.value.is_x86:
            return unknown(NOT_X86, f"{CPUINFO} has no {key!r} line (not an x86 CPU)")
        return unknown(MISSING, f"{CPUINFO} has no {key!r} line")
    return known(tuple(value.split()))


def detect_cpu(
    root: Root,
    cpuinfo: Fact[Cpuinfo],
    raw_cpuid: Fact[dict[int, tuple[int, int, int, int]]],
    deep_flags: Fact[tuple[str, ...]],
) -> CpuInfo:
    """The CPU section of the report.

    ``raw_cpuid`` (from ``/dev/cpu/0/cpuid``) and ``deep_flags`` (py-cpuinfo's
    raw CPUID) only serve to tell "no VMX/SVM" from "disabled by the firmware":
    the kernel removes the flag from ``/proc/cpuinfo`` in both cases.
    """
    if cpuinfo.value is None:
        vendor_id: Fact[str] = Fact(None, cpuinfo.reason)
        model_name: Fact[str] = Fact(None, cpuinfo.reason)
        family: Fact[int] = Fact(None, cpuinfo.reason)
        model: Fact[int] = Fact(None, cpuinfo.reason)
        stepping: Fact[int] = Fact(None, cpuinfo.reason)
    else:
        info = cpuinfo.value
        vendor_id = info.field("vendor_id")
        model_name = info.field("model name")
        family = parse_int(info.field("cpu family"), f"{CPUINFO} 'cpu family'")
        model = parse_int(info.field("model"), f"{CPUINFO} 'model'")
        stepping = parse_int(info.field("stepping"), f"{CPUINFO} 'stepping'")
    flags = flag_set(cpuinfo)
    vmx_flags = flag_set(cpuinfo, "vmx flags")
    if vmx_flags.value is None and flags.value is not None and "vmx" not in flags.value:
        vmx_flags = unknown(NONE, "no VMX, so no 'vmx flags' line")
    extension, bios = virt_extension(flags, raw_cpuid, deep_flags)
    logical = logical_cpus(root, cpuinfo)
    cores, sockets = cores_and_sockets(root, cpuinfo)
    return CpuInfo(
        vendor=vendor_id.map(lambda v: VENDOR_IDS.get(v, "other")),
        vendor_id=vendor_id,
        model_name=model_name,
        family=family,
        model=model,
        stepping=stepping,
        virt_extension=extension,
        virt_bios_disabled=bios,
        in_vm=flags.map(lambda f: "hypervisor" in f),
        logical_cpus=logical,
        cores=cores,
        sockets=sockets,
        numa_nodes=numa_nodes(root),
        flags=flags,
        vmx_flags=vmx_flags,
    )


def virt_extension(
    flags: Fact[tuple[str, ...]],
    raw_cpuid: Fact[dict[int, tuple[int, int, int, int]]],
    deep_flags: Fact[tuple[str, ...]],
) -> tuple[Fact[str], Fact[bool]]:
    """``vmx``/``svm`` and whether the firmware disabled it.

    The kernel drops ``vmx``/``svm`` from the flags when the firmware disabled
    the extension (``feat_ctl.c``, ``amd.c``), so their absence alone cannot
    tell "no VT-x" from "VT-x off in the BIOS"; the raw CPUID bit can.
    """
    if flags.value is None:
        return Fact(None, flags.reason), Fact(None, flags.reason)
    for name in ("vmx", "svm"):
        if name in flags.value:
            return known(name), known(False)
    hardware: str | None = None
    evidence: Fact[bool]
    if raw_cpuid.value is not None:
        leaf1 = raw_cpuid.value.get(_VMX_LEAF)
        leaf_ext = raw_cpuid.value.get(_SVM_LEAF)
        if leaf1 is not None and leaf1[2] & _VMX_ECX_BIT:
            hardware = "vmx"
        elif leaf_ext is not None and leaf_ext[2] & _SVM_ECX_BIT:
            hardware = "svm"
        evidence = known(hardware is not None)
    elif deep_flags.value is not None:
        hardware = next((n for n in ("vmx", "svm") if n in deep_flags.value), None)
        evidence = known(hardware is not None)
    else:
        evidence = unknown(
            NONE,
            "the kernel lists neither vmx nor svm; whether the firmware disabled them needs "
            "the raw CPUID (root with /dev/cpu/0/cpuid, or --deep)",
        )
    if hardware is not None:
        word = "VT-x" if hardware == "vmx" else "AMD-V (SVM)"
        return (
            unknown(
                BIOS_DISABLED,
                f"the CPU has {hardware} but the kernel reports it disabled: enable {word} "
                "in the firmware (BIOS/UEFI) setup",
            ),
            known(True),
        )
    if "hypervisor" in flags.value:
        detail = "this host is a VM whose hypervisor does not expose nested virtualization"
    else:
        detail = "/proc/cpuinfo lists neither vmx nor svm"
        if evidence.value is None:
            detail += " (they may be disabled in the firmware setup)"
    return unknown(NONE, detail), evidence


def logical_cpus(root: Root, cpuinfo: Fact[Cpuinfo]) -> Fact[int]:
    """Online CPUs from sysfs, else the processors ``/proc/cpuinfo`` lists."""
    online = root.read_line(f"{CPU_DIR}/online")
    if online.value is not None:
        try:
            cpus = parse_cpulist(online.value)
        except CpuListError as exc:
            return unknown(UNPARSABLE, f"{CPU_DIR}/online: {exc}")
        if cpus:
            return known(len(cpus))
    if cpuinfo.value is not None:
        return known(sum(1 for b in cpuinfo.value.blocks if "processor" in b))
    return Fact(None, online.reason or cpuinfo.reason)


def _online_set(root: Root) -> frozenset[int] | None:
    online = root.read_line(f"{CPU_DIR}/online")
    if online.value is None:
        return None
    try:
        return parse_cpulist(online.value) or None
    except CpuListError:
        return None


def cores_and_sockets(root: Root, cpuinfo: Fact[Cpuinfo]) -> tuple[Fact[int], Fact[int]]:
    """Physical cores and sockets: distinct sibling sets and package ids in sysfs.

    Falls back to distinct ``physical id``/``core id`` pairs of the listed
    processors, never to ``cpu cores`` (which LXC leaves describing the host).
    """
    entries = root.listdir(CPU_DIR, _CPU_ENTRY)
    online = _online_set(root)
    if entries.value:
        numbers = [int(n[3:]) for n in entries.value]
        wanted = [n for n in numbers if online is None or n in online]
        siblings: set[frozenset[int]] = set()
        packages: set[str] = set()
        complete = bool(wanted)
        for n in wanted:
            base = f"{CPU_DIR}/cpu{n}/topology"
            sib = root.read_line(f"{base}/thread_siblings_list")
            pkg = root.read_line(f"{base}/physical_package_id")
            if sib.value is None or pkg.value is None:
                complete = False
                break
            try:
                siblings.add(parse_cpulist(sib.value))
            except CpuListError:
                complete = False
                break
            packages.add(pkg.value)
        if complete:
            return known(len(siblings)), known(len(packages))
    if cpuinfo.value is not None:
        blocks = [b for b in cpuinfo.value.blocks if "processor" in b]
        if blocks and all("physical id" in b and "core id" in b for b in blocks):
            pairs = {(b["physical id"], b["core id"]) for b in blocks}
            return known(len(pairs)), known(len({b["physical id"] for b in blocks}))
        why = unknown(
            UNPARSABLE if cpuinfo.value.is_x86 else NOT_X86,
            f"no {CPU_DIR}/cpuN/topology and {CPUINFO} has no 'physical id'/'core id'",
        )
        return why, why
    reason = cpuinfo.reason or entries.reason
    return Fact(None, reason), Fact(None, reason)


def numa_nodes(root: Root) -> Fact[int]:
    """NUMA nodes: ``/sys/devices/system/node/online``, else the ``nodeN`` directories."""
    online = root.read_line(f"{NODE_DIR}/online")
    if online.value is not None:
        try:
            nodes = parse_cpulist(online.value)
        except CpuListError as exc:
            return unknown(UNPARSABLE, f"{NODE_DIR}/online: {exc}")
        if nodes:
            return known(len(nodes))
    entries = root.listdir(NODE_DIR, _NODE_ENTRY)
    if entries.value:
        return known(len(entries.value))
    return Fact(None, online.reason or entries.reason or f"{MISSING}: {NODE_DIR}")
