"""The Textual application: detection before the first frame, then the wizard screen.

The fast part of detection (reading ``/proc`` and ``/sys``, well under a
millisecond) runs in :meth:`HvtuiApp.__init__`, so the first frame already
shows the host; the slow probes run in a worker on the screen.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App, SystemCommand
from textual.command import Provider
from textual.screen import ModalScreen, Screen

from hvtui.bugs import EXIT_INTERNAL, debug_enabled, internal_error_line
from hvtui.presets import Preset
from hvtui.textsafe import one_line
from hvtui.tui import _start_time, resume_gc_after_startup, services
from hvtui.tui.later_css import AFTER_FIRST_FRAME, read_css
from hvtui.tui.screens.wizard import WizardScreen
from hvtui.tui.state import DEFAULT_NAME, recommended_description

#: The return code Textual gives an app that an exception ended (see :attr:`App.return_code`).
TEXTUAL_FATAL_ERROR = 1


class OneLineErrors(Console):
    """Textual's error console, made to say a bug in one line, as the CLI does.

    Textual catches whatever a handler, worker or ``compose`` raises, ends the app with
    return code 1 and, once the terminal is restored, prints the traceback on
    :attr:`App.error_console`.  In its place this console prints
    :func:`hvtui.bugs.internal_error_line` for the exception the traceback ends with,
    once (Textual's "1 of N errors shown" adds nothing).  What the app prints on an
    ordinary exit (:meth:`App.exit`'s ``message``) passes through unchanged.
    """

    def __init__(self, app: HvtuiApp) -> None:
        super().__init__(markup=False, highlight=False, stderr=True)
        self.app = app
        self.said: str | None = None
        """``hvtui: internal error: ...``, once printed."""

    def print(self, *objects: Any, **options: Any) -> None:
        if self.app.return_code != EXIT_INTERNAL:
            super().print(*objects, **options)
            return
        if self.said is not None:
            return
        written = io.StringIO()
        plain = Console(file=written, color_system=None, markup=False, highlight=False)
        plain.print(*objects, **options)
        self.said = f"hvtui: {internal_error_line(exception_summary(written.getvalue()))}"
        super().print(self.said, soft_wrap=True)


#: The lower left corner of the panels Rich draws a traceback in (rounded, square).
_PANEL_BOTTOM = ("╰", "└")


def exception_summary(traceback: str) -> str:
    """``RuntimeError: simulated bug``: the last lines of a traceback as Rich prints it (the
    exception raised, below the panel of its frames), made one line again where the
    terminal's width wrapped them."""
    lines = traceback.splitlines()
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].lstrip().startswith(_PANEL_BOTTOM):
            lines = lines[index + 1 :]
            break
    return one_line(" ".join(line.strip() for line in lines if line.strip())) or "unknown"


def _palette_commands() -> type[Provider]:
    """The wizard's own palette commands (:mod:`hvtui.tui.commands`), imported when the
    palette first opens rather than on the way to the first frame."""
    from hvtui.tui.commands import HvtuiCommands

    return HvtuiCommands


class HvtuiApp(App[int]):
    """``hvtui`` with no subcommand."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "hvtui"
    SUB_TITLE = "Hyper-V enlightenments"
    COMMANDS = App.COMMANDS | {_palette_commands}

    def __init__(
        self,
        sysroot: Path | None = None,
        *,
        host: services.Host | None = None,
        preset: Preset | None = None,
        probe: bool = True,
        intent: str = services.DEFAULT_INTENT,
        tuned_gc: bool = False,
        demo: str | None = None,
        interactive: bool = True,
        prepare_panes: bool = True,
    ) -> None:
        """``probe=False`` skips the slow probes (tests and screenshots stay deterministic);
        ``tuned_gc``: the garbage collector was paused for start-up by
        :func:`hvtui.tui.pause_gc_for_startup` and is resumed after the first frame;
        ``demo``: the name of the shipped demo host ``sysroot`` is (the title says so);
        ``interactive=False``: nobody can be asked (a stop signal then saves a recovery file
        at once, as when the terminal is gone); ``prepare_panes=False``: the step panes are
        built on their first visit, not prepared hidden after the first frame (the same
        screens; the tests save the CPU that preparing costs, see
        :attr:`WizardScreen.prepare_panes`)."""
        super().__init__()
        self.prepare_panes = prepare_panes
        self.tuned_gc = tuned_gc
        self.sysroot = sysroot
        self.probe = probe
        self.intent = intent
        self.demo = demo
        """The shipped demo host shown (``None``: this machine or another snapshot)."""
        self.host = host if host is not None else services.detect_host(sysroot)
        if preset is None:
            rec = services.recommend(self.host, intent=intent)
            preset = Preset(DEFAULT_NAME, rec.config, recommended_description(intent))
        self.initial_preset = preset
        if not debug_enabled():
            self.error_console = OneLineErrors(self)
        self.first_frame_ms: float | None = None
        """Milliseconds from importing :mod:`hvtui.tui` to the first frame."""
        self.interactive = interactive
        """Someone can be asked (see :meth:`can_ask`)."""
        self.event_loop: asyncio.AbstractEventLoop | None = None
        """The loop the app runs on, once it runs (signal handlers schedule onto it)."""
        self.exit_note: str | None = None
        """One line for standard error once the terminal is restored: why hvtui stopped and
        where an unsaved draft went (:func:`hvtui.tui.run_app` prints it)."""
        self.stop_lock = threading.Lock()
        """Held while a stop signal is handled on the loop, and by the watchdog of
        :func:`hvtui.tui.run_app` when it saves the draft itself (the loop is stuck): the
        draft goes to one recovery file, never two."""

    def on_load(self) -> None:
        """The loop runs: from now on a stop signal is handled here, not by raising."""
        self.event_loop = asyncio.get_running_loop()

    def get_default_screen(self) -> Screen[None]:
        return WizardScreen(
            self.host,
            self.initial_preset,
            sysroot=self.sysroot,
            probe=self.probe,
            intent=self.intent,
            demo=self.demo,
            prepare_panes=self.prepare_panes,
        )

    @property
    def wizard(self) -> WizardScreen:
        """The wizard screen (the bottom of the screen stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, WizardScreen)
        return screen

    def on_ready(self) -> None:
        """Log the startup time; the benchmark reads it from ``HVTUI_STARTUP_LOG``: the
        milliseconds since :mod:`hvtui.tui` was imported, and the CPU milliseconds used
        until now (interpreter start included; what a busy machine inflates least): the
        process's own and its ended children's (the detection done beside the import of
        Textual, :mod:`hvtui.tui.early_detection`, is work for this frame too)."""
        self.first_frame_ms = _start_time.elapsed_ms()
        times = os.times()
        cpu_ms = (time.process_time() + times.children_user + times.children_system) * 1000
        if self.tuned_gc:
            resume_gc_after_startup()
        self.call_after_refresh(self.read_later_css)
        self.log.info(f"first frame {self.first_frame_ms:.0f} ms after import")
        target = os.environ.get("HVTUI_STARTUP_LOG")
        if target:
            try:
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"{self.first_frame_ms:.1f} {cpu_ms:.1f}\n")
            except OSError:
                pass

    def read_later_css(self) -> None:
        """Read the dialogs' and the snippet screen's stylesheets, once the first frame is
        drawn: pushing one of those screens then finds its ``CSS_PATH`` read, and Textual
        neither parses every rule again nor restyles every widget (with the step panes
        prepared, ~300 ms CPU at the first dialog; see :mod:`hvtui.tui.later_css`)."""
        for path in AFTER_FIRST_FRAME:
            read_css(self, path)

    @property
    def return_code(self) -> int | None:
        """Textual's code, except that a bug (Textual's 1, "a fatal error") is 70 as in the
        CLI, unless ``HVTUI_DEBUG`` asked for Textual's traceback."""
        code = super().return_code
        if code == TEXTUAL_FATAL_ERROR and isinstance(self.error_console, OneLineErrors):
            return EXIT_INTERNAL
        return code

    @property
    def internal_error(self) -> str | None:
        """The one line printed instead of a traceback, once a bug ended the app."""
        console = self.error_console
        return console.said if isinstance(console, OneLineErrors) else None

    def leave(self, code: int = 0, note: str | None = None) -> None:
        """Exit with ``code``; ``note`` is printed on standard error after the terminal is
        restored."""
        if note is not None:
            self.exit_note = note
        self.exit(return_code=code)

    def can_ask(self) -> bool:
        """A question can be put to someone: the app is interactive and its terminal is
        still there (after a hang-up it no longer is one)."""
        if not self.interactive:
            return False
        if self.is_headless:
            return True  # Pilot: the test answers
        try:
            return all(os.isatty(fd) for fd in (0, 2))
        except OSError:
            return False

    def stop_requested(self, signum: int = signal.SIGINT) -> None:
        """A stop signal arrived (scheduled here by :func:`hvtui.tui.run_app`'s handler).

        SIGINT is ``q``: unsaved changes are asked about with the same question.
        When nobody can be asked (the question is already open, the terminal is
        gone, SIGTERM or SIGHUP), the draft goes to a recovery file and one line
        says where.  Before the first frame there is nothing to lose.  The exit
        code is 128+N (130 for SIGINT).
        """
        with self.stop_lock:
            self._stop_requested(signum)

    def _stop_requested(self, signum: int) -> None:
        from hvtui.tui import signal_word

        code = 128 + signum
        why = signal_word(signum)
        stack = self.screen_stack
        if self.first_frame_ms is None or not stack or not isinstance(stack[0], WizardScreen):
            self.leave(code, f"hvtui: {why}")
            return
        ask = signum == signal.SIGINT and self.can_ask()
        self.wizard.stop_requested(code, why, ask=ask)

    async def action_quit(self) -> None:
        """``q``, ``ctrl+q`` and the palette's Quit: ask first when there are unsaved changes."""
        if isinstance(self.screen, ModalScreen):
            return
        self.wizard.request_quit()

    def action_help(self) -> None:
        """The keys and the flow."""
        from hvtui.tui.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands (theme, keys, quit...) plus save and export (and save merged,
        when the draft was started from a domain XML)."""
        yield from super().get_system_commands(screen)
        wizard = self.wizard
        yield SystemCommand(
            "Save preset", "Save the draft as a preset (ctrl+s)", wizard.action_save
        )
        yield SystemCommand(
            "Export snippet",
            "Write or copy a QEMU, libvirt or virt-install snippet (ctrl+e)",
            wizard.action_export,
        )
        yield SystemCommand(
            "Show snippet full width",
            "The snippet alone across the terminal, to select or copy (ctrl+t)",
            wizard.action_snippet,
        )
        yield SystemCommand(
            "Verify on this host",
            "Boot the draft's CPU configuration on this host's KVM and show what the guest "
            "sees (ctrl+k)",
            wizard.action_verify,
        )
        target = wizard.apply_target
        if target is not None:
            yield SystemCommand(
                f"Apply to {one_line(target[1])}…",
                f"Define the draft into the libvirt domain it started from ({target[0]}); "
                "shows the diff and asks first (ctrl+l)",
                wizard.action_apply_domain,
            )
        if wizard.can_merge:
            yield SystemCommand(
                "Save merged domain XML",
                "The domain XML the draft started from, with the draft merged in (ctrl+d)",
                wizard.action_save_merged,
            )


__all__ = ["HvtuiApp"]
