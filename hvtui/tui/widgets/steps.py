"""The sidebar: every step of the wizard, every option grouped, with its state and marks.

One :class:`~textual.widgets.OptionList` (a single widget, however many
options) rather than a widget per row keeps startup and redraws cheap; group
names are disabled rows so the cursor skips them.  Moving the highlight (every
step switch) repaints only the two rows it leaves and reaches, not all of them.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive, var
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from hvtui import catalog
from hvtui.catalog import Severity
from hvtui.tui.steps import Step, step_title
from hvtui.tui.view import WizardView

#: Width the option names are padded to, so values line up.
NAME_WIDTH = 18

_MARKS: dict[Severity, tuple[str, str]] = {
    Severity.ERROR: ("✗", "$text-error bold"),
    Severity.WARNING: ("!", "$text-warning bold"),
    Severity.INFO: ("i", "$text-muted"),
}


class StepList(OptionList):
    """The list of steps; highlighting one shows it (the screen listens)."""

    view: var[WizardView | None] = var(None, init=False)
    """The state to draw; bound to the screen's view."""
    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """As :attr:`OptionList.highlighted`, but not repainting the whole list: the watcher
    repaints the two rows that change (all 42 repainted were a seventh of a step switch)."""

    _lit: int | None = None
    """The row drawn highlighted (the watcher is told only the new one)."""
    _fit_width = 0
    """The width :attr:`_fits` was found for (0: not yet, or the prompts changed)."""
    _fits = False
    """Every row's prompt fits on one line at :attr:`_fit_width`."""

    def __init__(self, view: WizardView | None = None, *, id: str | None = None) -> None:
        super().__init__(*self._build(view), id=id)
        self._drawn = view
        self._index = {
            option.id: i for i, option in enumerate(self.options) if option.id is not None
        }

    def watch_view(self, view: WizardView | None) -> None:
        """Redraw the rows' states and marks; the highlight stays where it is."""
        if view is self._drawn:
            return  # the binding's first call: already drawn by the constructor
        self._drawn = view
        for index, option in enumerate(self._build(view)):
            if isinstance(option, Option) and option.id is not None and not option.disabled:
                self.replace_option_prompt_at_index(index, option.prompt)
        self._fit_width = 0  # the prompts changed

    def watch_highlighted(self, highlighted: int | None) -> None:
        """Scroll the row into view and tell the screen (as OptionList does), then repaint
        the row left and the row reached; a scroll repaints everything by itself."""
        super().watch_highlighted(highlighted)
        old, self._lit = self._lit, highlighted
        width = self.scrollable_content_region.width
        if not width:
            return  # not laid out yet: the first frame draws every row
        if not self._rows_fit(width):
            self.refresh()  # a row wraps: rows are no longer lines
            return
        top = round(self.scroll_offset.y)
        self.refresh(
            *(Region(0, row - top, width, 1) for row in (old, highlighted) if row is not None)
        )

    def _rows_fit(self, width: int) -> bool:
        """Every row is one line at ``width`` (the sidebar is wide enough for the longest)."""
        if self._fit_width != width:
            self._fit_width = width
            padding = self.get_component_styles("option-list--option").padding.width
            self._fits = all(_cells(option.prompt) <= width - padding for option in self.options)
        return self._fits

    def select_step(self, step: str) -> None:
        """Move the highlight to ``step`` (without posting a selection)."""
        index = self._index.get(step)
        if index is not None and self.highlighted != index:
            self.highlighted = index

    @property
    def current_step(self) -> str | None:
        """The highlighted step's id."""
        option = self.highlighted_option
        return option.id if option is not None else None

    @staticmethod
    def _build(view: WizardView | None) -> list[Option]:
        rows: list[Option] = [
            Option(_page_row(Step.HOST, view), id=Step.HOST),
            Option(_page_row(Step.START, view), id=Step.START),
        ]
        for group, entries in catalog.by_group():
            rows.append(Option(Content.styled(group.value.upper(), "$text-muted"), disabled=True))
            rows.extend(Option(_option_row(entry.name, view), id=entry.name) for entry in entries)
        rows.append(Option(_page_row(Step.REVIEW, view), id=Step.REVIEW))
        return rows


def _cells(prompt: object) -> int:
    """Cells a row's prompt takes on one line (the rows are :class:`Content`)."""
    return prompt.cell_length if isinstance(prompt, Content) else len(str(prompt))


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


__all__ = ["StepList"]
