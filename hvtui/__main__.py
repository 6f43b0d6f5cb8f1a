"""``python -m hvtui`` and the ``hvtui`` console script."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # pathlib loads only when --sysroot names a directory (detect never needs
    # it); typing and collections never at run time (issue #13)
    from collections.abc import Sequence
    from pathlib import Path


def main() -> None:
    """Console-script entry point: exit with the CLI's code.

    ``hvtui`` alone, ``hvtui --demo NAME`` and ``hvtui --sysroot DIR`` open the
    wizard without building the CLI's parser (every subcommand's options: ~40 ms
    of the first frame); anything else, and any of these that would be refused,
    goes through the CLI as before, so every answer and error stays the same.

    Once hvtui has returned, everything it had to say is written: the output is
    flushed and the process ends without the interpreter's teardown (freeing every
    module and object costs ~10 ms per run).  When a flush fails, the usual exit
    reports it as before.
    """
    try:
        host = wizard_host(sys.argv[1:])
        if host is not None:
            code = _wizard(*host)
        else:
            from hvtui.cli import main as cli_main

            code = cli_main()
    except KeyboardInterrupt:  # Ctrl-C while hvtui itself is still being imported
        code = _interrupted()
    for stream in (sys.stdout, sys.stderr):  # None when started with the stream closed
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            sys.exit(code)
    os._exit(code)


def wizard_host(argv: Sequence[str]) -> tuple[Path | None, str | None] | None:
    """``(sysroot, demo)`` when ``argv`` plainly opens the wizard on a host that is there:
    no words (this host), ``--demo NAME`` of a shipped demo, or ``--sysroot DIR`` of an
    existing directory (``--opt VALUE`` or ``--opt=VALUE``).  ``None`` for anything else
    (a subcommand, ``--help``, an abbreviation, an unknown demo...): the CLI's parser
    decides those."""
    if not argv:
        return None, None
    if len(argv) == 2 and not argv[1].startswith("-"):
        option, value = argv
    elif len(argv) == 1 and argv[0].count("=") >= 1:
        option, value = argv[0].split("=", 1)
    else:
        return None
    if option == "--demo":
        from hvtui.demos import UnknownDemoError, find_demo

        try:
            demo = find_demo(value)
        except UnknownDemoError:
            return None
        return (demo.path, demo.name) if demo.path.is_dir() else None
    if option == "--sysroot" and value:
        from pathlib import Path

        sysroot = Path(value)
        try:
            return (sysroot, None) if sysroot.is_dir() else None
        except (OSError, ValueError):  # a NUL byte, a name too long: the CLI says so
            return None
    return None


def _wizard(sysroot: Path | None, demo: str | None) -> int:
    """The wizard on ``sysroot`` (``demo``: the shipped demo it is), with the CLI's
    guarded output streams, as ``hvtui.cli.main`` would open it."""
    from hvtui.cli.streams import Streams
    from hvtui.tui import run_app

    streams = Streams.install()
    try:
        return run_app(sysroot=sysroot, demo=demo)
    finally:
        streams.restore()


def _interrupted() -> int:
    """One line and exit status 130, as for Ctrl-C anywhere later."""
    try:  # noqa: SIM105 - contextlib is not imported for this (issue #13)
        sys.stderr.write("hvtui: interrupted\n")
    except (OSError, ValueError, AttributeError):
        pass
    return 130


if __name__ == "__main__":
    main()
