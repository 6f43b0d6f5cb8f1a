"""The wizard's header is one widget drawing what Textual's three-widget header drew
(issue #13): the same cells and styles, the same behaviour (the icon opens the command
palette, a click elsewhere makes it tall, the title changes without a layout)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from hvtui.tui.widgets.header import ICON_WIDTH, PALETTE_TOOLTIP, WizardHeader

TITLE = "hvtui — demo: intel-tigerlake"
SUB_TITLE = "Host · my-windows-vm"


class Icon(Widget):
    """The icon as Textual's ``HeaderIcon`` draws it (its text, in its widget's room)."""

    def render(self) -> str:
        return "hv"


class HeaderTitle(Static):
    """The title, named as Textual's (its app's rule fades it while the app is blurred)."""


class ComposedHeader(Widget):
    """The header as it was composed of Textual widgets: the header's bar, the icon as
    Textual's ``HeaderIcon`` is styled, the title as its ``HeaderTitle`` with the space
    Textual keeps for the clock as the title's margin (the reference it must draw like)."""

    DEFAULT_CSS: ClassVar[str] = """
    ComposedHeader {
        dock: top; width: 100%; background: $panel; color: $foreground; height: 1;
    }
    ComposedHeader.-tall { height: 3; }
    #icon { dock: left; padding: 0 1; width: 8; content-align: left middle; }
    #icon:hover { background: $foreground 10%; }
    #title {
        text-wrap: nowrap; text-overflow: ellipsis; content-align: center middle;
        width: 1fr; margin-right: 10;
    }
    """

    def compose(self) -> ComposeResult:
        yield Icon(id="icon")
        yield HeaderTitle(self.app.format_title(TITLE, SUB_TITLE), id="title")

    def on_click(self) -> None:
        self.toggle_class("-tall")


class HeaderApp(App[None]):
    """A screen with one header on it: the wizard's, or the reference (``composed``)."""

    def __init__(self, *, composed: bool) -> None:
        super().__init__()
        self.composed = composed

    def compose(self) -> ComposeResult:
        if self.composed:
            yield ComposedHeader()
        else:
            yield WizardHeader(self.format_title(TITLE, SUB_TITLE), icon="hv")


async def screenshot(size: tuple[int, int], state: str, *, composed: bool) -> str:
    app = HeaderApp(composed=composed)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if state == "tall":
            await pilot.click(offset=(size[0] - 3, 0))
        elif state == "hover":
            await pilot.hover(offset=(3, 0))
        elif state == "light":
            app.theme = "textual-light"
            await pilot.pause()
        elif state == "blurred":
            app.app_focus = False  # the terminal lost the focus
            await pilot.pause()
        await pilot.pause()
        return app.export_screenshot(title="header")


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (60, 20), (24, 10)])
@pytest.mark.parametrize("state", ["plain", "tall", "hover", "light", "blurred"])
async def test_the_header_draws_what_the_composed_header_drew(
    size: tuple[int, int], state: str
) -> None:
    """Every cell, style and segment (the SVG is the same): the title centred or cut with
    an ellipsis, the icon highlighted under the mouse, the tall header's lines, the colours
    of another theme once it is chosen, the title faded while the app is blurred."""
    drawn = await screenshot(size, state, composed=False)
    assert drawn == await screenshot(size, state, composed=True)


async def test_the_icon_opens_the_palette_and_says_so() -> None:
    app = HeaderApp(composed=False)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(WizardHeader)
        await pilot.hover(offset=(ICON_WIDTH + 5, 0))
        assert header.tooltip is None, "the title has no tooltip"
        await pilot.hover(offset=(ICON_WIDTH - 1, 0))
        assert header.tooltip == PALETTE_TOOLTIP
        await pilot.click(offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert not header.has_class("-tall")


async def test_a_click_beside_the_icon_makes_the_header_tall_and_back() -> None:
    app = HeaderApp(composed=False)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(WizardHeader)
        await pilot.click(offset=(40, 0))
        await pilot.pause()
        assert header.size.height == 3
        await pilot.click(offset=(ICON_WIDTH, 2))
        await pilot.pause()
        assert header.size.height == 1


async def test_a_new_title_repaints_the_header_and_lays_nothing_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = HeaderApp(composed=False)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(WizardHeader)
        layouts: list[bool] = []
        refresh = header.refresh

        def spy(*regions: Region, layout: bool = False, **kwargs: bool) -> Widget:
            layouts.append(layout)
            return refresh(*regions, layout=layout, **kwargs)

        monkeypatch.setattr(header, "refresh", spy)
        header.show(app.format_title(TITLE, "Review · my-windows-vm"))
        await pilot.pause()
        assert layouts == [False]
        assert "— Review · my-windows-vm" in header.render_line(0).text
        assert header.render() == app.format_title(TITLE, "Review · my-windows-vm")
        header.show(app.format_title(TITLE, "Review · my-windows-vm"))  # equal: nothing
        assert layouts == [False]


async def selected(*, composed: bool) -> str | None:
    app = HeaderApp(composed=composed)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.mouse_down(offset=(20, 0))
        await pilot.hover(offset=(50, 0))
        await pilot.mouse_up(offset=(50, 0))
        await pilot.pause()
        return app.screen.get_selected_text()


async def test_the_mouse_selects_in_the_title_as_before() -> None:
    """A drag across the title selects the same text as in the composed header's title."""
    text = await selected(composed=False)
    assert text and text == await selected(composed=True)
