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
last) and ``-global`` lines apply as usual.  The result says where each option
came from (:attr:`~hvtui.importers.result.Imported.origins`).
"""

from __future__ import annotations

import re

from hvtui import catalog
from hvtui.formats.proxmox import (
    CpuConf,
    origin_of,
    parse_cpu_models,
    proxmox_cpu,
    split_args,
)
from hvtui.formats.spelling import names_hyperv
from hvtui.importers.qemu_cmdline import CommandLineError, parse_qemu_args
from hvtui.importers.result import Imported
from hvtui.records import replace
from hvtui.untrusted import parse_int

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
    found = parse_qemu_args(argv)
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
        vcpus=_vcpus(options),
        pinning="a Proxmox configuration does not pin single vCPUs",
        origins=origins,
        notes=tuple(notes),
    )


def proxmox_cpu_models(text: str) -> dict[str, CpuConf] | None:
    """The custom CPU models of a ``cpu-models.conf`` text, or ``None`` if it is not one."""
    return parse_cpu_models(text)


def _vcpus(options: dict[str, str]) -> int | None:
    """``vcpus:`` when set (the vCPUs online at start), else ``sockets`` x ``cores``."""
    try:
        if "vcpus" in options:
            return parse_int(options["vcpus"])
        return parse_int(options.get("sockets", "1")) * parse_int(options.get("cores", "1"))
    except ValueError:
        return None


__all__ = ["cpu_argument", "parse_proxmox_config", "proxmox_cpu_models", "proxmox_options"]
