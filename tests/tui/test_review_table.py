"""Review follows the model by updating what changed, not by drawing itself again (issue #13).

The compare table keeps its rows when only cells change (the cursor and the scroll stay), and
after any sequence of edits the pane shows exactly what a Review built afresh for the same
view shows: the in-place updates cannot drift from a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.content import Content
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.wizard import WizardScreen
from hvtui.tui.steps import Step
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.review import FindingList, ReviewPane

from .test_wizard import go_to

Drawn = tuple[object, ...]


def _table(pane: ReviewPane) -> DataTable[str]:
    table: DataTable[str] = pane.query_one("#compare", DataTable)
    return table


def _drawn(pane: ReviewPane) -> Drawn:
    """What the pane shows, part by part: the texts with their styles, the findings' rows,
    whether save-merged is offered, and the table's header, column widths and cells."""

    def styled(selector: str) -> tuple[str, tuple[object, ...]]:
        content = pane.query_one(selector, Static).content
        assert isinstance(content, Content)
        return content.plain, tuple(content.spans)

    table = _table(pane)
    findings = pane.query_one(FindingList)
    return (
        styled("#summary"),
        styled("#badge"),
        tuple(str(findings.get_option_at_index(i).prompt) for i in range(findings.option_count)),
        pane.query_one("#save-merged").display,
        tuple((c.label.plain, c.get_render_width(table)) for c in table.ordered_columns),
        tuple(tuple(table.get_row_at(i)) for i in range(table.row_count)),
    )


class _Fresh(App[None]):
    """A Review built for one view and nothing else."""

    def __init__(self, view: WizardView) -> None:
        super().__init__()
        self._view = view

    def compose(self) -> ComposeResult:
        yield ReviewPane(self._view)


async def _fresh(view: WizardView, size: tuple[int, int]) -> Drawn:
    app = _Fresh(view)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        return _drawn(app.query_one(ReviewPane))


async def _edit(pilot: Pilot[int], option: str) -> None:
    """Toggle ``option`` on its step (no question asked), then show Review again."""
    await go_to(pilot, option)
    await pilot.press("space")
    await pilot.pause()
    assert isinstance(pilot.app.screen, WizardScreen), f"toggling {option} asked a question"
    await go_to(pilot, Step.REVIEW)


async def test_a_changed_cell_is_updated_in_place(make_app: Callable[..., HvtuiApp]) -> None:
    """Turning on an option some peer turns on changes one cell: the table keeps its rows
    and columns (the same key objects: not cleared and filled again), and the cursor moved
    down the table stays on its row."""
    app = make_app(preset=Preset("lab-vm", Config.of(stimer=True)))
    size = (120, 40)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, Step.REVIEW)
        pane = app.screen.query_one(ReviewPane)
        table = _table(pane)
        rows, columns = list(table.rows), list(table.columns)
        relaxed = [row[0] for row in map(table.get_row_at, range(table.row_count))].index("relaxed")
        ours = Coordinate(relaxed, 1)
        before = table.get_cell_at(ours)
        table.move_cursor(row=3)
        await _edit(pilot, "relaxed")
        assert table.get_cell_at(ours) != before, "the edit changed no cell"
        assert all(a is b for a, b in zip(table.rows, rows, strict=True))
        assert all(a is b for a, b in zip(table.columns, columns, strict=True))
        assert table.cursor_row == 3
        assert _drawn(pane) == await _fresh(app.wizard.view, size)


async def test_after_any_edits_review_shows_what_a_fresh_one_does(
    make_app: Callable[..., HvtuiApp],
) -> None:
    """Cells that change, rows that come and go (an option no peer turns on), findings that
    come and go, and an undo: after each, every part equals a Review built for that view."""
    app = make_app(preset=Preset("lab-vm", Config.of(relaxed=True, stimer=True)))
    size = (120, 40)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, Step.REVIEW)
        pane = app.screen.query_one(ReviewPane)
        seen = {_drawn(pane)}
        for option in ("syndbg", "frequencies", "stimer-direct", "enforce-cpuid", "syndbg"):
            await _edit(pilot, option)
            drawn = _drawn(pane)
            assert drawn == await _fresh(app.wizard.view, size), option
            seen.add(drawn)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _drawn(pane) == await _fresh(app.wizard.view, size), "after undo"
        assert len(seen) == 6, "every edit changed what Review shows"
