"""Whether the terminal puts what a program copies on the clipboard.

Programs in a terminal copy by writing an escape sequence (OSC 52) that the
terminal may honour or silently ignore; nothing answers, so the wizard judges it
from the environment the terminal sets, and offers a file where copying would
reach nothing.  Plain Python: no Textual.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from hvtui.records import record


@record(frozen=True)
class Clipboard:
    """Whether the terminal puts what a program copies on the clipboard.

    Programs in a terminal copy by writing an escape sequence (OSC 52) that the
    terminal may honour or silently ignore; nothing answers, so it is judged from
    the environment the terminal sets.
    """

    state: Literal["yes", "no", "unknown"]
    terminal: str
    """The terminal in words (``GNOME Terminal or another VTE terminal``)."""
    why: str = ""
    """Why it does not (or may not) work, when it does not."""


def clipboard_support(environ: Mapping[str, str] | None = None) -> Clipboard:
    """What copying will do in this terminal (``environ``: :data:`os.environ`)."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("TMUX"):
        return Clipboard(
            "unknown",
            "tmux",
            "tmux passes it on only with 'set -g set-clipboard on' (its default ignores it)",
        )
    if env.get("STY") or term.startswith("screen"):
        return Clipboard("no", "GNU screen", "screen does not pass the clipboard escape on")
    if program == "Apple_Terminal":
        return Clipboard("no", "macOS Terminal", "it ignores the clipboard escape")
    if term == "linux":
        return Clipboard("no", "the Linux console", "it has no clipboard")
    known = {
        "WezTerm": "WezTerm",
        "ghostty": "Ghostty",
        "iTerm.app": "iTerm2",
        "vscode": "VS Code",
    }
    if program in known:
        return Clipboard("yes", known[program])
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return Clipboard("yes", "kitty")
    if env.get("WT_SESSION"):
        return Clipboard("yes", "Windows Terminal")
    if env.get("ALACRITTY_WINDOW_ID") or term == "alacritty":
        return Clipboard("yes", "Alacritty")
    if term.startswith("foot"):
        return Clipboard("yes", "foot")
    if env.get("VTE_VERSION"):
        return Clipboard(
            "no",
            "GNOME Terminal or another VTE terminal",
            "VTE terminals ignore the clipboard escape programs use to copy",
        )
    if env.get("KONSOLE_VERSION"):
        return Clipboard("unknown", "Konsole", "only recent Konsole versions honour it")
    return Clipboard("unknown", "this terminal", "not every terminal honours the clipboard escape")


__all__ = ["Clipboard", "clipboard_support"]
