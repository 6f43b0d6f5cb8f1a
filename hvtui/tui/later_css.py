"""Stylesheets the wizard's first frame does not need, read when they are first needed.

``app.tcss`` holds the rules of what the first frame shows (the sidebar, the header,
the footer, the panes' frame and the host pane, the preview's frame); Textual parses it
on the way to that frame.  The rules of everything else live in a stylesheet of their
own, read later with :func:`read_css`: the dialogs' and the full-width snippet's just
after the first frame, the option, Start and Review panes' and the preview tabs' when
the widget is first built, the toggled preview's when ``v`` is first pressed.  Their
rules stay user CSS, exactly as if they were in ``app.tcss``.

Why not only a screen's ``CSS_PATH``: a stylesheet new to Textual when its screen is
pushed makes Textual parse every rule again and restyle every widget (~300 ms CPU at
the first dialog once the step panes are prepared); :func:`read_css` parses the new
file alone (the others come from the stylesheet's cache) and restyles nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

_HERE = Path(__file__).parent

DIALOGS = _HERE / "screens" / "dialogs.tcss"
"""Every dialog's ``CSS_PATH`` (the questions, save, export, help, verify, apply)."""
SNIPPET = _HERE / "screens" / "snippet.tcss"
"""The full-width snippet screen's ``CSS_PATH``."""
PANES = _HERE / "widgets" / "panes.tcss"
"""What the Start, option and Review panes share (sections, indented details, rows of
controls); read when the first pane other than the Host pane is built."""
OPTION = _HERE / "widgets" / "option.tcss"
"""An option's pane: its control, relations, findings, fixes and docs (the first frame
shows the host pane; ~7 M instructions of parsing and matching left that frame)."""
START = _HERE / "widgets" / "start.tcss"
"""The Start from pane's lists."""
REVIEW = _HERE / "widgets" / "review.tcss"
"""The Review pane: findings list, badge, compare table, stacked buttons."""
PREVIEW_TABS = _HERE / "widgets" / "preview_tabs.tcss"
"""The preview's tabs and editors (the preview's frame is in ``app.tcss``)."""
PREVIEW_TOGGLED = _HERE / "screens" / "toggled.tcss"
"""Where ``v`` puts the preview (the wizard's ``-preview-toggled`` class): read on the
first press, before the class is set, which restyles the screen and all it holds."""

AFTER_FIRST_FRAME = (DIALOGS, SNIPPET)
"""Read just after the first frame: screens' ``CSS_PATH`` (see the module's text)."""


def read_css(app: App[Any], path: Path) -> None:
    """Add the stylesheet ``path`` to ``app``'s rules, once (a later call does nothing).

    Call it before the first widget its rules style is mounted: the rules apply to every
    widget styled from then on, and widgets already on screen are not restyled (the
    rules of a new file style none of them)."""
    stylesheet = app.stylesheet
    key = str(path)
    if not stylesheet.has_source(key):
        stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(key, ""))


__all__ = [
    "AFTER_FIRST_FRAME",
    "DIALOGS",
    "OPTION",
    "PANES",
    "PREVIEW_TABS",
    "PREVIEW_TOGGLED",
    "REVIEW",
    "SNIPPET",
    "START",
    "read_css",
]
