"""The throw-away VM: only what decides the guest's CPUID, taken from the input.

A preset (or the wizard's draft) becomes its ``-cpu`` line exactly as ``hvtui
export --format qemu`` writes it; a QEMU command line (or libvirt's own
conversion of a domain) gives its ``-machine`` type, the kernel-irqchip mode,
the last ``-cpu``, the ``-global`` options QEMU applies to CPUs (a CPU type or an
ancestor of one, :func:`~hvtui.formats.qemu_global.reaches_cpu`) and the devices hv-*
options need (``vmbus-bridge``).  Everything else (disks, network, memory
backends, firmware files) is left out: it cannot change CPUID and may not exist
here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hvtui import catalog
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.qemu import build_qemu
from hvtui.formats.qemu_global import (
    GlobalOptionError,
    GlobalRegistry,
    reaches_cpu,
    reaches_every_device,
)
from hvtui.formats.qemu_opts import (
    MachineOptions,
    OptionSyntaxError,
    device_driver,
    opts_escape,
    opts_items,
    opts_value,
)
from hvtui.importers.qemu_cmdline import (
    _options,  # the importer's own option walker: one reading of QEMU's syntax
    parse_cpu_option,
    parse_qemu_args,
    qemu_arguments,
    split_command,
)
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.presets import Preset
from hvtui.records import record

DEFAULT_MACHINE = "q35"
#: Machine and accelerator properties that change what KVM does with the guest's
#: interrupts, which hv-synic and hv-stimer-direct depend on; the rest are left out.
KEPT_MACHINE_PROPERTIES = frozenset({"kernel-irqchip", "kernel_irqchip"})


class SpecError(ValueError):
    """An input that gives no VM to verify; ``str()`` is one line, ``code`` the exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _hv_devices() -> frozenset[str]:
    """Device drivers the catalog's options need (``vmbus-bridge`` for syndbg)."""
    drivers: set[str] = set()
    for entry in catalog.ENTRIES:
        words = entry.extra_qemu_args
        for flag, value in itertools.pairwise(words):
            if flag == "-device":
                drivers.add(device_driver(value) or value)
    return frozenset(drivers)


@record(frozen=True)
class VmSpec:
    """What the throw-away VM gets besides the probe, and what was asked of it."""

    asked: Config
    """The hv-* options the input sets (explicit offs included)."""
    source: str
    """The input in words: ``preset windows-desktop``, ``command line vm.sh``."""
    cpu: str | None
    """The ``-cpu`` value; ``None``: QEMU's default model."""
    machine: str | None = DEFAULT_MACHINE
    """The ``-machine`` value (type and kept properties); ``None``: QEMU's default."""
    accel: str = "kvm"
    """The ``-accel`` value: always KVM, with the input's kernel-irqchip if any."""
    globals: tuple[str, ...] = ()
    """``-global`` values for CPU types (a model's, or one every CPU is), in order."""
    devices: tuple[str, ...] = ()
    """``-device`` values hv-* options need."""
    notes: tuple[str, ...] = ()
    """What was left out of the input or could not be read, one line each."""

    @property
    def cpu_model(self) -> str | None:
        """The CPU model of ``-cpu`` (``host``)."""
        return parse_cpu_option(self.cpu).model if self.cpu else None

    def qemu_args(self) -> list[str]:
        """The arguments that decide CPUID, in the order QEMU is given them."""
        args = ["-accel", self.accel]
        if self.machine:
            args += ["-machine", self.machine]
        if self.cpu:
            args += ["-cpu", self.cpu]
        for value in self.globals:
            args += ["-global", value]
        for value in self.devices:
            args += ["-device", value]
        return args


def from_config(
    config: Config,
    *,
    cpu_model: str = "host",
    cpu_settings: CpuSettings | None = None,
    machine: str = DEFAULT_MACHINE,
    source: str = "configuration",
) -> VmSpec:
    """The VM for a configuration (the wizard's draft): ``export --format qemu``'s line."""
    target = ExportTarget(cpu_model=cpu_model, cpu=cpu_settings or CpuSettings())
    try:
        built = build_qemu(config, target)
    except ExportError as exc:
        raise SpecError(str(exc), exc.code) from exc
    devices = tuple(group[1] for group in built.extra if group[:1] == ("-device",))
    others = [" ".join(group) for group in built.extra if group[:1] != ("-device",)]
    notes = tuple(f"left out: {words}" for words in others)
    return VmSpec(config, source, built.cpu, machine, devices=devices, notes=notes)


def from_preset(preset: Preset, *, machine: str = DEFAULT_MACHINE) -> VmSpec:
    """The VM for a preset: its hv-* options, ``[cpu]`` settings and CPU model."""
    return from_config(
        preset.config,
        cpu_model=preset.target.effective_cpu_model,
        cpu_settings=preset.cpu,
        machine=machine,
        source=f"preset {preset.name}",
    )


def _machine(machine: MachineOptions, notes: list[str]) -> tuple[str | None, list[str]]:
    """The machine type and the kept properties of every ``-machine``/``-M``, as QEMU
    merges them (the last value of a key counts)."""
    tree = machine.tree
    machine_type = tree.get("type")
    kept = [
        f"kernel-irqchip={opts_escape(setting)}"
        for key, setting in tree.items()
        if key in KEPT_MACHINE_PROPERTIES and isinstance(setting, str)
    ]
    accel = tree.get("accel")
    if isinstance(accel, str) and accel.split(":")[0] != "kvm":
        notes.append(f"-machine accel={accel}: verify always uses KVM")
    return (machine_type if isinstance(machine_type, str) else None), kept


def from_qemu_args(argv: Sequence[str], *, source: str) -> VmSpec:
    """The VM for a QEMU argument vector (a pasted command line, libvirt's argv)."""
    args = qemu_arguments(argv)
    imported = parse_qemu_args(args)
    notes = [*imported.problems, *imported.warnings]
    machine_opts = MachineOptions()
    accel_kept: list[str] = []
    cpu: str | None = None
    globals_: list[str] = []
    registered = GlobalRegistry()
    devices: list[str] = []
    wanted = _hv_devices()
    for name, value in _options(args):
        if value is None:
            continue
        if name in ("machine", "M"):
            try:  # one QEMU refuses is in the importer's notes
                machine_opts.add_machine(value)
            except OptionSyntaxError:
                continue
        elif name == "accel":
            try:
                items = opts_items(value, "accel")
            except OptionSyntaxError as exc:  # too many items to read
                notes.append(f"-accel: {exc}")
                continue
            accel = opts_value(items, "accel")
            if accel != "kvm":
                notes.append(f"-accel {accel or value}: verify always uses KVM")
            accel_kept += [
                f"{key}={opts_escape(setting)}"
                for key, setting, _ in items
                if key in KEPT_MACHINE_PROPERTIES
            ]
        elif name == "cpu":
            cpu = value
        elif name == "global":
            try:  # QEMU's own reading; one it refuses is in the importer's notes
                driver = registered.add(value).driver
            except GlobalOptionError:
                continue
            # QEMU applies it to a CPU; one for every device stops QEMU (in the notes)
            if reaches_cpu(driver) and not reaches_every_device(driver):
                globals_.append(value)
        elif name == "device" and device_driver(value) in wanted:
            devices.append(value)
    machine_type, kept = _machine(machine_opts, notes)
    machine = ",".join([machine_type, *kept]) if machine_type else None
    if machine is None and kept:
        accel_kept += kept
    if not any(imported.config.as_dict()) and cpu is None:
        notes.append("the command line sets no -cpu and no hv-* option")
    return VmSpec(
        imported.config,
        source,
        cpu,
        machine,
        accel=",".join(["kvm", *accel_kept]),
        globals=tuple(globals_),
        devices=tuple(devices),
        notes=tuple(notes),
    )


def from_command_text(text: str, *, source: str) -> VmSpec:
    """The VM for a QEMU command line as written in a file (``\\`` continuations too)."""
    from hvtui.importers.qemu_cmdline import CommandLineError, looks_like_qemu

    try:
        words = split_command(text)
    except CommandLineError as exc:
        raise SpecError(f"{source}: {exc}") from exc
    if not words or not looks_like_qemu(words):
        raise SpecError(f"{source}: not a QEMU command line")
    return from_qemu_args(words, source=source)


__all__ = [
    "DEFAULT_MACHINE",
    "SpecError",
    "VmSpec",
    "from_command_text",
    "from_config",
    "from_preset",
    "from_qemu_args",
]
