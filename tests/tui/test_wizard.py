"""The wizard driven with keys and clicks through Textual's Pilot, checked the way users see it.

Each test asserts on what is on screen (panes, dialogs, toasts, field messages)
and on the one model object, never on private widget state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from clirun import run_cli
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Markdown,
    OptionList,
    Select,
    Switch,
    Tab,
    TextArea,
)

from hvtui import catalog, presets
from hvtui.model import Config
from hvtui.model.values import value_problem
from hvtui.presets import Preset
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.dialogs import ChoiceDialog, ExportDialog, SaveDialog
from hvtui.tui.screens.wizard import WizardScreen
from hvtui.tui.steps import Step, all_steps
from hvtui.tui.widgets.host import HostPane
from hvtui.tui.widgets.option import OptionPane
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.review import FindingList, ReviewPane
from hvtui.tui.widgets.start import StartPane
from hvtui.tui.widgets.steps import StepList

from . import support

AppFactory = Callable[..., HvtuiApp]
SIZE = (100, 32)

EMPTY = Preset("empty-vm", Config())
DESKTOP_PATH = presets.shipped_dir() / "windows-desktop.toml"


def desktop() -> Preset:
    """The shipped windows-desktop preset (stimer and friends on)."""
    return presets.load(DESKTOP_PATH)


def notices(app: HvtuiApp) -> str:
    """Every toast shown so far, as one text."""
    return support.notices(app)


async def go_to(pilot: Pilot[int], step: str) -> None:
    """Jump straight to a step (the palette's "Jump to") and wait until its pane is on
    screen."""
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    app.wizard.go_to(step)
    for _ in range(100):
        await pilot.pause()
        pane = app.screen.query(".pane").first()
        if shown_step(pane) == step and pane.is_on_screen:
            await pilot.pause()  # what the switch refreshed besides (the footer) settles too
            return
    raise AssertionError(f"step {step} was not shown")


async def press_button(pilot: Pilot[int], selector: str) -> None:
    """Focus a button (scrolling it into view) and press it with enter, as a keyboard user."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause()


D = TypeVar("D", bound="Screen[Any]")


async def open_dialog(pilot: Pilot[int], key: str, kind: type[D]) -> D:
    """Press ``key`` and return the dialog it opens (which must be a ``kind``)."""
    await pilot.press(key)
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, kind), f"{key} opened {dialog!r}"
    return dialog


async def type_into(pilot: Pilot[int], field: Input, text: str) -> None:
    """Replace what ``field`` holds by typing ``text`` into it, key by key."""
    field.clear()
    field.focus()
    await pilot.press(*text)


def shown_step(pane: object) -> str | None:
    """The step a detail pane shows."""
    if isinstance(pane, OptionPane):
        return pane.entry.name
    pages: dict[type, Step] = {HostPane: Step.HOST, StartPane: Step.START, ReviewPane: Step.REVIEW}
    return pages.get(type(pane))


async def test_next_and_previous_stop_at_the_ends(make_app: AppFactory) -> None:
    """Every step forward and back, one pane at a time, is walked on every demo host in
    ``test_first_contact.py``; here the two ends."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        wizard = app.wizard
        assert wizard.step == Step.HOST
        assert app.screen.query_one(HostPane)
        await pilot.press("p")
        assert wizard.step == Step.HOST, "previous stops at the first step"
        await pilot.press("n")
        await pilot.pause()
        assert wizard.step == Step.START
        assert isinstance(app.screen.query_one(".pane"), StartPane)
        await go_to(pilot, all_steps()[-2])
        await pilot.press("n")
        await pilot.pause()
        assert wizard.step == Step.REVIEW
        assert isinstance(app.screen.query_one(".pane"), ReviewPane)
        await pilot.press("escape")  # Review took the focus for its findings: back to the steps
        await pilot.press("n")
        assert wizard.step == Step.REVIEW, "next stops at the last step"
        await pilot.press("p")
        await pilot.pause()
        assert wizard.step == all_steps()[-2]
        option = app.screen.query_one(".pane")
        assert isinstance(option, OptionPane) and option.entry.name == wizard.step
        assert catalog.get(wizard.step).qemu_property in str(wizard.sub_title)


async def test_sidebar_arrows_and_mouse_choose_steps(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert app.wizard.step == "vapic", "group names are skipped"
        await pilot.click("#steps", offset=(4, 1))
        await pilot.pause()
        assert app.wizard.step == Step.START


async def test_turning_on_pulls_in_dependencies_with_a_toast_and_undo(
    make_app: AppFactory,
) -> None:
    app = make_app(preset=EMPTY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await go_to(pilot, "stimer")
        await pilot.press("space")
        await pilot.pause()
        config = app.wizard.preset.config
        assert config.enabled() == ("vpindex", "time", "synic", "stimer")
        toast = notices(app)
        for needed in ("synic", "time", "vpindex"):
            assert needed in toast
        assert "ctrl+z" in toast
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.wizard.preset == EMPTY, "one undo takes back the option and what it pulled in"
        assert "Undid: turn on stimer" in notices(app)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.wizard.preset.config.is_on("synic")


async def test_the_switch_itself_toggles(make_app: AppFactory) -> None:
    app = make_app(preset=EMPTY)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "relaxed")
        await pilot.click("#toggle")
        await pilot.pause()
        assert app.wizard.preset.config.is_on("relaxed")
        assert str(app.screen.query_one("#toggle-label").render()) == "on"
        # Changed while the option's pane was not shown: it shows the model when back.
        await go_to(pilot, Step.START)
        await press_button(pilot, "#start-empty")
        await go_to(pilot, "relaxed")
        assert app.screen.query_one("#toggle", Switch).value is False
        assert str(app.screen.query_one("#toggle-label").render()) == "off"


async def test_turning_off_what_others_need_asks_about_them(make_app: AppFactory) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=SIZE) as pilot:
        wizard = app.wizard
        await go_to(pilot, "synic")
        before = wizard.preset

        await pilot.press("space")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert "stimer, stimer-direct need synic" in str(
            dialog.query_one(".dialog-message").render()
        )
        await pilot.press("c")
        await pilot.pause()
        assert wizard.preset == before, "cancel changes nothing"
        assert wizard.query_one("#toggle", Switch).value is True, "the switch shows the model again"

        await pilot.press("space")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        config = wizard.preset.config
        assert not config.is_on("synic")
        assert not config.is_on("stimer") and not config.is_on("stimer-direct")
        assert config.is_on("vpindex"), "what synic needs stays"

        await pilot.press("ctrl+z")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        config = wizard.preset.config
        assert not config.is_on("synic") and config.is_on("stimer")
        errors = [f for f in wizard.view.findings if f.code == "missing-dependency"]
        assert errors and errors[0].message == "stimer needs synic, which is off"


async def test_invalid_spinlocks_is_refused_with_the_models_reason(make_app: AppFactory) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "spinlocks")
        pane = app.screen.query_one(OptionPane)
        field = pane.query_one("#value", Input)
        before = app.wizard.preset
        field.focus()
        field.clear()
        await pilot.press(*"lots")
        await pilot.pause()
        assert pane.value_error == (
            "✗ 'lots' is not a number: expected " + catalog.get("spinlocks").describe_range()
        )
        assert app.wizard.preset == before, "an invalid value never reaches the model"

        field.clear()
        await pilot.press(*"0x100000000", "enter")
        await pilot.pause()
        entry = catalog.get("spinlocks")
        assert pane.value_error == f"✗ {value_problem(entry, 0x100000000)}"
        assert app.wizard.preset == before, "enter does not commit a refused value"

        field.clear()
        await pilot.press(*"0xfff", "enter")
        await pilot.pause()
        assert pane.value_error == ""
        assert app.wizard.preset.config.get("spinlocks") == 0xFFF
        assert "spinlocks = 0xfff" in app.screen.query_one(PreviewPane).text("toml")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.wizard.preset == before, "a typed value is one undo step"
        assert field.value == "0x1fff", "undo puts the field back"


async def test_low_spinlocks_shows_the_warning_and_its_fix(make_app: AppFactory) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "spinlocks")
        field = app.screen.query_one("#value", Input)
        field.focus()
        field.clear()
        await pilot.press(*"0x800", "enter")
        await pilot.pause()
        findings = app.screen.query(".finding")
        assert any("below 4095" in str(f.render()) for f in findings)
        rows = app.screen.query_one(StepList).rows
        assert "!" in next(row.prompt.plain for row in rows if row.step == "spinlocks")


async def test_review_lists_findings_and_applies_a_fix_with_one_key(
    make_app: AppFactory,
) -> None:
    broken = Preset("broken", Config.of(stimer=True))
    app = make_app(preset=broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        review = app.screen.query_one(ReviewPane)
        listing = review.query_one(FindingList)
        first = listing.findings[0]
        assert first.code == "missing-dependency" and first.fix is not None
        listing.focus()
        listing.highlighted = 0
        await pilot.press("f")
        await pilot.pause()
        assert app.wizard.preset.config.is_on(first.fix.changes[0][0])
        assert "Migration:" in str(review.query_one("#badge").render())
        table: DataTable[str] = review.query_one("#compare", DataTable)
        assert "virt-install" in [str(c.label) for c in table.columns.values()]


async def test_start_from_nothing_then_the_recommendation(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await press_button(pilot, "#start-empty")
        assert app.wizard.preset.config == Config()
        await press_button(pilot, "#use-recommended")
        rec = services.recommend(app.wizard.host)
        assert app.wizard.preset.config == rec.config
        await pilot.press("ctrl+z", "ctrl+z")
        await pilot.pause()
        assert app.wizard.preset == app.initial_preset


async def test_importing_a_qemu_command_line(make_app: AppFactory, tmp_path: Path) -> None:
    command = tmp_path / "vm.sh"
    command.write_text("qemu-system-x86_64 -cpu host,hv-relaxed=on,hv-vpindex=on,hv-synic=on\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, Step.START)
        app.screen.query_one("#import-path", Input).value = str(command)
        await press_button(pilot, "#import")
        assert app.wizard.preset.config.enabled() == ("relaxed", "vpindex", "synic")


async def test_save_then_load_gives_the_same_preset(
    make_app: AppFactory, user_presets: Path
) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, Step.START)  # seen before the save: it lists the new file after
        await go_to(pilot, "evmcs")
        await pilot.press("space")
        dialog = await open_dialog(pilot, "ctrl+s", SaveDialog)
        await type_into(pilot, dialog.query_one("#save-name", Input), "lab-vm")
        assert dialog.query_one("#save-path", Input).value == str(user_presets / "lab-vm.toml")
        await pilot.press("enter")
        await pilot.pause()
        saved_path = user_presets / "lab-vm.toml"
        draft = app.wizard.preset
        assert not app.wizard.dirty
        assert presets.load(saved_path) == draft

        await go_to(pilot, "evmcs")
        await pilot.press("space")
        await pilot.pause()
        assert app.wizard.dirty
        await go_to(pilot, Step.START)
        start = app.screen.query_one(StartPane)
        rows = start.query_one("#preset-list", OptionList)
        ids = [o.id for o in rows.options]
        assert str(saved_path) in ids
        rows.focus()
        rows.highlighted = ids.index(str(saved_path))
        await pilot.press("enter")
        await pilot.pause()
        assert app.wizard.preset == presets.load(saved_path) == draft
        assert not app.wizard.dirty


async def test_save_asks_before_replacing_a_file(make_app: AppFactory, user_presets: Path) -> None:
    existing = user_presets / "my-windows-vm.toml"
    existing.write_text("old")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("k")
        await pilot.pause()
        assert existing.read_text() == "old", "keeping it leaves the file alone"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert presets.load(existing).config == app.wizard.preset.config


@pytest.mark.long
async def test_export_writes_what_hvtui_export_prints(
    user_presets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On this machine (as ``hvtui export`` sees it), every format, byte for byte.  The
    step panes are built on their first visit (``prepare_panes=False``, as ``make_app``
    does): this test visits none, and preparing them all in the background cost seconds
    of CPU and slowed every wait for an idle app."""
    monkeypatch.chdir(tmp_path)
    app = HvtuiApp(probe=True, prepare_panes=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        saved = user_presets / "my-windows-vm.toml"
        assert saved.is_file()
        for fmt in services.format_names():
            dialog = await open_dialog(pilot, "ctrl+e", ExportDialog)
            dialog.query_one("#export-format", Select).value = fmt
            await pilot.pause()
            target = Path(dialog.query_one("#export-path", Input).value)
            assert target.parent == tmp_path
            await press_button(pilot, "#export-write")
            expected = run_cli(["export", str(saved), "--format", fmt])
            assert expected.code == 0, expected.err
            assert target.read_text() == expected.out, fmt
            assert app.screen.query_one(PreviewPane).text(fmt) == expected.out


async def test_export_asks_before_replacing(make_app: AppFactory, tmp_path: Path) -> None:
    target = tmp_path / "vm.xml"
    target.write_text("mine")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, "ctrl+e", ExportDialog)
        dialog.query_one("#export-format", Select).value = "libvirt"
        dialog.query_one("#export-path", Input).value = str(target)
        await press_button(pilot, "#export-write")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("k")
        await pilot.pause()
        assert target.read_text() == "mine"
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#export-format", Select).value = "libvirt"
        app.screen.query_one("#export-path", Input).value = str(target)
        await press_button(pilot, "#export-write")
        await pilot.press("r")
        await pilot.pause()
        assert target.read_text() == services.render(
            app.wizard.preset, "libvirt", app.wizard.export_env
        ), "what hvtui export prints on the host shown"


async def searched(pilot: Pilot[int]) -> None:
    """Until the command palette has searched for what was typed: it searches in a worker
    (restarted on every key) and lists what it found when the search ends."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_palette_loads_presets_and_jumps_to_options(make_app: AppFactory) -> None:
    app = make_app(preset=EMPTY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"stimer-dir")
        await searched(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.wizard.step == "stimer-direct"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"preset minimal")
        await searched(pilot)
        await pilot.press("enter")
        await pilot.pause()
        minimal = presets.load(presets.shipped_dir() / "minimal.toml")
        assert app.wizard.preset == minimal
        assert not app.wizard.dirty


async def test_quitting_with_unsaved_changes_asks(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running, "nothing changed: q quits at once"

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "reset")
        await pilot.press("space")
        await pilot.press("q")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert "not saved" in str(dialog.query_one(".dialog-message").render())
        await pilot.press("c")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ChoiceDialog)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_help_and_preview_are_one_key_away(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        preview = app.screen.query_one(PreviewPane)
        assert not preview.display or preview.region.width == 0
        await pilot.press("v")
        await pilot.pause()
        steps = app.screen.query_one("#steps")
        assert preview.region.width == 80 - steps.region.width
        tabs = [str(tab.label) for tab in preview.query("#preview-tabs Tab").results(Tab)]
        assert tabs == [f.label for f in services.preview_formats()], "every format"
        assert tabs[:4] == ["TOML", "QEMU", "libvirt", "virt-install"]
        assert "[enlightenments]" in preview.query_one("#preview-toml", TextArea).text
        assert app.screen.query_one(".pane").region.width == 0, "it takes the pane's place"
        await pilot.press("question_mark")
        await pilot.pause()
        assert (
            "| `space` | turn the shown option on or off |" in app.screen.query_one(Markdown).source
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.wizard


@pytest.mark.parametrize("fmt", services.format_names())
def test_preview_is_what_render_gives(fmt: str) -> None:
    """The preview function is the export function (checked without the UI)."""
    preset = desktop()
    assert services.preview_text(preset, fmt) == services.render(preset, fmt)


async def test_an_internal_error_ends_in_one_line_not_a_traceback(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HVTUI_DEBUG", raising=False)

    def broken(self: WizardScreen) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(WizardScreen, "action_next_step", broken)
    app = make_app()
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            await pilot.pause()
    assert app.return_code == 70
    assert capsys.readouterr().err == (
        "hvtui: internal error: RuntimeError: simulated bug "
        "(set HVTUI_DEBUG=1 for details and please report it)\n"
    )


async def test_light_and_dark_themes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await go_to(pilot, "spinlocks")
        preview = app.screen.query_one(PreviewPane)
        area = preview.query_one("#preview-toml", TextArea)
        app.theme = "textual-light"
        await pilot.pause()
        assert area.theme == "github_light", "the snippet stays readable on a light background"
        app.theme = "textual-dark"
        await pilot.pause()
        assert area.theme == "css"


def test_a_missing_sysroot_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hvtui.tui

    monkeypatch.setattr(hvtui.tui, "_has_terminal", lambda: True)
    missing = tmp_path / "nope"
    assert hvtui.tui.run_app(missing) == 2
    assert capsys.readouterr().err == f"hvtui: --sysroot {missing}: not a directory\n"


@pytest.mark.parametrize("size", [(120, 40), (200, 40)])
async def test_every_review_button_shows_its_whole_label(
    make_app: AppFactory, size: tuple[int, int]
) -> None:
    """Review's buttons name their keys: none is cut at the pane's edge, whether they
    share a row (wide) or are stacked one a line (the README's 120 columns)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, Step.REVIEW)
        pane = app.screen.query_one(ReviewPane)
        room = pane.scrollable_content_region
        buttons = [button for button in pane.query(Button) if button.display]
        assert len(buttons) >= 5
        for button in buttons:
            label = str(button.label)
            assert button.region.width == len(label) + 2, f"{label!r} is cut"
            assert button.region.right <= room.right, f"{label!r} runs past the pane"
        rows = {button.region.y for button in buttons}
        assert (len(rows) == len(buttons)) is pane.has_class("-stacked")
