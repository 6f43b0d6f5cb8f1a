"""The wizard: sidebar of steps, one detail pane, the preview, and the one model object.

``WizardScreen.preset`` is the single source of truth.  Widgets post
messages (:mod:`hvtui.tui.messages`); the handlers here turn them into a new
:class:`~hvtui.presets.Preset` through the model's own operations
(``enable``/``disable``/``set``/``with_values``), record an undo step and
assign it.  The watchers rebuild one :class:`~hvtui.tui.view.WizardView`
and bind it to the children, which redraw from it.  The VM the draft was
started from (``started_from``) is undone and redone with it, so "save
merged domain XML" always merges into the VM the current draft came from.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, OptionList

from hvtui import catalog, presets
from hvtui.catalog import Severity
from hvtui.fsutil import WriteError, atomic_write
from hvtui.model import Change, Config
from hvtui.presets import Preset, PresetError
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.messages import ApplyFix, RunAction, SetValue, StartFrom, ToggleOption
from hvtui.tui.services import Host
from hvtui.tui.state import (
    DEFAULT_NAME,
    STEP_HOST,
    STEP_REVIEW,
    STEP_START,
    Edit,
    History,
    PathProblemError,
    all_steps,
    group_start,
    neighbour,
    option_steps,
    plural,
    preset_name_for,
    recommended_description,
    step_title,
    typed_path,
)
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.steps import StepList
from hvtui.versions import Version

if TYPE_CHECKING:
    from hvtui.audit import AuditInput
    from hvtui.tui.screens.dialogs import ExportRequest, SaveRequest

_EMPTY = Preset(DEFAULT_NAME, Config())

#: From this many columns the preview sits beside the pane; below, ``v`` swaps them.
WIDE = 110


#: Footer entries that need room: shown from this many columns on.  Narrower, the same key
#: still works through an unseen twin binding (see :func:`_roomy`), so the footer never
#: runs out of room mid-word and ``^z Undo`` stays in it at 80 columns.
FOOTER_ROOM: dict[str, int] = {"export": 80, "request_quit": 80, "snippet": WIDE}

_UNSEEN = "unseen"


def _roomy(key: str, action: str, description: str, tooltip: str, id: str) -> list[Binding]:
    """A footer key that is only shown when the terminal is wide enough (``FOOTER_ROOM``),
    and its unseen twin that does the same where it is not shown."""
    return [
        Binding(key, action, description, tooltip=tooltip, id=id),
        Binding(
            key,
            f"{action}('{_UNSEEN}')",
            description,
            show=False,
            tooltip=tooltip,
            id=f"{id}-{_UNSEEN}",
        ),
    ]


def _exists(path: Path) -> bool:
    """``path`` exists; ``False`` when the system will not say (the write then says why)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


class HostUpdated(Message):
    """The slow probes reported: fuller host facts."""

    def __init__(self, host: Host, *, partial: bool = False) -> None:
        super().__init__()
        self.host = host
        self.partial = partial
        """More is coming (the deep probe)."""


class RunningListed(Message):
    """The worker listed the running QEMU VMs (or says why it could not)."""

    def __init__(self, running: services.RunningVms) -> None:
        super().__init__()
        self.running = running


class DomainLoaded(Message):
    """The worker read a libvirt domain's definition (or says why it could not)."""

    def __init__(
        self, uri: str, name: str, imported: services.ImportedConfig | None, error: str | None
    ) -> None:
        super().__init__()
        self.uri = uri
        self.name = name
        self.imported = imported
        self.error = error


class WizardScreen(Screen[None]):
    """Host → start → every option → review, with the preview beside or one key away."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Letters only move around or show things; what opens a dialog is ctrl+letter, so
        # typing a word outside a field never exports or asks anything.
        Binding("n", "next_step", "Next", tooltip="Go to the next step", id="next-step"),
        Binding(
            "p", "previous_step", "Prev", tooltip="Go to the previous step", id="previous-step"
        ),
        Binding(
            "space",
            "toggle_option",
            "Toggle",
            tooltip="Turn the shown option on or off",
            id="toggle",
        ),
        # Early: on an 80-column terminal undo must stay in the footer.
        Binding("ctrl+z", "undo", "Undo", tooltip="Undo the last change", id="undo"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the preset", id="save"),
        *_roomy("ctrl+e", "export", "Export", "Write or copy a snippet", "export"),
        *_roomy(
            "ctrl+t", "snippet", "Snippet", "The snippet full width, to select or copy", "snippet"
        ),
        Binding("v", "toggle_preview", "Preview", tooltip="Show or hide the preview", id="preview"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Keys", id="help"),
        *_roomy("q", "request_quit", "Quit", "Quit (asks when there are unsaved changes)", "quit"),
        Binding("ctrl+y", "redo", "Redo", show=False, tooltip="Redo", id="redo"),
        Binding("r", "go_review", "Review", show=False, tooltip="Go to Review", id="review"),
        Binding(
            "right_square_bracket",
            "next_group",
            "Next group",
            show=False,
            key_display="]",
            tooltip="The first option of the next group",
            id="next-group",
        ),
        Binding(
            "left_square_bracket",
            "previous_group",
            "Previous group",
            show=False,
            key_display="[",
            tooltip="The first option of the previous group",
            id="previous-group",
        ),
        Binding(
            "exclamation_mark",
            "next_finding",
            "Next finding",
            show=False,
            key_display="!",
            tooltip="The next option with a finding (a mark in the sidebar)",
            id="next-finding",
        ),
        Binding(
            "escape",
            "focus_steps",
            "Steps",
            show=False,
            tooltip="Leave the field: back to the list of steps",
            id="focus-steps",
        ),
        # Active only when the draft was started from a domain XML.
        Binding(
            "ctrl+d",
            "save_merged",
            "Merge XML",
            show=False,
            tooltip="Save the domain XML the draft started from, merged with the draft",
            id="save-merged",
        ),
        Binding(
            "ctrl+k",
            "verify",
            "Verify",
            show=False,
            tooltip="Boot the draft's CPU configuration on this host's KVM and show what the "
            "guest sees",
            id="verify",
        ),
        Binding(
            "ctrl+l",
            "apply_domain",
            "Apply",
            show=False,
            tooltip="Apply the draft to the libvirt domain it started from (shows the diff, "
            "asks first)",
            id="apply-domain",
        ),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 (Textual API)
    """Below 110 columns the preview is one key (``v``) away instead of beside."""

    preset: var[Preset] = var(_EMPTY, init=False)
    """The draft: the one model object everything else is derived from."""
    host: var[Host] = var(Host("unavailable"), init=False)
    """What detection found (the slow probes replace it when they finish)."""
    intent: var[str] = var(services.DEFAULT_INTENT, init=False)
    """What the guest is for; advice and the recommendation depend on it."""
    view: var[WizardView] = var(WizardView(_EMPTY, Host("unavailable")), init=False)
    """Derived from the three above; bound to every child that draws."""
    step: var[str] = var(STEP_HOST, init=False)
    """The step the detail pane shows (the footer is refreshed only when what it greys out
    changes: recomposing it on every step would double the cost of a step switch)."""
    preview_toggled: var[bool] = var(False, init=False)
    """``v`` pressed: preview shown (narrow) or hidden (wide)."""

    def __init__(
        self,
        host: Host,
        preset: Preset,
        *,
        sysroot: Path | None = None,
        probe: bool = True,
        intent: str = services.DEFAULT_INTENT,
        demo: str | None = None,
    ) -> None:
        super().__init__()
        self.sysroot = sysroot
        self.demo = demo
        """The shipped demo host shown, named in the title (``None``: not a demo)."""
        self.probe = probe
        self.history = History()
        self.baseline = preset
        """What was last saved or loaded: ``dirty`` compares the draft with it."""
        self.set_reactive(WizardScreen.preset, preset)
        self.set_reactive(WizardScreen.host, host)
        self.set_reactive(WizardScreen.intent, intent)
        self.probing = probe
        """True while the slow probes run (the Host step says more is coming)."""
        self.set_reactive(
            WizardScreen.view, WizardView.build(preset, host, preset, intent, probing=probe)
        )
        self.virt_install_features: frozenset[str] | None = None
        """``virt-install --features=?`` on this machine (probed live only, in the worker)."""
        self.live_libvirt: Version | None = None
        """The libvirt ``hvtui export`` detects on this machine (probed in the worker)."""
        self._step_lock = asyncio.Lock()
        self._footer_state: tuple[bool | None, ...] = ()
        self._footer_room: tuple[bool, ...] = ()
        self._mounted = False
        # The breakpoint class now, not on the first resize: adding it then restyles
        # every widget once more before the first frame.
        width = self.app.size.width
        self.add_class("-wide" if width >= WIDE else "-narrow")
        self._shown: str | None = None
        """The step whose pane is in the DOM."""
        self._quit_after_save = False
        self._quit_code = 0
        """The exit code of the quit under way: 0 for ``q``, 128+N when a signal started it."""
        self._quit_question: Screen[str | None] | None = None
        """The unsaved-changes question, while it is open."""
        self.started_from: AuditInput | None = None
        """The existing or running VM the draft was started from (undone with the draft)."""
        self.running: services.RunningVms | None = None
        """The running QEMU VMs, once listed (only when the Start step first asks)."""
        self._listing = False
        self.libvirt_origin: tuple[AuditInput, str, str] | None = None
        """The libvirt domain the draft was started from: its source, URI and name."""
        self.last_switch_ms: float = 0.0
        """How long the last step switch took to rebuild the pane (benchmark)."""

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="hv")
        with Horizontal(id="body"):
            yield StepList(self.view, id="steps").data_bind(view=WizardScreen.view)
            yield self._make_pane(self.step)
            self._shown = self.step
            yield PreviewPane(id="preview").data_bind(view=WizardScreen.view)
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p: in the help

    async def on_mount(self) -> None:
        self._mounted = True
        self._update_titles()
        steps = self.query_one(StepList)
        steps.select_step(self.step)
        steps.focus()
        await self._show_step(self.step)
        self.call_after_refresh(self.query_one(PreviewPane).start)
        if self.probe:
            self._deep_probe()

    # -- derived state ------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True when the draft has changes not saved (or loaded from a file)."""
        return self.view.dirty

    @property
    def export_env(self) -> services.ExportEnv:
        """What exports depend on: on this machine what ``hvtui export`` itself asks (probed
        in the worker); on a snapshot, the libvirt it recorded."""
        libvirt = self.live_libvirt if self.sysroot is None else self.host.libvirt
        return services.ExportEnv(libvirt, self.virt_install_features)

    def _rebuild_view(self) -> None:
        self.view = WizardView.build(
            self.preset,
            self.host,
            self.baseline,
            self.intent,
            self.export_env,
            probing=self.probing,
            started_from=self.started_from,
            running=self.running,
        )
        self._update_titles()

    def watch_preset(self) -> None:
        self._rebuild_view()

    def watch_host(self) -> None:
        self._rebuild_view()

    def watch_intent(self) -> None:
        self._rebuild_view()

    def _update_titles(self) -> None:
        """``hvtui — demo: NAME — Step · preset (unsaved)``: the step first, so an 80-column
        header still shows it (the host label, when there is no demo name, comes last)."""
        mark = " (unsaved)" if self.view.dirty else ""
        self.title = f"hvtui — demo: {self.demo}" if self.demo else "hvtui"
        where = "" if self.demo else f" · {self.host.label}"
        self.sub_title = f"{step_title(self.step)} · {self.preset.name}{mark}{where}"

    def watch_preview_toggled(self, toggled: bool) -> None:
        self.set_class(toggled, "-preview-toggled")

    # -- steps ---------------------------------------------------------------------

    async def watch_step(self, step: str) -> None:
        if not self._mounted:
            return  # on_mount shows whatever step is current by then
        self.query_one(StepList).select_step(step)
        self._update_titles()
        enabled = self._enabled_actions()
        if enabled != self._footer_state:
            self._footer_state = enabled
            self.refresh_bindings()
        await self._show_step(step)

    def _enabled_actions(self) -> tuple[bool | None, ...]:
        actions = ("toggle_option", "next_step", "previous_step")
        return tuple(self.check_action(action, ()) for action in actions)

    async def _show_step(self, step: str) -> None:
        """Replace the detail pane; a newer step request wins over an older one.

        Focus inside the old pane goes back to the sidebar (it would otherwise be lost
        with the pane); Review takes it itself when it has findings to act on.
        """
        async with self._step_lock:
            if step != self.step or self._shown == step:
                return
            started = time.perf_counter()
            focused = self.focused
            old = self.query_one("#detail")
            inside = focused is None or focused is old or old in focused.ancestors
            with self.app.batch_update():
                await old.remove()
                await self.query_one("#body").mount(
                    self._make_pane(step), before=self.query_one(PreviewPane)
                )
            self._shown = step
            if step == STEP_REVIEW:
                self._focus_review()
            elif inside:
                self.query_one(StepList).focus()
            self.last_switch_ms = (time.perf_counter() - started) * 1000

    def _focus_review(self) -> None:
        """Review acts on arrival: its first finding selected and focused (``enter`` or
        ``f`` applies the fix); with no findings the focus stays where it was."""
        from hvtui.tui.widgets.review import FindingList

        listing = self.query_one(FindingList)
        if listing.findings:
            listing.highlighted = 0
            listing.focus()
        elif self.focused is None:
            self.query_one(StepList).focus()

    def _make_pane(self, step: str) -> Widget:
        """The pane for ``step``, bound to the view (imports are lazy: startup cost)."""
        pane: Widget
        if step == STEP_HOST:
            from hvtui.tui.widgets.host import HostPane

            pane = HostPane(self.view)
        elif step == STEP_START:
            from hvtui.tui.widgets.start import StartPane

            pane = StartPane(self.view)
        elif step == STEP_REVIEW:
            from hvtui.tui.widgets.review import ReviewPane

            pane = ReviewPane(self.view)
        else:
            from hvtui.tui.widgets.option import OptionPane

            pane = OptionPane(catalog.get(step), self.view)
        return pane.data_bind(view=WizardScreen.view)

    def go_to(self, step: str) -> None:
        """Show ``step`` (a step id or any spelling of an option name)."""
        if step not in all_steps():
            canonical = catalog.canonical_name(step)
            if canonical is None:
                return
            step = canonical
        self.step = step

    @on(OptionList.OptionHighlighted, "#steps")
    def _when_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The user moved the sidebar's cursor (stale events from moves the screen made
        itself, such as the first highlight on mount, are ignored)."""
        event.stop()
        if event.option_index != event.option_list.highlighted:
            return
        if event.option.id is not None:
            self.step = event.option.id

    @on(OptionList.OptionSelected, "#steps")
    def _when_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a step moves into its pane: into the value field of an option that has
        one, else to the pane's first control (``escape`` comes back)."""
        event.stop()
        pane = self.query_one("#detail")
        for field in pane.query("#value, #choice"):
            field.focus()
            return
        if self.step == STEP_REVIEW:
            self._focus_review()
            if self.focused is not self.query_one(StepList):
                return
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return

    def action_focus_steps(self) -> None:
        """``escape``: leave the field (or list) for the sidebar; nothing is quit or lost
        (a valid value typed is kept, as leaving a field always does)."""
        steps = self.query_one(StepList)
        if self.focused is steps:
            return
        steps.focus()

    def action_next_group(self) -> None:
        """``]``: the first option of the next group (from the last group: Review)."""
        self.step = group_start(self.step, 1)

    def action_previous_group(self) -> None:
        """``[``: the first option of the previous group (or of this one, from inside it)."""
        self.step = group_start(self.step, -1)

    def action_next_finding(self) -> None:
        """``!``: the next option with a mark in the sidebar (a finding about it), round."""
        names = option_steps()
        start = names.index(self.step) + 1 if self.step in names else 0
        for name in names[start:] + names[:start]:
            if self.view.worst(name) is not None:
                self.step = name
                return
        self.notify("No option has a finding.", timeout=3)

    def action_help(self) -> None:
        """``?``: the keys, the marks and the flow."""
        from hvtui.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_request_quit(self, _unseen: str = "") -> None:
        """``q``: quit, asking first when there are unsaved changes."""
        self.request_quit()

    def action_next_step(self) -> None:
        """Next step in sidebar order."""
        self.step = neighbour(self.step, 1)

    def action_previous_step(self) -> None:
        """Previous step in sidebar order."""
        self.step = neighbour(self.step, -1)

    def action_go_review(self) -> None:
        """Straight to Review."""
        self.step = STEP_REVIEW

    def action_toggle_preview(self) -> None:
        """Preview beside (wide) or instead of (narrow) the detail pane."""
        self.preview_toggled = not self.preview_toggled

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the current step; leave out of the footer what
        does not fit in it (its unseen twin binding then does the work)."""
        if action in FOOTER_ROOM:
            roomy = self.app.size.width >= FOOTER_ROOM[action]
            if roomy == (parameters == (_UNSEEN,)):
                return False
        steps = all_steps()
        if action == "toggle_option":
            return True if catalog.canonical_name(self.step) == self.step else None
        if action == "next_step":
            return True if self.step != steps[-1] else None
        if action == "previous_step":
            return True if self.step != steps[0] else None
        if action == "save_merged":
            return self.can_merge
        return True

    def _footer_tier(self) -> tuple[bool, ...]:
        width = self.app.size.width
        return tuple(width >= room for room in FOOTER_ROOM.values())

    def on_resize(self) -> None:
        """Crossing a width in ``FOOTER_ROOM`` changes which keys the footer has room for."""
        tier = self._footer_tier()
        if tier != self._footer_room:
            self._footer_room = tier
            self.refresh_bindings()

    # -- edits -----------------------------------------------------------------------

    def _commit(self, after: Preset, label: str) -> None:
        """Make ``after`` the draft and remember how to undo it."""
        self._start(after, label, self.started_from)

    def _start(self, after: Preset, label: str, source: AuditInput | None) -> None:
        """Make ``after`` the draft, started from ``source`` (a VM, or ``None``), undoably."""
        if after == self.preset and source == self.started_from:
            return
        self.history.record(Edit(label, self.preset, after, self.started_from, source))
        self._set_draft(after, source)

    def _set_draft(self, preset: Preset, source: AuditInput | None) -> None:
        """Assign the draft and where it came from; the view is rebuilt once."""
        could_merge = self.can_merge
        self.started_from = source
        if preset != self.preset:
            self.preset = preset  # the watcher rebuilds the view
        else:
            self._rebuild_view()
        if self.can_merge != could_merge:
            self.refresh_bindings()

    @property
    def can_merge(self) -> bool:
        """The draft was started from a whole libvirt domain definition."""
        return self.view.can_merge

    def _with_config(self, config: Config) -> Preset:
        return replace(self.preset, config=config)

    def _apply_change(self, change: Change, label: str) -> None:
        """Commit a model change: pulled-in options are announced, dependents asked about."""
        if change.still_needed_by:
            self._ask_cascade(change)
            return
        self._commit(self._with_config(change.after), label)
        if change.side_effects:
            lines = "\n".join(
                f"• {item.option} {'on' if change.after.is_on(item.option) else 'off'}: "
                f"{item.reason}"
                for item in change.side_effects
            )
            self.notify(
                f"{label.capitalize()} also changed:\n{lines}\nctrl+z undoes all of it.",
                title="Dependencies",
                timeout=8,
            )

    def _ask_cascade(self, change: Change) -> None:
        from hvtui.tui.screens.dialogs import Choice, ChoiceDialog

        name = change.items[0].option
        needing = change.still_needed_by
        them = "them" if len(needing) > 1 else "it"
        need = "need" if len(needing) > 1 else "needs"
        message = (
            f"{', '.join(needing)} {need} {name}. Turn {them} off too?\n"
            f"Leaving {them} on makes QEMU refuse the configuration."
        )

        def answered(answer: str | None) -> None:
            if answer == "cascade":
                cascade = self.preset.config.disable(name, cascade=True)
                self._commit(self._with_config(cascade.after), f"turn off {name} and what needs it")
                self.notify(
                    f"Turned off {name} and {', '.join(needing)}. ctrl+z undoes it.",
                    title="Dependencies",
                )
            elif answer == "only":
                self._commit(self._with_config(change.after), f"turn off {name}")
            else:
                self._resync()

        self.app.push_screen(
            ChoiceDialog(
                f"Turn off {name}?",
                message,
                [
                    Choice("cascade", f"Turn {them} off too", "y", "warning"),
                    Choice("only", f"Only {name}", "o"),
                    Choice("cancel", "Cancel", "c"),
                ],
            ),
            answered,
        )

    def _resync(self) -> None:
        """Redraw the pane from the unchanged model (a control was moved, then cancelled)."""
        self.mutate_reactive(WizardScreen.view)

    @on(ToggleOption)
    def _when_toggle(self, message: ToggleOption) -> None:
        config = self.preset.config
        if message.on == config.is_on(message.name):
            return
        if message.on:
            self._apply_change(config.enable(message.name), f"turn on {message.name}")
        else:
            self._apply_change(config.disable(message.name), f"turn off {message.name}")

    @on(SetValue)
    def _when_set_value(self, message: SetValue) -> None:
        if self.preset.config.get(message.name) == message.value:
            return
        change = self.preset.config.set(message.name, message.value)
        self._apply_change(change, f"set {message.name}")

    @on(ApplyFix)
    def _when_apply_fix(self, message: ApplyFix) -> None:
        fix = message.fix
        self._commit(self._with_config(self.preset.config.with_values(fix.changes)), fix.label)
        self.notify(f"Applied: {fix.label}. ctrl+z undoes it.", title="Fix")

    def action_toggle_option(self) -> None:
        """Space: turn the shown option on or off."""
        name = catalog.canonical_name(self.step)
        if name is None or name != self.step:
            return
        self.post_message(ToggleOption(name, not self.preset.config.is_on(name)))

    def action_undo(self) -> None:
        """Restore the draft before the last change."""
        edit = self.history.undo()
        if edit is None:
            self.notify("Nothing to undo.", severity="warning", timeout=2)
            return
        self._set_draft(edit.before, edit.source_before)
        self.notify(f"Undid: {edit.label}", timeout=3)

    def action_redo(self) -> None:
        """Re-apply the last undone change."""
        edit = self.history.redo()
        if edit is None:
            self.notify("Nothing to redo.", severity="warning", timeout=2)
            return
        self._set_draft(edit.after, edit.source_after)
        self.notify(f"Redid: {edit.label}", timeout=3)

    # -- start from -------------------------------------------------------------------

    @on(StartFrom)
    def _when_start_from(self, message: StartFrom) -> None:
        if message.kind == "recommended":
            intent = message.argument or self.intent
            rec = services.recommend(self.host, intent=intent)
            self.intent = intent
            label = f"start from the {intent} recommendation"
            described = replace(
                self.preset, config=rec.config, description=recommended_description(intent)
            )
            self._start(described, label, None)
            self._loaded(f"the {intent} recommendation")
        elif message.kind == "file":
            try:
                loaded = presets.load(typed_path(message.argument))
            except (PresetError, PathProblemError) as exc:
                self.notify(
                    one_line(str(exc)),
                    title="Cannot load preset",
                    severity="error",
                    timeout=8,
                    markup=False,
                )
                return
            self.load_preset(loaded)
        elif message.kind == "import":
            try:
                imported = services.import_config(message.argument)
            except services.ImportFailedError as exc:
                self.notify(
                    str(exc), title="Cannot import", severity="error", timeout=8, markup=False
                )
                return
            self.start_from_vm(imported)
        elif message.kind == "libvirt":
            self.notify(
                f"Reading {message.argument} from {message.uri}…", title="Start from", timeout=3
            )
            self._load_domain(message.uri, message.argument)
        elif message.kind == "running" and message.source is not None:
            self.start_from_vm(services.ImportedConfig.of(message.source))
        elif message.kind == "empty":
            self._start(self._with_config(Config()), "start empty", None)
            self._loaded("nothing")

    def start_from_vm(self, imported: services.ImportedConfig) -> None:
        """Make an existing or running VM's enlightenments the draft and remember the VM."""
        source = imported.source
        label = one_line(source.label)
        draft = self._with_config(imported.config)
        name = preset_name_for(source.imported.name)
        if name is not None:
            draft = replace(draft, name=name)
        self._start(draft, f"start from {label}", source)
        merge = " ctrl+d saves it merged into the domain XML." if self.can_merge else ""
        self._loaded(f"{label} ({source.kind_name})", merge)
        if imported.problems:
            self.notify(
                "\n".join(imported.problems[:6]),
                title="Not imported",
                severity="warning",
                timeout=10,
                markup=False,
            )

    @work(
        thread=True,
        exclusive=True,
        group="libvirt",
        exit_on_error=False,
        description="Reading a libvirt domain",
    )
    def _load_domain(self, uri: str, name: str) -> None:
        """libvirt answers over a socket (and may time out): never on the UI path."""
        try:
            imported = services.load_libvirt_domain(uri, name)
        except services.ImportFailedError as exc:
            self.post_message(DomainLoaded(uri, name, None, str(exc)))
        else:
            self.post_message(DomainLoaded(uri, name, imported, None))

    @on(DomainLoaded)
    def _when_domain_loaded(self, message: DomainLoaded) -> None:
        if message.imported is None:
            self.notify(
                message.error or "unknown error",
                title=f"Cannot read {one_line(message.name)}",
                severity="error",
                timeout=8,
                markup=False,
            )
            return
        self.libvirt_origin = (message.imported.source, message.uri, message.name)
        self.start_from_vm(message.imported)
        self.refresh_bindings()

    @property
    def apply_target(self) -> tuple[str, str] | None:
        """The libvirt domain (URI, name) the draft can be applied to: the one it started
        from (undoing that start forgets it)."""
        origin = self.libvirt_origin
        if origin is None or self.started_from is not origin[0]:
            return None
        return origin[1], origin[2]

    def action_apply_domain(self) -> None:
        """Apply to DOMAIN: plan in a worker, show the diff, ask, then define."""
        target = self.apply_target
        if target is None:
            self.notify(
                "Start from a libvirt domain first (Start from → A libvirt domain); the "
                "draft is applied to that domain.",
                title="Apply to a domain",
                severity="warning",
                markup=False,
            )
            return
        self._apply_domain(target[0], target[1], self.preset, self.intent)

    @work(exclusive=True, group="apply", exit_on_error=False, description="Applying to a domain")
    async def _apply_domain(self, uri: str, name: str, preset: Preset, intent: str) -> None:
        """Plan (a thread), show the diff and ask (``push_screen_wait``), then execute (a
        thread): what ``hvtui apply DOMAIN`` and then ``--yes`` do."""
        from hvtui.tui.screens.apply import ApplyDialog

        shown = one_line(name)
        try:
            plan = await asyncio.to_thread(services.plan_domain_apply, uri, name, preset)
        except services.LibvirtProblemError as exc:
            self.notify(str(exc), title=f"Cannot apply to {shown}", severity="error", markup=False)
            return
        if plan.blocked:
            self.notify(
                f"Not applied: the draft has errors (see Review); {shown} was not changed.",
                title=f"Apply to {shown}",
                severity="error",
                markup=False,
            )
            return
        if not plan.changed:
            self.notify(
                f"No change: {shown}'s definition already has the draft.",
                title=f"Apply to {shown}",
                markup=False,
            )
            return
        answer = await self.app.push_screen_wait(ApplyDialog(plan))
        if answer != "apply":
            self.notify(f"Nothing applied: {shown} was not changed.", timeout=4, markup=False)
            return
        try:
            result = await asyncio.to_thread(services.execute_domain_apply, plan, intent)
        except services.LibvirtProblemError as exc:
            self.notify(str(exc), title=f"Cannot apply to {shown}", severity="error", markup=False)
            return
        backup = (
            f" The old definition is in {one_line(str(result.backup))}." if result.backup else ""
        )
        running = " It takes effect at the next boot." if plan.running else ""
        if result.verified:
            self.notify(
                f"Applied to {shown}: libvirt now gives QEMU exactly the draft's hv-* "
                f"options.{running}{backup}",
                title=f"Applied to {shown}",
                timeout=10,
                markup=False,
            )
        else:
            self.notify(
                f"Defined {shown}, but libvirt does not give QEMU exactly the draft's hv-* "
                f"options (hvtui apply {shown} says more).{backup}",
                title=f"Applied to {shown}: not verified",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def load_preset(self, loaded: Preset) -> None:
        """Make a saved preset the draft (undoable); it counts as saved."""
        self.baseline = loaded
        self._start(loaded, f"load preset {loaded.name}", None)
        self._rebuild_view()
        self._loaded(f"preset {loaded.name}")

    def _loaded(self, what: str, more: str = "") -> None:
        count = len(self.preset.config.enabled())
        self.notify(
            f"Started from {what}: {plural(count, 'option')} on. n walks through them; "
            f"ctrl+z goes back.{more}",
            title="Start from",
            markup=False,
        )

    # -- running VMs -------------------------------------------------------------------

    def list_running(self, *, again: bool = False) -> None:
        """List the running QEMU VMs in a worker: once, or ``again`` (Rescan)."""
        if self._listing or (self.running is not None and not again):
            return
        self._listing = True
        if self.running is not None:
            self.running = None  # the Start step says it is looking
            self._rebuild_view()
        self._list_running()

    @work(
        thread=True,
        exclusive=True,
        group="running",
        exit_on_error=False,
        description="Listing running VMs",
    )
    def _list_running(self) -> None:
        """psutil walks every process (a snapshot is detected again): never on the UI path."""
        self.post_message(RunningListed(services.running_vms(self.sysroot)))

    @on(RunningListed)
    def _when_running_listed(self, message: RunningListed) -> None:
        self._listing = False
        self.running = message.running
        self._rebuild_view()

    # -- save and export -----------------------------------------------------------------

    @on(RunAction)
    def _when_run(self, message: RunAction) -> None:
        if message.action == "save":
            self.action_save()
        elif message.action == "export":
            self.action_export()
        elif message.action == "snippet":
            self.action_snippet()
        elif message.action == "save_merged":
            self.action_save_merged()
        elif message.action == "apply_domain":
            self.action_apply_domain()
        elif message.action == "verify":
            self.action_verify()
        elif message.action == "list_running":
            self.list_running()
        elif message.action == "rescan_running":
            self.list_running(again=True)

    def action_verify(self) -> None:
        """Verify on this host: boot the draft's CPU configuration in a throw-away VM (live
        host only: a snapshot's or demo's draft describes another machine)."""
        from hvtui.verify import SpecError, from_preset

        if self.sysroot is not None or self.demo is not None:
            shown = f"the demo host {self.demo}" if self.demo else "a saved snapshot"
            self.app.notify(
                f"Verify on this host is not available: the wizard shows {one_line(shown)}, "
                "and verifying boots QEMU on this machine's KVM. Run hvtui without "
                "--sysroot/--demo on the host itself.",
                title="Not available here",
                severity="warning",
                markup=False,
            )
            return
        try:
            spec = from_preset(self.preset)
        except SpecError as exc:
            self.app.notify(
                one_line(str(exc)), title="Cannot verify", severity="error", markup=False
            )
            return
        from hvtui.tui.screens.verify import VerifyDialog

        self.app.push_screen(VerifyDialog(spec))

    def action_save(self) -> None:
        """Ask for name and file, confirm replacing, write atomically."""
        from hvtui.tui.screens.dialogs import SaveDialog

        self.app.push_screen(SaveDialog(self.preset), self._save_answered)

    def _save_answered(self, request: SaveRequest | None) -> None:
        from hvtui.tui.screens.dialogs import confirm_replace

        if request is None:
            self._quit_after_save = False
            self._quit_code = 0
            return
        draft = replace(self.preset, name=request.name, description=request.description)
        if _exists(request.path):

            def answered(answer: str | None) -> None:
                if answer == "replace":
                    self._write_preset(draft, request.path, force=True)
                else:
                    self._quit_after_save = False

            self.app.push_screen(confirm_replace(request.path), answered)
        else:
            self._write_preset(draft, request.path, force=False)

    def _write_preset(self, draft: Preset, path: Path, *, force: bool) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            presets.save(draft, path, force=force)
        except (WriteError, OSError) as exc:
            self._quit_after_save = False
            self.notify(
                one_line(str(exc)), title="Not saved", severity="error", timeout=8, markup=False
            )
            return
        origin: presets.Origin = "user" if path.parent == presets.user_dir_or_none() else "file"
        saved = replace(draft, source=path, origin=origin)
        self.baseline = saved
        self.preset = saved
        self.history.keep_identity(saved)
        self._rebuild_view()
        errors = self.view.counts[Severity.ERROR]
        note = f" It has {plural(errors, 'error')}: 'hvtui check' will fail." if errors else ""
        self.notify(
            f"Saved {draft.name} to {one_line(str(path))}.{note}", title="Saved", markup=False
        )
        if self._quit_after_save:
            self._leave(self._quit_code)

    def action_export(self, _unseen: str = "") -> None:
        """Pick a format, then a file (confirming a replace) or the clipboard."""
        from hvtui.tui.screens.dialogs import ExportDialog

        fmt = self.query_one(PreviewPane).active_format
        self.app.push_screen(ExportDialog(self.preset, fmt), self._export_answered)

    def _export_answered(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        text = self._snippet(request.fmt)
        if text is None:
            return
        label = services.FORMAT_LABELS[request.fmt]
        if request.path is None:
            self._copy_text(text, request.fmt)
            return
        self._write_snippet_to(text, request.path, label)

    def _write_snippet_to(self, text: str, path: Path, label: str) -> None:
        """Write a snippet, asking before replacing a file."""
        from hvtui.tui.screens.dialogs import confirm_replace

        if _exists(path):

            def answered(answer: str | None) -> None:
                if answer == "replace":
                    self._write_export(text, path, label, force=True)

            self.app.push_screen(confirm_replace(path), answered)
        else:
            self._write_export(text, path, label, force=False)

    def _snippet(self, fmt: str) -> str | None:
        """What ``hvtui export --format FMT`` prints, or ``None`` (and why) when it refuses."""
        try:
            return services.render(self.preset, fmt, self.export_env)
        except services.ExportRefusedError as exc:
            details = "".join(f"\n• {f.message}" for f in exc.findings[:5])
            self.notify(
                f"{exc}{details}\nFix them on the Review step (r).",
                title="Not exported",
                severity="error",
                timeout=10,
            )
            return None

    def action_snippet(self, _unseen: str = "") -> None:
        """``ctrl+t``: the snippet of the preview's tab, full width, to select or copy."""
        from hvtui.tui.screens.snippet import SnippetScreen

        texts = {
            fmt: services.preview_text(self.preset, fmt, self.export_env)
            for fmt in services.FORMATS
        }
        fmt = self.query_one(PreviewPane).active_format
        if fmt == "toml":
            fmt = "qemu"  # the preset itself is saved with ctrl+s; the snippets go elsewhere
        self.app.push_screen(
            SnippetScreen(texts, fmt, copy=self.copy_snippet, write=self.write_snippet)
        )

    def copy_snippet(self, fmt: str) -> None:
        """Copy a snippet, where the terminal can; elsewhere say so and offer a file."""
        text = self._snippet(fmt)
        if text is not None:
            self._copy_text(text, fmt)

    def _copy_text(self, text: str, fmt: str) -> None:
        from hvtui.tui.screens.dialogs import Choice, ChoiceDialog

        label = services.FORMAT_LABELS[fmt]
        support = services.clipboard_support()
        if support.state == "no":

            def answered(answer: str | None) -> None:
                if answer == "write":
                    self.write_snippet(fmt)

            self.app.push_screen(
                ChoiceDialog(
                    "Cannot copy in this terminal",
                    Content(
                        f"{support.terminal}: {support.why}, so nothing would reach your "
                        f"clipboard. Write the {label} snippet to a file instead? (Or select "
                        "it on the full-width view, ctrl+t.)"
                    ),
                    [
                        Choice("write", "Write to a file", "w", "primary"),
                        Choice("cancel", "Cancel", "c"),
                    ],
                ),
                answered,
            )
            return
        self.app.copy_to_clipboard(text)
        if support.state == "yes":
            self.notify(f"Copied the {label} snippet.", title="Copied")
        else:
            self.notify(
                f"Sent the {label} snippet to the clipboard. If nothing pastes, {support.why}: "
                "write it to a file (w on the full-width view, ctrl+t) or select it there.",
                title="Copied?",
                timeout=10,
                markup=False,
            )

    def write_snippet(self, fmt: str) -> None:
        """Ask where, then write a snippet (asking before replacing a file)."""
        from hvtui.tui.screens.dialogs import PathDialog, default_export_path

        text = self._snippet(fmt)
        if text is None:
            return
        label = services.FORMAT_LABELS[fmt]

        def answered(path: Path | None) -> None:
            if path is not None:
                self._write_snippet_to(text, path, label)

        self.app.push_screen(
            PathDialog(
                f"Write the {label} snippet",
                f"Exactly what 'hvtui export --format {fmt}' prints for this draft.",
                default_export_path(self.preset, fmt),
            ),
            answered,
        )

    def _write_export(self, text: str, path: Path, label: str, *, force: bool) -> None:
        try:
            atomic_write(path, text, force=force)
        except (WriteError, OSError) as exc:
            self.notify(
                one_line(str(exc)), title="Not exported", severity="error", timeout=8, markup=False
            )
            return
        self.notify(
            f"Wrote the {label} snippet to {one_line(str(path))}.", title="Exported", markup=False
        )

    def action_save_merged(self) -> None:
        """Ask where, then write the domain XML the draft started from with the draft merged
        in (``hvtui export --into``); the input itself only if picked and confirmed."""
        from hvtui.tui.screens.dialogs import PathDialog

        source = self.started_from
        if source is None or source.document is None:
            self.notify(
                "Start from a libvirt domain XML (Start step) to save a merged copy.",
                severity="warning",
            )
            return
        label = one_line(source.label)
        dialog = PathDialog(
            "Save merged domain XML",
            f"{label} with this draft's Hyper-V settings in place of its own; everything else "
            "in the domain is kept. The file you started from is only replaced if you pick it.",
            services.default_merged_path(source, self.preset),
        )
        self.app.push_screen(dialog, partial(self._merge_answered, source))

    def _merge_answered(self, source: AuditInput, path: Path | None) -> None:
        from hvtui.tui.screens.dialogs import confirm_replace

        if path is None:
            return
        try:
            merged = services.merged_xml(source, self.preset, self.export_env)
        except services.ExportRefusedError as exc:
            self.notify(
                f"{exc}\nFix it on the Review step (r).",
                title="Not written",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        if _exists(path):
            note = ""
            if services.same_file(path, source.label):
                note = "It is the domain XML this draft was started from."

            def answered(answer: str | None) -> None:
                if answer == "replace":
                    self._write_merged(merged, path, force=True)

            self.app.push_screen(confirm_replace(path, note=note), answered)
        else:
            self._write_merged(merged, path, force=False)

    def _write_merged(self, merged: services.Merged, path: Path, *, force: bool) -> None:
        try:
            atomic_write(path, merged.text, force=force)
        except (WriteError, OSError) as exc:
            self.notify(
                one_line(str(exc)), title="Not written", severity="error", timeout=8, markup=False
            )
            return
        notes = "".join(f"\n• {note}" for note in merged.notes)
        shown = one_line(str(path))
        self.notify(
            f"Wrote the merged domain XML to {shown}; 'virsh define {shown}' applies it.{notes}",
            title="Saved merged XML",
            timeout=8,
            markup=False,
        )

    # -- quitting -----------------------------------------------------------------------------

    def request_quit(self, code: int = 0) -> None:
        """Quit, asking first when there are unsaved changes; exit with ``code`` (128+N when
        a signal asked)."""
        from hvtui.tui.screens.dialogs import Choice, ChoiceDialog

        if not self.dirty:
            self._leave(code)
            return
        self._quit_code = code

        def answered(answer: str | None) -> None:
            self._quit_question = None
            if answer == "discard":
                self._leave(self._quit_code)
            elif answer == "save":
                self._quit_after_save = True
                self.action_save()
            else:
                self._quit_code = 0  # keep working: a later q quits normally

        question = ChoiceDialog(
            "Unsaved changes",
            f"The preset {one_line(self.preset.name)} has changes that are not saved.",
            [
                Choice("save", "Save first", "s", "primary"),
                Choice("discard", "Quit without saving", "d", "error"),
                Choice("cancel", "Keep working", "c"),
            ],
        )
        self._quit_question = question
        self.app.push_screen(question, answered)

    def stop_requested(self, code: int, why: str, *, ask: bool) -> None:
        """A signal asked hvtui to stop (see :meth:`HvtuiApp.stop_requested`): leave at once
        when nothing is unsaved; ask as ``q`` does when ``ask``, unless the question (or the
        save it led to) is already under way; otherwise write a recovery file."""
        if not self.dirty:
            self._leave(code, why=why)
            return
        quitting = self._quit_question is not None or self._quit_after_save
        if ask and not quitting:
            self.request_quit(code)
            return
        self._recover(code, why)

    def _recover(self, code: int, why: str) -> None:
        """Write the draft to a new recovery file and leave, saying where (or why not)."""
        from hvtui.tui.recovery import write_recovery

        name = one_line(self.preset.name)
        try:
            path = write_recovery(self.preset)
        except OSError as exc:
            lost = one_line(str(exc))
            note = f"hvtui: {why}; the unsaved draft {name} could not be saved: {lost}"
        else:
            note = f"hvtui: {why}; the unsaved draft {name} was saved to {one_line(str(path))}"
        self._leave(code, note)

    def _leave(self, code: int, note: str | None = None, *, why: str = "interrupted") -> None:
        """Exit the app with ``code``; an exit a signal started (``code`` not 0) says so in
        one line once the terminal is restored."""
        from hvtui.tui.app import HvtuiApp

        if note is None and code:
            note = f"hvtui: {why}"
        app = self.app
        if isinstance(app, HvtuiApp):
            app.leave(code, note)
        else:
            app.exit(return_code=code)

    # -- slow probes ------------------------------------------------------------------------------

    @work(
        thread=True, exclusive=True, group="detect", exit_on_error=False, description="Probing host"
    )
    def _deep_probe(self) -> None:
        """py-cpuinfo, KVM and version probes take up to a second: never on the UI path.

        On this machine it also asks virt-install which ``--features`` it knows
        (what ``hvtui export --format virt-install`` asks); a snapshot has only
        its recorded answers.
        """
        if self.sysroot is None:
            from hvtui.export import detected_libvirt, probe_features

            self.live_libvirt = detected_libvirt()
            self.virt_install_features = probe_features()
        self.post_message(HostUpdated(services.detect_host(self.sysroot, deep=True)))

    @on(HostUpdated)
    def _when_host_updated(self, message: HostUpdated) -> None:
        host = message.host
        if host.error and not self.host.error:
            host = self.host
        self.probing = message.partial
        self.host = replace(host, deep=not message.partial)


__all__ = ["HostUpdated", "WizardScreen"]
