"""The CLI's argparse parser: every subcommand's options, help and usage errors.

Kept apart from :mod:`hvtui.cli` so that a plain ``hvtui detect`` never imports
:mod:`argparse` (with :mod:`gettext`, :mod:`re` and :mod:`locale`, ~15 ms of a
60 ms budget, issue #13); everything else, and every ``detect`` that is not plain,
is parsed here exactly as before.
"""

from __future__ import annotations

import argparse

from hvtui import __version__
from hvtui.cli import COMMANDS, EXIT_USAGE, command_module, terminal_columns
from hvtui.cli.hostsource import add_host_options
from hvtui.textsafe import one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, at the same width, found without :mod:`shutil`.

    argparse makes a formatter for every option it adds (to check the metavar) and
    each one asks ``shutil.get_terminal_size`` for the width, which loads shutil and
    the compression modules it imports: ~2 ms of every ``hvtui detect`` (issue #13).
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = terminal_columns() - 2  # what HelpFormatter does with shutil's answer
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr, exit 2, and whose
    help is laid out by :class:`_Formatter` unless a command asks for another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        line = one_line(f"{self.prog}: error: {message} (see '{self.prog} --help')")
        self.exit(EXIT_USAGE, line + "\n")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The full parser (also used by tests and docs); ``commands``: only these."""
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
    for name in commands:
        command_module(name).register(sub)
    return parser


__all__ = ["build_parser"]
