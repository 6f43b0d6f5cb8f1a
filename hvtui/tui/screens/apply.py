"""Review's "Apply to DOMAIN": the diff ``hvtui apply DOMAIN`` prints, the question asked
before the new definition is defined, and the flow that plans, asks and defines (issue #14).

libvirt answers over a socket (and may time out), so planning and defining run in
threads; :func:`apply_draft` runs in the wizard's worker and awaits the question.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from hvtui.presets import Preset
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.screens.dialogs import Answer, AnswerButton, ChoiceDialog

if TYPE_CHECKING:
    from textual.screen import Screen

    from hvtui.libvirt import ApplyPlan

_LINE_STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "$text-accent"))


def diff_content(diff: str) -> Content:
    """A unified diff, coloured: additions green, removals red (the text is escaped)."""
    parts: list[tuple[str, str] | str] = []
    for line in diff.rstrip("\n").splitlines():
        style = next((s for prefix, s in _LINE_STYLES if line.startswith(prefix)), "")
        if not style and line.startswith("+"):
            style = "$text-success"
        elif not style and line.startswith("-"):
            style = "$text-error"
        parts.append((line + "\n", style) if style else line + "\n")
    return Content.assemble(*parts)


class ApplyDialog(ChoiceDialog):
    """The definition's diff; dismisses with ``apply`` or ``cancel`` (``None`` on escape)."""

    DIALOG_CLASSES: ClassVar[str] = "dialog apply-dialog"

    def __init__(self, plan: ApplyPlan) -> None:
        name = one_line(plan.domain)
        running = (
            " The domain is running: the change takes effect at its next boot."
            if plan.running
            else ""
        )
        message = Content(
            f"{plan.uri}: define {name} with the draft's Hyper-V settings (only they change). "
            f"The old definition is backed up first.{running}"
        )
        super().__init__(
            f"Apply to {name}?",
            message,
            [
                AnswerButton(Answer.APPLY, "Apply", "a", "warning"),
                AnswerButton(Answer.CANCEL, "Cancel", "c"),
            ],
        )
        self.plan = plan

    def compose_body(self) -> ComposeResult:
        """The message, then the diff (scrolled: the buttons stay on screen)."""
        yield from super().compose_body()
        with VerticalScroll(id="apply-body"):
            yield Static(diff_content(self.plan.diff), id="apply-diff")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#choice-cancel", Button).focus()  # enter never defines by accident


async def apply_draft(
    wizard: Screen[None], uri: str, name: str, preset: Preset, intent: str
) -> None:
    """Plan (a thread), show the diff and ask, then execute (a thread): what ``hvtui apply
    DOMAIN`` and then ``--yes`` do.  Every outcome is a toast."""
    shown = one_line(name)
    try:
        plan = await asyncio.to_thread(services.plan_domain_apply, uri, name, preset)
    except services.LibvirtProblemError as exc:
        wizard.notify(str(exc), title=f"Cannot apply to {shown}", severity="error", markup=False)
        return
    if plan.blocked:
        wizard.notify(
            f"Not applied: the draft has errors (see Review); {shown} was not changed.",
            title=f"Apply to {shown}",
            severity="error",
            markup=False,
        )
        return
    if not plan.changed:
        wizard.notify(
            f"No change: {shown}'s definition already has the draft.",
            title=f"Apply to {shown}",
            markup=False,
        )
        return
    if await wizard.app.push_screen_wait(ApplyDialog(plan)) != Answer.APPLY:
        wizard.notify(f"Nothing applied: {shown} was not changed.", timeout=4, markup=False)
        return
    try:
        result = await asyncio.to_thread(services.execute_domain_apply, plan, intent)
    except services.LibvirtProblemError as exc:
        wizard.notify(str(exc), title=f"Cannot apply to {shown}", severity="error", markup=False)
        return
    backup = f" The old definition is in {one_line(str(result.backup))}." if result.backup else ""
    running = " It takes effect at the next boot." if plan.running else ""
    if result.verified:
        wizard.notify(
            f"Applied to {shown}: libvirt now gives QEMU exactly the draft's hv-* "
            f"options.{running}{backup}",
            title=f"Applied to {shown}",
            timeout=10,
            markup=False,
        )
    else:
        wizard.notify(
            f"Defined {shown}, but libvirt does not give QEMU exactly the draft's hv-* "
            f"options (hvtui apply {shown} says more).{backup}",
            title=f"Applied to {shown}: not verified",
            severity="warning",
            timeout=12,
            markup=False,
        )


__all__ = ["ApplyDialog", "apply_draft", "diff_content"]
