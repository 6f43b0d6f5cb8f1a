"""Reading Hyper-V options from a Proxmox VE guest configuration (``qm config`` style).

A Proxmox guest is ``/etc/pve/qemu-server/VMID.conf``: ``key: value`` lines,
then one ``[snapshot]`` section per snapshot (ignored: only the current
configuration runs).  What the guest gets is what qemu-server builds from it
(:func:`hvtui.formats.proxmox.proxmox_cpu`): its automatic Hyper-V set for a
Windows ``ostype`` (which depends on the Windows version, the machine version,
``bios``, a GPU passed through with ``x-vga`` and ``hv-vendor-id``), the flags of
a custom CPU model (from ``/etc/pve/virtual-guest/cpu-models.conf`` when given),
the VM's own ``cpu: flags=``, and ``hidden``; then ``args:`` is appended to
QEMU's command line, so a ``-cpu`` there replaces all of it (QEMU keeps the
last) and ``-global`` lines apply as usual.  A ``-smp`` or ``-machine`` there is
merged by QEMU with the ``-smp`` and ``-machine`` qemu-server writes before it
(:func:`qemu_server_machine_args`), so the vCPU count and QEMU's refusals are those
of the merged topology, on the machine type Proxmox's QEMU selects.  The result says
where each option came from (:attr:`~hvtui.importers.result.Imported.origins`).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from hvtui import catalog
from hvtui.catalog.proxmox import machine_text
from hvtui.formats.proxmox import (
    CpuConf,
    ProxmoxCpu,
    VmContext,
    machine_kind,
    origin_of,
    parse_cpu_models,
    proxmox_cpu,
    split_args,
    versioned_machine,
)
from hvtui.formats.spelling import names_hyperv
from hvtui.importers.qemu_cmdline import (
    CommandLineError,
    merged_smp,
    option_names,
    parse_qemu_args,
)
from hvtui.importers.result import Imported
from hvtui.records import replace
from hvtui.textsafe import clipped
from hvtui.untrusted import parse_int
from hvtui.versions import Version

if TYPE_CHECKING:
    from hvtui.formats.qemu_smp import MachineSmp

# Over the text with "\n" line breaks only: "[^\S\n]" is whitespace within a line.
#: A ``[section]`` line: the first ends the current configuration.
_SECTION = re.compile(r"^[^\S\n]*+\[", re.MULTILINE)
#: A line that is neither blank, a comment, nor ``key: value``.
_OTHER_LINE = re.compile(r"^(?![^\S\n]*+(?:$|#|[a-z][a-z0-9_-]*+:))", re.MULTILINE)
#: ``key: value``, the value without the whitespace around it.
_OPTION = re.compile(
    r"^[^\S\n]*+([a-z][a-z0-9_-]*+):[^\S\n]*+((?:\S|[^\S\n]++(?=\S))*+)", re.MULTILINE
)
#: Keys every Proxmox guest configuration has some of; one is needed to call a
#: ``key: value`` file a Proxmox configuration.
_TYPICAL_KEYS = frozenset(
    {"args", "cpu", "cores", "sockets", "vcpus", "memory", "ostype", "boot", "bootdisk",
     "name", "smbios1", "vmgenid", "machine", "bios", "scsihw", "agent", "numa"}
)  # fmt: skip


def proxmox_options(text: str) -> dict[str, str] | None:
    """The ``key: value`` pairs of the current configuration, or ``None`` if the text is
    not a Proxmox guest configuration.

    Comment lines (``#``, Proxmox's description) and blank lines are skipped; the
    first ``[section]`` (a snapshot) ends the current configuration.  Each step
    is one expression over the whole text (no loop per line), so a file of a
    million lines costs what reading it costs.
    """
    lines = "\n".join(text.splitlines())  # every line break as "\n", as splitlines has them
    section = _SECTION.search(lines)
    if section is not None:
        lines = lines[: section.start()]
    if _OTHER_LINE.search(lines) is not None:
        return None
    options = dict(_OPTION.findall(lines))
    if not options or not (options.keys() & _TYPICAL_KEYS):
        return None
    return options


#: How messages name what :func:`qemu_server_machine_args` gives.
QEMU_SERVER_OWN = "qemu-server's own"
#: qemu-server's ``hotplug:`` when not set (``'1'``: network, disk and usb; no cpu).
_DEFAULT_HOTPLUG = ("network", "disk", "usb")
#: CPU hotplug needs machine version 2.7 (``config_to_command``:
#: ``min_version($machine_version, 2, 7)``).
_CPU_HOTPLUG_MACHINE = Version(2, 7, 0)
#: The options whose values QEMU merges into its machine options.
_MACHINE_OPTIONS = frozenset({"smp", "machine", "M"})


def cpu_argument(value: str) -> tuple[str, list[str]]:
    """Proxmox's ``cpu:`` value as a QEMU ``-cpu`` value, plus what was left out.

    ``host,flags=+hv-tlbflush;-hv-evmcs,hv-vendor-id=pve`` becomes
    ``host,+hv-tlbflush,-hv-evmcs,hv-vendor-id=pve``; ``hidden=1`` is the
    ``kvm=off`` Proxmox adds for it (what hides KVM from the guest).  Other
    Proxmox-only settings (``phys-bits``, ``reported-model``) are not QEMU
    properties and are returned apart; none of them is a Hyper-V option.
    """
    model = ""
    items: list[str] = []
    others: list[str] = []
    for n, part in enumerate(value.split(",")):
        key, sep, item = part.partition("=")
        key = key.strip()
        if not sep and n == 0:
            model = key
        elif key == "cputype":
            model = item.strip()
        elif key == "flags":
            items += [flag.strip() for flag in item.split(";") if flag.strip()]
        elif names_hyperv(key):
            items.append(f"{key}={item}" if sep else key)
        elif key == "hidden" and item.strip() == "1":
            items.append("kvm=off")
        elif key:
            others.append(part.strip())
    return ",".join([model or "kvm64", *items]), others


def parse_proxmox_config(
    text: str,
    *,
    options: dict[str, str] | None = None,
    cpu_models: dict[str, CpuConf] | None = None,
    host_intel: bool | None = None,
) -> Imported:
    """The Hyper-V configuration a Proxmox guest starts with, and where each option is from.

    ``options`` is :func:`proxmox_options` of ``text`` when the caller already has
    it; ``cpu_models`` the parsed ``cpu-models.conf`` (:func:`parse_cpu_models`),
    ``None`` when not given.  Raises :class:`~hvtui.importers.qemu_cmdline.CommandLineError`
    when the text is not a Proxmox configuration.
    """
    options = options if options is not None else proxmox_options(text)
    if options is None:
        raise CommandLineError("not a Proxmox guest configuration (key: value lines)")
    built = proxmox_cpu(options, cpu_models, host_intel=host_intel)
    problems = list(built.problems)
    args = split_args(options.get("args", "")) if options.get("args", "").strip() else []
    if args is None:
        problems.append(
            "args: an unbalanced quote or a trailing backslash: Proxmox's split_args "
            "(Text::ParseWords) gives no words, so QEMU gets none of it"
        )
        args = []
    argv = ["-cpu", built.text, *args]
    args_cpu = any(word in ("-cpu", "--cpu") for word in args[:-1])
    own = functools.partial(qemu_server_machine_args, options, built.context)
    found = parse_qemu_args(
        argv, preceding=own, preceding_origin=QEMU_SERVER_OWN, machines=_pve_machines
    )
    vcpus = _vcpus(options)
    hotplugged, cores = _hotplugged(options, built.context)
    in_use = found.cpu_model or built.model
    if hotplugged and in_use != built.model:
        problems.append(
            f"-device {_cpu_device(built.model, 1, cores)}: QEMU refuses it: Invalid CPU "
            f"type, expected cpu type: '{clipped(in_use)}-x86_64-cpu' (qemu-server adds it for "
            f"vCPU 2 with hotplug: cpu, of the CPU model it chose; args: -cpu changes the "
            "model of every vCPU QEMU starts)"
        )
        vcpus = None
    elif _MACHINE_OPTIONS.intersection(option_names(args)):
        vcpus = _merged_vcpus(argv, options, built, (hotplugged, cores), found.vcpus, problems)
    notes = list(built.notes)
    if args_cpu:
        notes.append("args: -cpu replaces the whole -cpu qemu-server builds (QEMU keeps the last)")
    origins = tuple(
        (
            name,
            "args: -cpu (replaces qemu-server's -cpu)" if args_cpu else origin_of(built, name),
        )
        for name, _value in found.config
        if catalog.is_canonical(name)
    )
    return replace(
        found,
        problems=(*problems, *found.problems),
        name=options.get("name", ""),
        vcpus=vcpus,
        pinning="a Proxmox configuration does not pin single vCPUs",
        origins=origins,
        notes=(*notes, *found.notes),
    )


def proxmox_cpu_models(text: str) -> dict[str, CpuConf] | None:
    """The custom CPU models of a ``cpu-models.conf`` text, or ``None`` if it is not one."""
    return parse_cpu_models(text)


def _vcpus(options: dict[str, str]) -> int | None:
    """``vcpus:`` when set (the vCPUs online at start), else ``sockets`` x ``cores``."""
    counts = _smp_counts(options)
    return None if counts is None else counts[3]


def _smp_counts(options: dict[str, str]) -> tuple[int, int, int, int] | None:
    """``(sockets, cores, maxcpus, vcpus)`` as ``config_to_command`` (qemu-server
    src/PVE/QemuServer.pm) computes them: ``sockets:`` (else the old ``smp:``, else 1),
    ``cores:`` (else 1), their product, and ``vcpus:`` when it is not 0, else the
    product.  ``None`` when one is not a number (Proxmox refuses such a file)."""
    try:
        sockets = parse_int(options.get("sockets") or options.get("smp") or "1") or 1
        cores = parse_int(options.get("cores") or "1") or 1
        vcpus = parse_int(options.get("vcpus") or "0")
    except ValueError:
        return None
    return sockets, cores, sockets * cores, vcpus or sockets * cores


def _cpu_hotplug(options: dict[str, str], context: VmContext) -> bool:
    """Whether qemu-server starts the VM with one vCPU and adds the others as ``-device``
    (``hotplug:`` lists ``cpu``, on machine version 2.7 or later); ``hotplug: 1`` is the
    default list, ``0`` none (``parse_hotplug_features``)."""
    value = options.get("hotplug", "1").strip()
    features = () if value == "0" else _DEFAULT_HOTPLUG if value == "1" else value.split(",")
    return "cpu" in (f.strip() for f in features) and context.machine >= _CPU_HOTPLUG_MACHINE


def _machine_type(options: dict[str, str], context: VmContext) -> str:
    """The machine type of qemu-server's ``-machine type=...`` without its ``+pveN``.

    As Machine.pm ``get_vm_machine`` picks it: ``machine:``'s type when it has a
    version; else a Windows VM's pinned version (:func:`~hvtui.formats.proxmox.machine_version`
    says which, and why); else ``pc`` or ``q35`` as written (``pc`` when not set),
    which QEMU takes as its newest.  A ``.pxe`` suffix is left out (``config_to_command``
    passes the type through ``qemu_use_old_bios_files``, which picks the old option ROMs
    for it; it comes after ``+pveN``, so Proxmox's QEMU would cut it off with that), and
    so is the ``+pveN`` qemu-server appends, since Proxmox's QEMU cuts it off before
    choosing the machine
    (:func:`~hvtui.formats.qemu_smp.pve_machine_smp`), and which N qemu-server writes
    depends on the features the VM uses (``$required_pve_version``).
    """
    kind = machine_kind(options)
    if versioned_machine(kind):
        return kind.partition("+")[0].removesuffix(".pxe")
    family = "q35" if "q35" in kind else "pc"
    if not context.windows:
        return family
    version = machine_text(context.machine).partition("+")[0]
    return f"{'pc-q35' if family == 'q35' else 'pc-i440fx'}-{version}"


def qemu_server_machine_args(options: dict[str, str], context: VmContext) -> list[str]:
    """The ``-smp`` and ``-machine`` qemu-server puts on QEMU's command line before
    ``args:`` (appended last: ``config_to_command`` in qemu-server's
    src/PVE/QemuServer.pm pushes ``-smp`` early, ``-machine`` after the devices, then
    ``PVE::Tools::split_args($conf->{args})``).

    ``-smp VCPUS,sockets=S,cores=C,maxcpus=S*C`` (:func:`_smp_counts`), or with CPU
    hotplug ``-smp 1,...`` and one ``-device`` per further vCPU (:func:`_cpu_hotplug`);
    ``-machine type=TYPE`` (:func:`_machine_type`).  The ``-machine`` flags qemu-server
    adds beside ``type`` (``accel``, ``smm``, ``hpet``, ``kernel-irqchip`` for
    ``viommu=intel``, ``acpi``, the OVMF and SEV ones) do not touch ``-smp`` and are
    left out.  No ``-smp`` when a count is not a number.
    """
    counts = _smp_counts(options)
    smp: list[str] = []
    if counts is not None:
        sockets, cores, maxcpus, vcpus = counts
        start = 1 if _cpu_hotplug(options, context) else vcpus
        smp = ["-smp", f"{start},sockets={sockets},cores={cores},maxcpus={maxcpus}"]
    return [*smp, "-machine", f"type={_machine_type(options, context)}"]


def _pve_machines(type_name: str | None) -> MachineSmp:
    """:func:`~hvtui.formats.qemu_smp.pve_machine_smp`, loaded only for an ``args:`` with
    ``-smp`` or ``-machine``."""
    from hvtui.formats.qemu_smp import pve_machine_smp

    return pve_machine_smp(type_name)


def _hotplugged(options: dict[str, str], context: VmContext) -> tuple[int, int]:
    """How many vCPUs qemu-server adds as ``-device`` with CPU hotplug (:func:`_cpu_hotplug`),
    2 to ``vcpus:`` (0 without), and the cores per socket of its topology, where it
    places them."""
    counts = _smp_counts(options)
    if counts is None or not _cpu_hotplug(options, context):
        return 0, 1
    return max(0, counts[3] - 1), counts[1]


def _cpu_device(model: str, position: int, cores: int) -> str:
    """``print_cpu_device``'s ``-device`` value (src/PVE/QemuServer/CPUConfig.pm) for the vCPU
    at ``position`` (vCPU ``position + 1``) of the CPU model ``model``, on qemu-server's own
    topology of ``cores`` per socket."""
    socket, core = divmod(position, cores)
    where = f"socket-id={socket},core-id={core},thread-id=0"
    return f"{model}-x86_64-cpu,id=cpu{position + 1},{where}"


def _merged_vcpus(
    argv: list[str],
    options: dict[str, str],
    built: ProxmoxCpu,
    hotplugged: tuple[int, int],
    started: int | None,
    problems: list[str],
) -> int | None:
    """The vCPUs the guest gets when ``args:`` has a ``-smp`` or ``-machine``: the ones
    QEMU starts with the merged topology (``started``; ``None``: QEMU refuses it), plus
    the ``hotplugged`` vCPUs (:func:`_hotplugged`: their count, and the cores per socket
    they are placed by) if QEMU takes them all on the merged topology
    (:func:`~hvtui.formats.qemu_smp.first_refused_cpu_device`); else ``None`` and QEMU's
    refusal of the first it refuses in ``problems``."""
    count, cores = hotplugged
    if started is None or not count:
        return started
    own = functools.partial(qemu_server_machine_args, options, built.context)
    merged = merged_smp(argv, preceding=own, machines=_pve_machines)
    topology = merged.topology if merged is not None else None
    if topology is None:
        return None
    from hvtui.formats.qemu_smp import first_refused_cpu_device

    refused = first_refused_cpu_device(topology, cores, count)
    if refused is not None:
        position, _socket, _core, why = refused
        problems.append(
            f"-device {_cpu_device(built.model, position, cores)}: QEMU refuses it: {why} "
            f"(qemu-server adds it for vCPU {position + 1} with hotplug: cpu; with the -smp "
            f"of args: merged, QEMU starts {topology.cpus} of {topology.maxcpus} vCPUs, "
            f"{topology.cores} cores per socket)"
        )
        return None
    return topology.cpus + count


__all__ = [
    "QEMU_SERVER_OWN",
    "cpu_argument",
    "parse_proxmox_config",
    "proxmox_cpu_models",
    "proxmox_options",
    "qemu_server_machine_args",
]
