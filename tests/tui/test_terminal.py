"""The wizard in a real terminal: tmux runs ``hvtui --sysroot``, keys go in, text comes out.

This is the one test that goes through the console script, the terminal
driver and a real pty, so it catches what Pilot cannot (a traceback on exit, a
wrong exit status, a first screen that never draws).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from clirun import REPO

from hvtui.tui.state import all_steps, step_title

pytestmark = pytest.mark.tmux

WIDTH, HEIGHT = 100, 30
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


def start_hvtui(terminal: Terminal, sysroot: Path, tmp_path: Path) -> Path:
    """Run ``hvtui --sysroot`` in the session; the file its exit status will be written to."""
    status = tmp_path / "status"
    config = tmp_path / "config"
    command = (
        f"cd {shlex.quote(str(REPO))} && "
        f"XDG_CONFIG_HOME={shlex.quote(str(config))} "
        f"{shlex.quote(sys.executable)} -m hvtui --sysroot {shlex.quote(str(sysroot))}; "
        f"echo $? > {shlex.quote(str(status))}"
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


def test_walk_toggle_and_quit_in_tmux(terminal: Terminal, sysroot: Path, tmp_path: Path) -> None:
    status = start_hvtui(terminal, sysroot, tmp_path)
    first = terminal.wait_for(lambda s: "Facts of a saved snapshot" in s, "the host screen")
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


def test_walk_every_step_then_q_quits_at_once_in_tmux(
    terminal: Terminal, sysroot: Path, tmp_path: Path
) -> None:
    """Looking is not changing: after every step has been shown, q quits without a question."""
    status = start_hvtui(terminal, sysroot, tmp_path)
    terminal.wait_for(lambda s: "Facts of a saved snapshot" in s, "the host screen")
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
