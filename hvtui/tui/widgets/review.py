"""The Review step: every finding with its one-key fix, the migration badge, the peers.

Findings are rows of one :class:`OptionList`: ``enter`` or ``f`` applies the
highlighted finding's fix.  The compare table puts this draft next to what
virt-install, Proxmox, Nova, KubeVirt and quickemu turn on.  A draft started
from a libvirt domain XML also gets a button that saves it merged into a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, DataTable, OptionList, Static
from textual.widgets.option_list import Option

from hvtui.model import Finding
from hvtui.tui.later_css import REVIEW, read_css
from hvtui.tui.messages import (
    ApplyFix,
    ApplyToDomain,
    ExportSnippet,
    SaveMerged,
    SavePreset,
    ShowSnippet,
    VerifyOnHost,
)
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.option import SEVERITY_STYLES
from hvtui.tui.widgets.sizing import content_room

if TYPE_CHECKING:
    from hvtui.advice import Badge
    from hvtui.compare import Comparison

_BADGE_STYLES: dict[str, str] = {
    "safe": "bold $text-success on $success-muted",
    "conditional": "bold $text-warning on $warning-muted",
    "blocked": "bold $text-error on $error-muted",
}


def badge_content(badge: Badge) -> Content:
    """The badge and, under it, why."""
    style = _BADGE_STYLES.get(badge.level, "bold")
    reasons = "".join(f"\n  {reason}" for reason in badge.reasons)
    return Content.assemble(
        ("Migration: ", "bold"), (f" {badge.label} ", style), (reasons, "$text-muted")
    )


def compare_table(compared: Comparison) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """``hvtui compare``'s table as the wizard shows it: the header (the option, this draft,
    the peers) and one row per option that this draft or any peer turns on."""
    columns = ("option", "this preset", *(p.name for p in compared.peers))
    rows = [
        (row.option, row.ours, *(d.short() for d in row.peers))
        for row in compared.rows
        if row.interesting
    ]
    return columns, rows


def finding_row(finding: Finding) -> Content:
    """One finding as a list row: severity, message, and the fix it offers."""
    parts: list[str | tuple[str, str]] = [
        (f"{finding.severity.value:<8}", SEVERITY_STYLES[finding.severity]),
        finding.message,
    ]
    if finding.fix is not None:
        parts.append((f"\n        ↳ fix: {finding.fix.label} (enter)", "$text-accent"))
    return Content.assemble(*parts)


class FindingList(OptionList):
    """Findings, worst first; a fix is one key away."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "apply_fix",
            "Apply fix",
            show=False,  # the line above the list says so; the footer keeps room for undo
            tooltip="Apply the highlighted finding's fix",
            id="fix",
        ),
        Binding("n", "cursor_down", "Next finding", show=False, id="next-finding-row"),
        Binding("p", "cursor_up", "Previous finding", show=False, id="previous-finding-row"),
    ]

    findings: tuple[Finding, ...] = ()

    def show(self, found: tuple[Finding, ...]) -> None:
        """Replace the rows, keeping the highlight near where it was."""
        if found == self.findings:
            return
        keep = self.highlighted
        self.findings = found
        if not found:
            self.set_options(
                [
                    Option(
                        Content.styled(
                            "No findings: QEMU accepts this and it follows QEMU's advice.",
                            "$text-success",
                        ),
                        disabled=True,
                    )
                ]
            )
            return
        self.set_options(Option(finding_row(f), id=str(i)) for i, f in enumerate(found))
        if keep is not None:
            self.highlighted = min(keep, len(found) - 1)

    def action_apply_fix(self) -> None:
        """Apply the highlighted finding's fix, if it has one."""
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        finding = self.findings[int(option.id)]
        if finding.fix is None:
            self.app.notify("This finding has no automatic fix.", severity="warning")
            return
        self.post_message(ApplyFix(finding.fix))

    @on(OptionList.OptionSelected)
    def _when_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_apply_fix()


class ReviewPane(VerticalScroll):
    """Findings with fixes, migration safety, the peers' defaults, save and export (and
    save merged, when the draft was started from a domain XML)."""

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view."""

    def __init__(self, view: WizardView) -> None:
        super().__init__(id="detail", classes="pane review-pane")
        self._initial = view

    def compose(self) -> ComposeResult:
        read_css(self.app, REVIEW)  # before the widgets it styles are mounted
        yield Static(Content.styled("Review", "bold $text-accent"), classes="title")
        yield Static(id="summary")
        yield Static(id="badge", classes="badge")
        yield FindingList(id="findings-list")
        with Horizontal(classes="row buttons"):
            yield Button("Save preset (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Export snippet (ctrl+e)", id="export", compact=True)
        with Horizontal(classes="row buttons"):
            yield Button("Snippet full width (ctrl+t)", id="snippet", compact=True)
            yield Button("Save merged domain XML (ctrl+d)", id="save-merged", compact=True)
        with Horizontal(classes="row buttons"):
            yield Button("Verify on this host (ctrl+k)", id="verify", compact=True)
            yield Button("Apply to domain… (ctrl+l)", id="apply-domain", compact=True)
        yield Static(Content.styled("What other tools turn on", "bold"), classes="section")
        table: DataTable[str] = DataTable(id="compare", zebra_stripes=True, cursor_type="row")
        yield table

    def on_mount(self) -> None:
        self._draw(self._initial)

    def on_resize(self) -> None:
        self._fit_buttons(self.scrollable_content_region.width)

    def fit_ahead(self, inside: Size) -> None:
        """Prepared hidden (:meth:`hvtui.tui.screens.panes.Panes.prepare`), to be ``inside``
        its margin and gutter when shown: stack the buttons now, in idle time, for the width
        the pane will have, so that its first visit's sizing finds them as they must be
        (no restyle and no second layout of the screen then).  A wrong guess (the terminal
        resized since) is put right by :meth:`on_resize`, as before."""
        self._fit_buttons(content_room(self, inside).width)

    def _fit_buttons(self, room: int) -> None:
        """Stack the buttons one a line when a row of them is wider than the pane: a
        label cut at the edge would hide the key it names.  ``room``: the pane's width
        for its content (none yet: nothing to do).

        The pane's ``-stacked`` class only styles the button rows (review.tcss), so only
        they and their buttons are styled again when it changes, not the whole pane: the
        findings list and the compare table (with their scrollbars) took most of Review's
        first visit, where the pane is first sized and so first stacked."""
        if room <= 0:
            return  # not laid out yet
        rows = list(self.query(".buttons"))
        if not rows:
            return  # not composed (prepared while the app was closing)
        needed = max(
            sum(
                button.get_content_width(self.size, self.app.size)
                + button.styles.gutter.width
                + button.styles.margin.width
                for button in row.query_children(Button)
                if button.display
            )
            for row in rows
        )
        stacked = needed > room
        if stacked is self.has_class("-stacked"):
            return
        self.set_class(stacked, "-stacked", update=False)
        for row in rows:
            row.update_node_styles()

    def watch_view(self, view: WizardView | None) -> None:
        """Redraw everything from the new view."""
        if view is not None and view is not self._initial and self.is_mounted:
            self._draw(view)

    def _draw(self, view: WizardView) -> None:
        """Bring the pane up to date with ``view``, touching only what differs from what it
        drew: the pane is redrawn on every model change while shown and on each revisit
        after an edit, and a part updated with what it already shows still costs a layout
        of the screen (a Static's update) or a rebuilt table (issue #13)."""
        self._show(
            "#summary",
            Content.assemble(
                ("Findings: ", "bold"),
                view.summary(),
                (
                    "\nn/p or ↑/↓ choose a finding · enter or f applies its fix · "
                    "escape returns to the steps"
                    if view.findings
                    else "",
                    "$text-muted",
                ),
            ),
        )
        self._show("#badge", badge_content(view.migration))
        self.query_one(FindingList).show(view.findings)
        merged = self.query_one("#save-merged", Button)
        if merged.display != view.can_merge:
            merged.display = view.can_merge
            self._fit_buttons(self.scrollable_content_region.width)
        self._show_table(*compare_table(view.comparison))

    def _show(self, selector: str, content: Content) -> None:
        """Update the Static ``selector`` unless it shows ``content`` already.  Both text
        and styles are compared: ``Content.__eq__`` compares the text only (Textual's
        content.py), and a badge may keep its words but change colour."""
        static = self.query_one(selector, Static)
        shown = static.content
        if (
            isinstance(shown, Content)
            and shown.plain == content.plain
            and tuple(shown.spans) == tuple(content.spans)
        ):
            return
        static.update(content)

    _drawn: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None
    """The compare table's header and rows as last drawn (``None``: not yet)."""

    def _show_table(self, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """Draw the compare table: built anew only when its header or its set of rows (one
        per option, keyed by the option) changes; otherwise only the cells that differ
        are updated in place, so the cursor and the scroll stay where they were.  Each
        update re-measures its column (``update_width``: Textual widens it or, when the
        cell got narrower, measures the whole column again), so the widths are those a
        fresh build gives."""
        if self._drawn == (columns, rows):
            return
        table: DataTable[str] = self.query_one("#compare", DataTable)
        drawn, self._drawn = self._drawn, (columns, rows)
        if drawn is None or drawn[0] != columns or [r[0] for r in drawn[1]] != [r[0] for r in rows]:
            table.clear(columns=True)
            table.add_columns(*columns)
            for row in rows:
                table.add_row(*row, key=row[0])
            return
        keys = list(table.columns)
        for before, after in zip(drawn[1], rows, strict=True):
            for key, old, new in zip(keys, before, after, strict=True):
                if old != new:
                    table.update_cell(after[0], key, new, update_width=True)

    #: Each button and the command it posts (the same as the screen's key for it).
    COMMANDS: ClassVar[dict[str, type[Message]]] = {
        "save": SavePreset,
        "export": ExportSnippet,
        "snippet": ShowSnippet,
        "verify": VerifyOnHost,
        "apply-domain": ApplyToDomain,
        "save-merged": SaveMerged,
    }

    @on(Button.Pressed, ".buttons Button")
    def _when_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        command = self.COMMANDS.get(event.button.id or "")
        if command is not None:
            self.post_message(command())


__all__ = ["FindingList", "ReviewPane", "badge_content"]
