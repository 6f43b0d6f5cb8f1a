"""Helpers for the wizard tests, screenshots and benchmark: the demo host they all show, and
the app as tests drive it.

It is the shipped demo ``intel-tigerlake`` (``hvtui --demo intel-tigerlake``), never
this machine, so every test, snapshot and screenshot shows the same facts and a reader
can reproduce each picture.  The demo's directory is part of the package: read it in
place, and copy it (``demo_sysroot(directory)``) before changing anything in it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from hvtui.demos import find_demo
from hvtui.tui.app import HvtuiApp

REPO = Path(__file__).resolve().parents[2]

DEMO = "intel-tigerlake"
"""Intel i7-1165G7 laptop, Linux 6.12: APICv, nested KVM, every option including evmcs."""


def demo_sysroot(directory: Path | None = None, name: str = DEMO) -> Path:
    """The demo host's snapshot directory (read-only); with ``directory``, a private copy
    inside it that a test may change."""
    source = find_demo(name).path
    if directory is None:
        return source
    root = directory / name
    if not root.exists():
        shutil.copytree(source, root, symlinks=True)
    return root


class RecordingApp(HvtuiApp):
    """The wizard as tests drive it: it keeps every notification it was asked to show
    (:func:`notices` reads them; Textual keeps its own list private) and keeps text
    cursors steady (a blinking cursor makes a screenshot depend on timing)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notices: list[str] = []
        """The message of every notification so far, oldest first."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notices.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A text field that takes the focus shows its cursor without blinking."""
        if isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False


def notices(app: HvtuiApp) -> str:
    """Every notification ``app`` (a :class:`RecordingApp`) was asked to show, as one text."""
    assert isinstance(app, RecordingApp), "only a RecordingApp keeps its notifications"
    return "\n".join(app.notices)


def forget_notices(app: HvtuiApp) -> None:
    """Start counting notifications afresh."""
    assert isinstance(app, RecordingApp), "only a RecordingApp keeps its notifications"
    app.notices.clear()


async def wait_for(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    """Let the app run until ``ready()``: for what the app does in a worker or after a
    refresh, which one pause does not wait for on a loaded machine (4 s at the most)."""
    for _ in range(200):
        await pilot.pause(0.02)
        if ready():
            return
    raise AssertionError(f"timed out waiting for {what}")
