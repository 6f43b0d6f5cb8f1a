"""Shell text for pasting: quoting, continuation lines and comment lines.

Every word goes through :func:`shlex.quote`, so a value can never end a
quote, start a command substitution or split into two words, whatever it
contains; the parsers in :mod:`hvtui.importers` undo exactly this.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence


def quote(word: str) -> str:
    """One shell word (``shlex.quote``: bare when safe, else single-quoted)."""
    return shlex.quote(word)


def comment(text: str) -> str:
    """A ``# ...`` line; newlines in ``text`` become separate comment lines."""
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines() or [""])


def command_lines(groups: Sequence[Sequence[str]], notes: Iterable[str] = ()) -> str:
    """Comment lines, then one line per argument group joined by `` \\`` continuations.

    Notes come first because a comment after a continuation backslash would
    end the command when pasted.
    """
    lines = [comment(note) for note in notes]
    words = [" ".join(quote(w) for w in group) for group in groups if group]
    for i, line in enumerate(words):
        lines.append(line + (" \\" if i < len(words) - 1 else ""))
    return "\n".join(lines) + "\n"


__all__ = ["command_lines", "comment", "quote"]
