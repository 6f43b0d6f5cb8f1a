"""The wizard ends when its terminal hangs up, even while it is quitting.

After a hang-up Textual's output thread dies writing to the terminal (EIO) and the
loop blocks for good on that thread's full queue, so before hvtui's watchdog (see
:class:`hvtui.tui._Stops`) the process stayed alive, SIGTERM or not.  Closing the
master side of a real pty hangs up the terminal as closing a terminal window does.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from clirun import REPO

from hvtui import presets

from .support import DEMO

#: Seconds the process has to end after the hang-up: the watchdog's 0.5 s once the app
#: has decided to exit, with room for a busy machine.
ENDS_WITHIN = 2.5
TIMEOUT = 20.0


class Wizard:
    """hvtui in a pty of its own (it is the session leader: the pty is its terminal)."""

    def __init__(self, tmp_path: Path, python: tuple[str, ...] = ("-m", "hvtui")) -> None:
        self.started = tmp_path / "started"
        self.state = tmp_path / "state"
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(
            TERM="xterm-256color",
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_STATE_HOME=str(self.state),
            HVTUI_STARTUP_LOG=str(self.started),
            HVTUI_DEBUG="",
        )
        argv = [sys.executable, *python, "--demo", DEMO]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: nothing but exec
            try:
                os.chdir(REPO)
                os.execve(sys.executable, argv, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.output = b""

    def read_until(self, done: bytes | Path, what: str) -> None:
        """Read what hvtui draws until ``done`` was drawn (or exists)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if isinstance(done, Path) and done.exists():
                return
            if isinstance(done, bytes) and done in self.output:
                return
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                self.output += os.read(self.fd, 65536)
        self.kill()
        raise AssertionError(f"timed out waiting for {what}")

    def keys(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def hang_up(self) -> float:
        """Close the terminal; when."""
        os.close(self.fd)
        return time.monotonic()

    def exit_code_within(self, seconds: float) -> int | None:
        """The exit code, or ``None`` when hvtui still runs after ``seconds`` (then killed)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.02)
        self.kill()
        return None

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def test_a_hang_up_while_quitting_ends_hvtui(tmp_path: Path) -> None:
    wizard = Wizard(tmp_path)
    wizard.read_until(wizard.started, "the first frame")
    wizard.keys(b"q")
    wizard.hang_up()
    assert wizard.exit_code_within(ENDS_WITHIN) == 128 + signal.SIGHUP
    assert not wizard.state.exists(), "nothing was unsaved: nothing written"


#: hvtui whose loop gets stuck for good on ``q``, as Textual's does on a dead output thread
#: (but every time): the watchdog must save the draft itself.  It waits 0.3 s, not 3.
STUCK_ON_Q = (
    "-c",
    "import sys, threading\n"
    "import hvtui.tui\n"
    "from hvtui.__main__ import main\n"
    "from hvtui.tui.app import HvtuiApp\n"
    "def stuck(self):\n"
    "    threading.Event().wait()\n"
    "HvtuiApp.action_quit = stuck\n"
    "hvtui.tui.SETTLE_SECONDS = 0.3\n"
    "sys.argv[0] = 'hvtui'\n"
    "main()\n",
)


def test_a_hang_up_with_the_loop_stuck_saves_the_draft_and_ends_hvtui(tmp_path: Path) -> None:
    wizard = Wizard(tmp_path, STUCK_ON_Q)
    wizard.read_until(wizard.started, "the first frame")
    wizard.keys(b"nn")
    wizard.read_until(b"hv-relaxed", "the first option")
    wizard.keys(b" ")
    wizard.read_until(b"(unsaved)", "an unsaved change")
    wizard.keys(b"q")  # the loop is stuck from now on: only the watchdog is left
    time.sleep(0.1)
    wizard.hang_up()
    assert wizard.exit_code_within(ENDS_WITHIN) == 128 + signal.SIGHUP
    (saved,) = (wizard.state / "hvtui" / "recovery").iterdir()
    assert not presets.load(saved).config.is_on("relaxed"), "the draft as it was, unsaved"
