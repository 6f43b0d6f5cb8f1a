"""The Textual application: detection before the first frame, then the wizard screen.

The fast part of detection (reading ``/proc`` and ``/sys``, well under a
millisecond) runs in :meth:`HvtuiApp.__init__`, so the first frame already
shows the host; the slow probes run in a worker on the screen.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import ModalScreen, Screen

from hvtui.presets import Preset
from hvtui.textsafe import one_line
from hvtui.tui import _start_time, resume_gc_after_startup, services
from hvtui.tui.commands import HvtuiCommands
from hvtui.tui.screens.wizard import WizardScreen
from hvtui.tui.state import DEFAULT_NAME, recommended_description


class HvtuiApp(App[int]):
    """``hvtui`` with no subcommand."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "hvtui"
    SUB_TITLE = "Hyper-V enlightenments"
    COMMANDS = App.COMMANDS | {HvtuiCommands}

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
    ) -> None:
        """``probe=False`` skips the slow probes (tests and screenshots stay deterministic);
        ``tuned_gc``: the garbage collector was paused for start-up by
        :func:`hvtui.tui.pause_gc_for_startup` and is resumed after the first frame;
        ``demo``: the name of the shipped demo host ``sysroot`` is (the title says so);
        ``interactive=False``: nobody can be asked (a stop signal then saves a recovery file
        at once, as when the terminal is gone)."""
        super().__init__()
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
        self.internal_error: str | None = None
        """The one line shown instead of a traceback, once something went wrong."""
        self.first_frame_ms: float | None = None
        """Milliseconds from importing :mod:`hvtui.tui` to the first frame."""
        self.interactive = interactive
        """Someone can be asked (see :meth:`can_ask`)."""
        self.event_loop: asyncio.AbstractEventLoop | None = None
        """The loop the app runs on, once it runs (signal handlers schedule onto it)."""
        self.exit_note: str | None = None
        """One line for standard error once the terminal is restored: why hvtui stopped and
        where an unsaved draft went (:func:`hvtui.tui.run_app` prints it)."""

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
        )

    @property
    def wizard(self) -> WizardScreen:
        """The wizard screen (the bottom of the screen stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, WizardScreen)
        return screen

    def on_ready(self) -> None:
        """Log the startup time; the benchmark reads it from ``HVTUI_STARTUP_LOG``."""
        self.first_frame_ms = _start_time.elapsed_ms()
        if self.tuned_gc:
            resume_gc_after_startup()
        self.log.info(f"first frame {self.first_frame_ms:.0f} ms after import")
        target = os.environ.get("HVTUI_STARTUP_LOG")
        if target:
            try:
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"{self.first_frame_ms:.1f}\n")
            except OSError:
                pass

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

    def _fatal_error(self) -> None:
        """One line instead of a traceback, unless ``HVTUI_DEBUG`` is set.

        The exception is still kept (tests see it); users get what the CLI
        prints for internal errors, and exit status 70.
        """
        if os.environ.get("HVTUI_DEBUG"):
            super()._fatal_error()
            return
        if self.internal_error is None:
            error = self._exception
            summary = f"{type(error).__name__}: {error}" if error is not None else "unknown"
            self.internal_error = (
                f"hvtui: internal error: {summary} "
                "(set HVTUI_DEBUG=1 for details and please report it)"
            )
            self.bell()
        self._return_code = 70
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        """Print the one-line internal error once the terminal is restored."""
        if self.internal_error is not None:
            self.error_console.print(self.internal_error, soft_wrap=True)
            self._exit_renderables.clear()
            return
        super()._print_error_renderables()


__all__ = ["HvtuiApp"]
