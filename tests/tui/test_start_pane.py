"""The Start pane is built once and kept (issue #13: building it again on every visit was
the slowest step switch); what it shows from outside the view is brought up to date each
time it is shown: the preset files on disk, and the recommendation for the host's facts
of that moment.  What the user typed or highlighted there stays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from hvtui.intents import INTENTS
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.wizard import HostUpdated
from hvtui.tui.steps import Step
from hvtui.tui.widgets.start import StartPane, recommendation_content

from .support import demo_sysroot
from .test_wizard import SIZE, go_to

AppFactory = Callable[..., HvtuiApp]

PRESET = 'name = "{name}"\ndescription = "{description}"\n\n[options]\nrelaxed = true\n'


def write_preset(directory: Path, name: str, description: str = "saved meanwhile") -> Path:
    path = directory / f"{name}.toml"
    path.write_text(PRESET.format(name=name, description=description), encoding="utf-8")
    return path


async def start_pane(pilot: Pilot[int]) -> StartPane:
    """Show the Start step and return its pane."""
    await go_to(pilot, Step.START)
    return pilot.app.screen.query_one(StartPane)


def ids(rows: OptionList) -> list[str | None]:
    return [rows.get_option_at_index(i).id for i in range(rows.option_count)]


async def test_a_preset_saved_after_a_visit_is_listed_on_the_next_one(
    make_app: AppFactory, user_presets: Path
) -> None:
    """The same pane object on the revisit (kept, not built again), listing a file written
    while another step was shown; a file removed meanwhile is gone from the list."""
    old = write_preset(user_presets, "old-vm")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await start_pane(pilot)
        rows = pane.query_one("#preset-list", OptionList)
        assert str(old) in ids(rows)
        await go_to(pilot, Step.HOST)
        new = write_preset(user_presets, "lab-vm")
        old.unlink()
        again = await start_pane(pilot)
        assert again is pane
        assert again.query_one("#preset-list", OptionList) is rows
        assert str(new) in ids(rows)
        assert str(old) not in ids(rows)


async def test_a_revisit_keeps_what_the_user_left(make_app: AppFactory, user_presets: Path) -> None:
    """Typed paths and the highlighted preset stay.  With the files unchanged the list is
    not set again (its rows are the same objects); with a file added the highlighted
    preset is still the highlighted one, though its row moved down."""
    write_preset(user_presets, "m-vm")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await start_pane(pilot)
        rows = pane.query_one("#preset-list", OptionList)
        chosen = str(user_presets / "m-vm.toml")
        rows.highlighted = at = ids(rows).index(chosen)
        pane.query_one("#preset-path", Input).value = "typed/path.toml"
        pane.query_one("#import-path", Input).value = "qemu-system-x86_64 -cpu host"
        options = list(rows.options)

        await go_to(pilot, Step.HOST)
        await start_pane(pilot)
        assert all(a is b for a, b in zip(rows.options, options, strict=True)), "not set again"
        assert rows.highlighted_option is not None and rows.highlighted_option.id == chosen
        assert pane.query_one("#preset-path", Input).value == "typed/path.toml"
        assert pane.query_one("#import-path", Input).value == "qemu-system-x86_64 -cpu host"

        await go_to(pilot, Step.HOST)
        write_preset(user_presets, "a-vm")  # sorts first: every user row moves down one
        await start_pane(pilot)
        assert str(user_presets / "a-vm.toml") in ids(rows)
        assert rows.highlighted == at + 1
        assert rows.highlighted_option is not None and rows.highlighted_option.id == chosen


async def test_the_recommendation_follows_host_facts_that_came_while_hidden(
    make_app: AppFactory,
) -> None:
    """New host facts (the slow probes reporting) while another step is shown: Start, shown
    again, recommends for them, for the intent its chooser shows."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await start_pane(pilot)
        shown = pane.query_one("#recommendation", Static)
        intent = str(pane.query_one("#intent", Select).value)
        before = str(shown.render())
        await go_to(pilot, Step.HOST)
        other = services.detect_host(demo_sysroot(name="amd-epyc"))
        app.wizard.post_message(HostUpdated(other))
        await pilot.pause()
        await start_pane(pilot)
        host = app.wizard.host
        expected = recommendation_content(
            services.recommend(host, intent=intent), INTENTS[intent].summary
        )
        assert str(shown.render()) == str(expected) != before
