"""What the first frame draws more cheaply is what Textual draws (issue #13).

Frames drawn as one line repeated (:class:`UniformLines`): the sidebar's and the preview's
frames in every look they take (focused or not, narrow or wide, the preview toggled, light,
dark and ANSI themes); a frame whose rows differ (a top border, vertical padding) is drawn
row by row.  Lines drawn without the styles cache (:class:`PlainLines`): the sidebar's rows
and the host facts, whole or cropped, under the mouse or not; a widget with a box or an
effect (padding, tint) is drawn by the styles cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from hvtui.tui.app import HvtuiApp
from hvtui.tui.widgets.host import FactsText
from hvtui.tui.widgets.plain import PlainLines
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.steps import StepList, StepRows
from hvtui.tui.widgets.uniform import UniformLines

AppFactory = Callable[..., HvtuiApp]


def cells(strips: list[Strip]) -> list[list[tuple[str, str]]]:
    """Each line's cells: the character and its style (as the terminal gets them)."""
    lines = []
    for strip in strips:
        line: list[tuple[str, str]] = []
        for segment in strip:
            style = "" if segment.style is None else str(segment.style.clear_meta_and_links())
            line.extend((character, style) for character in segment.text)
        lines.append(line)
    return lines


def textual_lines(widget: Widget, crop: Region) -> list[Strip]:
    """The lines as Textual draws them, one by one (all of them dirty first: none is taken
    from its cache)."""
    widget.refresh()
    return Widget.render_lines(widget, crop)


def assert_drawn_as_textual_draws(widget: UniformLines) -> None:
    width, height = widget.size
    crop = Region(0, 0, width, height)
    assert height > 1
    assert widget.lines_are_uniform()
    drawn = widget.render_lines(crop)
    assert len({id(strip) for strip in drawn}) == 1, "one line, repeated"
    assert cells(drawn) == cells(textual_lines(widget, crop))


@pytest.mark.parametrize(
    ("size", "keys", "theme"),
    [
        ((120, 36), [], "textual-dark"),
        ((120, 36), ["tab"], "textual-dark"),
        ((120, 36), [], "textual-light"),
        ((80, 24), ["v"], "textual-dark"),
        ((80, 24), ["v", "tab"], "nord"),
        ((80, 24), [], "ansi-dark"),
    ],
)
async def test_the_wizard_frames_are_what_textual_draws(
    make_app: AppFactory, size: tuple[int, int], keys: list[str], theme: str
) -> None:
    """Sidebar and preview frames, cell for cell, in the looks the wizard gives them (``tab``
    moves the focus off the sidebar; ``v`` at 80 columns shows the preview without its
    border, in the pane's place)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        steps = app.screen.query_one(StepList)
        assert steps.has_focus == ("tab" not in keys)
        assert_drawn_as_textual_draws(steps)
        preview = app.screen.query_one(PreviewPane)
        if preview.display:
            assert_drawn_as_textual_draws(preview)
        assert_plain_as_textual_draws(app.screen.query_one(StepRows))
        facts = app.screen.query_one("#host-facts", FactsText)
        if facts.display and facts.size.height:
            assert_plain_as_textual_draws(facts)


def assert_plain_as_textual_draws(widget: PlainLines) -> None:
    """Whole, and cropped as the compositor crops a widget partly out of view."""
    width, height = widget.size
    assert widget.is_plain_box()
    for crop in (Region(0, 0, width, height), Region(3, 2, width - 5, height - 4)):
        drawn = cells(widget.render_lines(crop))
        assert len(drawn) == crop.height
        assert all(len(line) == crop.width for line in drawn)
        assert drawn == cells(textual_lines(widget, crop))


async def test_the_rows_under_the_mouse_are_what_textual_draws(make_app: AppFactory) -> None:
    """A row under the mouse, the highlighted row and the rows scrolled to the end."""
    app = make_app()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        await pilot.hover(StepRows, offset=(4, 5))
        await pilot.press("end")
        await pilot.pause()
        steps = app.screen.query_one(StepList)
        assert steps.scroll_offset.y > 0
        rows = app.screen.query_one(StepRows)
        assert_plain_as_textual_draws(rows)


class Plain(PlainLines, Static):
    """Text that may or may not have a box or an effect."""


class Framed(UniformLines, Vertical):
    """A frame that may or may not have the same line on every row."""


class Frames(App[None]):
    CSS: ClassVar[str] = """
    Framed { height: 6; border-left: vkey $accent; background: $panel; }
    #top { border-top: solid $accent; }
    #padded { padding: 1 0; }
    Plain { height: 3; }
    #boxed { padding: 0 1; }
    #tinted { tint: red 30%; }
    """

    def compose(self) -> ComposeResult:
        yield Framed(id="plain")
        yield Framed(id="top")
        yield Framed(id="padded")
        yield Framed(Static("text"), id="filled")
        yield Plain("plain text, longer than its line", id="bare")
        yield Plain("padded text", id="boxed")
        yield Plain("tinted text", id="tinted")


async def test_a_frame_whose_rows_differ_is_drawn_row_by_row() -> None:
    """Only a frame whose rows are all alike takes the one-line path; one with a top border
    or vertical padding is drawn row by row, as Textual draws it.  A frame with children is
    still alike (they are drawn over it)."""
    app = Frames()
    async with app.run_test(size=(30, 30)) as pilot:
        await pilot.pause()
        uniform = {frame.id: frame.lines_are_uniform() for frame in app.query(Framed)}
        assert uniform == {"plain": True, "top": False, "padded": False, "filled": True}
        for frame in app.query(Framed):
            crop = Region(0, 0, *frame.size)
            drawn = cells(frame.render_lines(crop))
            assert drawn == cells(textual_lines(frame, crop))
        top = app.query_one("#top", Framed)
        assert cells(top.render_lines(Region(0, 0, *top.size)))[0][1][0] == "─"


async def test_text_with_a_box_or_an_effect_is_drawn_by_the_styles_cache() -> None:
    """Only text without a box or an effect takes the plain path; all are drawn as
    Textual draws them (the bare text's short lines padded with its background)."""
    app = Frames()
    async with app.run_test(size=(20, 40)) as pilot:
        await pilot.pause()
        plain = {text.id: text.is_plain_box() for text in app.query(Plain)}
        assert plain == {"bare": True, "boxed": False, "tinted": False}
        for text in app.query(Plain):
            crop = Region(0, 0, *text.size)
            drawn = cells(text.render_lines(crop))
            assert drawn == cells(textual_lines(text, crop))
            assert all(len(line) == text.size.width for line in drawn)
