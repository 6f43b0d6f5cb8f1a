"""Widgets without a box of their own draw their lines without the styles cache.

Textual passes every line of a widget through its styles cache, which adds the box
(borders, outline, padding) and the effects (tint, opacity, text opacity, hatch) and then
applies the app's line filters (the theme's ANSI colours as true colour, dimming when the
app is not focused).  A widget with none of that box or those effects gets its own line
back in a new strip, filtered: for the sidebar's rows and the host facts, the largest part
of drawing them on the way to the first frame.  :class:`PlainLines` applies the same
filters to its own lines, padded or cut to the widget's width with its background as
the cache does, and leaves the rest out; any widget with a box or an effect is drawn by
the styles cache as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    _Drawn = Widget
else:
    _Drawn = object  # a plain mixin at run time: no widget class of its own to build


class PlainLines(_Drawn):
    """A widget whose lines, when it has no box or effect (see the module's text), are its
    :meth:`render_line` output with the app's line filters applied.

    Put it before the widget class it draws for (``class Text(PlainLines, Static)``): a
    plain mixin at run time, as :class:`~hvtui.tui.widgets.uniform.UniformLines` is."""

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self.is_plain_box():
            return super().render_lines(crop)
        filters = self.get_line_filters()
        base_background, background = self.background_colors
        width = self.size.width
        # What the styles cache pads a short line with: the widget's background.
        fill = Style(background=base_background + background).rich_style
        lines = []
        for y in crop.line_range:
            line = self.render_line(y).adjust_cell_length(width, fill)
            for line_filter in filters:
                line = line.apply_filter(line_filter, background)
            lines.append(line)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            lines = [line.crop(x1, x2) for line in lines]
        return lines

    def is_plain_box(self) -> bool:
        """Nothing the styles cache adds: no border, outline or padding, no tint, opacity,
        text opacity or hatch, no link under the mouse to restyle."""
        if self.BLANK:
            return False
        hover = self.hover_style
        if self.auto_links and hover.link_id and "@click" in hover.meta:
            return False  # the cache restyles the link under the mouse
        styles = self.styles
        hatch: str = styles.hatch[0] if styles.has_rule("hatch") else "none"
        return not (
            any(edge[0] for edge in styles.border)
            or any(edge[0] for edge in styles.outline)
            or any(styles.padding)
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or hatch != "none"
        )


def line_segments(
    line: Content,
    style: Style,
    x: int = 0,
    y: int = 0,
    *,
    drawn: dict[tuple[Style, int, int], RichStyle] | None = None,
) -> list[Segment]:
    """One line of text over ``style``, as Textual draws a left-aligned line of a
    :class:`Content` (``_FormattedLine.to_strip``): each piece in its span's style over
    ``style``, with its offset (from ``x``, on line ``y`` of its text) for text selection.
    With ``drawn``, a Rich style made once for a style and offset is kept there and
    given to every piece drawn in that style at that offset (an equal style, one object:
    the sidebar's rows all lie on line 0 of their texts, and most start alike).

    A line whose spans do not overlap (an assembled text's) is cut at its spans directly
    (:func:`span_pieces`), not through :meth:`Content.render`'s sort and stack of span
    edges, which only spans that overlap need: the same segments."""
    pieces = span_pieces(line)
    rendered = (
        line.render(style, end="")
        if pieces is None
        else [(text, style if span is None else style + span) for text, span in pieces]
    )
    segments: list[Segment] = []
    for text, text_style in rendered:
        piece_style = style + text_style
        kept = None if drawn is None else drawn.get((piece_style, x, y))
        if kept is None:
            kept = piece_style.rich_style_with_offset(x, y)
            if drawn is not None:
                drawn[piece_style, x, y] = kept
        segments.append(Segment(text, kept))
        x += len(text)
    return segments


def span_pieces(line: Content) -> list[tuple[str, Style | None]] | None:
    """The text cut where its spans start and end, each piece with its span's style
    (``None``: no span), when no two spans overlap; else ``None``.

    What :meth:`Content.render` yields for such a text, but for the base style it puts
    under each piece (the caller does)."""
    text = line.plain
    if not text:
        return None  # Content.render yields one empty piece
    pieces: list[tuple[str, Style | None]] = []
    position = 0
    for start, end, span_style in line.spans:
        if start < position:
            return None  # overlapping or out of order: Content.render merges them
        if start > position:
            pieces.append((text[position:start], None))
        if end > start:
            pieces.append((text[start:end], _span_style(span_style)))
        position = max(position, end)
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _span_style(style: str | Style) -> Style:
    """A span's style as :meth:`Content.render` reads it without a ``parse_style``: parsed
    with the app's variables, and no style if it does not parse."""
    if isinstance(style, Style):
        return style
    try:
        return Style.parse(style)
    except Exception:
        return Style.null()


__all__ = ["PlainLines", "line_segments", "span_pieces"]
