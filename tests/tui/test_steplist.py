"""The sidebar repaints only the rows a step switch changes (issue #13): what is on screen
must still be the highlight where it is now and nowhere else, scrolled or not."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult

from hvtui.tui.steps import Step
from hvtui.tui.widgets.steps import StepList

#: Rows on screen: fewer than the sidebar has, so a far step scrolls it.
HEIGHT = 12


class Sidebar(App[None]):
    """The sidebar alone (the wizard around it would cost seconds to start)."""

    CSS: ClassVar[str] = f"StepList {{ width: 30; height: {HEIGHT}; border: none; padding: 0; }}"

    def compose(self) -> ComposeResult:
        yield StepList(id="steps")


def drawn(app: Sidebar, row: int) -> object:
    """The background on screen in the middle of a row (of what the list shows)."""
    return app.screen.get_style_at(6, row).bgcolor


def highlighted_rows(app: Sidebar) -> list[int]:
    """The rows on screen drawn with the highlight's background (the disabled group rows
    and the plain rows share theirs)."""
    backgrounds = [drawn(app, row) for row in range(HEIGHT)]
    counts = {colour: backgrounds.count(colour) for colour in backgrounds}
    return [row for row, colour in enumerate(backgrounds) if counts[colour] == 1]


async def test_moving_the_highlight_repaints_the_row_left_and_the_row_reached() -> None:
    app = Sidebar()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        steps.focus()
        await pilot.pause()
        assert highlighted_rows(app) == [0], "Host, the first row"
        steps.select_step("vapic")  # row 4: Host, Start from, CORE, relaxed, vapic
        await pilot.pause()
        assert highlighted_rows(app) == [4]
        await pilot.press("up")
        await pilot.pause()
        assert highlighted_rows(app) == [3], "relaxed"


async def test_a_far_step_scrolls_into_view_highlighted_alone() -> None:
    app = Sidebar()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        steps.focus()
        await pilot.pause()
        steps.select_step(Step.REVIEW)
        await pilot.pause()
        assert steps.scroll_offset.y > 0, "the last row is below the first screenful"
        assert highlighted_rows(app) == [HEIGHT - 1], "Review, at the bottom"
        steps.select_step(Step.HOST)
        await pilot.pause()
        assert steps.scroll_offset.y == 0
        assert highlighted_rows(app) == [0]
