"""The wizard's first contact (issue #10, section 3): looking changes nothing, Review acts on
arrival, values are edited by keyboard, undo keeps the saved identity, snippets are
copyable, and the small things a newcomer trips over on the first screens.

Every test drives the app through Pilot on a shipped demo host (or a test snapshot) and
checks what the user sees and the one model object.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, Markdown, Select, Static

from hvtui import catalog, presets
from hvtui.catalog import ValueKind
from hvtui.demos import DEMOS, find_demo
from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.dialogs import ChoiceDialog, ExportDialog, PathDialog, SaveDialog
from hvtui.tui.screens.snippet import SnippetScreen
from hvtui.tui.state import wrap_snippet
from hvtui.tui.steps import Step, all_steps, group_start, option_steps, step_title
from hvtui.tui.widgets.header import WizardHeader
from hvtui.tui.widgets.option import OptionPane
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.review import FindingList, ReviewPane
from hvtui.tui.widgets.steps import StepList

from .support import demo_sysroot, wait_for
from .test_wizard import desktop, go_to, notices, open_dialog, press_button, shown_step, type_into

AppFactory = Callable[..., HvtuiApp]
DEMO_NAMES = [demo.name for demo in DEMOS]
AUDIT_DATA = Path(__file__).resolve().parents[1] / "audit" / "data"
VALUED = ("spinlocks", "vendor-id", "version-id-build", "no-nonarch-coresharing")
"""Options with a value field (or a choice): a number, a string, a version id, a tri-state."""


def demo_app(name: str, **kwargs: object) -> HvtuiApp:
    """The wizard on a shipped demo host, without the slow probes, and (as the shared
    ``make_app`` factory) building each pane on its first visit, unless a test asks for
    the background preparation users get (the walks through every step do)."""
    kwargs.setdefault("prepare_panes", False)
    return HvtuiApp(sysroot=find_demo(name).path, probe=False, demo=name, **kwargs)  # type: ignore[arg-type]


def screen_text(widget: Widget) -> str:
    """What a widget shows, as plain text."""
    return str(widget.render())


def focus_of(app: App[int]) -> Widget | None:
    """The focused widget, read afresh (no narrowing left over from an earlier check)."""
    return app.screen.focused


async def steps_on(pilot: Pilot[int], key: str, times: int) -> list[str]:
    """Press ``key`` ``times`` times; the step shown after each press."""
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    seen = []
    for _ in range(times):
        await pilot.press(key)
        seen.append(app.wizard.step)
    return seen


def overlaps(a: Widget, b: Widget) -> bool:
    """The two widgets share at least one cell on screen."""
    return a.region.overlaps(b.region)


# -- looking is not changing ---------------------------------------------------------


async def assert_untouched_then_quit(pilot: Pilot[int], before: Preset, toml: str) -> None:
    """Nothing to undo, no "(unsaved)", the same preview; ``q`` quits without asking."""
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    wizard = app.wizard
    assert wizard.preset == before
    assert wizard.draft.history.undo_stack == [], "nothing to undo"
    assert not wizard.dirty
    assert "(unsaved)" not in str(wizard.sub_title)
    assert app.screen.query_one(PreviewPane).text("toml") == toml
    await pilot.press("q")
    await pilot.pause()
    assert not app.is_running, "nothing changed: q quits at once, without asking"
    assert app.return_code == 0


def assert_only_pane_of(app: HvtuiApp, step: str, how: str) -> None:
    """``step`` is the step shown, its pane the one detail pane on screen."""
    assert app.wizard.step == step, f"{how}: at {app.wizard.step}, not {step}"
    panes = [pane for pane in app.screen.query(".pane") if pane.is_on_screen]
    assert len(panes) == 1, f"{how} to {step}: one detail pane on screen at a time"
    assert shown_step(panes[0]) == step, f"{how} to {step}: the pane of {shown_step(panes[0])}"


@pytest.mark.long
async def test_walking_and_clicking_every_step_changes_nothing_and_q_quits_at_once() -> None:
    """Forward with n through every step, then back through every step with p and with
    clicks on the sidebar by turns (escape after a click, which moves into the pane's
    control as enter does), on the first demo host (the other panes prepared in
    the background as they are for users; 50 lines, so every sidebar row can be
    clicked): one pane on screen at a time, and the draft, its undo history and the
    preview stay as they were, so q quits at once."""
    app = demo_app(DEMO_NAMES[0], prepare_panes=True)
    steps = all_steps()
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        wizard = app.wizard
        before = wizard.preset
        toml = app.screen.query_one(PreviewPane).text("toml")
        sidebar = app.screen.query_one(StepList)
        rows = {row.step: i for i, row in enumerate(sidebar.rows) if row.step}
        assert sorted(rows) == sorted(steps), "a sidebar row for every step"
        assert sidebar.region.height > max(rows.values()), "every row is on screen to be clicked"
        for step in steps[1:]:
            await pilot.press("n")
            await pilot.pause()
            assert_only_pane_of(app, step, "n")
            assert wizard.preset == before, f"looking at {step} changed the draft"
        await pilot.press("escape")  # Review took the focus for its findings
        for turn, step in enumerate(reversed(steps[:-1])):
            how = "p" if turn % 2 else "a click"
            if turn % 2:
                await pilot.press("p")
                await pilot.pause()
            else:  # Pilot.click ends in a pause of its own: a second one waited again
                await pilot.click(StepList, offset=(4, rows[step]))
            assert_only_pane_of(app, step, how)
            assert wizard.preset == before, f"looking at {step} changed the draft"
            if not turn % 2:
                await pilot.press("escape")  # a click goes on into the pane's control
        await assert_untouched_then_quit(pilot, before, toml)


@pytest.mark.long
@pytest.mark.parametrize("name", DEMO_NAMES[1:])
async def test_walking_every_step_on_the_other_demo_hosts_changes_nothing(name: str) -> None:
    """Forward with n through every step on the other demo hosts: each pane, built for
    this host, is shown alone and changes nothing."""
    app = demo_app(name, prepare_panes=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        wizard = app.wizard
        before = wizard.preset
        toml = app.screen.query_one(PreviewPane).text("toml")
        for step in all_steps()[1:]:
            await pilot.press("n")
            assert_only_pane_of(app, step, "n")
            assert wizard.preset == before, f"looking at {step} changed the draft"
        await assert_untouched_then_quit(pilot, before, toml)


async def test_a_value_field_entered_and_left_unchanged_changes_nothing(
    make_app: AppFactory,
) -> None:
    app = make_app(preset=Preset("empty-vm", Config()))
    async with app.run_test(size=(100, 32)) as pilot:
        for name in VALUED:
            await go_to(pilot, name)
            app.screen.query_one(StepList).focus()
            await pilot.press("enter")  # into the field (it shows the suggested value)
            await pilot.press("escape")  # and out again, typing nothing
            await pilot.pause()
        assert app.wizard.preset == Preset("empty-vm", Config())
        assert app.wizard.draft.history.undo_stack == []


# -- Review acts on arrival ---------------------------------------------------------


async def test_review_selects_and_focuses_the_first_finding_on_arrival(
    make_app: AppFactory,
) -> None:
    broken = Preset("broken", Config.of(stimer=True, reenlightenment=True, relaxed=True))
    app = make_app(preset=broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, "relaxed")
        await pilot.press("r")
        await pilot.pause()
        listing = app.screen.query_one(FindingList)
        assert len(listing.findings) >= 2
        assert app.screen.focused is listing, "the findings have the focus"
        assert listing.highlighted == 0, "the first finding is selected"
        assert listing.has_focus and listing.highlighted_option is not None
        summary = screen_text(app.screen.query_one(ReviewPane).query_one("#summary"))
        assert "n/p or ↑/↓ choose a finding" in summary
        assert "enter or f applies its fix" in summary

        await pilot.press("n")
        assert listing.highlighted == 1
        await pilot.press("p")
        assert listing.highlighted == 0
        await pilot.press("down")
        assert listing.highlighted == 1
        await pilot.press("up")
        assert listing.highlighted == 0
        assert app.wizard.step == Step.REVIEW, "n and p move between findings here"

        first = listing.findings[0]
        assert first.fix is not None
        await pilot.press("enter")
        await pilot.pause()
        assert all(app.wizard.preset.config.get(n) == v for n, v in first.fix.changes)
        assert app.screen.focused is listing, "the focus stays for the next fix"

        await pilot.press("ctrl+z")
        await pilot.pause()
        listing.highlighted = 0
        await pilot.press("f")
        await pilot.pause()
        assert all(app.wizard.preset.config.get(n) == v for n, v in first.fix.changes)

        await pilot.press("escape")
        assert focus_of(app) is app.screen.query_one(StepList)
        await pilot.press("p")
        await pilot.pause()
        assert app.wizard.step == all_steps()[-2], "from the sidebar p walks again"


async def test_review_without_findings_leaves_the_focus_in_the_sidebar() -> None:
    app = demo_app("intel-tigerlake", preset=desktop())
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, Step.REVIEW)
        assert app.wizard.view.findings == (), "windows-desktop is clean on this host"
        assert app.screen.focused is app.screen.query_one(StepList)
        summary = screen_text(app.screen.query_one(ReviewPane).query_one("#summary"))
        assert "applies its fix" not in summary, "no fix to apply, no word about it"
        await pilot.press("p")
        await pilot.pause()
        assert app.wizard.step == all_steps()[-2]


# -- editing values by keyboard --------------------------------------------------


@pytest.mark.parametrize("name", VALUED)
async def test_enter_on_a_valued_option_focuses_its_field_and_escape_leaves_it(
    make_app: AppFactory, name: str
) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32)) as pilot:
        await go_to(pilot, name)
        sidebar = app.screen.query_one(StepList)
        sidebar.focus()
        await pilot.press("enter")
        await pilot.pause()
        field = app.screen.query_one(OptionPane).query_one("#value, #choice")
        assert app.screen.focused is field
        tristate = catalog.get(name).kind is ValueKind.TRISTATE
        assert isinstance(field, Select if tristate else Input)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.screen is app.wizard, "escape quits nothing"
        assert app.screen.focused is sidebar, "escape goes back to the steps"
        assert app.wizard.step == name


async def test_a_value_typed_after_enter_is_kept(make_app: AppFactory) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32)) as pilot:
        await go_to(pilot, "vendor-id")
        app.screen.query_one(StepList).focus()
        await pilot.press("enter")
        field = app.screen.query_one("#value", Input)
        field.clear()
        await pilot.press(*"hello", "enter")
        await pilot.pause()
        assert app.wizard.preset.config.get("vendor-id") == "hello"
        assert app.screen is app.wizard, "letters in a field are text, not keys"


@pytest.mark.parametrize("step", [Step.HOST, "spinlocks", Step.REVIEW])
async def test_typing_a_word_outside_a_field_does_nothing_surprising(
    make_app: AppFactory, step: str
) -> None:
    broken = Preset("broken", Config.of(stimer=True, spinlocks=0x800))
    app = make_app(preset=broken)
    async with app.run_test(size=(100, 32)) as pilot:
        await go_to(pilot, step)
        for word in ("hello", "world", "hm"):
            await pilot.press(*word)
            await pilot.pause()
            assert app.screen is app.wizard, f"typing {word!r} opened {app.screen}"
            assert app.wizard.preset == broken, f"typing {word!r} changed the draft"
        assert app.is_running


async def test_keys_jump_to_the_next_group_and_the_next_finding(make_app: AppFactory) -> None:
    firsts = [entries[0].name for _group, entries in catalog.by_group()]
    app = make_app(preset=Preset("lab-vm", Config.of(relaxed=True, spinlocks=0x800, stimer=True)))
    async with app.run_test(size=(100, 32)) as pilot:
        wizard = app.wizard
        assert await steps_on(pilot, "right_square_bracket", len(firsts)) == firsts
        await pilot.press("right_square_bracket")
        assert wizard.step == Step.REVIEW
        await pilot.press("escape", "left_square_bracket")
        assert wizard.step == firsts[-1]
        await pilot.press("left_square_bracket")
        assert wizard.step == firsts[-2]

        marked = [name for name in option_steps() if wizard.view.worst(name) is not None]
        assert "spinlocks" in marked and "stimer" in marked
        await go_to(pilot, Step.HOST)
        assert await steps_on(pilot, "exclamation_mark", len(marked)) == marked
        await pilot.press("exclamation_mark")
        assert wizard.step == marked[0], "round to the first again"
        assert wizard.preset.config == Config.of(relaxed=True, spinlocks=0x800, stimer=True)


def test_group_start_in_plain_python() -> None:
    firsts = [entries[0].name for _group, entries in catalog.by_group()]
    second_of_first = next(entries[1].name for _group, entries in catalog.by_group())
    assert group_start(Step.HOST, 1) == firsts[0]
    assert group_start(Step.START, 1) == firsts[0]
    assert group_start(firsts[0], 1) == firsts[1]
    assert group_start(firsts[-1], 1) == Step.REVIEW
    assert group_start(Step.REVIEW, 1) == Step.REVIEW
    assert group_start(second_of_first, -1) == firsts[0]
    assert group_start(firsts[0], -1) == Step.START
    assert group_start(Step.HOST, -1) == Step.HOST


async def test_help_lists_every_key_and_the_sidebar_marks(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        source = app.screen.query_one(Markdown).source
        for key in ("`n` / `p`", "`]` / `[`", "`!`", "`enter`", "`escape`", "`space`"):
            assert f"| {key} |" in source, key
        for key in ("`ctrl+z` / `ctrl+y`", "`ctrl+t`", "`ctrl+e`", "`ctrl+d`", "`ctrl+s`"):
            assert f"| {key} |" in source, key
        for mark in ("`!`", "`✗`", "`i`", "`⊘`", "`●` / `○`"):
            assert f"| {mark} |" in source, mark
        assert "`enter` or `f` applies its fix" in source
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.wizard


# -- undo keeps identity ------------------------------------------------------------


async def test_undo_and_redo_after_a_save_keep_the_name_and_the_saved_state(
    make_app: AppFactory, user_presets: Path
) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32)) as pilot:
        wizard = app.wizard
        await go_to(pilot, "reset")
        await pilot.press("space")  # before the save
        dialog = await open_dialog(pilot, "ctrl+s", SaveDialog)
        await type_into(pilot, dialog.query_one("#save-name", Input), "lab-vm")
        dialog.query_one("#save-description", Input).value = "my lab"
        await pilot.press("enter")
        await pilot.pause()
        saved = wizard.preset
        assert saved.name == "lab-vm" and not wizard.dirty

        await go_to(pilot, "crash")
        await pilot.press("space")  # after the save
        await pilot.pause()
        assert wizard.dirty and "(unsaved)" in str(wizard.sub_title)

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert wizard.preset == saved, "back to the saved content: the saved preset"
        assert wizard.preset.source == user_presets / "lab-vm.toml"
        assert not wizard.dirty and "(unsaved)" not in str(wizard.sub_title)

        await pilot.press("ctrl+z")  # past the save: the content before it, same identity
        await pilot.pause()
        assert wizard.preset.name == "lab-vm" and wizard.preset.description == "my lab"
        assert not wizard.preset.config.is_on("reset")
        assert wizard.dirty and "lab-vm (unsaved)" in str(wizard.sub_title)

        await pilot.press("ctrl+y")
        await pilot.pause()
        assert wizard.preset == saved and not wizard.dirty
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert wizard.preset.name == "lab-vm" and wizard.preset.config.is_on("crash")
        assert wizard.dirty


# -- snippets are copyable ------------------------------------------------------------


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Pretend to be a given terminal (only the variables the clipboard check reads)."""
    names = (
        "TMUX",
        "STY",
        "TERM_PROGRAM",
        "KITTY_WINDOW_ID",
        "WT_SESSION",
        "ALACRITTY_WINDOW_ID",
        "VTE_VERSION",
        "KONSOLE_VERSION",
    )

    def pretend(**env: str) -> None:
        for name in names:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TERM", env.pop("TERM", "xterm-256color"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    yield pretend


@pytest.mark.parametrize(("width", "fmt"), [(80, "qemu"), (60, "virt-install"), (80, "libvirt")])
async def test_the_snippet_full_width_never_breaks_a_token(
    make_app: AppFactory, width: int, fmt: str
) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=(width, 24)) as pilot:
        await go_to(pilot, "stimer")
        await pilot.press("ctrl+t")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, SnippetScreen)
        assert not view.query(StepList), "nothing beside it: a terminal selection takes only it"
        while view.fmt != fmt:
            await pilot.press("tab")
        text = services.render(app.wizard.preset, fmt)
        assert view.text == text
        lines = view.lines
        shown = screen_text(view.query_one("#snippet-text"))
        assert shown.splitlines() == lines
        assert "".join(lines) == "".join(text.splitlines()), "only line breaks were added"
        assert all(len(line.rstrip()) < width for line in lines), "no line is cut at the edge"
        tokens = {t for line in text.splitlines() for t in line.replace(",", " ").split()}
        for token in tokens:
            assert any(token in line for line in lines), f"{token} was broken across lines"
        if fmt == "qemu":
            assert len(lines) > 1 and "hv-stimer-direct=on" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.wizard


def test_wrap_snippet_breaks_only_between_tokens() -> None:
    line = "-cpu host," + ",".join(f"hv-option-{i}=on" for i in range(12))
    for width in (20, 33, 80):
        lines = wrap_snippet(line, width)
        assert "".join(lines) == line
        assert all(len(part) <= width for part in lines)
        assert all(part.endswith(",") for part in lines[:-1])
    assert wrap_snippet("short\n  kept as is", 40) == ["short", "  kept as is"]
    assert wrap_snippet("a" * 30, 10) == ["a" * 10] * 3, "a token wider than the screen is cut"


async def test_copy_where_the_terminal_ignores_the_clipboard_offers_a_file(
    make_app: AppFactory,
    terminal_env: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal_env(VTE_VERSION="7600")
    monkeypatch.chdir(tmp_path)
    copied: list[str] = []
    monkeypatch.setattr(App, "copy_to_clipboard", lambda self, text: copied.append(text))
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, SnippetScreen)
        await pilot.press("c")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ChoiceDialog)
        message = screen_text(question.query_one(".dialog-message"))
        assert "VTE" in message and "clipboard" in message and "file" in message
        assert copied == [], "nothing is sent that the terminal would drop silently"
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathDialog)
        target = Path(dialog.query_one("#path-input", Input).value)
        assert target == tmp_path / "windows-desktop.qemu.txt"
        await press_button(pilot, "#path-ok")
        assert target.read_text() == services.render(app.wizard.preset, "qemu")
        assert isinstance(app.screen, SnippetScreen), "back to the snippet"


@pytest.mark.parametrize(("env", "state"), [({"TERM_PROGRAM": "WezTerm"}, "yes"), ({}, "unknown")])
async def test_copy_where_the_clipboard_works_or_may_work(
    make_app: AppFactory,
    terminal_env: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    state: str,
) -> None:
    terminal_env(**env)
    copied: list[str] = []
    monkeypatch.setattr(App, "copy_to_clipboard", lambda self, text: copied.append(text))
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await open_dialog(pilot, "ctrl+t", SnippetScreen)  # before tab: the screen's keys
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert copied == [services.render(app.wizard.preset, "libvirt")]
        if state == "yes":
            assert "Copied the libvirt snippet." in notices(app)
        else:
            assert "If nothing pastes" in notices(app) and "file" in notices(app)


async def test_export_dialog_copy_also_says_when_the_terminal_cannot(
    make_app: AppFactory, terminal_env: Callable[..., None]
) -> None:
    terminal_env(TERM_PROGRAM="Apple_Terminal")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await press_button(pilot, "#export-copy")
        assert isinstance(app.screen, ChoiceDialog)
        assert "macOS Terminal" in screen_text(app.screen.query_one(".dialog-message"))


async def test_printing_plainly_needs_a_real_terminal(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await open_dialog(pilot, "ctrl+t", SnippetScreen)  # before t: it is the screen's key
        await pilot.press("t")
        await pilot.pause()
        assert "cannot be handed back" in notices(app)
        assert isinstance(app.screen, SnippetScreen)


@pytest.mark.parametrize(
    ("env", "state"),
    [
        ({"VTE_VERSION": "7600"}, "no"),
        ({"TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "1"}, "unknown"),
        ({"KITTY_WINDOW_ID": "1"}, "yes"),
        ({"TERM": "linux"}, "no"),
        ({"WT_SESSION": "x"}, "yes"),
        ({}, "unknown"),
    ],
)
def test_clipboard_support_is_judged_from_the_terminal(env: dict[str, str], state: str) -> None:
    assert services.clipboard_support(env).state == state


# -- the smaller ones ---------------------------------------------------------------


async def test_spinlocks_in_hex_in_the_preview_and_the_saved_preset(
    make_app: AppFactory, user_presets: Path
) -> None:
    app = make_app(preset=desktop())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert "\nspinlocks = 0x1fff\n" in app.screen.query_one(PreviewPane).text("toml")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        saved = user_presets / "windows-desktop.toml"
        assert "\nspinlocks = 0x1fff\n" in saved.read_text()
        assert presets.load(saved).config.get("spinlocks") == 0x1FFF


async def test_use_recommendation_with_an_intent_updates_the_description(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.wizard.preset.description == "Windows guest (desktop)"
        await go_to(pilot, Step.START)
        app.screen.query_one("#intent", Select).value = "server-migratable"
        await pilot.pause()
        await press_button(pilot, "#use-recommended")
        preset = app.wizard.preset
        assert preset.description == "Windows guest (server-migratable)"
        assert (
            preset.config == services.recommend(app.wizard.host, intent="server-migratable").config
        )
        toml = app.screen.query_one(PreviewPane).text("toml")
        assert 'description = "Windows guest (server-migratable)"' in toml
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.wizard.preset.description == "Windows guest (desktop)"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (str(AUDIT_DATA / "virsh-dumpxml-win11.xml"), "win11"),
        (
            "qemu-system-x86_64 -name guest=Build_Box,debug-threads=on -cpu host,hv-relaxed",
            "Build_Box",
        ),
        ("qemu-system-x86_64 -name 'my old VM!' -cpu host,hv-relaxed", "my-old-VM"),
    ],
)
async def test_importing_a_vm_takes_its_name(make_app: AppFactory, text: str, name: str) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await go_to(pilot, Step.START)
        app.screen.query_one("#import-path", Input).value = text
        await press_button(pilot, "#import")
        assert app.wizard.preset.name == name
        assert name in str(app.wizard.sub_title)


async def test_one_option_is_one_option(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await go_to(pilot, Step.START)
        app.screen.query_one(
            "#import-path", Input
        ).value = "qemu-system-x86_64 -cpu host,hv-relaxed"
        await press_button(pilot, "#import")
        assert "1 option on." in notices(app)
        assert "1 options" not in notices(app)


def widest_of_each_kind() -> list[str]:
    """For each kind of step the footer tells apart (the first, the last, the pages, the
    options, which space toggles), the one with the longest title in the header."""
    steps = all_steps()
    widest: dict[tuple[bool, ...], str] = {}
    for step in steps:
        kind = (step == steps[0], step == steps[-1], catalog.canonical_name(step) == step)
        if kind not in widest or len(step_title(step)) > len(step_title(widest[kind])):
            widest[kind] = step
    return list(widest.values())


def test_the_widest_steps_are_one_of_each_kind() -> None:
    chosen = widest_of_each_kind()
    assert {Step.HOST, Step.START, Step.REVIEW} < set(chosen)
    widest = max(len(step_title(step)) for step in option_steps())
    assert widest in {len(step_title(step)) for step in chosen if step in option_steps()}


async def test_80x24_keeps_the_step_name_and_undo_in_sight() -> None:
    """At 80x24 the header keeps the step's name and the footer its undo key, on the
    step with the longest name of each kind (the footer's keys differ by kind)."""
    app = demo_app("intel-tigerlake")
    async with app.run_test(size=(80, 24)) as pilot:
        for step in widest_of_each_kind():
            await go_to(pilot, step)
            shown = app.screen.query_one(WizardHeader).render_line(0).text
            assert step_title(step) in shown, f"{step}: the header shows {shown!r}"
            keys = {screen_text(k).strip(): k for k in app.screen.query("Footer FooterKey")}
            undo = keys.get("^z Undo")
            assert undo is not None, f"{step}: footer keys {sorted(keys)}"
            assert undo.region.right <= 80 and undo.region.width > 0


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 36)])
async def test_the_footer_has_no_stray_characters(
    make_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for step in (Step.HOST, "spinlocks", Step.REVIEW):
            await go_to(pilot, step)
            footer = app.screen.query_one("Footer")
            keys = list(footer.query("FooterKey"))
            assert keys
            for key in keys:
                label = screen_text(key).strip()
                assert key.region.right <= size[0], f"{label!r} runs off the screen"
                assert key.region.width >= len(label), f"{label!r} is cut"
            assert "palette" not in " ".join(screen_text(k) for k in keys)
        await pilot.press("ctrl+e")  # hidden from the footer at 60 columns, still a key
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)


def shows_a_toast(screen: Widget) -> bool:
    """A toast is laid out on ``screen``: it has cells there, not only a place in the DOM
    (what a fixed 0.2 s pause used to wait for, and might not on a loaded machine)."""
    return any(toast.region.area for toast in screen.query("Toast"))


async def test_toasts_never_cover_dialog_buttons_at_60x20(make_app: AppFactory) -> None:
    app = make_app(preset=Preset("empty-vm", Config()))
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        await go_to(pilot, "stimer")
        await pilot.press("space")  # a long toast about what was turned on with it
        await pilot.pause()
        assert app.screen.query("Toast")
        for key, kind in (("ctrl+s", SaveDialog), ("ctrl+e", ExportDialog), ("q", ChoiceDialog)):
            await pilot.press(key)
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, kind)
            for n in range(3):  # toasts raised while the dialog is open, stacked
                app.notify(f"Toast {n} while the dialog is open\nover two lines", timeout=30)
            await wait_for(pilot, partial(shows_a_toast, dialog), "a toast on the dialog")
            toasts = list(dialog.query("Toast"))
            assert toasts, "the new toast is shown"
            for button in dialog.query(Button):
                for toast in toasts:
                    assert not overlaps(toast, button), f"a toast covers {button.label}"
            await pilot.press("escape")
            await pilot.pause()


def intel_without_hyperv(directory: Path) -> Path:
    """The Intel demo host with the KVM answer of a kernel built without Hyper-V."""
    root = directory / "intel-no-hyperv"
    shutil.copytree(find_demo("intel-tigerlake").path, root, symlinks=True)
    manifest = root / "hvtui-snapshot.json"
    data = json.loads(manifest.read_text())
    refused = json.loads((find_demo("no-hyperv").path / "hvtui-snapshot.json").read_text())
    data["live"]["kvm"] = refused["live"]["kvm"]
    manifest.write_text(json.dumps(data))
    return root


@pytest.mark.parametrize("host", ["no-hyperv", "intel-no-hyperv", "intel-tigerlake"])
async def test_the_host_step_claims_evmcs_only_where_kvm_offers_it(
    host: str, tmp_path: Path
) -> None:
    if host == "intel-no-hyperv":
        app = HvtuiApp(sysroot=intel_without_hyperv(tmp_path), probe=False, prepare_panes=False)
    else:
        app = demo_app(host)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        facts = screen_text(app.screen.query_one("#host-facts", Static))
        if host == "intel-tigerlake":
            assert "hv-evmcs (nested Hyper-V) works here" in facts
        else:
            assert app.wizard.host.offers_hyperv is False
            assert "works here" not in facts
            assert "Hyper-V in KVM: none" in facts
        if host == "intel-no-hyperv":
            assert "no Hyper-V emulation" in facts.split("Virtualization")[0]


@pytest.mark.parametrize("name", DEMO_NAMES)
async def test_the_title_names_the_demo(name: str) -> None:
    app = demo_app(name)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        wizard = app.wizard
        assert wizard.title == f"hvtui — demo: {name}"
        header = screen_text(app.screen.query_one(WizardHeader))
        assert header.startswith(f"hvtui — demo: {name} — Host · my-windows-vm")
        await go_to(pilot, "reset")
        await pilot.press("space")
        await pilot.pause()
        assert wizard.title == f"hvtui — demo: {name}"
        assert "my-windows-vm (unsaved)" in str(wizard.sub_title)


async def test_no_demo_no_demo_in_the_title(tmp_path: Path) -> None:
    # A copy: a plain snapshot (each pane built on its visit, as demo_app does).
    app = HvtuiApp(sysroot=demo_sysroot(tmp_path), probe=False, prepare_panes=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.wizard.title == "hvtui"
        assert str(app.wizard.sub_title).startswith("Host · my-windows-vm · snapshot ")
