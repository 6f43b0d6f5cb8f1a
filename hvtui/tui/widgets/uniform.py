"""Containers whose every line looks the same draw one line and show it on every row.

The compositor asks every widget on screen for all its lines, a container under its
children included, and Textual draws each line through the styles cache: content, padding,
borders, tint, the theme's colour filter (~0.26 M instructions a line).  A container
with nothing but a background and a left or right border (the sidebar's frame, the
preview's frame, the wizard's body) has the same line on every row, so
:class:`UniformLines` draws one with Textual's own :meth:`Widget.render_lines` and repeats
it: the same strip, which the compositor then also cuts once rather than once a row.  Any
widget that could differ from row to row (a top or bottom border or outline, vertical
padding, a keyline, content of its own) is drawn line by line as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    _Drawn = Widget
else:
    _Drawn = object  # a plain mixin at run time: no widget class of its own to build


class UniformLines(_Drawn):
    """A widget drawn as one line repeated when every line of it is the same (see the
    module's text); otherwise exactly as Textual draws it.

    Put it before the widget class it draws for (``class Pane(UniformLines, Vertical)``).
    At run time it is a plain mixin, no widget class: Textual takes a widget's CSS type
    names and default CSS from its first widget base, which stays ``Vertical`` (its layout
    rule) here, and a widget class of its own would cost its building on the way to the
    first frame."""

    def render_lines(self, crop: Region) -> list[Strip]:
        if crop.height <= 1 or not self.lines_are_uniform():
            return super().render_lines(crop)
        line = super().render_lines(Region(crop.x, crop.y, crop.width, 1))
        return line * crop.height

    def lines_are_uniform(self) -> bool:
        """Every line of the widget looks the same: a container without content of its own
        (Textual draws it blank), with nothing drawn on its first or last line alone."""
        if not self.is_container or type(self).render is not Widget.render:
            return False
        styles = self.styles
        keyline: str = styles.keyline[0]  # "none" unless set (Textual's type leaves it out)
        if keyline != "none" or styles.padding.top or styles.padding.bottom:
            return False
        border, outline = styles.border, styles.outline
        return not (border.top[0] or border.bottom[0] or outline.top[0] or outline.bottom[0])


__all__ = ["UniformLines"]
