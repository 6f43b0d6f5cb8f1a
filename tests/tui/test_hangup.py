"""The wizard ends when its terminal hangs up, even while it is quitting.

After a hang-up Textual's output thread dies writing to the terminal (EIO) and the
loop blocks for good on that thread's full queue, so before hvtui's watchdog (see
:class:`hvtui.tui._Stops`) the process stayed alive, SIGTERM or not.  Closing the
master side of a real pty hangs up the terminal as closing a terminal window does;
whether Textual then hangs depends on timing (about half the runs without the watchdog),
so the watchdog's own paths are pinned with a loop stuck on purpose, which hangs every time.
"""

from __future__ import annotations

import contextlib
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

import pytest
from clirun import REPO

from hvtui import presets

from .support import DEMO

#: Seconds the process has to end after the hang-up: the watchdog's 0.5 s once the app
#: has decided to exit, with room for a busy CI machine (without the watchdog it never
#: ends; the second-SIGTERM test's watchdog would wait 30 s).
ENDS_WITHIN = 5.0
TIMEOUT = 20.0


class Wizard:
    """hvtui in a pty of its own (it is the session leader: the pty is its terminal)."""

    def __init__(self, tmp_path: Path, python: tuple[str, ...] = ("-m", "hvtui")) -> None:
        self.started = tmp_path / "started"
        self.stuck = tmp_path / "started.stuck"
        """Written by :data:`STUCK_ON_Q` when its loop gets stuck."""
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

    def drain(self, seconds: float) -> None:
        """Read what hvtui draws for up to ``seconds`` (a terminal reads: a full pty would
        block hvtui's writes)."""
        if self.fd >= 0 and select.select([self.fd], [], [], seconds)[0]:
            with contextlib.suppress(OSError):
                self.output += os.read(self.fd, 65536)
        elif self.fd < 0:
            time.sleep(seconds)

    def keys(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def hang_up(self) -> None:
        """Close the terminal (its master side)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def running(self) -> bool:
        return os.waitpid(self.pid, os.WNOHANG)[0] == 0

    def exit_code_within(self, seconds: float) -> int | None:
        """The exit code, or ``None`` when hvtui still runs after ``seconds`` (then killed)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.hang_up()
                return os.waitstatus_to_exitcode(status)
            self.drain(0.02)
        self.kill()
        return None

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.hang_up()


def test_a_hang_up_while_quitting_ends_hvtui(tmp_path: Path) -> None:
    wizard = Wizard(tmp_path)
    wizard.read_until(wizard.started, "the first frame")
    wizard.keys(b"q")
    wizard.hang_up()
    assert wizard.exit_code_within(ENDS_WITHIN) == 128 + signal.SIGHUP
    assert not wizard.state.exists(), "nothing was unsaved: nothing written"


#: hvtui whose loop gets stuck for good on ``ctrl+q`` (the app's quit action), as Textual's
#: does on a dead output thread (but every time): the watchdog must save the draft itself.
#: The first argument replaces :data:`hvtui.tui.SETTLE_SECONDS` (3 s).
STUCK_ON_Q = (
    "-c",
    "import os, sys, threading\n"
    "import hvtui.tui\n"
    "from hvtui.__main__ import main\n"
    "from hvtui.tui.app import HvtuiApp\n"
    "def stuck(self):\n"
    "    open(os.environ['HVTUI_STARTUP_LOG'] + '.stuck', 'w').close()\n"
    "    threading.Event().wait()\n"
    "HvtuiApp.action_quit = stuck\n"
    "hvtui.tui.SETTLE_SECONDS = float(sys.argv.pop(1))\n"
    "sys.argv[0] = 'hvtui'\n"
    "main()\n",
)

#: As :data:`STUCK_ON_Q`, but the stuck main thread also blocks SIGTERM and SIGHUP, so the
#: kernel must hand them to another thread (as it may when it picks any thread): Python
#: never runs its handler then, and only the listener on the wakeup pipe hears them.
STUCK_DEAF_ON_Q = (
    STUCK_ON_Q[0],
    STUCK_ON_Q[1].replace(
        "    threading.Event().wait()\n",
        "    import signal\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})\n"
        "    threading.Event().wait()\n",
    ),
)
assert STUCK_DEAF_ON_Q[1] != STUCK_ON_Q[1]

CTRL_Q = b"\x11"


@pytest.mark.parametrize(
    "stuck",
    [
        pytest.param(STUCK_ON_Q, id="the-main-thread-takes-it"),
        # The main thread is stuck and deaf before the signal comes: only the listener
        # thread hears it, on the wakeup pipe.
        pytest.param(STUCK_DEAF_ON_Q, id="another-thread-takes-it"),
    ],
)
def test_sigterm_with_the_loop_stuck_saves_the_draft_and_ends_hvtui(
    tmp_path: Path, stuck: tuple[str, str]
) -> None:
    wizard = Wizard(tmp_path, (*stuck, "0.3"))
    wizard.read_until(wizard.started, "the first frame")
    wizard.keys(b"nn")
    wizard.read_until(b"hv-relaxed", "the first option")
    wizard.keys(b" ")
    wizard.read_until(b"(unsaved)", "an unsaved change")
    wizard.keys(CTRL_Q)
    wizard.read_until(wizard.stuck, "the loop stuck")  # from now on only the watchdog is left
    os.kill(wizard.pid, signal.SIGTERM)
    assert wizard.exit_code_within(ENDS_WITHIN) == 128 + signal.SIGTERM
    (saved,) = (wizard.state / "hvtui" / "recovery").iterdir()
    assert not presets.load(saved).config.is_on("relaxed"), "the draft as it was, unsaved"


def test_a_second_sigterm_ends_hvtui_at_once(tmp_path: Path) -> None:
    """The watchdog would wait 30 s for the stuck loop: a second SIGTERM does not."""
    wizard = Wizard(tmp_path, (*STUCK_ON_Q, "30"))
    wizard.read_until(wizard.started, "the first frame")
    wizard.keys(CTRL_Q)
    wizard.read_until(wizard.stuck, "the loop stuck")
    os.kill(wizard.pid, signal.SIGTERM)
    wizard.drain(0.1)
    assert wizard.running(), "one SIGTERM: the watchdog waits for the loop"
    os.kill(wizard.pid, signal.SIGTERM)
    assert wizard.exit_code_within(ENDS_WITHIN) == 128 + signal.SIGTERM
