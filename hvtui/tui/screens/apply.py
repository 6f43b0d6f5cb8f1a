"""Review's "Apply to DOMAIN": the diff ``hvtui apply DOMAIN`` prints, and the question
asked before the new definition is defined (issue #14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from hvtui.textsafe import one_line
from hvtui.tui.screens.dialogs import Choice, ChoiceDialog

if TYPE_CHECKING:
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
            [Choice("apply", "Apply", "a", "warning"), Choice("cancel", "Cancel", "c")],
        )
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog apply-dialog"):
            yield Static(Content.styled(self._title, "bold"), classes="dialog-title")
            yield Static(self._message, classes="dialog-message")
            with VerticalScroll(id="apply-body"):
                yield Static(diff_content(self.plan.diff), id="apply-diff")
            with Horizontal(classes="dialog-buttons"):
                for choice in self._choices:
                    yield Button(
                        f"{choice.label} ({choice.key})",
                        id=f"choice-{choice.id}",
                        variant=choice.variant,  # type: ignore[arg-type]
                        compact=True,
                    )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#choice-cancel", Button).focus()  # enter never defines by accident


__all__ = ["ApplyDialog", "diff_content"]
