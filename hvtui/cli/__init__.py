"""The ``hvtui`` command line: argparse, one module per subcommand.

Subcommand modules register their parser cheaply and import their real work
inside ``run`` so that ``hvtui --help`` or ``hvtui explain`` never pays for
Textual, psutil or anything else they do not use.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from hvtui import __version__
from hvtui.cli import (
    cmd_apply,
    cmd_audit,
    cmd_check,
    cmd_compare,
    cmd_demos,
    cmd_detect,
    cmd_explain,
    cmd_export,
    cmd_presets,
    cmd_recommend,
    cmd_verify,
)
from hvtui.cli.errors import CliError, print_error
from hvtui.cli.hostsource import add_host_options, resolve_host
from hvtui.cli.streams import OutputError, Streams
from hvtui.textsafe import one_line

#: Subcommand modules, in the order ``--help`` lists them.  Each has
#: ``register(subparsers)`` and ``run(args) -> int``.
COMMANDS: tuple[ModuleType, ...] = (
    cmd_explain,
    cmd_presets,
    cmd_check,
    cmd_export,
    cmd_detect,
    cmd_recommend,
    cmd_compare,
    cmd_audit,
    cmd_apply,
    cmd_verify,
    cmd_demos,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
#: A bug in hvtui (sysexits' EX_SOFTWARE): never the answer to any input.
EXIT_INTERNAL = 70


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        line = one_line(f"{self.prog}: error: {message} (see '{self.prog} --help')")
        self.exit(EXIT_USAGE, line + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser; also used by tests and docs."""
    parser = _Parser(
        prog="hvtui",
        description="Choose, explain, export and audit Hyper-V enlightenments for "
        "Windows and Hyper-V guests on QEMU/KVM.",
        epilog="Run 'hvtui COMMAND --help' for a command's options. With no command, "
        "hvtui opens the interactive wizard.",
    )
    parser.add_argument("--version", action="version", version=f"hvtui {__version__}")
    add_host_options(
        parser, "with no command: run the wizard on a saved host snapshot instead of this host"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 findings, 2 usage or input error).

    Output goes through :class:`~hvtui.cli.streams.Streams`: escaped, and a
    stdout that cannot be written is one error line and exit 2.
    """
    streams = Streams.install()
    try:
        try:
            code = _main(argv)
        except SystemExit:  # argparse: --help, --version, usage errors
            streams.flush()
            raise
        streams.flush()
        return code
    except OutputError as exc:
        streams.discard_stdout()
        print_error(str(exc))
        return EXIT_USAGE
    finally:
        streams.restore()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            host = resolve_host(args)
            from hvtui.tui import run_app  # Textual is only imported on this path

            return run_app(sysroot=host.path, demo=host.demo)
        code: int = args.run(args)
        return code
    except CliError as exc:
        print_error(exc.message)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output was piped into something that stopped reading (| head).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OutputError:
        raise
    except OSError as exc:
        # A path the system refused (too long, a loop, a full disk) is a bad input or
        # output path, not a bug: name it, as every other input error does.
        if os.environ.get("HVTUI_DEBUG") or exc.filename is None:
            return _internal_error(exc)
        print_error(f"{os.fsdecode(exc.filename)}: {exc.strerror or exc}")
        return EXIT_USAGE
    except Exception as exc:
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    """A bug: one line (the traceback with ``HVTUI_DEBUG=1``), exit 70."""
    if os.environ.get("HVTUI_DEBUG"):
        raise exc
    print_error(
        f"internal error: {type(exc).__name__}: {exc} "
        "(set HVTUI_DEBUG=1 for details and please report it)"
    )
    return EXIT_INTERNAL
