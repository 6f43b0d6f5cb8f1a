"""The ``hvtui`` command line: argparse, one module per subcommand.

Subcommand modules register their parser cheaply and import their real work
inside ``run`` so that ``hvtui --help`` or ``hvtui explain`` never pays for
Textual, psutil or anything else they do not use; and only the subcommand that
runs is imported and registered at all (every one for ``--help`` and errors).
"""

from __future__ import annotations

import os
import sys

from hvtui.cli.streams import OutputError, Streams

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing, argparse and collections stay unloaded at run time (issue #13)
    import argparse
    from collections.abc import Sequence
    from types import ModuleType

#: Subcommands, in the order ``--help`` lists them.  Each is the module
#: ``hvtui.cli.cmd_NAME`` with ``register(subparsers)`` and ``run(args) -> int``.
COMMANDS: tuple[str, ...] = (
    "explain",
    "presets",
    "check",
    "export",
    "detect",
    "recommend",
    "compare",
    "audit",
    "apply",
    "verify",
    "demos",
)
#: The options before a subcommand that take a value (the next word is not a command).
_VALUED = ("--sysroot", "--demo")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` without importing :mod:`shutil`:
    ``$COLUMNS`` when it is a positive number, else the width of the terminal behind
    standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def command_module(name: str) -> ModuleType:
    """The module of subcommand ``name`` (``hvtui.cli.cmd_NAME``)."""
    import importlib

    return importlib.import_module(f"hvtui.cli.cmd_{name}")


def needed_commands(argv: Sequence[str]) -> tuple[str, ...]:
    """The subcommands the parser needs for ``argv``: the one it runs when that is
    plain without parsing, none for ``--version``, else all of them.

    Only ``--sysroot``/``--demo`` (with their values) may come before the command;
    anything else (``--help``, a misspelt option or command) needs the whole parser.
    """
    if tuple(argv[:1]) == ("--version",):
        return ()
    chosen = chosen_command(argv)
    return COMMANDS if chosen is None else (chosen,)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` runs when that is plain without parsing, else ``None``."""
    words = iter(argv)
    for word in words:
        if word.startswith("--") and len(word) > 2:
            option, has_value, _ = word.partition("=")
            if not any(o.startswith(option) for o in _VALUED):
                return None
            if not has_value:
                next(words, None)
            continue
        return word if word in COMMANDS else None
    return None


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The full parser (also used by tests and docs); ``commands``: only these.

    Built in :mod:`hvtui.cli.parser`, which imports argparse: a plain ``hvtui detect``
    is read without it (:func:`hvtui.cli.cmd_detect.plain_args`).
    """
    from hvtui.cli.parser import build_parser as build

    return build(commands)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 findings, 2 usage or input error).

    Output goes through :class:`~hvtui.cli.streams.Streams`: escaped, and a
    stdout that cannot be written is one error line and exit 2.
    """
    from hvtui.cli.errors import print_error

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
    # Imported here, not with the package: the wizard's start (hvtui.__main__) imports
    # the package for :mod:`.streams` alone, on the way to its first frame (issue #13).
    from hvtui.bugs import debug_enabled
    from hvtui.cli.errors import CliError, print_error
    from hvtui.cli.hostsource import resolve_host

    words = sys.argv[1:] if argv is None else argv
    version = _plain_version(words)
    if version is not None:
        try:  # noqa: SIM105 - as argparse's version action: errors ignored; no contextlib
            sys.stdout.write(version)
        except (AttributeError, OSError):
            pass
        return EXIT_OK
    args = _plain_args(words)
    if args is None:
        args = build_parser(needed_commands(words)).parse_args(words)
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
        print_error("interrupted")
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
        if debug_enabled() or exc.filename is None:
            return _internal_error(exc)
        print_error(f"{os.fsdecode(exc.filename)}: {exc.strerror or exc}")
        return EXIT_USAGE
    except Exception as exc:
        return _internal_error(exc)


def _plain_version(words: Sequence[str]) -> str | None:
    """What ``hvtui --version`` prints, when argparse would print it as it is: the line
    fits the help width (argparse wraps it there, at 11 columns or more) and holds no
    ``%`` and no run of blanks (which argparse would substitute or squeeze).  ``None``
    otherwise, and for any other command line: then the parser prints it."""
    if len(words) != 1 or words[0] != "--version":
        return None
    from hvtui import __version__

    text = f"hvtui {__version__}"
    plain = text.isprintable() and "%" not in text and "  " not in text and text == text.strip()
    if not plain or len(text) > max(terminal_columns() - 2, 11):
        return None
    return text + "\n"


def _plain_args(words: Sequence[str]) -> argparse.Namespace | None:
    """What the parser would make of ``words`` when they are a plain ``detect`` or
    ``audit`` command (read without argparse, ~15 ms of the command's start), else
    ``None``: the parser reads everything else, and every message and exit code stays
    its own."""
    if not words:
        return None
    if words[0] == "detect":
        from hvtui.cli.cmd_detect import plain_args

        return plain_args(words[1:])
    if words[0] == "audit":
        from hvtui.cli.cmd_audit import plain_args as plain_audit

        return plain_audit(words[1:])
    return None


def _internal_error(exc: Exception) -> int:
    """A bug: one line (the traceback with ``HVTUI_DEBUG=1``), exit 70."""
    from hvtui.bugs import EXIT_INTERNAL, debug_enabled, internal_error_line
    from hvtui.cli.errors import print_error

    if debug_enabled():
        raise exc
    print_error(internal_error_line(exc))
    return EXIT_INTERNAL
