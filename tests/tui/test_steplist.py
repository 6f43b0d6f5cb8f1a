"""The sidebar repaints only the rows a step switch changes (issue #13): what is on screen
must still be the highlight where it is now and nowhere else, scrolled or not.  And it
does what Textual's option list did for it: keys, clicks, the mouse-over look, rows
that wrap, and the same lines."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.content import Content, Span
from textual.visual import Visual

from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.services import Host
from hvtui.tui.steps import Step
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.steps import StepList, StepRows

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


# -- what the option list did, kept ------------------------------------------------

#: A draft whose rows carry values, marks and every kind of glyph.
MARKED = Preset(
    "marked",
    Config.of({"relaxed": True, "vapic": False, "spinlocks": 0x800, "vendor-id": "KVMKVMKVMKVM"}),
)


def marked_view() -> WizardView:
    return WizardView.build(MARKED, Host("unavailable"), Preset("empty", Config()))


class Recorder(Sidebar):
    """The sidebar, recording what it tells its screen."""

    def __init__(self, view: WizardView | None = None) -> None:
        super().__init__()
        self.view = view
        self.told: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield StepList(self.view, id="steps")

    def on_step_list_highlighted(self, event: StepList.Highlighted) -> None:
        self.told.append(("highlighted", event.step))

    def on_step_list_selected(self, event: StepList.Selected) -> None:
        self.told.append(("selected", event.step))


async def test_keys_skip_the_group_names_and_go_round_the_ends() -> None:
    app = Recorder()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        steps.focus()
        last = len(steps.rows) - 1
        moves = {
            "down": Step.START,
            "up": Step.HOST,
        }
        for key, step in moves.items():
            await pilot.press(key)
            assert steps.current_step == step
        await pilot.press("down", "down")  # past CORE, a group's name
        assert steps.highlighted == 3 and steps.rows[2].step is None
        await pilot.press("home", "up")
        assert steps.highlighted == last, "up from the first row: the last"
        await pilot.press("down")
        assert steps.highlighted == 0, "down from the last row: the first"
        await pilot.press("end")
        assert steps.current_step == Step.REVIEW
        await pilot.press("pageup")
        assert steps.highlighted is not None and steps.highlighted < last
        assert steps.current_step is not None, "a page never lands on a group's name"
        await pilot.press("enter")
        await pilot.pause()
        assert app.told[-1] == ("selected", steps.current_step)
        assert ("highlighted", Step.REVIEW) in app.told


async def test_a_click_selects_the_row_under_the_mouse_scrolled_or_not() -> None:
    app = Recorder()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        steps.select_step(Step.REVIEW)
        await pilot.pause()
        top = round(steps.scroll_offset.y)
        assert top > 0
        target = next(i for i in range(top, top + HEIGHT) if steps.rows[i].step is not None)
        app.told.clear()
        await pilot.click(StepList, offset=(4, target - top))
        await pilot.pause()
        step = steps.rows[target].step
        assert app.told == [("highlighted", step), ("selected", step)]
        assert steps.has_focus, "a click focuses the list"
        group = next(i for i in range(top, top + HEIGHT) if steps.rows[i].step is None)
        app.told.clear()
        await pilot.click(StepList, offset=(4, group - top))
        await pilot.pause()
        assert app.told == [] and steps.highlighted == target, "a group's name: nothing"


async def test_a_drag_over_the_rows_selects_nothing() -> None:
    """The rows are a list to pick from, as the option list's were: a drag across them
    selects no text (Textual's default selected letters of the rows widget's name)."""
    app = Recorder()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        await pilot.pause()
        await pilot.mouse_down(StepList, offset=(1, 1))
        await pilot.hover(StepList, offset=(20, 6))
        await pilot.mouse_up(StepList, offset=(20, 6))
        await pilot.pause()
        assert app.screen.get_selected_text() is None


async def test_the_row_under_the_mouse_is_drawn_so() -> None:
    app = Sidebar()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        plain = drawn(app, 5)
        await pilot.hover(StepList, offset=(4, 5))
        await pilot.pause()
        assert drawn(app, 5) != plain
        await pilot.hover(StepList, offset=(4, 6))
        await pilot.pause()
        assert drawn(app, 5) == plain, "and no longer once the mouse left it"


async def test_a_new_view_redraws_the_rows_it_changed() -> None:
    app = Sidebar()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        await pilot.pause()
        index = next(i for i, row in enumerate(steps.rows) if row.step == "spinlocks")
        width = 30 - 1  # the scrollbar
        assert steps.line(index, width).text.strip() == "spinlocks"
        steps.view = marked_view()
        await pilot.pause()
        assert steps.line(index, width).text.strip() == "● spinlocks 0x800 !"


#: Prompts beside the sidebar's own: spans that overlap, nest or touch, none, an empty
#: text, a style that does not parse.
ODD_PROMPTS = [
    Content("plain"),
    Content(""),
    Content("overlapping spans", [Span(0, 9, "bold"), Span(4, 14, "$text-error")]),
    Content("nested spans", [Span(0, 12, "$accent"), Span(2, 6, "italic")]),
    Content("touching", [Span(0, 4, "bold"), Span(4, 8, "reverse"), Span(8, 8, "italic")]),
    Content("no such style", [Span(3, 7, "$no-such-variable")]),
]


async def test_a_row_that_fits_is_drawn_as_textuals_general_path_draws_it() -> None:
    """The one-line path gives the segments Textual's :meth:`Visual.to_strips` gives,
    in every look, for rows with values and marks and for odd prompts."""
    app = Recorder(marked_view())
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        steps.focus()
        await pilot.pause()
        looks = [
            steps.get_visual_style("step-list--option", *extra)
            for extra in (
                (),
                ("step-list--option-highlighted",),
                ("step-list--option-hover",),
                ("step-list--option-disabled",),
            )
        ]
        for prompt in [row.prompt for row in steps.rows] + ODD_PROMPTS:
            for style in looks:
                width = prompt.cell_length + 3
                general = [
                    strip.extend_cell_length(width, style.rich_style)
                    for strip in Visual.to_strips(steps, prompt, width, None, style)
                ]
                assert list(map(list, steps.render_row(prompt, width, style))) == list(
                    map(list, general)
                ), prompt.plain


async def test_rows_drawn_alike_share_rich_styles_and_follow_the_theme() -> None:
    """Rows drawn in the same style at the same offset share one Rich style (fewer
    objects than pieces on screen); after a theme change every row on screen is what
    Textual's general path draws in the new theme (none keeps an old colour)."""
    app = Recorder(marked_view())
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        rows = steps.query_one(StepRows)
        await pilot.pause()
        pieces = [piece for y in range(HEIGHT) for piece in rows.render_line(y)]
        assert len({id(piece.style) for piece in pieces}) < len(pieces) // 2
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        width = rows.size.width
        for y in range(HEIGHT):
            index = steps.row_at(y, width)
            assert index is not None
            row = steps.rows[index]
            look = ["step-list--option"]
            if row.step is None:
                look.append("step-list--option-disabled")
            elif index == steps.highlighted:
                look.append("step-list--option-highlighted")
            style = steps.get_visual_style(*look)
            (general,) = Visual.to_strips(steps, row.prompt, width, None, style)
            expected = general.extend_cell_length(width, style.rich_style)
            assert list(rows.render_line(y)) == list(expected), row.prompt.plain


class Narrow(Sidebar):
    """A sidebar narrower than some rows."""

    CSS: ClassVar[str] = "StepList { width: 12; height: 12; border: none; padding: 0; }"


async def test_a_row_too_wide_wraps_over_more_lines() -> None:
    app = Narrow()
    async with app.run_test(size=(40, HEIGHT)) as pilot:
        steps = app.query_one(StepList)
        await pilot.pause()
        rows = steps.query_one(StepRows)
        width = rows.size.width  # the list's, less the scrollbar's
        assert rows.size.height == steps.line_count(width), "as tall as its lines"
        wide = [i for i, row in enumerate(steps.rows) if row.prompt.cell_length > width]
        assert wide, "some option names are wider than 11 cells"
        assert steps.line_count(width) > len(steps.rows)
        lines = [steps.row_at(y, width) for y in range(steps.line_count(width))]
        assert lines.count(wide[0]) == 2
        first = lines.index(wide[0])
        text = steps.line(first, width).text + steps.line(first + 1, width).text
        assert text.replace(" ", "") == steps.rows[wide[0]].prompt.plain.replace(" ", "")
