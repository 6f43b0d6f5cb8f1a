"""The wizard's header: Textual's :class:`~textual.widgets.Header`, drawn alike by one widget,
whose title changes without a layout.

Textual's header is three widgets (the header, its icon, its title; a clock's space on
the right), each composed, mounted, styled, laid out and drawn on the way to the first
frame (~12 M instructions of it at 120x36, issue #13).  This one draws the same cells
itself, line by line (:meth:`WizardHeader.render_line`): the icon's eight cells on the
left, the title centred in the room between them and the ten cells Textual keeps on the
right, cut with an ellipsis.  The title is drawn by Textual's own
:meth:`~textual.visual.Visual.to_strips`, as Textual's ``Static`` draws it, so its cells,
styles and offsets (what a mouse selection reads) are the same; when the terminal loses
the focus it fades as Textual fades its ``HeaderTitle`` (``App:blur HeaderTitle``, half
the text's opacity, in Textual's ``App.DEFAULT_CSS``), the icon does not.

Textual's header sets its title with ``Static.update`` and the default layout, so every
step switch (the sub-title names the step) laid the whole screen out a second time and
drew a second frame.  The title's size never depends on its text, so :meth:`show`
repaints the header only.  Everything else is as in Textual's: the icon opens the command
palette (a tooltip says so, and it is highlighted under the mouse), a click elsewhere on
the header makes it three lines tall and back.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.content import Content
from textual.renderables.text_opacity import TextOpacity
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

ICON_WIDTH = 8
"""The icon's cells, one of padding on each side included (Textual's ``HeaderIcon``)."""
ICON_PADDING = 1
TITLE_MARGIN = 10
"""The cells Textual's header keeps right of the title (for its clock): the header's
background."""
PALETTE_TOOLTIP = "Open the command palette"
"""The icon's tooltip (Textual's ``HeaderIcon``'s)."""


class WizardHeader(Widget):
    """The header: :meth:`show` sets the title (the screen calls it when its titles change).

    The title is what :meth:`render` returns (Textual reads it there for a selection's
    text); the lines on screen are :meth:`render_line`'s."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "wizard-header--icon-hover",
        "wizard-header--title",
    }

    SCOPED_CSS: ClassVar[bool] = False
    """Its rules are not scoped to it (Textual would put ``WizardHeader`` before each
    selector): the faded title's starts at the app (``App:blur``), as Textual's own."""

    DEFAULT_CSS: ClassVar[str] = """
    WizardHeader {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
        /* The title's, as Textual's HeaderTitle: one line, centred, cut with an ellipsis. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
        content-align: center middle;
    }
    WizardHeader.-tall {
        height: 3;
    }
    /* The icon under the mouse (Textual's HeaderIcon:hover). */
    WizardHeader > .wizard-header--icon-hover {
        background: $foreground 10%;
    }
    /* The title while the terminal has not the focus (Textual's App:blur HeaderTitle). */
    App:blur WizardHeader > .wizard-header--title {
        text-opacity: 50%;
    }
    """

    def __init__(self, title: Content, *, icon: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._icon = icon
        self._on_icon = False
        """The mouse is over the icon (it is highlighted)."""

    @property
    def palette_enabled(self) -> bool:
        """The icon opens the command palette (the app has one; Textual's icon is disabled
        otherwise: no tooltip, no highlight, a click does nothing)."""
        return self.app.ENABLE_COMMAND_PALETTE

    def show(self, title: Content) -> None:
        """Show ``title``: the header is repainted, nothing is laid out."""
        if title != self._title:
            self._title = title
            self.refresh()

    def render(self) -> Content:
        """The title (the text a mouse selection in the header takes its part of)."""
        return self._title

    def render_line(self, y: int) -> Strip:
        """Line ``y`` as Textual's header draws it: the icon, in the middle line of its
        column; on the first line the title, centred in the room between the icon and the
        right margin.  The rest of the line (the margin; the lines under the title when
        the header is tall) is the header's background: Textual's styles cache fills a
        line up to the widget's width with it, as it filled the header's own lines."""
        width, height = self.size
        icon = self._icon_line(y, height)
        if y:
            return icon
        room = max(0, width - ICON_WIDTH - TITLE_MARGIN)
        if not room:
            return icon
        title = Visual.to_strips(self, self._title, room, 1, self.visual_style)[0]
        opacity = self.get_component_styles("wizard-header--title").text_opacity
        if opacity != 1:  # as Textual's styles cache applies a widget's text-opacity
            app = self.app
            faded = TextOpacity.process_segments(
                title, opacity, app.ansi_theme, app.native_ansi_color
            )
            title = Strip(faded, title.cell_length)
        return Strip.join([icon, title])

    def _icon_line(self, y: int, height: int) -> Strip:
        """Line ``y`` of the icon's column as Textual draws ``HeaderIcon``: its padding in
        the background, the icon left-aligned in the middle line (``content-align: left
        middle``), the rest filled as ``Visual.to_strips`` fills it."""
        style = self.visual_style
        if self._on_icon:
            hover = self.get_component_styles("wizard-header--icon-hover").background
            style += Style(background=style.background + hover)
        background = Style(background=style.background).rich_style
        fill = (style + Style(reverse=False)).rich_style
        inside = ICON_WIDTH - 2 * ICON_PADDING
        # Offset (0, 0), as Textual marks rendered text for a mouse selection (the selection
        # it starts is the title's: what the header's text is, :meth:`render`).
        text = Segment(self._icon, style.rich_style_with_offset(0, 0))
        lines = Strip.align([Strip([text])], fill, inside, height, "left", "middle")
        pad = Segment(" " * ICON_PADDING, background)
        return Strip([pad, *list(lines)[y], pad], ICON_WIDTH)

    def _over_icon(self, x: int) -> bool:
        return x < ICON_WIDTH and self.palette_enabled

    def _point_at(self, on_icon: bool) -> None:
        """The mouse moved on or off the icon: highlight it, and give its tooltip."""
        if on_icon != self._on_icon:
            self._on_icon = on_icon
            self.tooltip = PALETTE_TOOLTIP if on_icon else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._point_at(self._over_icon(event.x))

    def on_leave(self) -> None:
        self._point_at(False)

    async def on_click(self, event: events.Click) -> None:
        """The icon opens the command palette; a click elsewhere makes the header three
        lines tall, and back (as Textual's does)."""
        if event.x < ICON_WIDTH:
            if self.palette_enabled:
                await self.run_action("app.command_palette")
            return
        self.toggle_class("-tall")


__all__ = ["ICON_WIDTH", "PALETTE_TOOLTIP", "WizardHeader"]
