"""The rules the Start, option and Review panes share are not parsed for the first frame,
which shows the Host pane (issue #13): they are read when the first of those panes is
built (:data:`hvtui.tui.later_css.PANES`), before it is mounted, and style it as they did
from ``app.tcss``."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from hvtui.tui.app import HvtuiApp
from hvtui.tui.later_css import PANES

AppFactory = Callable[..., HvtuiApp]


async def test_the_shared_pane_rules_come_with_the_first_pane_after_host(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert not app.stylesheet.has_source(str(PANES)), "not for the Host pane"
        assert PANES.read_text(encoding="utf-8").count("{") == 5
        await pilot.press("n")  # Start: sections, rows of controls, indented details
        await pilot.pause()
        assert app.stylesheet.has_source(str(PANES))
        pane = app.screen.query_one("#detail")
        assert pane.has_class("start-pane")
        section = pane.query_one(".section", Widget)
        assert section.styles.margin.top == 1
        row = pane.query_one(".row", Widget)
        assert row.styles.margin.top == 1
        assert row.styles.height is not None and row.styles.height.is_auto
        assert all(child.styles.margin.right == 1 for child in row.children)
        assert pane.query_one(".detail", Widget).styles.padding.left == 2
        assert str(pane.query(".row Input").first().styles.width) == "1fr"
