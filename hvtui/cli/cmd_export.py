"""``hvtui export PRESET --format ...``: a preset as QEMU, libvirt, virt-install, TOML or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hvtui.cli.errors import CliError, find_preset
from hvtui.fsutil import same_file

_DESCRIPTION = """\
Write a preset in the form a VM definition needs.

formats:
  qemu          the -cpu argument (plus e.g. -device vmbus-bridge for syndbg), shell-quoted
  libvirt       <features><hyperv>, <clock> timer, <panic> and, for what the target
                libvirt cannot express, <qemu:commandline> -global lines; with --into
                DOMAIN.xml the whole domain with these merged in (the file is not changed)
  virt-install  --features hyperv.*, --clock hypervclock_present=yes and friends
  virt-xml      virt-xml "$DOMAIN" --edit --xml ...: change an existing VM in place
                (what the preset leaves off is written off)
  kubevirt      a VirtualMachine fragment to merge, and a VirtualMachinePreference
  terraform     the dmacvicar/libvirt provider's libvirt_domain attributes (>= 0.9)
  toml          the preset itself (with the target used)
  json          the configuration plus every format above in one object

versions: the preset's target.libvirt wins, else --libvirt-version, else the libvirt
detected on this host, else the newest libvirt hvtui knows. The preset's target.qemu
wins, else --qemu-version; an option that QEMU version does not know is an error.
--cpu-model wins over the preset's target.cpu-model (default host).

kubevirt and terraform leave out what they cannot express and say so in the text;
--strict refuses instead.

exit status: 0 written, 1 the preset has errors (printed) or cannot be written in this
format, 2 bad arguments or an unusable file."""


def _version(text: str) -> Any:
    from hvtui.versions import VersionError, parse_version

    try:
        return parse_version(text)
    except VersionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(sub: Any) -> None:
    """Add the ``export`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="write a preset for QEMU, libvirt, virt-install, Proxmox, KubeVirt, ...",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("preset", metavar="PRESET", help="preset name or path to a .toml file")
    from hvtui.export import registry

    parser.add_argument("--format", required=True, choices=registry.names(), help="output format")
    parser.add_argument(
        "--libvirt-version",
        type=_version,
        metavar="V",
        help="target libvirt (used when the preset names none)",
    )
    parser.add_argument(
        "--qemu-version",
        type=_version,
        metavar="V",
        help="target QEMU (used when the preset names none)",
    )
    parser.add_argument(
        "--cpu-model", metavar="M", help="QEMU CPU model (overrides the preset's; default host)"
    )
    parser.add_argument(
        "--hyperv-mode",
        choices=("custom", "host-model"),
        default="custom",
        help="libvirt only: <hyperv mode='host-model'> lets libvirt turn on, at start, every "
        "Hyper-V feature the host supports (libvirt 11.9+; the preset's own values override it "
        "from 12.1); default custom: exactly the preset",
    )
    parser.add_argument(
        "--into",
        metavar="DOMAIN.xml",
        type=Path,
        help="merge into this libvirt domain definition (--format libvirt)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of standard output"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing FILE")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 1) instead of leaving out what the format cannot express "
        "(kubevirt, terraform)",
    )
    parser.set_defaults(run=run)


def _note(text: str) -> None:
    print(f"hvtui: note: {text}", file=sys.stderr)


def _read_domain(path: Path) -> bytes:
    from hvtui.formats.safexml import MAX_XML_BYTES
    from hvtui.inputs import InputError, read_input

    try:
        return read_input(path, limit=MAX_XML_BYTES, what="a domain XML file")
    except InputError as exc:
        raise CliError(str(exc)) from exc


def _refuse_unexpressed(result: Any, preset: Any, source: str) -> None:
    """``--strict``: exit 1 when the format leaves out something the preset sets."""
    from hvtui.cli.errors import print_error
    from hvtui.export.expressible import unexpressed

    missing = unexpressed(result.format.name, preset.config, result.target)
    for item in missing:
        print_error(f"{source}: {item.describe()}")
    if missing:
        names = ", ".join(item.name for item in missing)
        raise CliError(f"{source}: not exported (--strict): {result.format.name} cannot express "
                       f"{names}", 1)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Load, check, render, write; exit 1 with the findings when the preset has errors."""
    from hvtui import export
    from hvtui.catalog.libvirt_modes import HOST_MODEL
    from hvtui.cli.render import format_finding
    from hvtui.fsutil import WriteError, atomic_write

    if args.into is not None and args.format != "libvirt":
        raise CliError("--into only works with --format libvirt")
    if args.hyperv_mode != "custom" and (args.format not in ("libvirt", "json") or args.into):
        raise CliError("--hyperv-mode only works with --format libvirt or json (not --into)")
    if args.force and args.output is None:
        raise CliError("--force only applies to -o FILE")
    if args.into is not None and args.output is not None and same_file(args.into, args.output):
        raise CliError(f"{args.output}: is the --into file; hvtui never changes its input")
    preset = find_preset(args.preset)
    source = str(preset.source) if preset.source else args.preset
    result = export.export_preset(
        preset,
        args.format,
        cpu_model=args.cpu_model,
        qemu=args.qemu_version,
        libvirt=args.libvirt_version,
        hyperv_mode=HOST_MODEL if args.hyperv_mode == "host-model" else None,
        features=export.probe_features,
        into=None if args.into is None else lambda: _read_domain(args.into),
        into_label=str(args.into),
    )
    if isinstance(result, export.Refusal):
        if result.stage == "target":
            raise CliError(f"--cpu-model: {result.message}" if args.cpu_model else result.message)
        for finding in result.findings:
            print("\n".join(format_finding(source, finding)), file=sys.stderr)
        for note in result.notes:
            _note(note)
        if result.stage == "findings":
            raise CliError(f"{source}: {result.message} (see 'hvtui check' for details)", 1)
        raise CliError(result.message, result.code)
    for note in result.notes:
        _note(note)
    if args.strict:
        _refuse_unexpressed(result, preset, source)
    if args.output is None:
        sys.stdout.write(result.text)
        sys.stdout.flush()
        return 0
    try:
        atomic_write(args.output, result.text, force=args.force)
    except WriteError as exc:
        raise CliError(str(exc)) from exc
    return 0
