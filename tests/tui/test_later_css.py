"""The stylesheets of the screens the first frame does not show (issue #13).

The dialogs' and the full-width snippet's rules are not in ``app.tcss``: each screen names
its stylesheet in ``CSS_PATH``, and the app reads those files just after its first frame
(:data:`hvtui.tui.later_css.AFTER_FIRST_FRAME`).  Left to Textual, a ``CSS_PATH`` new to
the stylesheet would be read when its screen is first pushed, and Textual then parses
every rule again and restyles every widget: ~300 ms CPU at the first dialog once the step
panes are prepared.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from hvtui.tui.later_css import AFTER_FIRST_FRAME, PREVIEW_TOGGLED
from hvtui.tui.screens import apply, dialogs, snippet, verify

from .support import DEMO, RecordingApp, wait_for

#: The modules of the screens pushed over the wizard.
SCREEN_MODULES = (dialogs, apply, verify, snippet)


def screen_stylesheets() -> dict[str, Path]:
    """Each screen class of :data:`SCREEN_MODULES` that names a stylesheet, with it."""
    found: dict[str, Path] = {}
    for module in SCREEN_MODULES:
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Screen) and value.CSS_PATH:
                assert isinstance(value.CSS_PATH, Path), f"{name}: one absolute path"
                found[name] = value.CSS_PATH
    return found


def test_every_screen_stylesheet_is_one_the_app_reads_after_its_first_frame() -> None:
    sheets = screen_stylesheets()
    assert {"ChoiceDialog", "HelpScreen", "SnippetScreen", "VerifyDialog"} <= set(sheets)
    assert set(sheets.values()) == set(AFTER_FIRST_FRAME)
    assert all(path.is_file() for path in AFTER_FIRST_FRAME)


class FirstFrameWatcher(RecordingApp):
    """Notes, at its first frame, the stylesheet files its rules came from."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_at_first_frame: list[str] | None = None

    def on_ready(self) -> None:
        sources = self.stylesheet.source
        self.read_at_first_frame = [Path(p).name for p, _ in sources if p.endswith(".tcss")]
        super().on_ready()


async def test_dialogs_find_their_rules_read_after_the_first_frame(
    sysroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not parsed for the first frame; read after it, so that showing a dialog parses
    nothing again, and its rules apply."""
    app = FirstFrameWatcher(sysroot=sysroot, probe=False, demo=DEMO, prepare_panes=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert app.read_at_first_frame == ["app.tcss"]
        await wait_for(
            pilot,
            lambda: all(app.stylesheet.has_source(str(path)) for path in AFTER_FIRST_FRAME),
            "the stylesheets read after the first frame",
        )
        reparsed: list[str] = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: reparsed.append("reparse"))
        app.push_screen(dialogs.confirm_replace(Path("preset.toml")))
        await pilot.pause()
        assert isinstance(app.screen, dialogs.ChoiceDialog)
        assert app.screen.styles.align == ("center", "middle")
        assert reparsed == []


@pytest.mark.parametrize(("size", "narrow"), [((80, 24), True), ((120, 36), False)])
async def test_where_v_puts_the_preview_is_read_on_the_first_press(
    sysroot: Path, size: tuple[int, int], narrow: bool
) -> None:
    """The toggled preview's rules are not parsed for the first frame, which never shows
    it toggled; the first ``v`` reads them before it sets the class they select on, and
    they apply: narrow, the preview takes the pane's place (no left border); wide, it goes."""
    app = RecordingApp(sysroot=sysroot, probe=False, demo=DEMO, prepare_panes=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert not app.stylesheet.has_source(str(PREVIEW_TOGGLED))
        screen = app.screen
        preview, holder = screen.query_one("#preview"), screen.query_one("#panes")
        assert (preview.display, holder.display) == (not narrow, True)
        await pilot.press("v")
        await pilot.pause()
        assert app.stylesheet.has_source(str(PREVIEW_TOGGLED))
        assert screen.has_class("-preview-toggled")
        assert (preview.display, holder.display) == (narrow, not narrow)
        assert screen.query_one("#detail").display is not narrow
        if narrow:
            assert preview.styles.border_left[0] == ""
            assert preview.region.width == size[0] - screen.query_one("#steps").region.width
        await pilot.press("v")
        await pilot.pause()
        assert (preview.display, holder.display) == (not narrow, True)
