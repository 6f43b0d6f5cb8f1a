"""An option's pane: its findings box is out of the layout while it is empty and on screen
as soon as a finding about the option appears (and out again once it goes)."""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import Vertical

from hvtui.tui.app import HvtuiApp
from hvtui.tui.messages import SetValue
from hvtui.tui.widgets.option import OptionPane

from .test_wizard import SIZE, desktop, go_to

AppFactory = Callable[..., HvtuiApp]


async def test_findings_box_is_shown_only_with_findings(make_app: AppFactory) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "spinlocks")
        pane = app.screen.query_one(OptionPane)
        box = pane.query_one("#findings", Vertical)
        assert not box.children and not box.display, "no finding: nothing to lay out"

        app.wizard.post_message(SetValue("spinlocks", 0x800))  # below libvirt's minimum
        await pilot.pause()
        assert box.display
        shown = [f for f in box.query(".finding") if f.is_on_screen and f.region.area]
        assert any("below 4095" in str(f.render()) for f in shown)

        app.wizard.action_undo()
        await pilot.pause()
        assert not box.children and not box.display
