"""``hvtui verify``: boot the exact CPU configuration and read the Hyper-V CPUID leaves.

Exit 0 when the guest sees exactly what was asked, 1 when something asked is
not seen (or seen unasked), QEMU refused the configuration or the guest gave no
report; 2 when it cannot run here (no ``/dev/kvm``, no QEMU, no permission) or
the input is unusable.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from hvtui.cli.errors import CliError, find_preset, print_error

if TYPE_CHECKING:
    from hvtui.verify import VmSpec

_DESCRIPTION = """\
Build a throw-away VM with only what decides CPUID (KVM, the machine type, the CPU
model and every hv-* property of the input; 16 MiB, no disk, network or display),
boot a 512-byte probe that reads the hypervisor CPUID leaves from 0x40000000 (and the
SynDbg range at 0x40000080 when asked for) and prints the registers on the serial port,
and compare what the guest sees with what was asked, with the reason for each
difference.

inputs:
  PRESET            a shipped or user preset name, or a path to a .toml file
  --cmdline FILE    a QEMU command line (its -machine, -cpu and -global parts); - is stdin
  --domain NAME     a libvirt domain, converted by libvirt itself (virsh domxml-to-native)

exit status: 0 the guest sees exactly what was asked, 1 something asked is not seen,
something is seen unasked, QEMU refused the configuration or the guest printed no
report, 2 it cannot run here (no /dev/kvm, no QEMU, no permission) or the input is
unusable."""


def register(sub: Any) -> None:
    """Add the ``verify`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify",
        help="boot the configuration on this host's KVM and show what the guest sees",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("preset", nargs="?", metavar="PRESET", help="preset name or path")
    parser.add_argument("--cmdline", metavar="FILE", help="a QEMU command line in a file")
    parser.add_argument("--domain", metavar="NAME", help="a libvirt domain")
    parser.add_argument(
        "--connect", metavar="URI", help="libvirt connection URI for --domain (virsh -c)"
    )
    parser.add_argument(
        "--machine",
        metavar="TYPE",
        help="machine type for a PRESET (default q35; a command line or domain names its own)",
    )
    parser.add_argument("--qemu", metavar="PATH", help="QEMU binary (default qemu-system-x86_64)")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="give up on the guest after this long (default 30)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("give between 0 and 3600 seconds")
    return value


def _spec(args: argparse.Namespace) -> VmSpec:
    """The VM to boot, from exactly one of the three inputs."""
    from hvtui import verify
    from hvtui.inputs import InputError, read_input
    from hvtui.limits import MAX_VM_BYTES

    given = [x for x in (args.preset, args.cmdline, args.domain) if x is not None]
    if len(given) != 1:
        raise CliError("verify: give exactly one of PRESET, --cmdline FILE or --domain NAME")
    if args.connect is not None and args.domain is None:
        raise CliError("verify: --connect only goes with --domain")
    if args.machine is not None and args.preset is None:
        raise CliError("verify: --machine only goes with PRESET (the input names its machine)")
    try:
        if args.preset is not None:
            preset = find_preset(args.preset)
            return verify.from_preset(preset, machine=args.machine or verify.DEFAULT_MACHINE)
        if args.cmdline is not None:
            try:
                data = read_input(
                    args.cmdline, limit=MAX_VM_BYTES, what="a QEMU command line", stdin=True
                )
            except InputError as exc:
                raise CliError(str(exc)) from exc
            label = "<stdin>" if args.cmdline == "-" else args.cmdline
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CliError(f"{label}: not UTF-8 text (bad byte at {exc.start})") from exc
            return verify.from_command_text(text, source=f"command line {label}")
        return verify.from_domain(args.domain, args.connect)
    except verify.SpecError as exc:
        raise CliError(str(exc), exc.code) from exc
    except verify.VerifyUnavailableError as exc:
        raise CliError(f"verify: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    """Boot, judge and print; the exit code is the verdict."""
    from hvtui import verify
    from hvtui.verify.render import render

    spec = _spec(args)
    timeout = args.timeout if args.timeout is not None else verify.DEFAULT_TIMEOUT
    try:
        result = verify.run_verify(spec, qemu=args.qemu, timeout=timeout)
    except verify.VerifyUnavailableError as exc:
        raise CliError(f"verify: {exc}") from exc
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render(result))
    if result.probe_error is not None:
        print_error(f"verify: {result.probe_error}")
    elif result.qemu_error is not None:
        print_error(f"verify: QEMU refused the configuration: {result.qemu_error}")
    return result.exit_code
