"""The rules the Start, option and Review panes share are not parsed for the first frame,
which shows the Host pane (issue #13): they are read when the first of those panes is
built (:data:`hvtui.tui.later_css.PANES`), before it is mounted, and style it as they did
from ``app.tcss``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from textual.css import stylesheet
from textual.css.model import RuleSet
from textual.css.parse import parse
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.dom import DOMNode
from textual.widget import Widget

from hvtui.tui.app import HvtuiApp
from hvtui.tui.later_css import PANES
from hvtui.tui.widgets.host import HostPane
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.steps import StepList

from .support import DEMO, RecordingApp

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


class SourcesAtFirstFrame(RecordingApp):
    """Notes, at its first frame, where each rule source of its stylesheet came from, and
    whether the preview pane (its tabs not built yet) was drawn as one line repeated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources: list[str] = []
        self.preview_uniform: bool | None = None

    def on_ready(self) -> None:
        self.sources = [name or Path(path).name for path, name in self.stylesheet.source]
        preview = self.screen.query_one("#preview", PreviewPane)
        self.preview_uniform = preview.is_container and preview.lines_are_uniform()
        super().on_ready()


async def test_the_containers_bring_no_textual_container_rules(sysroot: Path) -> None:
    """The pane holder, the pane slots and the preview pane have CSS of their own
    (``inherit_css=False``): neither ``Container``'s nor ``Vertical``'s default rule is
    parsed for the first frame (nor the toggled preview's rules), and they are laid out
    as those rules laid them out (Textual's default layout and overflow are theirs)."""
    app = SourcesAtFirstFrame(sysroot=sysroot, probe=False, demo=DEMO, prepare_panes=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "App.DEFAULT_CSS" in app.sources and "app.tcss" in app.sources
        for name in ("Container.DEFAULT_CSS", "Vertical.DEFAULT_CSS", "toggled.tcss"):
            assert name not in app.sources
        screen = app.screen
        for selector in ("#panes", ".pane-slot", "#preview"):
            styles = screen.query_one(selector).styles
            assert (styles.overflow_x, styles.overflow_y) == ("hidden", "hidden")
        assert app.preview_uniform, "the empty preview pane is a container: one line, repeated"
        steps, panes, preview = (
            screen.query_one(s).region for s in ("#steps", "#panes", "#preview")
        )
        assert (steps.right, panes.right, preview.right) == (panes.x, preview.x, 120)
        assert panes.width == 54 and panes.height == preview.height == 34


class SidebarStylings(RecordingApp):
    """Counts the stylings of the sidebar until its first frame, and notes its focus then."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stylings = 0
        self.at_first_frame: tuple[int, bool, bool] | None = None

    def on_ready(self) -> None:
        steps = self.screen.query_one(StepList)
        focused = self.screen.focused is steps and steps.has_pseudo_class("focus")
        self.at_first_frame = (self.stylings, focused, steps.has_focus)
        super().on_ready()


async def test_the_sidebar_is_styled_once_and_focused_for_the_first_frame(
    sysroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar has the focus at the first frame (its focused look), styled once: not
    styled unfocused when mounted and again when the screen focuses it."""
    app = SidebarStylings(sysroot=sysroot, probe=False, demo=DEMO, prepare_panes=False)
    apply = Stylesheet.apply

    def counting(stylesheet: Stylesheet, node: DOMNode, **kwargs: Any) -> None:
        if isinstance(node, StepList):
            app.stylings += 1
        apply(stylesheet, node, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", counting)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.at_first_frame == (1, True, True)
        await pilot.press("tab")  # the focus moves on and comes back as Textual's does
        assert not app.screen.query_one(StepList).has_focus
        await pilot.press("escape")
        steps = app.screen.query_one(StepList)
        assert app.screen.focused is steps and steps.has_pseudo_class("focus")


class ParsesAtFirstFrame(RecordingApp):
    """Notes, at its first frame, how often each rule source was parsed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parses: Counter[CSSLocation] = Counter()
        self.at_first_frame: Counter[CSSLocation] | None = None

    def on_ready(self) -> None:
        self.at_first_frame = self.parses.copy()
        super().on_ready()


async def test_every_rule_source_is_parsed_once_for_the_first_frame(
    sysroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No source is parsed twice on the way to the first frame.  Textual parses a class's
    default CSS again when a widget brings it from further up its CSS bases than the
    first widget that brought it (a lower tie breaker, another parse): ``Widget``'s, when
    the Host pane was a ``VerticalScroll``, one class deeper than the screen.  The pane
    still scrolls as that class scrolled: down only."""
    app = ParsesAtFirstFrame(sysroot=sysroot, probe=False, demo=DEMO, prepare_panes=False)

    def counting(scope: str, css: str, read_from: CSSLocation, **kwargs: Any) -> Iterable[RuleSet]:
        app.parses[read_from] += 1
        return parse(scope, css, read_from, **kwargs)

    monkeypatch.setattr(stylesheet, "parse", counting)  # the name its stylesheet calls
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.at_first_frame is not None
        names = {name for _, name in app.at_first_frame}
        assert {"Widget.DEFAULT_CSS", "HostPane.DEFAULT_CSS"} <= names
        assert "VerticalScroll.DEFAULT_CSS" not in names
        assert [source for source, n in app.at_first_frame.items() if n > 1] == []
        pane = app.screen.query_one(HostPane)
        assert (pane.styles.overflow_x, pane.styles.overflow_y) == ("hidden", "auto")
