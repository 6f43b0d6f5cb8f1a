"""The sidebar: every step of the wizard, every option grouped, with its state and marks.

It behaves as Textual's :class:`~textual.widgets.OptionList` did here (the same keys,
clicks, mouse-over look and lines; :class:`StepList.Highlighted` and
:class:`StepList.Selected` where the option list posted its own messages) but is built
for this one list of rows, which costs less at every turn:

* The rows are drawn by one child widget through the Line API, each row rendered once
  per look (plain, highlighted, under the mouse) and its strips kept until the row's
  text, the width or the styles change.  Moving the highlight (every step switch)
  repaints only the lines of the row left and of the row reached.
* :class:`StepList` is a scrolling container around that child, not a scroll view: the
  compositor gives a container the size of its content, which does not change from
  one layout to the next, so a step switch's layout leaves the scrollbar alone.  (A
  scroll view is told its viewport's size instead of its own on every layout, takes
  that for a change, and repaints its scrollbar: a second frame on every switch.)
* No option objects, line caches or per-line style look-ups as a general list needs.

A row is one line when its text fits (most do at the wizard's width); a row that does
not (a long name with a value and marks) wraps over as many lines as it needs, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple, cast

from rich.style import Style as RichStyle
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size, clamp
from textual.message import Message
from textual.reactive import reactive, var
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from hvtui import catalog
from hvtui.catalog import Severity
from hvtui.tui.steps import Step, step_title
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.plain import PlainLines, line_segments
from hvtui.tui.widgets.uniform import UniformLines

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

#: Width the option names are padded to, so values line up.
NAME_WIDTH = 18

_MARKS: dict[Severity, tuple[str, str]] = {
    Severity.ERROR: ("✗", "$text-error bold"),
    Severity.WARNING: ("!", "$text-warning bold"),
    Severity.INFO: ("i", "$text-muted"),
}

#: The component class of each look a row can have (beside the base one).
_PLAIN = "step-list--option"
_HIGHLIGHTED = "step-list--option-highlighted"
_HOVER = "step-list--option-hover"
_DISABLED = "step-list--option-disabled"


class Row(NamedTuple):
    """One row of the sidebar: a step (``None`` for a group's name, which cannot be
    highlighted) and what the row shows."""

    step: str | None
    prompt: Content


class StepRows(PlainLines, Widget):
    """The rows' lines, as tall as all of them; :class:`StepList` scrolls it.  It draws
    what its list gives it and tells the list where the mouse is and what was clicked.

    It has no box of its own: its lines go to the screen without the styles cache
    (:class:`PlainLines`)."""

    ALLOW_SELECT = False
    """The rows are a list to pick from, not text to select, as the option list's were
    (Textual's ``OptionList.ALLOW_SELECT``): a drag over them selects nothing (with
    Textual's default it selected letters of the widget's default render, which is its
    CSS identifier, ``StepRows``: ``Widget.render`` and ``Widget.get_selection``)."""

    def __init__(self, owner: StepList) -> None:
        super().__init__()
        self._owner = owner
        # As tall as its lines, as wide as the list (a widget's default width): set
        # here, not in a default CSS of its own, which Textual would parse and match
        # on the way to the first frame (~1.4 M instructions for this one rule).
        self.styles.height = "auto"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._owner.line_count(width)

    @property
    def width(self) -> int:
        """The rows' width (the widget has no padding or border: its outer size is its
        content's, which costs an attribute, not a look-up of its region)."""
        return self.outer_size.width

    def render_line(self, y: int) -> Strip:
        return self._owner.line(y, self.width)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._owner.hover(self._owner.row_at(event.y, self.width))

    def on_leave(self, event: events.Leave) -> None:
        self._owner.hover(None)

    def on_click(self, event: events.Click) -> None:
        self._owner.click(self._owner.row_at(event.y, self.width))


class StepList(UniformLines, Widget, can_focus=True):
    """The list of steps; highlighting one shows it (the screen listens).

    Its own lines (the frame under the rows: background and right border) are all alike:
    drawn once and repeated (:class:`UniformLines`)."""

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]
    """The keys of Textual's option list."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {_PLAIN, _HIGHLIGHTED, _HOVER, _DISABLED}

    DEFAULT_CSS: ClassVar[str] = """
    StepList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .step-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .step-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .step-list--option-disabled {
            color: $text-disabled;
        }
        & > .step-list--option-hover {
            background: $block-hover-background;
        }
    }
    """
    """Textual's option list's looks of its rows and its focus, so the sidebar looks as
    it did; its box (border, padding, background) is the wizard's (``#steps`` in
    ``app.tcss``), not the option list's, which the wizard's replaced: parsing and
    matching those took ~1.2 M instructions on the way to the first frame."""

    class Highlighted(Message):
        """The highlight moved to a step (by a key, a click or :meth:`select_step`)."""

        def __init__(self, step_list: StepList, step: str, index: int) -> None:
            super().__init__()
            self.step_list = step_list
            self.step = step
            """The step highlighted."""
            self.index = index
            """Its row (stale when it differs from the list's :attr:`highlighted`)."""

        @property
        def control(self) -> StepList:
            """The list (for ``@on(StepList.Highlighted, "#steps")``)."""
            return self.step_list

    class Selected(Message):
        """``enter`` on a step, or a click on it."""

        def __init__(self, step_list: StepList, step: str) -> None:
            super().__init__()
            self.step_list = step_list
            self.step = step
            """The step selected."""

        @property
        def control(self) -> StepList:
            """The list (for ``@on(StepList.Selected, "#steps")``)."""
            return self.step_list

    view: var[WizardView | None] = var(None, init=False)
    """The state to draw; bound to the screen's view."""
    highlighted: reactive[int | None] = reactive(None, repaint=False, init=False)
    """The highlighted row (a step's, never a group's); its watcher repaints the row left
    and the row reached, not the list."""
    _hover: int | None = None
    """The row under the mouse."""

    def __init__(self, view: WizardView | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn = view
        self.rows: tuple[Row, ...] = _build(view)
        """Every row, in order."""
        self._index: dict[str, int] = {
            row.step: i for i, row in enumerate(self.rows) if row.step is not None
        }
        self._strips: dict[tuple[int, Style], list[Strip]] = {}
        """Each row's lines in a look, at :attr:`_width`."""
        self._rich_styles: dict[tuple[Style, int, int], RichStyle] = {}
        """The Rich style of each style and offset the rows were drawn in (see
        :func:`line_segments`)."""
        self._width = 0
        self._starts: list[int] = []
        """The first line of each row at :attr:`_width` (the rows' line count last)."""
        self._line_rows: list[int] = []
        """The row of each line at :attr:`_width`."""
        self.set_reactive(StepList.highlighted, self._next_enabled(-1, 1))
        self._rows = StepRows(self)

    def compose(self) -> ComposeResult:
        yield self._rows

    # -- rows and their lines ------------------------------------------------------

    def _lay_out(self, width: int) -> None:
        """Find which lines each row takes at ``width`` (one, unless it must wrap)."""
        if width == self._width and self._starts:
            return
        self._width = width
        self._strips.clear()
        starts: list[int] = []
        line_rows: list[int] = []
        for index, row in enumerate(self.rows):
            starts.append(len(line_rows))
            line_rows.extend([index] * self._height_of(row.prompt, width))
        starts.append(len(line_rows))
        self._starts, self._line_rows = starts, line_rows

    def _height_of(self, prompt: Content, width: int) -> int:
        if prompt.cell_length <= width:
            return 1
        return max(1, prompt.get_height(cast("RulesMap", self.styles), width))

    def line_count(self, width: int) -> int:
        """How many lines the rows take at ``width``."""
        self._lay_out(width)
        return self._starts[-1]

    def row_at(self, y: int, width: int) -> int | None:
        """The row drawn on line ``y`` (``None`` below the last)."""
        self._lay_out(width)
        return self._line_rows[y] if 0 <= y < len(self._line_rows) else None

    def line(self, y: int, width: int) -> Strip:
        """Line ``y`` of the rows, as it looks now."""
        self._lay_out(width)
        if not 0 <= y < len(self._line_rows):
            return Strip.blank(width, self.get_visual_style(_PLAIN).rich_style)
        index = self._line_rows[y]
        strips = self._row_strips(index, width)
        offset = y - self._starts[index]
        if offset < len(strips):
            return strips[offset]
        return Strip.blank(width, self.get_visual_style(_PLAIN).rich_style)

    def _row_strips(self, index: int, width: int) -> list[Strip]:
        """The row's lines in its look now, rendered once per look (as the option list
        rendered an option: the look's style under the prompt, filled to the width)."""
        row = self.rows[index]
        if row.step is None:
            style = self.get_visual_style(_PLAIN, _DISABLED)
        elif index == self.highlighted:
            style = self.get_visual_style(_PLAIN, _HIGHLIGHTED)
        elif index == self._hover:
            style = self.get_visual_style(_PLAIN, _HOVER)
        else:
            style = self.get_visual_style(_PLAIN)
        key = (index, style)
        strips = self._strips.get(key)
        if strips is None:
            strips = self._strips[key] = self.render_row(row.prompt, width, style)
        return strips

    def render_row(self, prompt: Content, width: int, style: Style) -> list[Strip]:
        """A row's lines in ``style``, ``width`` cells wide: what the option list drew.

        A row that fits is one line: its spans' styles over ``style``, filled to the
        width: the segments Textual's general path (:meth:`Visual.to_strips`) gives for
        one line, without its wrapping machinery (drawing the 34 rows of the first frame
        took ~17 M instructions that way, ~11 M this way), and for a row whose spans
        do not overlap (every row's: each is assembled from pieces) without
        :meth:`Content.render`'s general merging of spans either (:func:`line_segments`).
        A row that does not fit takes the general path and wraps."""
        if prompt.cell_length <= width:
            segments = line_segments(prompt, style, drawn=self._rich_styles)
            line = Strip(segments, prompt.cell_length)
            return [line.extend_cell_length(width, style.rich_style)]
        rendered_strips = Visual.to_strips(self, prompt, width, None, style)
        return [strip.extend_cell_length(width, style.rich_style) for strip in rendered_strips]

    def _refresh_rows(self, *indexes: int | None) -> None:
        """Repaint the lines of these rows (the others look as they did)."""
        width = self._rows.width
        if not width or not self._starts:
            return  # not laid out yet: the first frame draws every row
        starts = self._starts
        self._rows.refresh(
            *(
                Region(0, starts[index], width, starts[index + 1] - starts[index])
                for index in indexes
                if index is not None
            )
        )

    def notify_style_update(self) -> None:
        """The looks changed (a theme, the focus): render the rows again."""
        super().notify_style_update()
        if hasattr(self, "_rows"):  # not while the constructor sets the widget up
            self._strips.clear()
            self._rich_styles.clear()
            self._rows.refresh()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    # -- the state drawn -----------------------------------------------------------

    def watch_view(self, view: WizardView | None) -> None:
        """Redraw the rows whose state or marks changed; the highlight stays where it is."""
        if view is self._drawn:
            return  # the binding's first call: already drawn by the constructor
        self._drawn = view
        rows = _build(view)
        changed = [
            i
            for i, (old, new) in enumerate(zip(self.rows, rows, strict=True))
            if not old.prompt.is_same(new.prompt)
        ]
        if not changed:
            return
        width = self._width
        heights = {i: self._height_of(rows[i].prompt, width) for i in changed} if width else {}
        self.rows = rows
        for key in [key for key in self._strips if key[0] in changed]:
            del self._strips[key]
        starts = self._starts
        if width and all(heights[i] == starts[i + 1] - starts[i] for i in changed):
            self._refresh_rows(*changed)
        else:
            self._starts = []  # a row's height changed: lay the rows out again
            self._rows.refresh(layout=True)

    # -- the highlight ---------------------------------------------------------------

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None:
            return None
        return clamp(highlighted, 0, len(self.rows) - 1)

    def watch_highlighted(self, old: int | None, highlighted: int | None) -> None:
        """Repaint the row left and the row reached, scroll it into view, and tell the
        screen (a group's row is never reached by the keys, and says nothing)."""
        self._refresh_rows(old, highlighted)
        if highlighted is not None and self.rows[highlighted].step is not None:
            self.scroll_to_highlight()
            step = self.rows[highlighted].step
            assert step is not None
            self.post_message(self.Highlighted(self, step, highlighted))

    def scroll_to_highlight(self) -> None:
        """Scroll the highlighted row into view (now, not after the next frame); a row
        in view already (most step switches) costs no scroll."""
        highlighted = self.highlighted
        width = self._rows.width
        if highlighted is None or not width or not self.is_mounted:
            return
        self._lay_out(width)
        top, bottom = self._starts[highlighted], self._starts[highlighted + 1]
        shown = self.scroll_offset.y
        if shown <= top and bottom <= shown + self.container_size.height:
            return
        region = Region(0, top, width, bottom - top)
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def hover(self, index: int | None) -> None:
        """The mouse is over row ``index`` (``None``: over none)."""
        if index != self._hover:
            old, self._hover = self._hover, index
            self._refresh_rows(old, index)

    def click(self, index: int | None) -> None:
        """A click on row ``index`` highlights and selects it (a group's row: nothing)."""
        if index is not None and self.rows[index].step is not None:
            self.highlighted = index
            self.action_select()

    def select_step(self, step: str) -> None:
        """Move the highlight to ``step`` (without posting a selection)."""
        index = self._index.get(step)
        if index is not None and self.highlighted != index:
            self.highlighted = index

    @property
    def current_step(self) -> str | None:
        """The highlighted step's id."""
        return self.rows[self.highlighted].step if self.highlighted is not None else None

    # -- keys --------------------------------------------------------------------------

    def _next_enabled(self, anchor: int | None, direction: int, *, wrap: bool = True) -> int | None:
        """The next step's row from ``anchor`` in ``direction`` (round the end if ``wrap``)."""
        count = len(self.rows)
        start = (-1 if direction > 0 else count) if anchor is None else anchor
        for step in range(1, count + 1):
            index = start + direction * step
            if not wrap and not 0 <= index < count:
                return None
            index %= count
            if self.rows[index].step is not None:
                return index
        return None

    def action_cursor_up(self) -> None:
        """Move the highlight up to the previous step (from the first: the last)."""
        self.highlighted = self._next_enabled(self.highlighted, -1)

    def action_cursor_down(self) -> None:
        """Move the highlight down to the next step (from the last: the first)."""
        self.highlighted = self._next_enabled(self.highlighted, 1)

    def action_first(self) -> None:
        self.highlighted = self._next_enabled(None, 1)

    def action_last(self) -> None:
        self.highlighted = self._next_enabled(None, -1)

    def _move_page(self, direction: int) -> None:
        """Move the highlight about a page, to a step at or beyond the row reached."""
        self._lay_out(self._rows.width)
        lines = self._line_rows
        if not lines:
            return
        height = self.scrollable_content_region.height
        y = clamp(self._starts[self.highlighted or 0] + direction * height, 0, len(lines) - 1)
        anchor = lines[y]
        if self.rows[anchor].step is not None:
            self.highlighted = anchor
        else:
            found = self._next_enabled(anchor, direction, wrap=False)
            if found is None:
                found = self._next_enabled(anchor, -direction, wrap=False)
            self.highlighted = found

    def action_page_up(self) -> None:
        if self.highlighted is None:
            self.action_first()
        else:
            self._move_page(-1)

    def action_page_down(self) -> None:
        if self.highlighted is None:
            self.action_last()
        else:
            self._move_page(1)

    def action_select(self) -> None:
        """Select the highlighted step (posts :class:`Selected`)."""
        step = self.current_step
        if step is not None:
            self.post_message(self.Selected(self, step))


def _build(view: WizardView | None) -> tuple[Row, ...]:
    rows = [
        Row(Step.HOST, _page_row(Step.HOST, view)),
        Row(Step.START, _page_row(Step.START, view)),
    ]
    for group, entries in catalog.by_group():
        rows.append(Row(None, Content.styled(group.value.upper(), "$text-muted")))
        rows.extend(Row(entry.name, _option_row(entry.name, view)) for entry in entries)
    rows.append(Row(Step.REVIEW, _page_row(Step.REVIEW, view)))
    return tuple(rows)


def _page_row(step: Step, view: WizardView | None) -> Content:
    """A page's row; Review's also counts the errors and warnings."""
    title = step_title(step)
    if step is Step.REVIEW and view is not None:
        errors = view.counts[Severity.ERROR]
        warnings = view.counts[Severity.WARNING]
        detail = f"{errors}✗ {warnings}!" if errors or warnings else "ok"
        style = "$text-error" if errors else "$text-warning" if warnings else "$text-success"
        return Content.assemble(
            ("▸ ", "$accent"), (f"{title:<{NAME_WIDTH}} ", "bold"), (detail, style)
        )
    return Content.assemble(("▸ ", "$accent"), (title, "bold"))


def _option_row(name: str, view: WizardView | None) -> Content:
    if view is None:
        return Content.assemble("  ", name)
    state = view.state_text(name)
    if state == "on" or (state not in ("off", "default", "invalid")):
        glyph = ("●", "$text-success")
    elif state == "invalid":
        glyph = ("●", "$text-error")
    else:
        glyph = ("○", "$text-muted")
    value = "" if state in ("on", "off", "default") else state
    label = f"{name} " if value else name
    parts: list[str | tuple[str, str]] = [glyph, " ", label, (value, "$text-accent")]
    worst = view.worst(name)
    support = view.support(name)
    if support.state == "no":
        parts.append((" ⊘", "$text-error"))
    if worst is not None:
        mark, style = _MARKS[worst]
        parts.append((f" {mark}", style))
    return Content.assemble(*parts)


__all__ = ["Row", "StepList", "StepRows"]
