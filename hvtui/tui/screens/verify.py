"""Review's "Verify on this host": boot the draft's CPU configuration and show what the
guest saw (issue #16).

:func:`hvtui.verify.run_verify` blocks for a few seconds, so it runs in a thread
worker; its progress words arrive as :class:`VerifyDialog.Progress` messages and the
answer as :class:`VerifyDialog.Finished`.  ``escape`` cancels a run (QEMU is killed)
and closes the dialog once it is over.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from hvtui.textsafe import one_line
from hvtui.tui.later_css import DIALOGS

if TYPE_CHECKING:
    from hvtui.presets import Preset
    from hvtui.verify import VerifyResult, VmSpec


class VerifyDialog(ModalScreen[None]):
    """Runs one verification and shows its result (signature, missing, unexpected)."""

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel / close", id="verify-close"),
    ]

    class Progress(Message):
        """A stage of the run (a few words from :func:`run_verify`)."""

        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Finished(Message):
        """The run is over: a result, or why there is none (one line)."""

        def __init__(self, result: VerifyResult | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, spec: VmSpec) -> None:
        super().__init__(classes="dialog-screen")
        self.spec = spec
        self.cancel = threading.Event()
        self.running = True
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog verify-dialog"):
            yield Static(
                Content.styled("Verify on this host", "bold"),
                id="verify-title",
                classes="dialog-title",
            )
            with VerticalScroll(id="verify-body"):
                yield Static(
                    Content.styled(
                        "Booting a throw-away 16 MiB VM with this CPU configuration "
                        "(escape cancels)…",
                        "$text-muted",
                    ),
                    id="verify-progress",
                )
                yield Static(id="verify-result")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (escape)", id="verify-button", compact=True)

    def on_mount(self) -> None:
        self.query_one("#verify-button", Button).focus()
        self._run()

    @work(thread=True, exclusive=True, exit_on_error=False, description="Verifying")
    def _run(self) -> None:
        from hvtui.verify import SpecError, VerifyUnavailableError, run_verify

        def progress(line: str) -> None:
            self.post_message(VerifyDialog.Progress(line))

        try:
            result = run_verify(self.spec, progress=progress, cancel=self.cancel)
        except (VerifyUnavailableError, SpecError) as exc:
            self.post_message(VerifyDialog.Finished(None, one_line(str(exc))))
        except Exception as exc:  # the dialog must end, whatever happened
            self.post_message(VerifyDialog.Finished(None, one_line(f"{type(exc).__name__}: {exc}")))
        else:
            self.post_message(VerifyDialog.Finished(result, None))

    @on(Progress)
    def _when_progress(self, message: Progress) -> None:
        self.lines.append(one_line(message.line))
        self.query_one("#verify-progress", Static).update(
            Content.styled("\n".join(f"… {line}" for line in self.lines), "$text-muted")
        )

    @on(Finished)
    def _when_finished(self, message: Finished) -> None:
        from hvtui.verify.render import render

        self.running = False
        if self.cancel.is_set():
            self.dismiss(None)
            return
        title = self.query_one("#verify-title", Static)
        shown = self.query_one("#verify-result", Static)
        if message.result is None:
            title.update(Content.styled("Cannot verify on this host", "bold $text-error"))
            shown.update(Content(message.error or "unknown error"))
        else:
            ok = message.result.ok
            title.update(
                Content.styled(
                    "Verified: the guest sees what was asked"
                    if ok
                    else "Verified: the guest sees something else",
                    "bold $text-success" if ok else "bold $text-warning",
                )
            )
            shown.update(Content(render(message.result)))
        self.query_one("#verify-button", Button).label = "Close (escape)"

    @on(Button.Pressed, "#verify-button")
    def _when_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        """Escape: cancel a run under way (QEMU is killed), or close."""
        if self.running:
            self.cancel.set()
            self.query_one("#verify-progress", Static).update(
                Content.styled("Cancelling…", "$text-warning")
            )
            return
        self.dismiss(None)


def verify_draft(wizard: Screen[None], preset: Preset, *, elsewhere: str | None) -> None:
    """Verify on this host: boot ``preset``'s CPU configuration in a throw-away VM.  Live
    host only: when the wizard shows ``elsewhere`` (a demo host, a saved snapshot), the
    draft describes another machine and this says so instead."""
    from hvtui.verify import SpecError, from_preset

    if elsewhere is not None:
        wizard.app.notify(
            f"Verify on this host is not available: the wizard shows {one_line(elsewhere)}, "
            "and verifying boots QEMU on this machine's KVM. Run hvtui without "
            "--sysroot/--demo on the host itself.",
            title="Not available here",
            severity="warning",
            markup=False,
        )
        return
    try:
        spec = from_preset(preset)
    except SpecError as exc:
        wizard.app.notify(one_line(str(exc)), title="Cannot verify", severity="error", markup=False)
        return
    wizard.app.push_screen(VerifyDialog(spec))


__all__ = ["VerifyDialog", "verify_draft"]
