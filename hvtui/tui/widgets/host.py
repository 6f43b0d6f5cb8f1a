"""The Host step: what detection found, each fact with one line on why it matters.

All facts are drawn into a single :class:`Static` (one widget, cheap to
mount and to redraw when the slow probes fill in later).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from hvtui.tui import services
from hvtui.tui.services import Host
from hvtui.tui.view import WizardView

if TYPE_CHECKING:
    from hvtui.advice import FactStatus, HostFact


@functools.cache
def _marks() -> dict[FactStatus, tuple[str, str]]:
    """Each status's glyph and style (advice loads with the first facts, not with this
    module)."""
    from hvtui.advice import FactStatus

    return {
        FactStatus.GOOD: ("✓", "$text-success"),
        FactStatus.BAD: ("✗", "$text-error"),
        FactStatus.NEUTRAL: ("•", "$text-accent"),
        FactStatus.UNKNOWN: ("?", "$text-warning"),
    }


def facts_content(facts: list[HostFact]) -> Content:
    """Every fact on two lines: ``✓ Label: value``, then why it matters, indented."""
    parts: list[str | tuple[str, str]] = []
    for fact in facts:
        glyph, style = _marks()[fact.status]
        parts.append((glyph + " ", style))
        parts.append((f"{fact.label}: ", "bold"))
        if fact.value is None:
            parts.append(("unknown", "$text-warning"))
        else:
            parts.append(fact.value)
        parts.append(("\n  " + fact.why + "\n", "$text-muted"))
    return Content.assemble(*parts)


def heading(host: Host, probing: bool) -> Content:
    """Where the facts come from and whether the slow probes are still running."""
    if host.source.startswith("demo:"):
        origin = f"Facts of the demo host {host.label.removeprefix('demo ')} (a saved snapshot)"
    elif host.source.startswith("sysroot:"):
        origin = f"Facts of a saved snapshot: {host.label.removeprefix('snapshot ')}"
    elif host.source == "live":
        origin = "Facts of this machine"
    else:
        origin = "No host facts"
    probe = "  (more facts arriving…)" if probing else ""
    return Content.assemble((origin, "bold"), (probe, "$text-muted"))


class HostPane(VerticalScroll):
    """What this host offers and why each fact matters for the choice.

    Blank (Textual's ``BLANK``), as :class:`~hvtui.tui.widgets.option.OptionPane` is: only
    its children draw."""

    BLANK: ClassVar[bool] = True

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view; redrawn when the slow probes report."""

    def __init__(self, view: WizardView) -> None:
        super().__init__(id="detail", classes="pane host-pane")
        self._initial = view
        self._host: Host | None = None
        self._probing = view.probing

    def compose(self) -> ComposeResult:
        # Drawn here, not once mounted: filling them in afterwards was one more update,
        # and layout, on the way to the first frame.
        host, probing = self._initial.host, self._initial.probing
        self._host, self._probing = host, probing
        yield Static(Content.styled("Host", "bold $text-accent"), classes="title")
        yield Static(heading(host, probing), id="host-heading")
        yield Static(facts_content(services.host_facts(host)), id="host-facts", classes="facts")
        yield Static(
            Content.assemble(
                ("Next: ", "bold"),
                "press ",
                ("n", "bold $text-accent"),
                " to choose where to start; the sidebar lists every option.",
            ),
            classes="hint",
        )

    def watch_view(self, view: WizardView | None) -> None:
        """Redraw when the host facts changed (the deep probe filled in)."""
        if view is None or view is self._initial:
            return  # the binding's first call: compose drew it
        if self.is_mounted and (view.host is not self._host or view.probing != self._probing):
            self._draw(view.host, view.probing)

    def _draw(self, host: Host, probing: bool) -> None:
        self._host = host
        self._probing = probing
        self.query_one("#host-heading", Static).update(heading(host, probing))
        self.query_one("#host-facts", Static).update(facts_content(services.host_facts(host)))


__all__ = ["HostPane", "facts_content"]
