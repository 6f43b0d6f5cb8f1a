"""``hvtui detect``: what this host (or a snapshot of one) can give a Windows guest.

Registration is cheap; the detection package is imported inside :func:`run` so
that ``hvtui --help`` and the other subcommands never pay for it.  A plain
``hvtui detect`` is not even parsed by argparse (:func:`plain_args`).
"""

from __future__ import annotations

import sys

from hvtui.cli.errors import CliError
from hvtui.cli.hostsource import add_host_options, path_arg, resolve_host
from hvtui.cli.plainargs import PlainArgs, read_plain
from hvtui.jsonlite import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse and typing stay unloaded at run time (issue #13)
    import argparse
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from hvtui.detect import HostReport

#: ``detect``'s options that take no value, and those that take one, by destination
#: (:func:`plain_args` reads them as :func:`register` declares them).
_FLAGS = {"--json": "json", "--deep": "deep", "--force": "force"}
_VALUED = {
    "--sysroot": "sysroot",
    "--demo": "demo",
    "--connect": "connect",
    "--save-snapshot": "save_snapshot",
}


def register(sub: Any) -> None:
    """Add the ``detect`` parser (:func:`plain_args` reads the plain cases the same way)."""
    from hvtui.cli.libvirtopts import add_connect_option

    parser: argparse.ArgumentParser = sub.add_parser(
        "detect",
        help="probe this host (CPU, KVM, Hyper-V support, TSC, SMT, VMs)",
        description="Probe this host for what matters to Hyper-V enlightenments: CPU, KVM "
        "and the Hyper-V features its kernel offers, APIC virtualization, TSC, SMT and "
        "isolation, running QEMU guests, installed QEMU and libvirt.",
        epilog="Unknown facts are shown with their reason; nothing is guessed.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (schema 1)")
    add_host_options(
        parser, "read /proc and /sys under DIR (a snapshot or a hand-made tree) instead of /"
    )
    add_connect_option(parser)
    parser.add_argument(
        "--deep",
        action="store_true",
        help="also ask py-cpuinfo (brand string, raw CPUID flags; takes about a second)",
    )
    parser.add_argument(
        "--save-snapshot",
        metavar="DIR",
        type=path_arg,
        help="write everything read (files, ioctl answers, command outputs) to DIR "
        "for a bug report; replay it with --sysroot DIR",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --save-snapshot: write into a directory that is not empty (replacing "
        "only an earlier snapshot's files)",
    )
    parser.set_defaults(run=run)


def plain_args(words: Sequence[str]) -> PlainArgs | None:
    """What ``hvtui detect WORDS`` parses to when ``words`` are plainly valid: each an
    option's full name, the ones with a value followed by it (``--opt VALUE`` or
    ``--opt=VALUE``; a value that is empty or starts with ``-`` is argparse's to
    judge), ``--sysroot`` and ``--demo`` not both.  ``None`` for anything else (help,
    an abbreviation, an unknown option or word, ``--``): the parser reads those, so
    every message and exit code stays argparse's.  ``tests/test_cli.py`` checks the
    namespaces against the parser's over many command lines."""
    values = read_plain(words, _FLAGS, _VALUED)
    if values is None:
        return None
    for name in ("sysroot", "save_snapshot"):
        if values[name] is not None:
            values[name] = path_arg(values[name])
    return PlainArgs(command="detect", run=run, **values)


def _check_snapshot_dir(directory: Path, force: bool) -> None:
    """Refuse an unusable ``--save-snapshot DIR`` before the (slower) detection runs."""
    from hvtui.detect.snapshot import SnapshotError, check_target

    try:
        check_target(directory, force=force)
    except SnapshotError as exc:
        raise CliError(f"--save-snapshot {exc}") from exc


def run(args: argparse.Namespace) -> int:
    """Detect, print, optionally save a snapshot; 0, or 2 for unusable input."""
    if args.connect is not None:
        return _run_connect(args)
    sysroot = resolve_host(args).path
    snapshot_dir: Path | None = args.save_snapshot
    if snapshot_dir is not None:
        _check_snapshot_dir(snapshot_dir, args.force)
    elif args.force:
        raise CliError("--force only applies to --save-snapshot")

    started = None
    if sysroot is None:
        # Start QEMU's and libvirt's --version first: they run while detection loads.
        from hvtui.detect.versions import start_versions

        started = start_versions()

    from hvtui.detect import detect_traced

    detection = detect_traced(sysroot, deep=args.deep, started=started)
    report = detection.report

    if snapshot_dir is not None:
        from hvtui.detect.snapshot import SnapshotError, save_snapshot

        try:
            count = save_snapshot(
                snapshot_dir,
                detection.root.trace,
                detection.live,
                source=report.source,
                argv=["hvtui", *sys.argv[1:]],
                force=args.force,
            )
        except SnapshotError as exc:
            raise CliError(str(exc)) from exc
        print(
            f"hvtui: snapshot of {count} files written to {snapshot_dir} "
            f"(replay: hvtui detect --sysroot {snapshot_dir})",
            file=sys.stderr,
        )

    if args.json:
        print(dumps(report.to_json()))
    else:
        sys.stdout.write(_text(report))
    return 0


def _text(report: HostReport) -> str:
    """The readable report, then what each fact means for the enlightenments (advice is
    imported here only: ``--json`` does not load it)."""
    from hvtui.advice import explain_host
    from hvtui.detect.render import render_text

    return render_text(report, explain_host(report))


def _run_connect(args: argparse.Namespace) -> int:
    """``--connect URI``: the host behind a libvirt connection, from what libvirt tells."""
    from hvtui.cli.libvirtopts import no_host_options

    no_host_options(args, "detect")
    for option, given in (("--deep", args.deep), ("--save-snapshot", args.save_snapshot)):
        if given:
            raise CliError(f"detect: {option} reads this host; it does not work with --connect")
    if args.force:
        raise CliError("--force only applies to --save-snapshot")
    from hvtui.cli.libvirtopts import connection
    from hvtui.libvirt import host_report

    with connection(args.connect) as conn:
        report = host_report(conn)
    if args.json:
        print(dumps(report.to_json()))
    else:
        sys.stdout.write(_text(report))
    return 0
