"""The interactive wizard (``hvtui`` with no subcommand).

This is the only package that imports Textual, and it does so lazily: the CLI
imports :func:`run_app` from here, and Textual is only loaded once we know a
terminal is attached, so a script that runs ``hvtui`` without one gets a
one-line error immediately instead of a half-drawn screen.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hvtui.bugs import EXIT_INTERNAL, debug_enabled, internal_error_line
from hvtui.tui import _start_time  # noqa: F401  (records the start time before anything slow)

if TYPE_CHECKING:
    from hvtui.tui.app import HvtuiApp
    from hvtui.tui.early_detection import EarlyDetection

#: Exit code when the wizard cannot start (no terminal, bad --sysroot): the CLI's usage code.
EXIT_USAGE = 2


#: Generation thresholds for the garbage collector while the wizard runs.
GC_THRESHOLDS = (20_000, 50, 20)


def pause_gc_for_startup() -> None:
    """No garbage collection while modules load and the first screen is built.

    Nearly everything allocated then lives as long as the program, so collecting
    it only costs time (tens of milliseconds of the first frame).
    """
    gc.disable()


def resume_gc_after_startup() -> None:
    """After the first frame: freeze what start-up built, then collect less often.

    A step switch allocates tens of thousands of short-lived objects; with
    Python's default thresholds (700, 10, 10) about one switch in five paid for
    a full collection (100-200 ms instead of 50).
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()


#: The one-line refusal when there is no terminal to draw on.
NO_TERMINAL = (
    "hvtui: the interactive wizard needs a terminal; use a subcommand instead (see 'hvtui --help')"
)


def terminal_problem() -> str | None:
    """Why the wizard cannot draw here (one line), or ``None`` when it can.

    Textual reads keys from stdin and draws on stderr (``sys.__stderr__``), so
    all three must be the terminal: with stdout on a terminal but ``2>log``,
    the whole UI would go into the log and the screen would stay blank.  A
    ``TERM=dumb`` terminal cannot show it at all and would get raw escape
    sequences.  Checked before Textual is imported.
    """
    try:
        terminals = (sys.stdin.isatty(), sys.stdout.isatty())
    except (AttributeError, ValueError):
        return NO_TERMINAL
    if not all(terminals):
        return NO_TERMINAL
    drawn_on = sys.__stderr__
    try:
        stderr_ok = drawn_on is not None and drawn_on.isatty()
    except (AttributeError, ValueError):
        stderr_ok = False
    if not stderr_ok:
        return (
            "hvtui: the interactive wizard draws on standard error, which is not the "
            "terminal; run it without redirecting stderr (2>...)"
        )
    if os.environ.get("TERM", "") == "dumb":
        return (
            "hvtui: the interactive wizard cannot draw on a TERM=dumb terminal; set TERM "
            "(e.g. TERM=xterm-256color) or use a subcommand (see 'hvtui --help')"
        )
    return None


def _has_terminal() -> bool:
    return terminal_problem() is None


def run_app(sysroot: Path | None = None, demo: str | None = None) -> int:
    """Open the wizard on this host (or on the snapshot in ``sysroot``); return the exit code.

    ``demo``: the shipped demo host ``sysroot`` is, named in the wizard's title."""
    if not _has_terminal():
        print(terminal_problem() or NO_TERMINAL, file=sys.stderr)
        return EXIT_USAGE
    if sysroot is not None and not sysroot.is_dir():
        print(f"hvtui: --sysroot {sysroot}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    pause_gc_for_startup()
    from hvtui.tui.early_detection import EarlyDetection

    # Forked before the stop handlers' listener thread starts: the child is a copy of a
    # process with one thread (none holds a lock the child could wait on forever).
    detection = EarlyDetection.start(sysroot)
    stops = _Stops()
    stops.install()
    try:
        app = _build_app(sysroot, demo, detection)
        stops.app = app
        app.run()
    except KeyboardInterrupt:  # a signal before the app could take it: nothing to lose yet
        _say(f"hvtui: {signal_word(stops.signum)}")
        return 128 + stops.signum
    except Exception as exc:  # never a traceback: one line, as the CLI does
        if debug_enabled():
            raise
        _say(f"hvtui: {internal_error_line(exc)}")
        return EXIT_INTERNAL
    finally:
        stops.restore()
    if app.exit_note:
        _say(app.exit_note)
    return app.return_code or 0


#: The signals that stop the wizard: SIGINT asks about unsaved changes as ``q`` does;
#: SIGTERM and SIGHUP (the terminal is gone) save them to a recovery file.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def signal_word(signum: int) -> str:
    """How the one line hvtui prints when it stops names the signal."""
    words = {signal.SIGTERM: "terminated", signal.SIGHUP: "the terminal hung up"}
    return words.get(signal.Signals(signum), "interrupted")


def _say(line: str) -> None:
    """One line on standard error, after the terminal is restored (a terminal that hung up
    takes nothing: then the line is lost, never a traceback)."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


#: The signals after which hvtui ends even if Textual's shutdown hangs (see :class:`_Stops`).
FORCING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)

#: Seconds the app has after SIGTERM or SIGHUP to decide to exit (its draft saved) on its
#: loop; after that the watchdog saves the draft itself and ends the process.
SETTLE_SECONDS = 3.0

#: Seconds Textual's shutdown has once the app decided to exit: after a hang-up there is
#: no terminal left to restore, after SIGTERM there may be.
SHUTDOWN_SECONDS = {signal.SIGHUP: 0.5, signal.SIGTERM: 2.0}


class _Stops:
    """The handlers of :data:`STOP_SIGNALS` while the wizard runs.

    Until the app's event loop runs (imports, detection) a signal raises
    :exc:`KeyboardInterrupt`: one line, exit 128+N.  From then on the handler only
    schedules :meth:`HvtuiApp.stop_requested` on the app's queue (the handler itself runs
    between two bytecodes of whatever the loop was doing, where nothing may be
    touched), and the app decides: ask, save a recovery file, or just leave.

    SIGTERM and SIGHUP also start a watchdog, since the loop may never get there:
    after a hang-up Textual's output thread dies writing to the terminal (EIO), and
    the loop then blocks for good putting into that thread's full queue (in a redraw,
    or in the driver's ``close()`` during shutdown).  The watchdog gives the app
    :data:`SETTLE_SECONDS` to decide to exit (its draft saved to a recovery file when
    it has one), saves the draft itself if the app has not, gives Textual's shutdown
    :data:`SHUTDOWN_SECONDS` more, and then ends the process with 128+N.  A second
    SIGTERM or SIGHUP ends it at once (the draft saved first).

    The watchdog is started by a listener thread, not by the handler: Python runs a
    handler on the main thread only, between two bytecodes, and a main thread already
    stuck in a blocking call before the signal came never gets there when the kernel
    hands the signal to another of the process's threads (Textual's input or output
    thread: the kernel picks any thread that does not block it).  The interpreter's own
    C handler, which runs on whichever thread took the signal, writes its number to
    the :func:`signal.set_wakeup_fd` pipe; the listener reads it there.
    """

    def __init__(self) -> None:
        self.app: HvtuiApp | None = None
        self.signum: int = signal.SIGINT
        """The last signal received."""
        self._previous: dict[int, Any] = {}
        self._watchdog: threading.Thread | None = None
        self._hurry = threading.Event()
        """Set by a second SIGTERM or SIGHUP: the watchdog stops waiting."""
        self._finished = threading.Event()
        """Set when :meth:`HvtuiApp.run` has returned: the watchdog ends nothing."""
        self._wakeup: tuple[int, int] | None = None
        """The listener's pipe (read end, write end) while it listens."""
        self._previous_wakeup = -1

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            with contextlib.suppress(ValueError, OSError):  # not the main thread (tests)
                self._previous[signum] = signal.signal(signum, self._handle)
        self._listen()

    def restore(self) -> None:
        self._finished.set()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        if self._wakeup is not None:
            write_end = self._wakeup[1]  # the listener closes the read end
            self._wakeup = None
            with contextlib.suppress(ValueError):
                signal.set_wakeup_fd(self._previous_wakeup)
            with contextlib.suppress(OSError):
                os.write(write_end, b"\0")  # the listener's sign to stop (no signal is 0)
            os.close(write_end)

    def _listen(self) -> None:
        """Start the listener thread on a fresh wakeup pipe (when this is the main thread)."""
        read_end, write_end = os.pipe2(os.O_CLOEXEC)
        os.set_blocking(write_end, False)  # set_wakeup_fd requires it: a handler never waits
        try:
            self._previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except ValueError:  # not the main thread (tests): the handler starts the watchdog
            os.close(read_end)
            os.close(write_end)
            return
        self._wakeup = (read_end, write_end)
        threading.Thread(
            target=self._hear, args=(read_end,), name="hvtui-signals", daemon=True
        ).start()

    def _hear(self, read_end: int) -> None:
        """The listener: start (or hurry) the watchdog on each SIGTERM and SIGHUP."""
        try:
            while data := os.read(read_end, 64):
                for signum in data:
                    if signum == 0:
                        return
                    app = self.app
                    if signum in FORCING_SIGNALS and app is not None and app.event_loop:
                        self._watch(app, signum)
        except OSError:
            return
        finally:
            os.close(read_end)

    def _handle(self, signum: int, frame: object) -> None:
        self.signum = signum
        app = self.app
        loop = app.event_loop if app is not None else None
        if app is None or loop is None:
            raise KeyboardInterrupt
        if signum in FORCING_SIGNALS and self._wakeup is None:
            self._watch(app, signum)  # no listener: the handler is all there is
        with contextlib.suppress(RuntimeError):  # a closed loop: the app has finished
            # On the loop, the app takes it as a message of its own (its context and queue).
            loop.call_soon_threadsafe(app.call_later, app.stop_requested, signum)

    def _watch(self, app: HvtuiApp, signum: int) -> None:
        """Start the watchdog; when it runs already, tell it to end the process now."""
        if self._watchdog is not None:
            self._hurry.set()
            return
        self._watchdog = threading.Thread(
            target=self._end_anyway, args=(app, signum), name="hvtui-stop-watchdog", daemon=True
        )
        self._watchdog.start()

    def _end_anyway(self, app: HvtuiApp, signum: int) -> None:
        """The watchdog (a thread of its own: the main thread may be stuck for good)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while app.return_code is None and time.monotonic() < deadline:
            if self._hurry.wait(0.02):
                break
        # The loop may be handling the stop right now: wait for it (a little), never write
        # a second recovery file.  The lock stays held: the loop starts no other.
        locked = app.stop_lock.acquire(timeout=1.0)
        if app.return_code is None and locked:
            app.exit_note = _save_draft(app, signum)
        else:
            self._hurry.wait(SHUTDOWN_SECONDS.get(signal.Signals(signum), 2.0))
        if self._finished.is_set():
            return  # Textual's shutdown finished after all: run_app ends as usual
        note = app.exit_note or f"hvtui: {signal_word(signum)}"
        # The one line, unless the terminal does not take it at once (a full buffer nobody
        # reads, as Textual's output thread may have left it): then it is lost, never waited for.
        saying = threading.Thread(target=_say_raw, args=(note,), daemon=True)
        saying.start()
        saying.join(0.2)
        os._exit(128 + signum)


def _say_raw(line: str) -> None:
    """:func:`_say` on file descriptor 2 itself (``sys.stderr`` is Textual's while it runs)."""
    with contextlib.suppress(OSError):
        os.write(2, (line + "\n").encode(errors="replace"))


def _save_draft(app: HvtuiApp, signum: int) -> str:
    """What :func:`hvtui.tui.screens.quitting.recover` does on the loop, done by the watchdog
    while the loop is stuck: the unsaved draft to a recovery file; the one line that says
    where (or that there was nothing to save)."""
    why = signal_word(signum)
    try:
        wizard = app.wizard
        dirty = wizard.dirty
    except Exception:  # no wizard yet (before the first frame), or gone: no draft
        return f"hvtui: {why}"
    if not dirty:
        return f"hvtui: {why}"
    from hvtui.tui.recovery import save_draft

    return save_draft(wizard.preset, why)


def _build_app(
    sysroot: Path | None, demo: str | None = None, detection: EarlyDetection | None = None
) -> HvtuiApp:
    """Detect while Textual is imported, then build the app.

    Detection runs beside the import (:mod:`hvtui.tui.early_detection`: in a child
    process on another core, else a thread), so the first frame shows the host at no
    extra wait.  A detection bug that ``HVTUI_DEBUG`` lets through is raised here, and
    an interrupted import ends the detection before it returns.  ``detection``: started
    already (by :func:`run_app`), else started here.
    """
    if detection is None:
        from hvtui.tui.early_detection import EarlyDetection

        detection = EarlyDetection.start(sysroot)
    try:
        from hvtui.tui.app import HvtuiApp

        host = detection.host()
    except BaseException:
        detection.abandon()
        raise
    return HvtuiApp(sysroot=sysroot, host=host, tuned_gc=True, demo=demo)


__all__ = ["STOP_SIGNALS", "run_app", "signal_word"]
