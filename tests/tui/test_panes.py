"""The step panes prepared after the first frame (issue #13): every step gets its pane
mounted hidden in idle time, so a first visit is a pane swap; what is shown, and what a
query for "the pane" finds, stay as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Switch

from hvtui import audit, catalog
from hvtui.tui.app import HvtuiApp
from hvtui.tui.messages import ToggleOption
from hvtui.tui.screens import wizard as wizard_module
from hvtui.tui.screens.panes import PaneHolder, PaneSlot
from hvtui.tui.steps import Step, option_steps
from hvtui.tui.widgets.review import ReviewPane
from hvtui.tui.widgets.start import StartPane

from .test_start_from_vm import RunningSpy, fake_running, listed
from .test_wizard import SIZE, go_to, shown_step

AppFactory = Callable[..., HvtuiApp]


#: An option step no other option depends on (toggling it changes no other step).
LONE = next(step for step in option_steps() if not catalog.all_dependents(step))

#: The steps the wizard walks in these tests: a page of each kind and two options, not
#: all forty (preparing every pane costs seconds under load; the mechanism is the same).
FEW = (Step.HOST, Step.START, LONE, next(s for s in option_steps() if s != LONE), Step.REVIEW)


@pytest.fixture
def make_app(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """The shared factory with the panes prepared, as the wizard runs outside the tests
    (the shared fixture turns preparing off), over the few steps of :data:`FEW`."""
    monkeypatch.setattr(wizard_module, "all_steps", lambda: FEW)

    def factory(**kwargs: Any) -> HvtuiApp:
        kwargs.setdefault("prepare_panes", True)
        return make_app(**kwargs)

    return factory


async def prepared(pilot: Pilot[int]) -> None:
    """Until the wizard has prepared its panes (it does so after the first frame)."""
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    for _ in range(200):
        if app.wizard.panes_prepared:
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError("the panes were not prepared")


def _slots(app: HvtuiApp) -> list[PaneSlot]:
    return list(app.screen.query_one(PaneHolder).query_children(PaneSlot))


async def test_every_pane_is_prepared_hidden(make_app: AppFactory) -> None:
    """Once the wizard is idle every step has a slot (Start too: it refreshes what it shows
    from disk when shown, ``test_start_pane.py``); only the shown one is displayed, and it
    comes first.  At the README's 120 columns, Review's buttons, one a line there, are
    stacked while it is hidden (:meth:`ReviewPane.fit_ahead`): its first visit restyles
    and relays out nothing for them."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await prepared(pilot)
        slots = _slots(app)
        assert sorted(slot.step for slot in slots) == sorted(FEW)
        assert [slot.step for slot in slots if slot.display] == [Step.HOST]
        assert slots[0].step == Step.HOST
        review = next(slot.pane for slot in slots if slot.step == Step.REVIEW)
        assert isinstance(review, ReviewPane)
        assert review.has_class("-stacked")
        await go_to(pilot, Step.REVIEW)
        assert review.has_class("-stacked")


async def test_a_prepared_pane_shows_the_draft_of_its_visit(make_app: AppFactory) -> None:
    """A pane prepared before the draft changed draws the draft as it is when shown, and
    becomes the first slot: the one a query for the pane finds.  Its widgets, sized for
    the first time on that visit, take their sizes from the visit's layout without asking
    for a second one (:mod:`hvtui.tui.widgets.sizing`): each has the size it is drawn at,
    and the pane, taller than the window, gets its scrollbar and scrolls to its end.  The
    scrollbar was given its virtual size when the pane was prepared: its first sizing
    changes nothing (no layout of the screen for it)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await prepared(pilot)
        before = len(_slots(app))
        name = LONE
        hidden = next(slot.pane for slot in _slots(app) if slot.step == name)
        presized = hidden.vertical_scrollbar.virtual_size
        on = app.wizard.preset.config.is_on(name)
        app.wizard.post_message(ToggleOption(name, not on))  # while its pane is hidden
        await pilot.pause()
        assert app.wizard.preset.config.is_on(name) is (not on)
        await go_to(pilot, name)
        pane = app.screen.query(".pane").first()
        assert shown_step(pane) == name
        assert pane.query_one("#toggle", Switch).value is (not on)
        slots = _slots(app)
        assert len(slots) == before  # shown, not built again
        assert slots[0].step == name
        assert [slot.step for slot in slots if slot.display] == [name]
        shown = [child for child in pane.children if child.display]
        assert all(child.size.area > 0 for child in shown)
        assert all(child.virtual_size == child.size for child in shown)
        region = pane.scrollable_content_region
        assert pane.virtual_size.height > region.height
        assert pane.show_vertical_scrollbar
        assert pane.vertical_scrollbar.virtual_size == presized
        assert presized.height == region.height > 0
        pane.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y > 0
        assert region.y < shown[-1].region.bottom <= region.bottom


async def test_without_preparing_a_pane_is_built_on_its_first_visit(
    make_app: AppFactory,
) -> None:
    """``prepare_panes=False`` (the other tests' default) mounts no hidden pane: the shown
    step's slot is the only one until another step is visited, which then gets its own."""
    app = make_app(prepare_panes=False)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            await pilot.pause(0.05)
        assert not app.wizard.panes_prepared
        assert [slot.step for slot in _slots(app)] == [Step.HOST]
        await go_to(pilot, Step.REVIEW)
        assert sorted(slot.step for slot in _slots(app)) == sorted([Step.HOST, Step.REVIEW])


async def test_a_prepared_start_asks_for_the_running_vms_only_when_shown(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start's pane is built ahead, hidden, but the running VMs (psutil walks every process)
    are still listed only once Start is shown, and once: a revisit shows the same pane
    and lists nothing again."""
    spy = RunningSpy(fake_running())
    monkeypatch.setattr(audit, "running_vms", spy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await prepared(pilot)
        slot = next(slot for slot in _slots(app) if slot.step == Step.START)
        start = slot.pane
        assert isinstance(start, StartPane) and not slot.display
        await app.workers.wait_for_complete()
        assert spy.calls == 0, "nothing lists processes before the Start step is shown"
        await go_to(pilot, Step.START)
        assert app.screen.query_one(StartPane) is start
        await listed(pilot)
        assert spy.calls == 1
        await go_to(pilot, Step.HOST)
        await go_to(pilot, Step.START)
        await listed(pilot)
        assert spy.calls == 1
