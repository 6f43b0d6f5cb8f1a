"""The wizard's header: Textual's :class:`~textual.widgets.Header`, drawn alike, whose title
changes without a layout.

Textual's header sets its title with ``Static.update`` and the default layout, so every
step switch (the sub-title names the step) laid the whole screen out a second time and
drew a second frame.  The title's size never depends on its text (it is as wide as the
header, one line, cut with an ellipsis), so this one repaints the title only.  Everything
else is as in Textual's: the icon on the left opens the command palette, a click on the
header makes it three lines tall and back, and the same space is kept on the right (the
title's right margin, not an empty widget).
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static


class HeaderIcon(Widget):
    """The icon on the left; a click opens the command palette (as Textual's does)."""

    DEFAULT_CSS: ClassVar[str] = """
    HeaderIcon {
        dock: left;
        padding: 0 1;
        width: 8;
        content-align: left middle;
    }
    HeaderIcon:hover {
        background: $foreground 10%;
    }
    """

    def __init__(self, icon: str) -> None:
        super().__init__()
        self.icon = icon

    def render(self) -> str:
        return self.icon

    def on_mount(self) -> None:
        if self.app.ENABLE_COMMAND_PALETTE:
            self.tooltip = "Open the command palette"
        else:
            self.disabled = True

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.run_action("app.command_palette")


class HeaderTitle(Static):
    """``title — sub-title``, centred (named as Textual's, so a query for it finds it).

    Its right margin is the space Textual's header keeps on the right for a clock (the
    wizard shows none): the header's own background, as an empty widget there drew it,
    with one widget fewer to style, lay out and draw on the way to the first frame.
    """

    DEFAULT_CSS: ClassVar[str] = """
    HeaderTitle {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        content-align: center middle;
        width: 1fr;
        margin-right: 10;
    }
    """


class WizardHeader(Widget):
    """The header: :meth:`show` sets the title (the screen calls it when its titles change)."""

    DEFAULT_CSS: ClassVar[str] = """
    WizardHeader {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
    }
    WizardHeader.-tall {
        height: 3;
    }
    """

    def __init__(self, title: Content, *, icon: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._icon = icon
        self._shown: HeaderTitle | None = None
        """The title widget, once composed (kept: a query on every step switch cost
        about as much as the update)."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon(self._icon)
        self._shown = HeaderTitle(self._title)
        yield self._shown

    def show(self, title: Content) -> None:
        """Show ``title``: the title's line is repainted, nothing is laid out."""
        self._title = title
        if self._shown is not None:  # none before it is composed: it starts with the title
            self._shown.update(title, layout=False)

    def on_click(self) -> None:
        """A click makes the header three lines tall, and back (as Textual's does)."""
        self.toggle_class("-tall")


__all__ = ["WizardHeader"]
