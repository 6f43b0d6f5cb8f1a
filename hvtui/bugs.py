"""What every front end does with a bug in hvtui: one line and exit status 70.

The CLI, the wizard and detection (which turns a bug into an unknown fact) share
the wording and the ``HVTUI_DEBUG`` switch, so a user sees the same line
wherever it happens and a developer gets the traceback in all of them.
"""

from __future__ import annotations

import os

#: A bug in hvtui (sysexits' EX_SOFTWARE): never the answer to any input.
EXIT_INTERNAL = 70


def debug_enabled() -> bool:
    """``HVTUI_DEBUG`` is set: internal errors are raised in full, not summed up."""
    return bool(os.environ.get("HVTUI_DEBUG"))


def describe(exc: BaseException | None) -> str:
    """``ValueError: bad thing``: the exception in a few words (``unknown`` without one)."""
    return f"{type(exc).__name__}: {exc}" if exc is not None else "unknown"


def internal_error_line(exc: BaseException | str | None) -> str:
    """The one line a user sees for a bug (after ``hvtui: ``); ``exc`` is the exception or,
    where only its printed form is left (the wizard), :func:`describe`'s text for it."""
    what = exc if isinstance(exc, str) else describe(exc)
    return f"internal error: {what} (set HVTUI_DEBUG=1 for details and please report it)"


__all__ = ["EXIT_INTERNAL", "debug_enabled", "describe", "internal_error_line"]
