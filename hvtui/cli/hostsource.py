"""``--sysroot DIR`` and ``--demo NAME``: which host a command reads, shared by every command.

A demo is a snapshot directory shipped in the package, so the two options are
one choice: wherever a command takes ``--sysroot`` it takes ``--demo``, and the
check that the directory is usable happens in one place.
"""

from __future__ import annotations

import stat

from hvtui.cli.errors import CliError
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse and typing stay unloaded at run time (issue #13)
    import argparse
    from pathlib import Path
    from typing import Any


@record(frozen=True)
class HostSource:
    """The host a command reads: this machine (``path`` None), a snapshot, or a demo."""

    path: Path | None
    label: str
    """``this host``, the snapshot's path, or ``demo NAME``."""
    demo: str | None = None

    @property
    def is_live(self) -> bool:
        """True when the command probes this machine."""
        return self.path is None


def path_arg(text: str) -> Path:
    """A path option's value (argparse's ``type=``): :mod:`pathlib` is loaded when a path
    option is given, not by every command that offers one (``hvtui detect`` counts
    milliseconds, issue #13)."""
    from pathlib import Path

    return Path(text)


def add_host_options(target: Any, sysroot_help: str) -> None:
    """Add ``--sysroot`` and ``--demo`` to a parser, or to a mutually exclusive group.

    ``target`` is a parser or group; when it is a plain parser, the two options are
    put in a mutually exclusive group of their own.
    """
    import argparse  # loaded already: only parsers call this

    group = (
        target.add_mutually_exclusive_group()
        if isinstance(target, argparse.ArgumentParser)
        else target
    )
    group.add_argument("--sysroot", metavar="DIR", type=path_arg, help=sysroot_help)
    group.add_argument(
        "--demo",
        metavar="NAME",
        help="use a demo host shipped with hvtui instead of this host (list: 'hvtui demos')",
    )


def resolve_host(args: argparse.Namespace) -> HostSource:
    """The host named by ``--sysroot``/``--demo``; a bad one is a one-line error (exit 2)."""
    demo_name: str | None = getattr(args, "demo", None)
    if demo_name is not None:
        from hvtui.demos import UnknownDemoError, find_demo

        try:
            demo = find_demo(demo_name)
        except UnknownDemoError as exc:
            raise CliError(f"--demo: {exc}") from exc
        if not demo.path.is_dir():
            raise CliError(f"--demo {demo.name}: its files are missing from {demo.path}")
        return HostSource(demo.path, f"demo {demo.name}", demo.name)
    sysroot: Path | None = getattr(args, "sysroot", None)
    if sysroot is None:
        return HostSource(None, "this host")
    try:
        mode = sysroot.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise CliError(f"--sysroot {sysroot}: does not exist") from None
    except (OSError, ValueError) as exc:  # too long, a loop, a NUL byte...
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CliError(f"--sysroot {sysroot}: {why}") from None
    if not stat.S_ISDIR(mode):
        raise CliError(f"--sysroot {sysroot}: is not a directory")
    return HostSource(sysroot, str(sysroot))


__all__ = ["HostSource", "add_host_options", "path_arg", "resolve_host"]
