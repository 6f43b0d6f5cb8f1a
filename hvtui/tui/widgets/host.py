"""The Host step: what detection found, each fact with one line on why it matters.

All facts are drawn into a single :class:`FactsText` (one widget, cheap to
mount and to redraw when the slow probes fill in later).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.geometry import Size
from textual.reactive import var
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widgets import Static

from hvtui.tui import services
from hvtui.tui.services import Host
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.plain import PlainLines, line_segments

if TYPE_CHECKING:
    from textual.visual import VisualType

    from hvtui.advice import FactStatus, HostFact


@functools.cache
def _marks() -> dict[FactStatus, tuple[str, str]]:
    """Each status's glyph and style (advice loads with the first facts, not with this
    module)."""
    from hvtui.advice import FactStatus

    return {
        FactStatus.GOOD: ("✓", "$text-success"),
        FactStatus.BAD: ("✗", "$text-error"),
        FactStatus.NEUTRAL: ("•", "$text-accent"),
        FactStatus.UNKNOWN: ("?", "$text-warning"),
    }


def facts_lines(facts: list[HostFact]) -> list[Content]:
    """Every fact on two lines: ``✓ Label: value``, then why it matters, indented; and
    a blank line last.  Lines, not one text: :class:`FactsText` draws them as they are
    given, where a text would be split into lines again (~5.7 M instructions for the
    host facts on the way to the first frame)."""
    lines: list[Content] = []
    for fact in facts:
        glyph, style = _marks()[fact.status]
        value = ("unknown", "$text-warning") if fact.value is None else fact.value
        lines.append(Content.assemble((glyph + " ", style), (f"{fact.label}: ", "bold"), value))
        lines.append(Content.styled("  " + fact.why, "$text-muted"))
    lines.append(Content())
    return lines


def heading(host: Host, probing: bool) -> Content:
    """The step's title, then where the facts come from and whether the slow probes are
    still running: one text, one widget (each widget costs ~3.8 M instructions on the
    way to the first frame: its styles, its mounting, its layout and its drawing)."""
    if host.source.startswith("demo:"):
        origin = f"Facts of the demo host {host.label.removeprefix('demo ')} (a saved snapshot)"
    elif host.source.startswith("sysroot:"):
        origin = f"Facts of a saved snapshot: {host.label.removeprefix('snapshot ')}"
    elif host.source == "live":
        origin = "Facts of this machine"
    else:
        origin = "No host facts"
    probe = "  (more facts arriving…)" if probing else ""
    return Content.assemble(
        ("Host", "bold $text-accent"), "\n", (origin, "bold"), (probe, "$text-muted")
    )


class FactsText(PlainLines, Static):
    """A :class:`Static` that wraps its text once per width, not twice, and turns into
    lines only the text's lines that need wrapping.

    Textual wraps a Static's text to learn its height (twice on the wizard's first
    frame) and again to paint it; the host facts are the largest text of that frame.
    Here the lines wrapped for the height are the lines painted, so the picture is the
    same cell for cell.  They are kept while the text (a new visual on each
    :meth:`update`), the width and the widget's style (a new :attr:`visual_style`
    after any style change) stay the same; while text is selected, Textual draws it.

    Most of the text's lines fit the width (23 of the host facts' 33 at 120 columns):
    such a line is one line as it is, which Textual's wrapping (words, cuts, trims and
    pads of its spans) only finds out at a cost; a line that does not fit is wrapped by
    Textual (:meth:`Content.wrap`).  Each line is drawn as :meth:`Content.render_strips`
    draws it (see :meth:`_draw`); with ``ahead=False`` only when it is first painted
    (the host facts are taller than the pane: a third of them are below it), else when
    the text is wrapped (a pane laid out while hidden paints its first visit from
    those).  Anything this does not do as Textual does (another alignment or overflow,
    tabs, links or clicks in the text, a Rich renderable) is drawn by Textual's own
    :meth:`Visual.to_strips`.  Without a box of its own (the facts have a margin), its
    lines go to the screen without the styles cache (:class:`PlainLines`).
    """

    def __init__(
        self,
        content: Content | list[Content],
        *,
        id: str | None = None,
        classes: str | None = None,
        ahead: bool = True,
    ) -> None:
        text = self._text_of(content)
        super().__init__(text, id=id, classes=classes)
        self._ahead = ahead
        self._lines_key: tuple[Visual, int, Style] | None = None
        self._lines: list[Strip | None] = []
        """The text's lines at the key's width (``None``: not drawn yet)."""
        self._pieces: list[tuple[int, int, Content]] = []
        """Each line's source line, offset in it and text (empty: Textual drew them)."""

    _given: tuple[Content, list[Content]] | None = None
    """The text made of lines given, and those lines (its lines, not split again)."""

    def _text_of(self, content: Content | list[Content]) -> Content:
        """The text to show: ``content``, or lines given joined as one text (a Static's
        text, for Textual to select from, copy and show as the widget's content)."""
        if not isinstance(content, list):
            self._given = None
            return content
        text = Content("\n").join(content)
        self._given = (text, content)
        return text

    def update(self, content: VisualType | list[Content] = "", *, layout: bool = True) -> None:
        """Show ``content``, or lines (as :meth:`__init__` takes them)."""
        if isinstance(content, list):
            super().update(self._text_of(content), layout=layout)
        else:
            self._given = None
            super().update(content, layout=layout)

    def _wrapped(self, width: int) -> list[Strip | None]:
        """The text's lines at ``width``, wrapped once for this text, width and style."""
        visual, style = self.visual, self.visual_style
        cached = self._lines_key
        if (
            cached is None
            or cached[0] is not visual
            or cached[1] != width
            or cached[2] is not style
        ):
            pieces = self._pieces_of(visual, width)
            if pieces is None:
                self._pieces = []
                self._lines = list(Visual.to_strips(self, visual, width, None, style))
            else:
                self._pieces = pieces
                self._lines = [None] * len(pieces)
                if self._ahead:
                    for y in range(len(pieces)):
                        self._draw(y, style)
            self._lines_key = (visual, width, style)
        return self._lines

    def _pieces_of(self, visual: Visual, width: int) -> list[tuple[int, int, Content]] | None:
        """The text's lines at ``width`` as Textual wraps them (``Content._wrap_and_format``:
        each source line split at the offsets its wrapping gives, each piece drawn from
        its offset), or ``None`` where Textual must draw it."""
        if not isinstance(visual, Content) or not width or not self._draws_as_textual(visual):
            return None
        given = self._given
        lines = given[1] if given is not None and given[0] is visual else None
        pieces: list[tuple[int, int, Content]] = []
        for y, line in enumerate(visual.split(allow_blank=True) if lines is None else lines):
            plain = line.plain
            if line.cell_length <= width and len(plain) <= width:
                pieces.append((y, 0, line))  # fits: no cut, trim or pad applies
                continue
            x = 0
            for index, piece in enumerate(line.wrap(width)):
                text = piece.plain
                if index:
                    # A piece after a cut starts at a word, after the spaces that ended
                    # the piece before (trimmed from it): past them is where it starts.
                    if not text or text[0].isspace():
                        return None  # a folded run of spaces: no offset to find
                    while x < len(plain) and plain[x].isspace():
                        x += 1
                if not plain.startswith(text, x):
                    return None
                pieces.append((y, x, piece))
                x += len(text)
        return pieces

    def _draws_as_textual(self, content: Content) -> bool:
        """Whether :meth:`_draw` draws ``content`` as Textual does: left-aligned, folded,
        wrapped text without tabs, line padding, links or clicks, styled without
        component classes (Textual's ``Visual.to_strips`` and ``Content.render_strips``
        read these rules)."""
        styles = self.styles
        if (
            styles.text_align not in ("left", "start")
            or styles.text_overflow != "fold"
            or styles.text_wrap != "wrap"
            or styles.line_pad
            or styles.content_align != ("left", "top")
            or "\t" in content.plain
        ):
            return False
        for span in content.spans:
            style = span.style
            if isinstance(style, str):
                if style.startswith("."):
                    return False  # a component class: Textual looks it up on the widget
                try:
                    style = Style.parse(style)
                except Exception:
                    return False  # Textual draws it unstyled
            if style.link or style.meta:
                return False  # Textual restyles links and clicks
        return True

    def _draw(self, y: int, style: Style) -> Strip:
        """Line ``y``: its piece's segments over ``style``, each with its offset in the
        source line (for text selection), as Textual's ``_FormattedLine.to_strip``
        draws a left-aligned line."""
        line_y, x, piece = self._pieces[y]
        strip = self._lines[y] = Strip(line_segments(piece, style, x, line_y), piece.cell_length)
        return strip

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width:
            return 0
        return len(self._wrapped(width))

    def render_line(self, y: int) -> Strip:
        if self.text_selection is not None:
            return super().render_line(y)  # Textual draws the selection
        width, height = self.size
        lines = self._wrapped(width)
        if y < min(height, len(lines)):
            line = lines[y]
            return self._draw(y, self.visual_style) if line is None else line
        return Strip.blank(width, self.visual_style.rich_style)


class HostPane(ScrollableContainer):
    """What this host offers and why each fact matters for the choice.

    Blank (Textual's ``BLANK``), as :class:`~hvtui.tui.widgets.option.OptionPane` is: only
    its children draw.

    A scrollable container that scrolls only up and down, as ``VerticalScroll`` is (whose
    one rule adds to ``ScrollableContainer``'s the overflows below), but a direct subclass
    of ``ScrollableContainer``, so that ``Widget`` is as far up its CSS bases as up the
    screen's.  Textual parses a class's ``DEFAULT_CSS`` with a tie breaker of minus its
    depth in the bases of the widget that brings it, and when a widget with it deeper
    comes later, keeps the lower tie breaker and parses the source again
    (``DOMNode._get_default_css``; ``Stylesheet.add_source``, whose ``_parse_rules``
    caches by tie breaker): as a ``VerticalScroll``, this pane made Textual parse
    ``Widget.DEFAULT_CSS`` a second time, and ``VerticalScroll``'s, on the way to the
    first frame (~2.4 M instructions at 120x36, issue #13).  Each other pane is a
    ``VerticalScroll``: the first of them built (prepared after the first frame) brings
    both parses now."""

    BLANK: ClassVar[bool] = True

    DEFAULT_CSS: ClassVar[str] = """
    HostPane {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view; redrawn when the slow probes report."""

    def __init__(self, view: WizardView) -> None:
        super().__init__(id="detail", classes="pane host-pane")
        self._initial = view
        self._host: Host | None = None
        self._probing = view.probing

    def compose(self) -> ComposeResult:
        # Drawn here, not once mounted: filling them in afterwards was one more update,
        # and layout, on the way to the first frame.
        host, probing = self._initial.host, self._initial.probing
        self._host, self._probing = host, probing
        yield FactsText(heading(host, probing), id="host-heading", classes="title")
        yield FactsText(
            facts_lines(services.host_facts(host)), id="host-facts", classes="facts", ahead=False
        )
        yield Static(
            Content.assemble(
                ("Next: ", "bold"),
                "press ",
                ("n", "bold $text-accent"),
                " to choose where to start; the sidebar lists every option.",
            ),
            classes="hint",
        )

    def watch_view(self, view: WizardView | None) -> None:
        """Redraw when the host facts changed (the deep probe filled in)."""
        if view is None or view is self._initial:
            return  # the binding's first call: compose drew it
        if self.is_mounted and (view.host is not self._host or view.probing != self._probing):
            self._draw(view.host, view.probing)

    def _draw(self, host: Host, probing: bool) -> None:
        self._host = host
        self._probing = probing
        self.query_one("#host-heading", FactsText).update(heading(host, probing))
        self.query_one("#host-facts", FactsText).update(facts_lines(services.host_facts(host)))


__all__ = ["FactsText", "HostPane", "facts_lines"]
