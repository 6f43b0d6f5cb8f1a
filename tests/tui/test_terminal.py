"""The wizard in a real terminal: tmux runs ``hvtui --demo``, keys go in, text comes out.

This is the one test that goes through the console script, the terminal
driver and a real pty, so it catches what Pilot cannot (a traceback on exit, a
wrong exit status, a first screen that never draws).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from clirun import REPO

from hvtui.tui.steps import all_steps, step_title

from .support import DEMO

pytestmark = pytest.mark.tmux

WIDTH, HEIGHT = 100, 30
HOST_MARKER = f"Facts of the demo host {DEMO}"
TIMEOUT = 20.0


class Terminal:
    """A tmux session on a private server socket."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        """Run a tmux command on this server; its output."""
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def screen(self) -> str:
        """The visible text of the pane."""
        return self.tmux("capture-pane", "-p", "-t", "hv")

    def wait_for(self, predicate: Callable[[str], bool], what: str) -> str:
        """Poll the screen until ``predicate`` holds (no fixed sleeps)."""
        deadline = time.monotonic() + TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{text}")

    def keys(self, *keys: str) -> None:
        """Type keys (tmux key names: ``Space``, ``Down``...)."""
        self.tmux("send-keys", "-t", "hv", *keys)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A tmux server of our own, killed afterwards; skipped without tmux (failed on CI)."""
    if shutil.which("tmux") is None:
        message = "tmux is not installed (Debian package tmux); the real-terminal test needs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    session = Terminal(f"hvtui-test-{os.getpid()}-{tmp_path.name}")
    try:
        yield session
    finally:
        subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def start_hvtui(terminal: Terminal, tmp_path: Path, python: tuple[str, ...] = ("-m",)) -> Path:
    """Run ``hvtui --demo intel-tigerlake`` in the session; the file its exit status will be
    written to.

    ``python``: how Python runs hvtui (``-c CODE``: code that ends in hvtui's ``main``).
    Its recovery files go to ``tmp_path/state`` (``XDG_STATE_HOME``)."""
    status = tmp_path / "status"
    config = tmp_path / "config"
    state = tmp_path / "state"
    command = (
        f"cd {shlex.quote(str(REPO))} && "
        "unset COLUMNS LINES; "  # the terminal's size, not the test runner's (Textual reads them)
        f"XDG_CONFIG_HOME={shlex.quote(str(config))} "
        f"XDG_STATE_HOME={shlex.quote(str(state))} "
        "HVTUI_DEBUG= "
        f"{shlex.join((sys.executable, *python))} hvtui --demo {DEMO}; "
        f"echo $? > {shlex.quote(str(status))}; "
        "exec sleep 60"  # the pane stays alive: tmux reads what hvtui printed last
    )
    terminal.tmux(
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "hv",
        "-x",
        str(WIDTH),
        "-y",
        str(HEIGHT),
        "sh",
        "-c",
        command,
    )
    terminal.tmux("set-option", "-t", "hv", "remain-on-exit", "on")  # read the screen after exit
    return status


def hvtui_pid(terminal: Terminal) -> int:
    """The hvtui process: the child of the pane's shell."""
    shell = terminal.tmux("display-message", "-p", "-t", "hv", "#{pane_pid}").strip()
    found = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, check=True)
    (pid,) = found.stdout.split()
    return int(pid)


def last_line(screen: str) -> str:
    """The last line printed before the process ended, joined again where the terminal
    wrapped it (only a row filled to the edge continues on the next)."""
    rows = [row for row in screen.splitlines() if row.strip()]
    if not rows:
        return ""
    line = rows.pop()
    while rows and len(rows[-1]) == WIDTH:
        line = rows.pop() + line
    return line


def in_header(text: str, screen: str) -> bool:
    """``text`` is on the screen's first line (the title bar)."""
    return text in screen.splitlines()[0]


def wait_for_exit(terminal: Terminal, status: Path) -> str:
    """Wait until hvtui has exited; its exit status."""
    deadline = time.monotonic() + TIMEOUT
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status.exists(), terminal.screen()
    return status.read_text().strip()


def test_walk_toggle_and_quit_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    status = start_hvtui(terminal, tmp_path)
    first = terminal.wait_for(lambda s: HOST_MARKER in s, "the host screen")
    assert "Virtualization: Intel VT-x (vmx)" in first
    assert "Traceback" not in first

    terminal.keys("n")
    terminal.wait_for(lambda s: "Current draft:" in s, "the start step")
    for _ in range(6):
        terminal.keys("n")
    terminal.wait_for(lambda s: "hv-reset" in s and "Needs:" in s, "the reset step")
    assert "○ reset" in terminal.screen()

    terminal.keys("Space")
    terminal.wait_for(lambda s: "● reset" in s and "(unsaved)" in s, "reset turned on")

    terminal.keys("q")
    terminal.wait_for(lambda s: "Unsaved changes" in s, "the quit question")
    terminal.keys("d")
    assert wait_for_exit(terminal, status) == "0", terminal.screen()
    last = terminal.screen()
    assert "Traceback" not in last and "error" not in last.lower()


def test_walk_every_step_then_q_quits_at_once_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    """Looking is not changing: after every step has been shown, q quits without a question."""
    status = start_hvtui(terminal, tmp_path)
    terminal.wait_for(lambda s: HOST_MARKER in s, "the host screen")
    for step in all_steps()[1:]:
        terminal.keys("n")
        screen = terminal.wait_for(partial(in_header, f"— {step_title(step)} · "), step)
        assert "(unsaved)" not in screen.splitlines()[0], f"looking at {step} changed the draft"
        assert "Traceback" not in screen
    terminal.wait_for(lambda s: "Findings:" in s, "the Review step")
    terminal.keys("q")
    assert wait_for_exit(terminal, status) == "0", terminal.screen()
    last = terminal.screen()
    assert "Unsaved changes" not in last, "nothing changed, nothing to ask"
    assert "Traceback" not in last and "error" not in last.lower()


def unsaved_draft(terminal: Terminal, tmp_path: Path) -> tuple[Path, int]:
    """hvtui with relaxed turned off (the first option): its status file and pid."""
    status = start_hvtui(terminal, tmp_path)
    terminal.wait_for(lambda s: HOST_MARKER in s, "the host screen")
    terminal.keys("n", "n")
    terminal.wait_for(partial(in_header, "— hv-relaxed · "), "the first option")
    terminal.keys("Space")
    terminal.wait_for(lambda s: "(unsaved)" in s.splitlines()[0], "an unsaved change")
    return status, hvtui_pid(terminal)


def test_sigint_with_unsaved_changes_asks_as_q_does_in_tmux(
    terminal: Terminal, tmp_path: Path
) -> None:
    status, pid = unsaved_draft(terminal, tmp_path)
    os.kill(pid, signal.SIGINT)
    terminal.wait_for(lambda s: "Unsaved changes" in s and "Quit without saving" in s, "asking")
    terminal.keys("d")
    assert wait_for_exit(terminal, status) == "130", terminal.screen()
    terminal.wait_for(lambda s: last_line(s) == "hvtui: interrupted", "one line")
    assert not (tmp_path / "state").exists(), "the user chose to discard: nothing written"


def test_a_second_sigint_saves_a_recovery_file_and_says_where_in_tmux(
    terminal: Terminal, tmp_path: Path
) -> None:
    status, pid = unsaved_draft(terminal, tmp_path)
    os.kill(pid, signal.SIGINT)
    terminal.wait_for(lambda s: "Unsaved changes" in s, "the quit question")
    os.kill(pid, signal.SIGINT)
    assert wait_for_exit(terminal, status) == "130", terminal.screen()
    (saved,) = (tmp_path / "state" / "hvtui" / "recovery").iterdir()
    said = f"hvtui: interrupted; the unsaved draft my-windows-vm was saved to {saved}"
    terminal.wait_for(lambda s: last_line(s) == said, "one line saying where")
    assert "Traceback" not in terminal.screen()
    from hvtui import presets

    assert not presets.load(saved).config.is_on("relaxed"), "the draft as it was, unsaved"


#: Long enough that the terminal wraps Textual's traceback of it.
BUG = "simulated bug " + "in a message long enough to be wrapped by the terminal " * 2


def test_a_bug_is_one_line_and_exit_70_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    """Textual's own exit path (its traceback printed once the terminal is restored) ends
    in hvtui's one line: the exception as raised, however wide, and exit status 70."""
    code = (
        "import sys\n"
        "from hvtui.__main__ import main\n"
        "from hvtui.tui.app import HvtuiApp\n"
        "async def broken(self):\n"
        f"    raise RuntimeError({BUG.strip()!r})\n"
        "HvtuiApp.action_quit = broken\n"
        "del sys.argv[1]\n"  # the word hvtui that follows -c CODE
        "main()\n"
    )
    status = start_hvtui(terminal, tmp_path, ("-c", code))
    terminal.wait_for(lambda s: HOST_MARKER in s, "the host screen")
    terminal.keys("C-q")  # the app's quit binding: the broken action
    assert wait_for_exit(terminal, status) == "70", terminal.screen()
    said = (
        f"hvtui: internal error: RuntimeError: {BUG.strip()} "
        "(set HVTUI_DEBUG=1 for details and please report it)"
    )
    terminal.wait_for(lambda s: last_line(s) == said, "one line")
    assert "Traceback" not in terminal.screen()


# -- the wizard's command line: the short way round the CLI's parser ---------------------


def _answer(argv: list[str], *launcher: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of hvtui run by ``launcher`` without a terminal."""
    done = subprocess.run(
        [sys.executable, *launcher, *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


CLI_MAIN = ("-c", "import sys; from hvtui.cli import main; sys.exit(main(sys.argv[1:]))")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo", DEMO],
        [f"--demo={DEMO}"],
        ["--sysroot", "hvtui/demos"],
        ["--sysroot=hvtui/demos"],
        ["--dem", DEMO],
        ["--demo", "no-such-demo"],
        ["--demo", "detect"],
        ["--demo"],
        ["--sysroot", "/no/such/dir"],
        ["--sysroot", "README.md"],
        ["--sysroot", "/", "--demo", DEMO],
        ["--help"],
        ["--version"],
        ["demos"],
    ],
)
def test_the_wizards_command_line_answers_as_the_cli_does(argv: list[str]) -> None:
    """``hvtui``, ``hvtui --demo NAME`` and ``hvtui --sysroot DIR`` skip the CLI's parser on
    the way to the first frame; with or without it, every answer (here: without a terminal,
    a refused option, help) is byte for byte what the CLI gives."""
    assert _answer(argv, "-m", "hvtui") == _answer(argv, *CLI_MAIN)


def test_the_wizard_builds_no_subcommand_parser() -> None:
    """On the way to the wizard no subcommand module is imported (they are the CLI's
    parser: ~40 ms of the first frame)."""
    code, _out, err = _answer(["--demo", DEMO], "-X", "importtime", "-m", "hvtui")
    assert code == 2 and "the interactive wizard needs a terminal" in err
    imported = [line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if "|" in line]
    assert "hvtui.tui" in imported, "the wizard's path was taken"
    assert not [name for name in imported if name.startswith("hvtui.cli.cmd_")]
