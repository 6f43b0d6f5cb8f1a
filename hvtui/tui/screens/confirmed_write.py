"""The one way the wizard writes a file: ask before replacing one, then write atomically.

Saving a preset, writing a snippet and saving a merged domain XML all go
through :func:`write_confirmed`, so none of them replaces a file without the
user's consent: ``force`` is only passed to the writer after "Replace", and the
writers (:func:`hvtui.fsutil.atomic_write`, :func:`hvtui.presets.save`) refuse
to replace a file that appeared meanwhile when it is not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from hvtui.fsutil import WriteError
from hvtui.textsafe import one_line
from hvtui.tui.screens.dialogs import Answer, confirm_replace


def exists(path: Path) -> bool:
    """``path`` exists; ``False`` when the system will not say (the write then says why)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


async def write_confirmed(
    screen: Screen[Any],
    path: Path,
    write: Callable[[bool], object],
    *,
    failed: str,
    note: str = "",
) -> bool:
    """Write ``path`` with ``write(force)``; when it exists, ask first (``note``: one more
    sentence for the question).  A refused or failed write is a toast titled ``failed``.

    Awaits the question, so it runs in a worker.  ``True`` when the file was written.
    """
    force = False
    if exists(path):
        answer = await screen.app.push_screen_wait(confirm_replace(path, note=note))
        if answer != Answer.REPLACE:
            return False
        force = True
    try:
        write(force)
    except (WriteError, OSError) as exc:
        screen.notify(one_line(str(exc)), title=failed, severity="error", timeout=8, markup=False)
        return False
    return True


__all__ = ["exists", "write_confirmed"]
