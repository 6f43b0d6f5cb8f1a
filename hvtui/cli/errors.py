"""The one exception type the CLI turns into a one-line message and an exit code."""

from __future__ import annotations

import sys

from hvtui.textsafe import one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hvtui.presets import Preset


class CliError(Exception):
    """A user-facing failure: ``message`` is printed after ``hvtui: ``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def print_error(message: str) -> None:
    """``hvtui: MESSAGE`` on stderr as exactly one line, whatever the message holds.

    Messages name paths and values from the user's files; a newline or escape
    sequence in them is escaped (:func:`hvtui.textsafe.one_line`), so scripts
    can rely on one line per error.
    """
    print(f"hvtui: {one_line(message)}", file=sys.stderr)


def find_preset(name_or_path: str) -> Preset:
    """A preset by name or path; an unusable one becomes the one-line error (exit 2)."""
    from hvtui import presets

    try:
        return presets.find(name_or_path)
    except presets.PresetError as exc:
        raise CliError(str(exc)) from exc
