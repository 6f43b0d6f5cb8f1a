"""Issue #11 in the wizard: a stop signal is ``q`` (ask, or save a recovery file and say
where), a path the system refuses is one line in the dialog, and untrusted text from
snapshots, presets and processes reaches the screen escaped.

The signal handler of :func:`hvtui.tui.run_app` only schedules
:meth:`HvtuiApp.stop_requested` on the app; these tests call that directly (the
real signal in a real terminal is in ``test_terminal.py``).
"""

from __future__ import annotations

import pwd
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static

from hvtui import audit, presets, tui
from hvtui.demos import find_demo
from hvtui.detect.report import known
from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.app import HvtuiApp
from hvtui.tui.messages import ToggleOption
from hvtui.tui.recovery import recovery_dir, write_recovery
from hvtui.tui.screens.dialogs import ChoiceDialog, ExportDialog, SaveDialog
from hvtui.tui.state import PathProblemError, typed_path
from hvtui.tui.steps import Step

from .support import RecordingApp, notices
from .test_start_from_vm import RunningSpy, _process, listed
from .test_wizard import SIZE, go_to, open_dialog, press_button

AppFactory = Callable[..., HvtuiApp]


def shown(widget: Widget) -> str:
    """What a widget draws, as plain text."""
    return str(widget.render())


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``XDG_STATE_HOME`` of the test: recovery files go under it."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


async def make_dirty(pilot: Pilot[int]) -> Preset:
    """Turn reset on, as space on its step does; the unsaved draft."""
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    app.wizard.post_message(ToggleOption("reset", True))
    await pilot.pause()
    assert app.wizard.dirty and "(unsaved)" in str(app.wizard.sub_title)
    return app.wizard.preset


async def dirty_then_signal(pilot: Pilot[int], signum: int = signal.SIGINT) -> Preset:
    """An unsaved draft, then a stop signal (as the handler schedules it); the draft."""
    draft = await make_dirty(pilot)
    app = pilot.app
    assert isinstance(app, HvtuiApp)
    app.stop_requested(signum)
    await pilot.pause()
    return draft


def recovery_files(state: Path) -> list[Path]:
    folder = state / "hvtui" / "recovery"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# -- stop signals ------------------------------------------------------------------------


async def test_sigint_with_unsaved_changes_asks_what_q_asks(
    make_app: AppFactory, state_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dirty_then_signal(pilot)
        question = app.screen
        assert isinstance(question, ChoiceDialog), "the unsaved-changes question"
        assert "not saved" in shown(question.query_one(".dialog-message"))
        await pilot.press("c")  # keep working
        await pilot.pause()
        assert app.is_running and app.screen is app.wizard
        await pilot.press("q")  # a later q is a plain q again
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
    assert app.return_code == 0 and app.exit_note is None

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dirty_then_signal(pilot)
        await pilot.press("d")  # quit without saving
        await pilot.pause()
    assert app.return_code == 130, "an interrupted run says so in its status"
    assert app.exit_note == "hvtui: interrupted"
    assert recovery_files(state_home) == [], "the user chose: nothing written"


async def test_sigint_then_save_first_saves_and_exits_130(
    make_app: AppFactory, user_presets: Path, state_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        draft = await dirty_then_signal(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 130
    assert presets.load(user_presets / "my-windows-vm.toml").config == draft.config


async def test_a_second_sigint_while_asking_saves_a_recovery_file(
    make_app: AppFactory, state_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        draft = await dirty_then_signal(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.stop_requested(signal.SIGINT)
        await pilot.pause()
    assert app.return_code == 130
    (saved,) = recovery_files(state_home)
    assert saved.name.startswith("my-windows-vm-") and saved.suffix == ".toml"
    assert presets.load(saved) == presets.loads(presets.dumps(draft), source=str(saved))
    note = app.exit_note
    assert note == f"hvtui: interrupted; the unsaved draft my-windows-vm was saved to {saved}"
    assert "\n" not in note


@pytest.mark.parametrize(
    ("signum", "word"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")]
)
async def test_when_nobody_can_be_asked_the_draft_goes_to_a_recovery_file(
    make_app: AppFactory, state_home: Path, signum: int, word: str
) -> None:
    app = make_app(interactive=False)
    async with app.run_test(size=SIZE) as pilot:
        await dirty_then_signal(pilot, signum)
    assert app.return_code == 128 + signum
    (saved,) = recovery_files(state_home)
    assert app.exit_note == f"hvtui: {word}; the unsaved draft my-windows-vm was saved to {saved}"


async def test_a_stop_signal_with_nothing_unsaved_leaves_at_once(
    make_app: AppFactory, state_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.stop_requested(signal.SIGINT)
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 130 and app.exit_note == "hvtui: interrupted"
    assert recovery_files(state_home) == []


def test_recovery_files_never_replace_one_another(tmp_path: Path) -> None:
    draft = Preset("lab-vm", Config.of(relaxed=True))
    first = write_recovery(draft, directory=tmp_path, now=0)
    second = write_recovery(draft, directory=tmp_path, now=0)
    assert first != second and first.parent == second.parent == tmp_path
    assert presets.load(first) == presets.load(second)


def test_the_recovery_directory_follows_xdg_state_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert recovery_dir() == tmp_path / "hvtui" / "recovery"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert recovery_dir() == tmp_path / ".local" / "state" / "hvtui" / "recovery"


def test_a_signal_during_start_up_is_one_line_and_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object) -> HvtuiApp:
        raise KeyboardInterrupt  # what the handler raises before the app's loop runs

    monkeypatch.setattr(tui, "terminal_problem", lambda: None)
    monkeypatch.setattr(tui, "_build_app", interrupted)
    monkeypatch.setattr(tui, "pause_gc_for_startup", lambda: None)
    before = signal.getsignal(signal.SIGINT)
    assert tui.run_app() == 130
    assert capsys.readouterr().err == "hvtui: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is before, "the handlers are put back"


# -- paths in the dialogs ------------------------------------------------------------------


@pytest.fixture
def no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``HOME``, no ``XDG_CONFIG_HOME`` and no passwd entry (some containers)."""

    def missing(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", missing)


async def open_save(pilot: Pilot[int]) -> SaveDialog:
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveDialog)
    return dialog


async def save_to(pilot: Pilot[int], dialog: SaveDialog, path: str) -> str:
    """Put ``path`` in the file field and press enter there; the dialog's error line."""
    field = dialog.query_one("#save-path", Input)
    field.value = path
    field.focus()
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.screen is dialog, "a refused path keeps the dialog open"
    return shown(dialog.query_one("#save-error", Static))


async def test_the_save_dialog_says_in_one_line_what_is_wrong_with_a_path(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_save(pilot)
        error = await save_to(pilot, dialog, "~nosuchuser/x.toml")
        assert error == "✗ ~nosuchuser/x.toml: there is no user nosuchuser (~nosuchuser)"
        error = await save_to(pilot, dialog, str(tmp_path / ("n" * 300 + ".toml")))
        assert error.startswith("✗ nnnn") and "file name too long (305 bytes" in error
        error = await save_to(pilot, dialog, str(tmp_path / "deeper" / ("n" * 300)))
        assert "file name too long" in error, "said before any directory is made"
        assert not (tmp_path / "deeper").exists()
        error = await save_to(pilot, dialog, "")
        assert error == "✗ give the file to write"
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.screen is app.wizard


async def test_without_a_home_directory_the_save_dialog_says_so_and_still_saves(
    make_app: AppFactory, no_home: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_save(pilot)
        error = shown(dialog.query_one("#save-error", Static))
        assert error.startswith("✗ no home directory is known") and "\n" not in error
        assert dialog.query_one("#save-path", Input).value == str(tmp_path / "my-windows-vm.toml")
        error = await save_to(pilot, dialog, "~/x.toml")
        assert error.startswith("✗ ~/x.toml: no home directory is known for ~")
        dialog.query_one("#save-path", Input).value = str(tmp_path / "vm.toml")
        await press_button(pilot, "#save-ok")
        assert app.screen is app.wizard and not app.wizard.dirty
        assert presets.load(tmp_path / "vm.toml").name == "my-windows-vm"


async def test_the_export_dialog_refuses_an_unknown_user_in_one_line(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, "ctrl+e", ExportDialog)
        dialog.query_one("#export-path", Input).value = "~nosuchuser/vm.xml"
        await press_button(pilot, "#export-write")
        assert app.screen is dialog
        error = shown(dialog.query_one("#export-error", Static))
        assert error == "✗ ~nosuchuser/vm.xml: there is no user nosuchuser (~nosuchuser)"


def test_typed_path_expands_and_refuses() -> None:
    assert typed_path("  /tmp/x.toml ") == Path("/tmp/x.toml")
    for raw, words in [
        ("", "give the file"),
        ("~nosuchuser", "no user nosuchuser"),
        ("/tmp/a\0b", "NUL"),
        ("/tmp/" + "x" * 5000, "too long"),
    ]:
        with pytest.raises(PathProblemError) as caught:
            typed_path(raw)
        assert words in str(caught.value) and str(caught.value).isprintable()


# -- untrusted text is escaped -----------------------------------------------------------

ESCAPE = "\x1b]52;c;aGk=\x07\x1b[2J"
"""An OSC 52 clipboard write and a screen clear: what must never reach the terminal raw."""
ESCAPED = "\\x1b]52;c;aGk=\\x07\\x1b[2J"


def assert_escaped(text: str) -> None:
    assert ESCAPED in text, text
    assert "\x1b" not in text and "\x07" not in text


async def test_a_preset_description_with_escapes_is_shown_escaped(
    make_app: AppFactory, user_presets: Path
) -> None:
    hostile = Preset("hostile", Config.of(relaxed=True), f"evil {ESCAPE} preset")
    presets.save(hostile, user_presets / "hostile.toml")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, Step.START)
        rows = app.screen.query_one("#preset-list", OptionList)
        (row,) = [o for o in rows.options if o.id == str(user_presets / "hostile.toml")]
        assert_escaped(str(row.prompt))
        rows.focus()
        rows.highlighted = rows.options.index(row)
        await pilot.press("enter")
        await pilot.pause()
        assert app.wizard.preset.description == hostile.description, "the model keeps it"
        dialog = await open_save(pilot)
        assert_escaped(dialog.query_one("#save-description", Input).value)


def hostile_host(directory: Path) -> Path:
    """The Intel demo with an escape sequence in its CPU name (a snapshot anyone may write)."""
    root = directory / "hostile-host"
    shutil.copytree(find_demo("intel-tigerlake").path, root, symlinks=True)
    cpuinfo = root / "proc" / "cpuinfo"
    text = cpuinfo.read_text()
    cpuinfo.write_text(text.replace("model name\t: ", f"model name\t: {ESCAPE}", 1))
    return root


async def test_a_cpu_name_and_a_vm_name_with_escapes_are_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = _process(4242, f"win{ESCAPE}", 2, "host,hv-relaxed=on", [[2], [3]])
    monkeypatch.setattr(audit, "running_vms", RunningSpy(audit.running_vms(known([evil]))))
    # Each pane built on its visit, as make_app does: the panes prepared in the background
    # escape nothing more and made every Pilot wait visit nine times the widgets.
    app = RecordingApp(sysroot=hostile_host(tmp_path), probe=False, prepare_panes=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        facts = shown(app.screen.query_one("#host-facts", Static))
        assert_escaped(facts.split("\n", 1)[0])
        await go_to(pilot, Step.START)
        rows = await listed(pilot)
        assert_escaped(str(rows.get_option_at_index(0).prompt))
        rows.focus()
        rows.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert_escaped(shown(app.screen.query_one("#current")))
        assert_escaped(notices(app))
        assert app.wizard.preset.name.isprintable()


def test_the_wizard_uses_the_shared_escaping() -> None:
    from hvtui import textsafe
    from hvtui.tui import services

    assert services.one_line is textsafe.one_line
    assert services.printable is textsafe.printable
