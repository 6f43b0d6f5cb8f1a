"""The CPU topology QEMU 7.2 makes of ``-smp``: what it fills in, and what it refuses.

``-smp`` and ``-machine smp.KEY`` (read by :class:`~hvtui.formats.qemu_opts.MachineOptions`)
become one ``SMPConfiguration`` (qemu/qemu ``qapi/machine.json``: ``cpus``, ``sockets``,
``dies``, ``clusters``, ``cores``, ``threads``, ``maxcpus``, each an ``int``), which
``machine_parse_smp_config`` (qemu/qemu ``hw/core/machine-smp.c``, QEMU 7.2) turns
into the machine's topology.  :func:`parse_smp_config` is that function, line for
line, with C's ``unsigned`` arithmetic: each count is taken modulo 2**32
(``-smp 4294967296`` is no count, and QEMU starts one vCPU), products wrap the same
way, and a product that wraps to 0 is a division by zero, at which QEMU dies of
SIGFPE.  It fills in what is missing as QEMU does (cores before sockets on machine
types since 6.2, sockets first on older ones: ``smp_props.prefer_sockets``), and
refuses what QEMU refuses, with QEMU's words: a product of the hierarchy that is not
``maxcpus`` (``-smp 3,cores=2``), ``maxcpus`` below ``cpus``, ``dies`` or ``clusters``
above 1 where the machine has none (``smp_props.dies_supported`` and
``clusters_supported``: PC machines have dies, no x86 machine has clusters), and
more vCPUs than the machine type takes (``MachineClass.max_cpus``).  A zero count
is taken as not given, as QEMU 7.2 takes it (with a deprecation warning; QEMU 9.0
refuses it).

The machine type's properties (:func:`machine_smp`) are those of QEMU 7.2's x86
machine types (hw/i386/pc.c, pc_piix.c, pc_q35.c, microvm.c; ``max_cpus`` as QMP
``query-machines`` gives it), of the later upstream ``pc-i440fx-*``/``pc-q35-*``
versions up to 10.1 and of RHEL's ``pc-*-rhel*`` types, whose ``max_cpus`` and
``prefer_sockets`` come from the sources cited at :data:`_LATER_MAX_CPUS` and
:data:`_DOWNSTREAM` (QEMU 7.2's binary does not have them).  For any other type
only what holds for every machine type is checked, and :class:`SmpReading` says
that its vCPU limit was not.  Every case in ``tests/importers/test_qemu_smp.py``
on a type QEMU 7.2 has is checked against QEMU 7.2's ``qemu-system-x86_64`` (its
refusal, or the topology QMP ``query-hotpluggable-cpus`` shows); the others
against the cited sources.
"""

from __future__ import annotations

from collections.abc import Callable

from hvtui.formats.qemu_opts import c_integer
from hvtui.records import record
from hvtui.textsafe import clipped

#: The counts of the topology, from the largest part to the smallest.
SMP_COUNTS = ("sockets", "dies", "clusters", "cores", "threads")
#: The members of QEMU 7.2's ``SMPConfiguration`` (qemu/qemu ``qapi/machine.json``):
#: QEMU refuses any other key of ``-smp`` or ``-machine smp.KEY``.
SMP_KEYS = frozenset({"cpus", "maxcpus", *SMP_COUNTS})
#: The machine type QEMU 7.2's ``qemu-system-x86_64`` makes when none is named.
DEFAULT_MACHINE = "pc-i440fx-7.2"
#: ``unsigned``: C's 32-bit unsigned integers wrap modulo 2**32.
_U32 = 2**32 - 1


@record(frozen=True)
class MachineSmp:
    """What a machine type changes in ``machine_parse_smp_config``: its ``MachineClass``
    fields (``name``, ``min_cpus``, ``max_cpus``, ``smp_props``).  ``None``: hvtui does
    not know it for this type, and does not check what depends on it."""

    name: str
    """``mc->name``, which QEMU's messages quote (``q35`` is ``pc-q35-7.2``)."""
    prefer_sockets: bool = False
    """Machine types up to 6.1 fill in sockets before cores; later ones cores first."""
    dies_supported: bool | None = False
    clusters_supported: bool | None = False
    max_cpus: int | None = 1
    """``mc->max_cpus`` (QMP ``query-machines`` ``cpu-max``)."""
    min_cpus: int = 1
    """``machine_class_base_init`` makes every machine's ``min_cpus`` at least 1."""


#: Machine types of QEMU 7.2's x86 binary that are neither ``pc-i440fx-*`` nor ``pc-q35-*``.
_OTHER_MACHINES = {
    "microvm": MachineSmp("microvm", max_cpus=288),  # an X86 machine: no dies
    "isapc": MachineSmp("isapc", dies_supported=True),  # a PC machine
    "none": MachineSmp("none"),
    "x-remote": MachineSmp("x-remote"),
}
#: The versions of ``pc-i440fx-*`` and ``pc-q35-*`` QEMU 7.2 has.
_PC_VERSIONS = {
    "pc-i440fx": {"1.4", "1.5", "1.6", "1.7"}
    | {f"2.{minor}" for minor in range(13)}
    | {"3.0", "3.1", "4.0", "4.1", "4.2", "5.0", "5.1", "5.2", "6.0", "6.1", "6.2"}
    | {"7.0", "7.1", "7.2"},
    "pc-q35": {f"2.{minor}" for minor in range(4, 13)}
    | {"3.0", "3.1", "4.0", "4.0.1", "4.1", "4.2", "5.0", "5.1", "5.2", "6.0", "6.1", "6.2"}
    | {"7.0", "7.1", "7.2"},
}
_ALIASES = {"pc": "pc-i440fx-7.2", "q35": "pc-q35-7.2"}
#: ``max_cpus`` of the upstream ``pc-i440fx-*``/``pc-q35-*`` versions after QEMU 7.2, up to
#: 10.1: ``pc_machine_class_init`` keeps 255 for every ``pc-i440fx`` (hw/i386/pc.c: the
#: ``mc->max_cpus = 255`` that RHEL's patches of QEMU 10.x replace, below);
#: ``pc_q35_machine_options`` went to 1024 in 8.1 (qemu-devel "[PATCH v6 2/2] pc: q35: Bump
#: max_cpus to 1024": "keep max_cpus at 288 for machine version 8.0 and older") and to 4096
#: in 9.0 ("pc_q35: Bump max_cpus to 4096 vcpus": "Q35 machines versions 8.2 and older
#: continue to support 1024"), which it still is in those RHEL patches' context.
_LATER_MAX_CPUS = {
    "pc-i440fx": dict.fromkeys(("8.0", "8.1", "8.2", "9.0", "9.1", "9.2", "10.0", "10.1"), 255),
    "pc-q35": {"8.0": 288, "8.1": 1024, "8.2": 1024}
    | dict.fromkeys(("9.0", "9.1", "9.2", "10.0", "10.1"), 4096),
}
#: RHEL's (and CentOS Stream's) downstream x86 types, from the qemu-kvm patches in the
#: openela-main/qemu-kvm mirror of the RHEL sources: "Add x86_64 machine types" (commit
#: 00a99823, qemu-kvm 8.2 of RHEL 9.4), "Add downstream x86_64 versioned 'pc' & 'q35' machine
#: types" (commit 061f0ea7, a later RHEL 9 build whose newest type is rhel9.6.0; commit
#: b7a9a420, qemu-kvm 10.0 of RHEL 10.0).  Every ``pc-i440fx-rhel*`` takes 240 vCPUs
#: (``pc_machine_class_init``: "240: max CPU count for RHEL"); every ``pc-q35-rhel*`` 710 in
#: 8.2 (``pc_q35_machine_rhel_options``), and in the later builds upstream's 4096 for
#: rhel9.6.0 and later while "older RHEL machines continue to support 710 vcpus".  Sockets
#: are filled in first on ``pc-i440fx-rhel7.6.0`` (``pc_machine_rhel7_options``) and on
#: ``pc-q35-rhel8.5.0`` and older (``pc_q35_machine_rhel850_options``).  All are PC machines
#: (dies); whether later QEMUs' x86 machines have clusters is not QEMU 7.2's to say, so it
#: is not checked.
_DOWNSTREAM = {
    smp.name: smp
    for smp in (
        MachineSmp("pc-i440fx-rhel7.6.0", True, True, None, 240),
        MachineSmp("pc-i440fx-rhel10.0.0", False, True, None, 240),
        *(
            MachineSmp(f"pc-q35-rhel{version}", True, True, None, 710)
            for version in ("7.6.0", "8.0.0", "8.1.0", "8.2.0", "8.3.0", "8.4.0", "8.5.0")
        ),
        *(
            MachineSmp(f"pc-q35-rhel{version}", False, True, None, 710)
            for version in ("8.6.0", "9.0.0", "9.2.0", "9.4.0")
        ),
        MachineSmp("pc-q35-rhel9.6.0", False, True, None, 4096),
        MachineSmp("pc-q35-rhel10.0.0", False, True, None, 4096),
    )
}


def _version(text: str) -> tuple[int, ...] | None:
    """``6.1`` -> ``(6, 1)``; ``None`` for anything else (``rhel9.2.0``)."""
    parts = text.split(".")
    if not all(part.isascii() and part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def machine_smp(type_name: str | None) -> MachineSmp:
    """The ``-smp`` properties of the machine type ``type_name`` (``None``: the default).

    QEMU 7.2's types as ``pc_machine_class_init`` (dies, ``max_cpus`` 255),
    ``pc_q35_machine_options`` (``max_cpus`` 288; 255 up to ``pc-q35-2.7``) and the
    ``pc_*_6_1_machine_options`` (``prefer_sockets``, inherited by every older
    version) set them; later upstream versions' ``max_cpus`` from
    :data:`_LATER_MAX_CPUS`, RHEL's types from :data:`_DOWNSTREAM`.  Another
    ``pc-i440fx-*``/``pc-q35-*`` is still a PC machine (dies; sockets first up to 6.1
    when its version reads as one), but its ``max_cpus`` and clusters are not
    checked; nothing is checked for other types.  A type with a ``+`` is one only
    Proxmox VE's QEMU accepts (upstream QEMU has no such type and refuses it): it is
    :func:`pve_machine_smp`'s, as a running Proxmox guest's ``-machine`` shows it.
    """
    if type_name is not None and "+" in type_name:
        return pve_machine_smp(type_name)
    name = _ALIASES.get(type_name or DEFAULT_MACHINE, type_name or DEFAULT_MACHINE)
    known = _OTHER_MACHINES.get(name) or _DOWNSTREAM.get(name)
    if known is not None:
        return known
    family, _, text = name.rpartition("-")
    if family not in _PC_VERSIONS:
        return MachineSmp(name, dies_supported=None, clusters_supported=None, max_cpus=None)
    version = _version(text)
    prefer_sockets = version is not None and version <= (6, 1)
    if text not in _PC_VERSIONS[family]:
        return MachineSmp(name, prefer_sockets, True, None, _LATER_MAX_CPUS[family].get(text))
    old_q35 = family == "pc-q35" and version is not None and version <= (2, 7)
    max_cpus = 288 if family == "pc-q35" and not old_q35 else 255
    return MachineSmp(name, prefer_sockets, True, False, max_cpus)


@record(frozen=True)
class SmpTopology:
    """The topology QEMU sets (``ms->smp``): ``cpus`` vCPUs start, of ``maxcpus``."""

    cpus: int
    sockets: int
    dies: int
    clusters: int
    cores: int
    threads: int
    maxcpus: int


class SmpTopologyError(ValueError):
    """A topology QEMU refuses; ``str()`` is QEMU's message, one line."""


def smp_counts(smp: object) -> dict[str, int]:
    """The machine's ``smp`` member as QEMU's visitor reads it into ``SMPConfiguration``:
    each key one of :data:`SMP_KEYS` with an integer (``qemu_strtoi64`` in base 0).

    Raises :class:`SmpTopologyError` with QEMU's words otherwise.
    """
    if not isinstance(smp, dict):
        raise SmpTopologyError("Invalid parameter type for 'smp', expected: object")
    counts: dict[str, int] = {}
    for key, value in smp.items():
        if key not in SMP_KEYS:
            keys = ", ".join(sorted(SMP_KEYS))
            raise SmpTopologyError(
                f"Parameter {clipped('smp.' + key)!r} is unexpected (the keys are {keys})"
            )
        if not isinstance(value, str):
            raise SmpTopologyError(
                f"Invalid parameter type for {clipped('smp.' + key)!r}, expected: integer"
            )
        try:
            counts[key] = c_integer(value)
        except ValueError:
            raise SmpTopologyError(
                f"Parameter {clipped('smp.' + key)!r} expects integer (decimal, 0x hex or 0 octal)"
            ) from None
    return counts


def _quotient(dividend: int, divisor: int) -> int:
    """C's ``unsigned`` division; a divisor that wrapped to 0 kills QEMU (SIGFPE)."""
    if divisor == 0:
        raise SmpTopologyError(
            "the product of the counts given wraps to 0 in QEMU's 32-bit arithmetic, "
            "and QEMU dies dividing by it (SIGFPE)"
        )
    return dividend // divisor


def _signed(value: int) -> int:
    """An ``unsigned`` printed with ``%d``, as QEMU prints ``Invalid SMP CPUs``."""
    return value - 2**32 if value >= 2**31 else value


def _hierarchy(machine: MachineSmp, t: SmpTopology) -> str:
    """``cpu_hierarchy_to_string``: the parts the machine has, largest first."""
    text = f"sockets ({t.sockets})"
    if machine.dies_supported:
        text += f" * dies ({t.dies})"
    if machine.clusters_supported:
        text += f" * clusters ({t.clusters})"
    return text + f" * cores ({t.cores}) * threads ({t.threads})"


def parse_smp_config(counts: dict[str, int], machine: MachineSmp) -> SmpTopology:
    """``machine_parse_smp_config`` of QEMU 7.2 (qemu/qemu ``hw/core/machine-smp.c``) for
    the counts given (:func:`smp_counts`) on ``machine`` (:func:`machine_smp`).

    Raises :class:`SmpTopologyError` with QEMU's message where QEMU refuses the
    topology (or dies computing it).
    """
    cpus, sockets, dies, clusters, cores, threads, maxcpus = (
        counts.get(key, 0) & _U32
        for key in ("cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus")
    )
    if machine.dies_supported is False and dies > 1:
        raise SmpTopologyError("dies not supported by this machine's CPU topology")
    if machine.clusters_supported is False and clusters > 1:
        raise SmpTopologyError("clusters not supported by this machine's CPU topology")
    dies, clusters = dies or 1, clusters or 1
    if cpus == 0 and maxcpus == 0:
        sockets, cores, threads = sockets or 1, cores or 1, threads or 1
    else:
        maxcpus = maxcpus or cpus
        if machine.prefer_sockets:  # "prefer sockets over cores before 6.2"
            if sockets == 0:
                cores, threads = cores or 1, threads or 1
                sockets = _quotient(maxcpus, dies * clusters * cores * threads & _U32)
            elif cores == 0:
                threads = threads or 1
                cores = _quotient(maxcpus, sockets * dies * clusters * threads & _U32)
        elif cores == 0:  # "prefer cores over sockets since 6.2"
            sockets, threads = sockets or 1, threads or 1
            cores = _quotient(maxcpus, sockets * dies * clusters * threads & _U32)
        elif sockets == 0:
            threads = threads or 1
            sockets = _quotient(maxcpus, dies * clusters * cores * threads & _U32)
        if threads == 0:  # "try to calculate omitted threads at last"
            threads = _quotient(maxcpus, sockets * dies * clusters * cores & _U32)
    product = sockets * dies * clusters * cores * threads & _U32
    maxcpus = maxcpus or product
    cpus = cpus or maxcpus
    topology = SmpTopology(cpus, sockets, dies, clusters, cores, threads, maxcpus)
    if product != maxcpus:
        raise SmpTopologyError(
            "Invalid CPU topology: product of the hierarchy must match maxcpus: "
            f"{_hierarchy(machine, topology)} != maxcpus ({maxcpus})"
        )
    if maxcpus < cpus:
        raise SmpTopologyError(
            "Invalid CPU topology: maxcpus must be equal to or greater than smp: "
            f"{_hierarchy(machine, topology)} == maxcpus ({maxcpus}) < smp_cpus ({cpus})"
        )
    if cpus < machine.min_cpus:
        raise SmpTopologyError(
            f"Invalid SMP CPUs {_signed(cpus)}. The min CPUs supported by machine "
            f"{clipped(machine.name)!r} is {machine.min_cpus}"
        )
    if machine.max_cpus is not None and maxcpus > machine.max_cpus:
        raise SmpTopologyError(
            f"Invalid SMP CPUs {_signed(maxcpus)}. The max CPUs supported by machine "
            f"{clipped(machine.name)!r} is {machine.max_cpus}"
        )
    return topology


@record(frozen=True)
class SmpReading:
    """What a command line's ``-smp``/``-machine smp.KEY`` give: the topology QEMU
    sets (``None`` when they are not given, or QEMU refuses them), why QEMU
    refuses them, and what could not be checked."""

    topology: SmpTopology | None = None
    refused: str | None = None
    unchecked: str | None = None
    """Set when the topology was read on a machine type whose vCPU limit hvtui does
    not know (``virt``, a type newer than its sources): says so in one line, so a
    report does not pass the count off as checked."""

    @property
    def vcpus(self) -> int | None:
        """The vCPUs the VM starts with, when the command line says."""
        return None if self.topology is None else self.topology.cpus


#: What :attr:`SmpReading.unchecked` says after the machine type's name.
UNCHECKED_LIMIT = (
    "its vCPU limit is not checked: hvtui knows the limits of QEMU 7.2's machine types, "
    "of the upstream pc-i440fx and pc-q35 versions up to 10.1 and of RHEL's pc-i440fx-rhel "
    "and pc-q35-rhel types up to rhel10.0.0"
)


def read_smp(
    smp: object,
    machine_type: object,
    *,
    machines: Callable[[str | None], MachineSmp] = machine_smp,
) -> SmpReading:
    """The machine's ``smp`` member (``MachineOptions.tree.get("smp")``) on the machine
    type ``machine_type`` (the tree's ``type``; not a string: the default), read as
    QEMU 7.2 reads it: :func:`smp_counts`, then :func:`parse_smp_config`.

    ``machines`` gives a type's properties: :func:`machine_smp` (QEMU's own binary),
    or :func:`pve_machine_smp` for Proxmox VE's."""
    if smp is None:
        return SmpReading()
    try:
        counts = smp_counts(smp)
        machine = machines(machine_type if isinstance(machine_type, str) else None)
        topology = parse_smp_config(counts, machine)
    except SmpTopologyError as exc:
        return SmpReading(refused=str(exc))
    if machine.max_cpus is None:
        return SmpReading(
            topology, unchecked=f"machine type {clipped(machine.name)!r}: {UNCHECKED_LIMIT}"
        )
    return SmpReading(topology)


def pve_machine_smp(type_name: str | None) -> MachineSmp:
    """The ``-smp`` properties of the machine type ``type_name`` on Proxmox VE's QEMU
    (``pve-qemu-kvm``), which qemu-server starts with ``-machine type=NAME+pveN``.

    Proxmox's patch "PVE: Allow version code in machine type" (proxmox/pve-qemu
    ``debian/patches/pve/0025-PVE-Allow-version-code-in-machine-type.patch``,
    ``qemu_init`` in system/vl.c) cuts every ``-machine`` type at its first ``+``: the
    rest is the ``pve-version`` that ``query-machines`` reports, and the part before it
    is the machine type QEMU selects (``pc-i440fx-9.0+pve0`` is ``pc-i440fx-9.0``).
    ``pc`` and ``q35`` (qemu-server's type for a VM without a version, and QEMU's
    default) are the newest of the node's QEMU, whose version hvtui does not know: a
    PC machine (dies; cores before sockets, as on every type since 6.2) whose vCPU
    limit and clusters are not checked.  Any other name is :func:`machine_smp`'s.
    """
    name = (type_name or "pc").partition("+")[0]
    if name in ("pc", "q35"):
        return MachineSmp(name, False, True, None, None)
    return machine_smp(name)


def _id_width(count: int) -> int:
    """``apicid_bitwidth_for_count``: the APIC ID bits for ``count`` ids at one level."""
    return (count - 1).bit_length()


def apic_id(topology: SmpTopology, socket: int, core: int, thread: int = 0) -> int:
    """The APIC ID of the vCPU at ``socket``/``core``/``thread`` (die 0), as QEMU 7.2's
    ``x86_apicid_from_topo_ids`` (include/hw/i386/topology.h) makes it: each level in
    as many bits as its count needs, threads lowest."""
    thread_bits = _id_width(topology.threads)
    core_bits = thread_bits + _id_width(topology.cores)
    socket_bits = core_bits + _id_width(topology.dies)
    return socket << socket_bits | core << thread_bits | thread


def cpu_device_refused(topology: SmpTopology, socket: int, core: int) -> str | None:
    """QEMU 7.2's refusal of a ``-device MODEL-x86_64-cpu,socket-id=S,core-id=C,thread-id=0``
    (what qemu-server adds for each hotplugged vCPU) on ``topology``; ``None`` when it
    takes it.

    As ``x86_cpu_pre_plug`` (hw/i386/x86.c) checks it, in its order and words: the
    socket against ``(maxcpus - 1) / threads / cores / dies``, a die id (none given: 0
    only when there is one die per socket), the core against ``cores - 1``; then the
    slot, which the vCPUs QEMU starts with (the first ``cpus`` in APIC ID order) may
    hold already.  Checked with QEMU 7.2 (``tests/pve/test_proxmox_smp.py``).
    """
    t = topology
    last_socket = (t.maxcpus - 1) // t.threads // t.cores // t.dies
    if socket > last_socket:
        return f"Invalid CPU socket-id: {socket} must be in range 0:{last_socket}"
    if t.dies > 1:
        return "CPU die-id is not set"
    if core > t.cores - 1:
        return f"Invalid CPU core-id: {core} must be in range 0:{t.cores - 1}"
    index = (socket * t.cores + core) * t.threads
    if index < t.cpus:
        return f"CPU[{index}] with APIC ID {apic_id(t, socket, core)} exists"
    return None


def first_refused_cpu_device(
    topology: SmpTopology, per_socket: int, count: int
) -> tuple[int, int, int, str] | None:
    """The first of ``count`` ``-device`` vCPUs that QEMU 7.2 refuses on ``topology``
    (:func:`cpu_device_refused`), when they fill the positions 1 to ``count`` of a layout of
    ``per_socket`` cores per socket (position ``p`` at socket ``p // per_socket``, core
    ``p % per_socket``: how qemu-server places its hotplugged vCPUs), as
    ``(position, socket, core, QEMU's words)``; ``None`` when QEMU takes them all.

    QEMU stops at the first it refuses, and only three positions can be that one: 1
    (dies; the slots QEMU starts with come first, so if position 1 is free every later
    one is), the first whose core is past ``topology.cores`` and the first whose socket
    is past the last.  Those are checked, not every position: ``count`` comes from a
    file (``vcpus:``) and may be any number.
    """
    last_socket = (topology.maxcpus - 1) // topology.threads // topology.cores // topology.dies
    for position in sorted({1, topology.cores, (last_socket + 1) * per_socket}):
        if position > count:
            break
        socket, core = divmod(position, per_socket)
        why = cpu_device_refused(topology, socket, core)
        if why is not None:
            return position, socket, core, why
    return None


__all__ = [
    "DEFAULT_MACHINE",
    "SMP_COUNTS",
    "SMP_KEYS",
    "UNCHECKED_LIMIT",
    "MachineSmp",
    "SmpReading",
    "SmpTopology",
    "SmpTopologyError",
    "apic_id",
    "cpu_device_refused",
    "first_refused_cpu_device",
    "machine_smp",
    "parse_smp_config",
    "pve_machine_smp",
    "read_smp",
    "smp_counts",
]
