"""The wizard's plain-Python rules for text: typed values and paths, names, snippets.

Nothing here imports Textual, so the rules the UI follows (which typed text
becomes which value or file, how a snippet is wrapped, when a draft is unsaved)
are unit-testable and identical to what the CLI and the model enforce.  The
steps are in :mod:`hvtui.tui.steps`, the draft and its undo in
:mod:`hvtui.tui.draft`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hvtui.catalog import Enlightenment, Value, ValueKind
from hvtui.model.values import value_problem
from hvtui.presets import Preset
from hvtui.records import record
from hvtui.textsafe import one_line, safe_name

#: Default name of a new draft: a valid preset name, replaced in the save dialog.
DEFAULT_NAME = "my-windows-vm"


# -- typed values --------------------------------------------------------------


@record(frozen=True)
class Parsed:
    """Text typed into a value field: the value, or why it is refused."""

    value: Value | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the text is a value the model accepts."""
        return self.problem is None


def parse_typed(entry: Enlightenment, text: str) -> Parsed:
    """Turn what a user typed into a value for ``entry``.

    Numbers accept decimal, ``0x`` hex and ``_`` separators (as TOML does);
    the range and string rules are the model's own (:func:`value_problem`), so
    the message under the field is the one ``hvtui check`` would print.
    """
    if entry.kind is ValueKind.UINT:
        raw = text.strip().replace("_", "")
        if not raw:
            return Parsed(None, f"enter a number: expected {entry.describe_range()}")
        try:
            number = int(raw, 16) if raw.lower().startswith("0x") else int(raw, 10)
        except ValueError:
            return Parsed(
                None, f"{text.strip()!r} is not a number: expected {entry.describe_range()}"
            )
        problem = value_problem(entry, number)
        return Parsed(None if problem else number, problem)
    if entry.kind is ValueKind.STRING:
        problem = value_problem(entry, text)
        return Parsed(None if problem else text, problem)
    if entry.kind is ValueKind.TRISTATE:
        problem = value_problem(entry, text)
        return Parsed(None if problem else text, problem)
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return Parsed(True)
    if lowered in ("off", "false", "no", "0"):
        return Parsed(False)
    return Parsed(None, f"expected {entry.describe_range()}")


def typed_text(entry: Enlightenment, value: Value | None) -> str:
    """The text a value field shows for ``value`` (hex for spinlocks, as presets write it;
    control characters escaped)."""
    if value is None:
        value = entry.suggested if entry.suggested is not None else entry.default
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int) and entry.hex_display:
        return f"{value:#x}"
    return one_line(str(value))  # a string read from a file may hold anything


def recommended_description(intent: str) -> str:
    """The description of a draft started from the recommendation for ``intent``."""
    return f"Windows guest ({intent})"


def preset_name_for(name: str | None) -> str | None:
    """A VM's name as a preset name (what the loader accepts: letters, digits, ``._-``,
    at most 64, starting with a letter or digit), or ``None`` when nothing is left.

    The project's one rule, :func:`hvtui.textsafe.safe_name`, so a VM's name becomes
    the preset name a file of that name would get: a name that is already valid is
    kept exactly as it is (``win11-`` too)."""
    return None if name is None else safe_name(name)


def wrap_snippet(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken only between tokens.

    A line that does not fit is broken after a space; a single token longer than the
    width (QEMU's ``-cpu host,hv-relaxed=on,...``) after one of its commas, so no
    property is cut in two.  Only a piece with neither is cut at the width.  Every
    delimiter stays where it was: joining the lines gives the text back.
    """
    width = max(width, 8)
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        pieces: list[str] = []
        for word in re.split(r"(?<= )(?=[^ ])", line):
            if len(word) <= width:
                pieces.append(word)
                continue
            for part in re.split(r"(?<=,)", word):
                pieces.extend(part[i : i + width] for i in range(0, len(part), width))
        current = ""
        for piece in pieces:
            if current and len(current) + len(piece.rstrip(" ")) > width:
                lines.append(current)
                current = ""
            current += piece
        lines.append(current)
    return lines


def plural(count: int, word: str) -> str:
    """``1 option``, ``2 options``."""
    return f"{count} {word}{'s' * (count != 1)}"


def is_dirty(preset: Preset, baseline: Preset) -> bool:
    """True when the draft differs from what was last saved or loaded."""
    return (preset.name, preset.description, preset.config, preset.target) != (
        baseline.name,
        baseline.description,
        baseline.config,
        baseline.target,
    )


# -- paths typed into a dialog ---------------------------------------------------

#: Fallbacks when the file system does not say (Linux's NAME_MAX and PATH_MAX).
NAME_MAX = 255
PATH_MAX = 4096


class PathProblemError(ValueError):
    """A typed path that cannot name a file; ``str()`` is one printable line."""


def typed_path(raw: str) -> Path:
    """The file a dialog's path field names, ``~`` expanded.

    Raises :class:`PathProblemError` (one line, shown under the field) when it cannot
    be one: nothing typed, ``~user`` for an unknown user, ``~`` with no home
    directory, a name longer than the file system allows, a NUL character, or a
    path the system refuses to look at.
    """
    text = raw.strip()
    if not text:
        raise PathProblemError("give the file to write")
    shown = one_line(text)
    if "\0" in text:
        raise PathProblemError(f"{shown}: a file name cannot hold a NUL character")
    try:
        path = Path(text).expanduser()
    except RuntimeError:
        user = text[1:].split("/", 1)[0]
        if user:
            raise PathProblemError(
                f"{shown}: there is no user {one_line(user)} (~{one_line(user)})"
            ) from None
        raise PathProblemError(
            f"{shown}: no home directory is known for ~ (HOME unset, no passwd entry); "
            "give the whole path"
        ) from None
    _check_lengths(path)
    try:
        path.exists()
    except OSError as exc:
        raise PathProblemError(f"{one_line(str(path))}: {exc.strerror or exc}") from None
    return path


def _check_lengths(path: Path) -> None:
    """A name or path longer than the file system takes (``ENAMETOOLONG``), said before any
    directory is created: the system only notices once every parent exists."""
    name_max, path_max = _limits(path)
    if len(os.fsencode(path)) > path_max:
        raise PathProblemError(
            f"{one_line(str(path))[:60]}…: path too long ({len(os.fsencode(path))} bytes; "
            f"the system allows {path_max})"
        )
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > name_max:
            raise PathProblemError(
                f"{one_line(part)[:40]}…: file name too long ({size} bytes; this file "
                f"system allows {name_max})"
            )


def _limits(path: Path) -> tuple[int, int]:
    """``NAME_MAX`` and ``PATH_MAX`` of the file system the nearest existing parent is on."""
    for parent in path.parents:
        try:
            if parent.is_dir():
                return os.pathconf(parent, "PC_NAME_MAX"), os.pathconf(parent, "PC_PATH_MAX")
        except (OSError, ValueError):
            continue
    return NAME_MAX, PATH_MAX


__all__ = [
    "DEFAULT_NAME",
    "Parsed",
    "PathProblemError",
    "is_dirty",
    "parse_typed",
    "plural",
    "preset_name_for",
    "recommended_description",
    "typed_path",
    "typed_text",
    "wrap_snippet",
]
