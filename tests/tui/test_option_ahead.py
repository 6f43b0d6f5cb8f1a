"""An option's pane prepared hidden is laid out ahead of its first visit (issue #13).

:meth:`~hvtui.tui.screens.panes.Panes.prepare` lays every hidden pane out for the room it
will have and turns its scrollbar on if it will need one
(:func:`~hvtui.tui.widgets.sizing.show_scrollbar_ahead`); an option's
:meth:`~hvtui.tui.widgets.option.OptionPane.fit_ahead` also sizes a three-state choice
box.  A wrong guess would not show wrongly (the visit's layout puts it right) but would
cost a second layout of the screen: so here the guess is held to what the visit's layout
finds, for a pane taller than the window and one that fits, and a visit is counted in
layouts of the screen (Textual's public ``screen_layout_refresh_signal``).  That layout
also wraps the pane's texts (:class:`~hvtui.tui.widgets.option.PaneStatic`) for their
width: the visit paints those lines and wraps none of them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.visual import Visual
from textual.widget import Widget

from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens import wizard as wizard_module
from hvtui.tui.screens.panes import PaneHolder, PaneSlot
from hvtui.tui.steps import Step
from hvtui.tui.widgets.option import OptionPane, PaneStatic

from .test_panes import prepared
from .test_wizard import go_to

AppFactory = Callable[..., HvtuiApp]

#: At 120x36: the first option with a long doc (taller than the window: a scrollbar), a
#: short one (no scrollbar), one with a value field and one with a choice (Textual's
#: ``Select``, whose own children are sized ahead too), each visited from the previous
#: one, with one more step after the last (the footer's keys stay the same: only the pane
#: changes).
TALL, SHORT, FIELD, CHOICE = "evmcs", "vapic", "spinlocks", "no-nonarch-coresharing"
STEPS = (Step.HOST, "relaxed", SHORT, TALL, FIELD, CHOICE, "vpindex")
SIZE = (120, 36)


@pytest.fixture
def make_app(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """The shared factory with the panes prepared, over :data:`STEPS` only."""
    monkeypatch.setattr(wizard_module, "all_steps", lambda: STEPS)

    def factory(**kwargs: Any) -> HvtuiApp:
        kwargs.setdefault("prepare_panes", True)
        return make_app(**kwargs)

    return factory


def _hidden_panes(app: HvtuiApp) -> dict[str, OptionPane]:
    slots = app.screen.query_one(PaneHolder).query_children(PaneSlot)
    return {
        slot.step: slot.pane
        for slot in slots
        if isinstance(slot.pane, OptionPane) and not slot.display
    }


async def test_a_prepared_option_is_laid_out_once_on_its_first_visit(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await prepared(pilot)
        await go_to(pilot, "relaxed")  # the footer now shows an option's keys
        hidden = _hidden_panes(app)
        guessed = {step: pane.show_vertical_scrollbar for step, pane in hidden.items()}
        assert guessed[TALL] and not guessed[SHORT], "one of each, or the test says little"
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append, True)
        for step in (SHORT, TALL, FIELD, CHOICE):
            layouts.clear()
            await go_to(pilot, step)
            pane = hidden[step]
            assert app.screen.query(".pane").first() is pane
            assert pane.show_vertical_scrollbar is guessed[step], step
            assert (pane.virtual_size.height > pane.scrollable_content_region.height) is (
                guessed[step]
            ), step
            assert len(layouts) == 1, f"{step}: {len(layouts)} layouts of the screen"


async def test_a_first_visit_paints_the_texts_wrapped_while_hidden(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every text and control is turned into lines by Textual's ``Visual.to_strips``: on
    the visit only the pane's controls are, not its texts."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await prepared(pilot)
        await go_to(pilot, "relaxed")
        pane = _hidden_panes(app)[TALL]
        texts = {text for text in pane.query(PaneStatic) if text.display}
        assert {"relations", "doc", "facts"} <= {text.id for text in texts}
        assert any(text.has_class("title") for text in texts)
        assert any(text.has_class("finding") for text in texts)
        drawn: list[Widget] = []
        to_strips = Visual.to_strips

        def spy(widget: Widget, *args: Any, **kwargs: Any) -> Any:
            drawn.append(widget)
            return to_strips(widget, *args, **kwargs)

        monkeypatch.setattr(Visual, "to_strips", spy)
        await go_to(pilot, TALL)
        assert pane.query_one("#toggle") in drawn, "the visit drew the pane"
        assert all(text.region.area for text in texts)
        assert not texts & set(drawn)


async def test_a_wrong_guess_is_put_right_by_the_visit(make_app: AppFactory) -> None:
    """Prepared at one size and shown at another (the terminal resized since: from narrow
    to wide, where the tall pane fits), a pane gets the scrollbar its new size needs."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await prepared(pilot)
        hidden = _hidden_panes(app)
        assert hidden[TALL].show_vertical_scrollbar
        await pilot.resize_terminal(200, 60)
        await pilot.pause(0.05)  # Textual hands a resize on after 1/120 s
        await go_to(pilot, TALL)
        pane = hidden[TALL]
        assert pane.virtual_size.height <= pane.scrollable_content_region.height
        assert not pane.show_vertical_scrollbar
