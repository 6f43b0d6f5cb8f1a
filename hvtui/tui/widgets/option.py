"""The detail pane of one enlightenment: docs, its control, its relations and live findings.

Each option's pane is built once, after the first frame, and kept hidden until its step
is shown (:mod:`hvtui.tui.screens.panes`); while hidden it is laid out for the room it
will have (:meth:`~hvtui.tui.screens.panes.Panes.prepare`, :meth:`OptionPane.fit_ahead`),
so that its first visit costs about what a revisit does.  The docs are the catalog's
Markdown, drawn by :mod:`.doc` into one widget.
While its step is shown, the pane follows the model through
:meth:`OptionPane.watch_view`: controls are set without echoing change events, so the
model stays the only writer.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.reactive import var
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static, Switch

from hvtui import catalog
from hvtui.catalog import Enlightenment, Severity, ValueKind
from hvtui.model import Finding, Fix
from hvtui.tui.later_css import OPTION, read_css
from hvtui.tui.messages import ApplyFix, SetValue, ToggleOption
from hvtui.tui.state import parse_typed, typed_text
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.doc import markdown_content
from hvtui.tui.widgets.host import FactsText
from hvtui.tui.widgets.sizing import (
    LaidOutOnce,
    content_room,
    virtual_sizes_ahead,
)

if TYPE_CHECKING:
    from hvtui.advice import SupportState


class PaneLabel(LaidOutOnce, Label):
    """A ``Label`` in a wizard pane (sized once: :mod:`.sizing`)."""


class PaneSwitch(LaidOutOnce, Switch):
    """A ``Switch`` in a wizard pane (sized once: :mod:`.sizing`)."""


class PaneRow(LaidOutOnce, Horizontal):
    """A ``Horizontal`` row in a wizard pane (sized once: :mod:`.sizing`).

    Blank (Textual's ``BLANK``), as the panes are: it has no border, padding or content of
    its own, only the background between its children, so its lines are drawn as blank
    strips instead of through the styles cache, which a pane's first visit fills (an
    option's control row, ~0.4 ms of each first visit at 120x36)."""

    BLANK: ClassVar[bool] = True


class PaneColumn(LaidOutOnce, Vertical):
    """A ``Vertical`` box in a wizard pane (sized once: :mod:`.sizing`)."""


SEVERITY_STYLES: dict[Severity, str] = {
    Severity.ERROR: "$text-error bold",
    Severity.WARNING: "$text-warning bold",
    Severity.INFO: "$text-primary",
}


class CatalogValue(Validator):
    """Accepts exactly what the model accepts, with the model's own reason when not."""

    def __init__(self, entry: Enlightenment) -> None:
        super().__init__()
        self.entry = entry

    def validate(self, value: str) -> ValidationResult:
        """Parse ``value`` the way the model will read it."""
        parsed = parse_typed(self.entry, value)
        if parsed.ok:
            return self.success()
        return self.failure(parsed.problem)


class PaneStatic(LaidOutOnce, FactsText):
    """A text of an option's pane (its title, value error, relations, findings, docs and
    facts), wrapped once per width and painted from those lines
    (:class:`~hvtui.tui.widgets.host.FactsText`): the pane's :meth:`OptionPane.fit_ahead`
    lays it out while hidden, which wraps it for the width it will have, and its first
    visit paints those lines instead of wrapping it again (a ``Static`` wraps again to
    paint).  The same picture, cell for cell."""


class FixButton(LaidOutOnce, Button):
    """A button that applies one finding's fix."""

    def __init__(self, fix: Fix) -> None:
        super().__init__(f"Fix: {fix.label}", variant="primary", classes="fix", compact=True)
        self.fix = fix


def finding_content(finding: Finding) -> Content:
    """``warning: message`` with the severity coloured from the theme."""
    return Content.assemble(
        (f"{finding.severity.value}: ", SEVERITY_STYLES[finding.severity]),
        finding.message,
        ("\n" + finding.explanation, "$text-muted") if finding.explanation else "",
    )


class OptionPane(LaidOutOnce, VerticalScroll):
    """Everything about one option, and the control that sets it.

    Blank (Textual's ``BLANK``): the pane draws nothing of its own, only the background
    between its children (its padding and scrollbar gutter included), so each of its lines
    is one blank strip instead of a pass through the styles cache; a pane's first show drew
    its 34 lines (at 120x36) twice that way, since the first layout lays it out again."""

    BLANK: ClassVar[bool] = True

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view; drives the controls and the findings."""

    def __init__(self, entry: Enlightenment, view: WizardView) -> None:
        super().__init__(id="detail", classes="pane option-pane")
        self.entry = entry
        self._initial = view
        self._shown_findings: tuple[Finding, ...] = ()
        self._shown_relations: Content | None = None
        """What the relations line shows: redrawn only when it changes (a prepared pane's
        first show hands it a newer view, most often with the same relations)."""
        self._field_text = typed_text(entry, view.preset.config.get(entry.name))
        """What the pane last put in the value field: leaving the field commits only an edit
        of it (looking at an option never changes the draft)."""

    def compose(self) -> ComposeResult:
        read_css(self.app, OPTION)  # before the widgets it styles are mounted
        entry, view = self.entry, self._initial
        config = view.preset.config
        yield PaneStatic(
            Content.assemble(
                (entry.qemu_property, "bold $text-accent"),
                ("  " + entry.group.value, "$text-muted"),
                "\n",
                (entry.summary, "$text-muted"),
            ),
            classes="title",
        )
        with PaneRow(classes="control"):
            yield PaneSwitch(
                value=config.is_on(entry.name), id="toggle", tooltip="Turn on or off (space)"
            )
            if entry.kind is ValueKind.SWITCH:
                yield PaneLabel(_on_off(config.is_on(entry.name)), id="toggle-label")
            elif entry.kind is ValueKind.TRISTATE:
                yield Select(
                    [(choice, choice) for choice in entry.choices],
                    value=str(config.value(entry.name)),
                    allow_blank=False,
                    id="choice",
                    compact=True,
                )
            else:
                yield Input(
                    self._field_text,
                    placeholder=entry.describe_range(),
                    validators=[CatalogValue(entry)],
                    validate_on=["changed", "submitted"],
                    id="value",
                    compact=True,
                    tooltip=f"{entry.describe_range()}; enter or leave to keep",
                )
        yield PaneStatic(Content(), id="value-error", classes="value-error -empty")
        self._shown_relations = relations_content(entry, view)
        yield PaneStatic(self._shown_relations, id="relations", classes="relations")
        self._shown_findings = view.for_option(entry.name)
        findings = PaneColumn(id="findings", classes="findings")
        # Empty (most options, most of the time) it is not displayed: the same nothing on
        # screen, and one widget fewer to lay out, show and hide on every step switch.
        findings.display = bool(self._shown_findings)
        with findings:
            yield from _finding_widgets(self._shown_findings)
        yield PaneStatic(markdown_content(entry.doc), id="doc", classes="doc")
        yield PaneStatic(_facts(entry), id="facts", classes="facts")

    def fit_ahead(self, inside: Size) -> None:
        """Prepared hidden (:meth:`hvtui.tui.screens.panes.Panes.prepare`, which then lays
        every pane out for its room with its scrollbar as it will need it, wrapping its
        texts (:class:`PaneStatic`) for the width the visit paints them at): a three-state
        option's ``Select`` (Textual's, with children of its own) is given the virtual
        sizes the visit's layout will give it (:func:`virtual_sizes_ahead`)."""
        if self.entry.kind is ValueKind.TRISTATE:  # the control row, the Select in it
            for placement in self.arrange(content_room(self, inside)).placements:
                if placement.widget.has_class("control"):
                    virtual_sizes_ahead(placement.widget, placement.region.size)

    def watch_view(self, view: WizardView | None) -> None:
        """Follow the model: controls, relations, host support and findings."""
        if view is None or view is self._initial or not self.is_mounted:
            return  # the binding's first call repeats what compose drew
        entry = self.entry
        config = view.preset.config
        toggle = self.query_one("#toggle", Switch)
        with toggle.prevent(Switch.Changed):
            toggle.value = config.is_on(entry.name)
        if entry.kind is ValueKind.SWITCH:
            label = self.query_one("#toggle-label", Label)
            shown = _on_off(config.is_on(entry.name))
            if str(label.content) != shown:  # the same text again would lay the pane out
                label.update(shown)
        elif entry.kind is ValueKind.TRISTATE:
            select: Select[str] = self.query_one("#choice", Select)
            with select.prevent(Select.Changed):
                select.value = str(config.value(entry.name))
        else:
            field = self.query_one("#value", Input)
            typed = parse_typed(entry, field.value)
            current = config.get(entry.name)
            if current is not None and (not typed.ok or typed.value != current):
                self._field_text = typed_text(entry, current)
                with field.prevent(Input.Changed):
                    field.value = self._field_text
                self._error(None)
        relations = relations_content(entry, view)
        if not _same(relations, self._shown_relations):
            self._shown_relations = relations
            self.query_one("#relations", Static).update(relations)
        found = view.for_option(entry.name)
        if found != self._shown_findings:
            self._shown_findings = found
            box = self.query_one("#findings", Vertical)
            box.display = bool(found)
            box.remove_children()
            box.mount_all(_finding_widgets(found))

    # -- user input: turned into messages for the screen --------------------------

    @on(Switch.Changed, "#toggle")
    def _when_toggled(self, event: Switch.Changed) -> None:
        event.stop()
        self.post_message(ToggleOption(self.entry.name, event.value))

    @on(Select.Changed, "#choice")
    def _when_chosen(self, event: Select.Changed) -> None:
        """A choice the user made; the select announcing the value it was built with (or
        the one the model gave it) is not one."""
        event.stop()
        view = self.view or self._initial
        if isinstance(event.value, str) and event.value != str(
            view.preset.config.value(self.entry.name)
        ):
            self.post_message(SetValue(self.entry.name, event.value))

    @on(Input.Changed, "#value")
    def _when_typed(self, event: Input.Changed) -> None:
        """While typing, only say whether the text would be accepted."""
        event.stop()
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._error(
                result.failure_descriptions[0] if result.failure_descriptions else "invalid"
            )
        else:
            self._error(None)

    @on(Input.Submitted, "#value")
    def _when_submitted(self, event: Input.Submitted) -> None:
        """Enter commits a valid value (one undo step), even the suggested one shown."""
        event.stop()
        self._take_typed(event.value, event.validation_result)

    @on(Input.Blurred, "#value")
    def _when_left(self, event: Input.Blurred) -> None:
        """Leaving the field commits a valid edit; leaving it as it was changes nothing."""
        event.stop()
        if event.value != self._field_text:
            self._take_typed(event.value, event.validation_result)

    def _error(self, problem: str | None) -> None:
        """Show why a typed value is refused (or hide the line)."""
        error = self.query_one("#value-error", Static)
        if problem is None and error.has_class("-empty"):
            return  # nothing shown, nothing to hide: no relayout
        error.set_class(problem is None, "-empty")
        error.update(Content.assemble(("✗ ", "$text-error bold"), problem) if problem else "")

    @property
    def value_error(self) -> str:
        """The refusal shown under the field ("" when none), for tests."""
        return str(self.query_one("#value-error", Static).content)

    def _take_typed(self, text: str, result: ValidationResult | None) -> None:
        parsed = parse_typed(self.entry, text)
        if not parsed.ok or (result is not None and not result.is_valid):
            self._error(parsed.problem or "invalid")
            return
        self._error(None)
        self._field_text = text
        view = self.view or self._initial
        if parsed.value != view.preset.config.get(self.entry.name):
            self.post_message(SetValue(self.entry.name, parsed.value))

    @on(Button.Pressed, ".fix")
    def _when_fix(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, FixButton):
            self.post_message(ApplyFix(event.button.fix))


def _finding_widgets(found: tuple[Finding, ...]) -> list[PaneStatic | FixButton]:
    widgets: list[PaneStatic | FixButton] = []
    for finding in found:
        widgets.append(
            PaneStatic(finding_content(finding), classes=f"finding {finding.severity.value}")
        )
        if finding.fix is not None:
            widgets.append(FixButton(finding.fix))
    return widgets


def _same(content: Content, shown: Content | None) -> bool:
    """``content`` is what ``shown`` is, styles too (``Content ==`` compares the text only)."""
    return (
        shown is not None
        and content.plain == shown.plain
        and list(content.spans) == list(shown.spans)
    )


def _on_off(on: bool) -> str:
    return "on" if on else "off"


@functools.cache
def _support_marks() -> dict[SupportState, tuple[str, str]]:
    """Each answer's glyph and style (advice loads with the first view, not this module)."""
    from hvtui.advice import SupportState

    return {
        SupportState.YES: ("✓", "$text-success"),
        SupportState.NO: ("⊘", "$text-error"),
        SupportState.UNKNOWN: ("?", "$text-warning"),
    }


def relations_content(entry: Enlightenment, view: WizardView) -> Content:
    """What ``entry`` needs, what needs it (each marked on or off in the draft) and whether
    this host can give it: the advice layer's answer, the one its findings follow."""
    config = view.preset.config

    def names(items: tuple[str, ...]) -> list[str | tuple[str, str]]:
        parts: list[str | tuple[str, str]] = []
        for i, name in enumerate(items):
            on = config.is_on(name)
            parts.append(("●" if on else "○", "$text-success" if on else "$text-muted"))
            parts.append(f" {name}" + (", " if i < len(items) - 1 else ""))
        return parts or [("nothing", "$text-muted")]

    needs = catalog.all_requirements(entry.name)
    needed_by = catalog.all_dependents(entry.name)
    support = view.support(entry.name)
    glyph, style = _support_marks()[support.state]
    return Content.assemble(
        ("Needs: ", "bold"),
        *names(needs),
        "\n",
        ("Needed by: ", "bold"),
        *names(needed_by),
        "\n",
        ("This host: ", "bold"),
        (glyph + " ", style),
        support.reason,
    )


def _facts(entry: Enlightenment) -> Content:
    libvirt = entry.libvirt
    where = libvirt.example or libvirt.element or "no element"
    since = f" (libvirt {libvirt.since})" if libvirt.since else ""
    migration = entry.migration.value + (
        f": {entry.migration_note}" if entry.migration_note else ""
    )
    return Content.assemble(
        ("QEMU: ", "bold"),
        f"{entry.qemu_property} since {entry.qemu_since.short()}\n",
        ("libvirt: ", "bold"),
        f"{where}{since}\n",
        ("Migration: ", "bold"),
        migration,
    )


__all__ = [
    "CatalogValue",
    "FixButton",
    "OptionPane",
    "PaneColumn",
    "PaneLabel",
    "PaneRow",
    "PaneSwitch",
    "finding_content",
    "relations_content",
]
