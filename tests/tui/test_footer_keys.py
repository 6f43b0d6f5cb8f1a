"""The wizard's footer keys (:class:`KeysFooter`) look and act as Textual's own
:class:`~textual.widgets.Footer` does, also after keys were greyed, ungreyed, removed and
added in place (issue #13: a step switch that changes the keys repaints the keys that
changed instead of rebuilding every key, ~50 ms of CPU)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, Label

from hvtui.tui.widgets.footer_keys import KeysFooter

from .test_wizard import AppFactory, go_to

FooterFactory = Callable[[], Footer]


class KeysApp(App[None]):
    """A screen with a footer of keys whose state the test sets: greyed (``check_action``
    says None), hidden (False) or plain."""

    TITLE = "keys"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "press('alpha')", "Alpha", tooltip="The first key"),
        Binding("b", "press('beta')", "Beta"),
        Binding("x", "press('beta')", "Beta again"),  # a second key for one action
        Binding("c", "press('gamma')", "Gamma", tooltip="Greyed at first"),
        Binding("d", "press('delta')", "Delta", show=False),
        Binding("question_mark", "press('help')", "Help", key_display="?"),
        Binding("e", "press('epsilon')", ""),  # a key without a description
    ]

    def __init__(self, footer: FooterFactory) -> None:
        super().__init__()
        self.footer = footer
        self.greyed: set[str] = {"gamma"}
        self.hidden: set[str] = set()
        self.pressed: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Label("keys")
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        name = parameters[0] if parameters else action
        if name in self.hidden:
            return False
        return None if name in self.greyed else True

    def action_press(self, name: str) -> None:
        self.pressed.append(name)

    def bell(self) -> None:
        self.bells += 1


def keys(app: App[None]) -> list[Widget]:
    """The footer's keys, in order (read by type name: Textual does not export its
    key class; the footer's keys have its name)."""
    return list(app.screen.query("Footer FooterKey"))


async def settle(pilot: Pilot[None]) -> None:
    """Let the footer hear of changed bindings and redraw."""
    pilot.app.screen.refresh_bindings()
    await pilot.pause()
    await pilot.pause()


#: States walked after the first: what is greyed and what is hidden.
STATES: list[tuple[set[str], set[str]]] = [
    ({"alpha"}, set()),  # gamma ungreyed, alpha greyed: both in place
    ({"alpha"}, {"beta"}),  # a key in the middle goes
    (set(), set()),  # it comes back, alpha ungreyed
    ({"gamma", "help"}, {"alpha", "beta", "epsilon"}),  # most go
    ({"gamma"}, set()),  # as at first
]


async def pictures(
    footer: FooterFactory, size: tuple[int, int], theme: str
) -> list[tuple[str, list[str]]]:
    """The screen (as an SVG) and the keys' tooltips, in every state, then with the
    pointer on the first key (its hover colours, greyed in one state)."""
    app = KeysApp(footer)
    seen = []
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await settle(pilot)
        for greyed, hidden in [(app.greyed, app.hidden), *STATES]:
            app.greyed, app.hidden = set(greyed), set(hidden)
            await settle(pilot)
            tooltips = [str(key.tooltip) for key in keys(app)]
            seen.append((app.export_screenshot(), tooltips))
            await pilot.hover(None, offset=(1, size[1] - 1))
            await pilot.pause()
            seen.append((app.export_screenshot(), tooltips))
            await pilot.hover(Label)
    return seen


@pytest.mark.parametrize(
    ("size", "compact", "palette", "theme"),
    [
        ((80, 6), False, True, "textual-dark"),
        ((80, 6), True, False, "textual-light"),
        ((40, 6), True, True, "textual-light"),  # more keys than room
        ((30, 6), False, False, "textual-dark"),
    ],
)
async def test_the_keys_look_as_textuals_footer_draws_them(
    size: tuple[int, int], compact: bool, palette: bool, theme: str
) -> None:
    def textuals() -> Footer:
        return Footer(compact=compact, show_command_palette=palette)

    def hvtuis() -> Footer:
        return KeysFooter(compact=compact, show_command_palette=palette)

    expected = await pictures(textuals, size, theme)
    got = await pictures(hvtuis, size, theme)
    assert len(got) == len(expected) == 2 * (1 + len(STATES))
    for n, ((picture, tooltips), (want, want_tooltips)) in enumerate(
        zip(got, expected, strict=True)
    ):
        assert tooltips == want_tooltips, f"state {n // 2}: tooltips"
        where = "on the first key" if n % 2 else "away"
        assert picture == want, f"state {n // 2}, pointer {where}: the screen differs"


async def test_a_key_greyed_or_ungreyed_in_place_acts_on_its_new_state() -> None:
    """A click runs the key's action, or rings the bell if the key is greyed, as with
    Textual's footer: also on a key that changed state in place (the same widget)."""
    app = KeysApp(lambda: KeysFooter())
    async with app.run_test(size=(80, 6)) as pilot:
        await settle(pilot)
        alpha, beta, gamma, *_ = before = keys(app)
        await pilot.click(gamma)
        assert (app.pressed, app.bells) == ([], 1), "gamma is greyed: the bell"
        await pilot.click(alpha)
        await pilot.pause()
        assert (app.pressed, app.bells) == (["alpha"], 1)

        app.greyed = {"alpha"}
        await settle(pilot)
        assert keys(app) == before, "greyed and ungreyed where they are, not rebuilt"
        assert alpha.has_class("-disabled") and not gamma.has_class("-disabled")
        await pilot.click(gamma)
        await pilot.pause()
        await pilot.click(alpha)
        await pilot.pause()
        assert (app.pressed, app.bells) == (["alpha", "gamma"], 2)

        app.hidden = {"beta"}
        await settle(pilot)
        assert keys(app) == [k for k in before if k is not beta], "only beta went"
        app.hidden = set()
        await settle(pilot)
        now = keys(app)
        assert now[1] is not beta and [now[0], *now[2:]] == [alpha, *before[2:]], (
            "only beta came back, in its place"
        )
        await pilot.click(now[1])
        await pilot.pause()
        assert app.pressed[-1] == "beta"


async def test_the_wizards_keys_are_in_no_group(make_app: AppFactory) -> None:
    """Textual draws a binding group's keys under one label; these keys are drawn one by
    one, so no key of the wizard or its snippet screen may be in a group."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screens = [app.screen]
        await go_to(pilot, "relaxed")
        await pilot.press("ctrl+t")  # the snippet, full width
        await pilot.pause()
        screens.append(app.screen)
        assert screens[0] is not screens[1]
        for screen in screens:
            bindings = [active.binding for active in screen.active_bindings.values()]
            assert bindings
            assert all(binding.group is None for binding in bindings), screen
