"""Recovery files: an unsaved draft written out when the wizard is stopped and cannot ask.

A signal (``kill -INT`` a second time while the unsaved-changes question is
open, ``kill -TERM``, a terminal that hung up) must not lose the draft.  It is
written as a preset file, atomically and never over another file, to
``$XDG_STATE_HOME/hvtui/recovery/NAME-YYYYmmdd-HHMMSS.toml`` (default
``~/.local/state/hvtui/recovery``; without a home directory, the current
directory), and one line says where once the terminal is restored.

Plain Python: no Textual.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hvtui import presets
from hvtui.fsutil import WriteError, atomic_write
from hvtui.presets import Preset
from hvtui.textsafe import safe_name

#: Tries with ``-2``, ``-3``... before giving up (two stops in the same second).
_TRIES = 100


def recovery_dir() -> Path:
    """``$XDG_STATE_HOME/hvtui/recovery``, default ``~/.local/state/hvtui/recovery``; the
    current directory when no home directory is known."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "hvtui" / "recovery"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return Path.cwd()
    if not home.is_absolute():
        return Path.cwd()
    return home / ".local" / "state" / "hvtui" / "recovery"


def write_recovery(
    preset: Preset, *, directory: Path | None = None, now: float | None = None
) -> Path:
    """Write ``preset`` to a new recovery file; its path.

    Never replaces a file: a name that exists gets ``-2``, ``-3``... Raises
    :class:`~hvtui.fsutil.WriteError` (one line) when it cannot be written.
    """
    folder = directory if directory is not None else recovery_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise WriteError(f"{folder}: cannot create: {exc.strerror or exc}") from exc
    # The one name rule (a draft's name already obeys it, so it is kept as it is);
    # a name with nothing usable left is called "draft".
    stem = safe_name(preset.name) or "draft"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    text = presets.dumps(preset)
    for attempt in range(1, _TRIES + 1):
        suffix = "" if attempt == 1 else f"-{attempt}"
        path = folder / f"{stem}-{stamp}{suffix}.toml"
        if os.path.lexists(path):
            continue
        try:
            atomic_write(path, text)
        except WriteError:
            if os.path.lexists(path):
                continue  # it appeared meanwhile: the next name
            raise
        return path
    raise WriteError(f"{folder}: no free recovery file name for {stem}-{stamp}")


def save_draft(preset: Preset, why: str) -> str:
    """Write ``preset`` to a new recovery file; the one line hvtui prints as it stops
    (``why``: the signal's word), saying where the draft went or why it could not go.

    One text for both paths that save a draft on a stop signal: the app's own (on its
    loop) and the watchdog's (when the loop is stuck).
    """
    from hvtui.textsafe import one_line

    name = one_line(preset.name)
    try:
        path = write_recovery(preset)
    except OSError as exc:
        return f"hvtui: {why}; the unsaved draft {name} could not be saved: {one_line(str(exc))}"
    return f"hvtui: {why}; the unsaved draft {name} was saved to {one_line(str(path))}"


__all__ = ["recovery_dir", "save_draft", "write_recovery"]
