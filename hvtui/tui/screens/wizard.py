"""The wizard: sidebar of steps, the detail pane, the preview, and the one draft.

:class:`WizardScreen` lays them out and turns commands into work.  Every
command is a typed message (:mod:`hvtui.tui.messages`) with its own handler;
edits go to the plain-Python :class:`~hvtui.tui.draft.Draft` (commit, undo,
start-from), after which one :class:`~hvtui.tui.view.WizardView` is rebuilt
and handed to the children, which redraw from it.  What asks questions runs
in a worker that awaits each dialog (:mod:`.writing`, :mod:`.quitting`,
:mod:`.apply`); the keys are in :mod:`.wizard_keys`, the panes' lifecycle in
:mod:`.panes`.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import Reactive, var
from textual.screen import Screen
from textual.widget import MountError, Widget

from hvtui import catalog, presets
from hvtui.intents import DEFAULT_INTENT
from hvtui.model import Change, Config
from hvtui.presets import Preset, PresetError
from hvtui.records import replace
from hvtui.textsafe import one_line
from hvtui.tui import messages, services
from hvtui.tui.draft import Draft, side_effects_text
from hvtui.tui.later_css import PANES, PREVIEW_TOGGLED, read_css
from hvtui.tui.screens.panes import PaneHolder, Panes, PaneSlot
from hvtui.tui.screens.wizard_keys import WIDE, WIZARD_BINDINGS, footer_tier, is_unseen_twin
from hvtui.tui.services import Host
from hvtui.tui.state import DEFAULT_NAME, PathProblemError, plural, typed_path
from hvtui.tui.steps import (
    Step,
    all_steps,
    group_start,
    neighbour,
    next_marked,
    option_steps,
    page,
    step_for,
    step_title,
)
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.footer import WizardFooter
from hvtui.tui.widgets.header import WizardHeader
from hvtui.tui.widgets.preview import PreviewPane
from hvtui.tui.widgets.steps import StepList
from hvtui.versions import Version

if TYPE_CHECKING:
    from textual.worker import Worker

    from hvtui.audit import AuditInput

_EMPTY = Preset(DEFAULT_NAME, Config())


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

    BINDINGS: ClassVar[list[BindingType]] = WIZARD_BINDINGS

    BLANK: ClassVar[bool] = True
    """Its children cover every cell (header, sidebar, panes, preview, footer), so its own
    lines are drawn blank (Textual's ``BLANK``) rather than each through the styles cache."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012 (Textual API)
    """Below 110 columns the preview is one key (``v``) away instead of beside."""

    view: var[WizardView] = var(WizardView(_EMPTY, Host("unavailable")), init=False)
    """The draft and what follows from it; every child that draws is handed it."""
    step: var[str] = var(Step.HOST, init=False)
    """The step the detail pane shows (the footer is refreshed only when what it greys out
    changes: recomposing it on every step would double the cost of a step switch)."""
    preview_toggled: var[bool] = var(False, init=False)
    """``v`` pressed: preview shown (narrow) or hidden (wide)."""
    title: Reactive[str | None] = Reactive(None, repaint=False, compute=False)
    """The header's title: not repainting where :class:`Screen` has a repainting reactive, since
    :class:`WizardHeader` is told and redraws its title only (:meth:`_update_titles`);
    repainting the whole screen on every step switch (the sub-title names the step) was
    most of a switch's cost."""
    sub_title: Reactive[str | None] = Reactive(None, repaint=False, compute=False)
    """``Step · preset (unsaved)``: not repainting for the same reason as :attr:`title`."""

    def __init__(
        self,
        host: Host,
        preset: Preset,
        *,
        sysroot: Path | None = None,
        probe: bool = True,
        intent: str = DEFAULT_INTENT,
        demo: str | None = None,
        prepare_panes: bool = True,
    ) -> None:
        super().__init__()
        self.sysroot = sysroot
        self.prepare_panes = prepare_panes
        """Prepare the hidden step panes after the first frame (see :meth:`_prepare_panes`).
        ``False`` builds each pane on its first visit instead, as before there was
        preparation: what is shown is the same, only a first visit costs more.  The test
        suite turns it off (preparing every pane costs each test app up to a second of CPU);
        ``tests/tui/test_panes.py`` keeps it on."""
        self.demo = demo
        """The shipped demo host shown, named in the title (``None``: not a demo)."""
        self.probe = probe
        self.draft = Draft(preset)
        """The preset being edited, its undo and where it came from."""
        self.host = host
        """What detection found (the slow probes replace it when they finish)."""
        self.intent = intent
        """What the guest is for; advice and the recommendation depend on it."""
        self.probing = probe
        """True while the slow probes run (the Host step says more is coming)."""
        self.running: services.RunningVms | None = None
        """The running QEMU VMs, once listed (only when the Start step first asks)."""
        self._listing = False
        self.virt_install_features: frozenset[str] | None = None
        """``virt-install --features=?`` on this machine (probed live only, in the worker)."""
        self.live_libvirt: Version | None = None
        """The libvirt ``hvtui export`` detects on this machine (probed in the worker)."""
        self.set_reactive(WizardScreen.view, self._build_view())
        self._mounted = False
        self._update_titles()  # before the header is composed: it starts with them
        self._step_lock = asyncio.Lock()
        self._footer_state: tuple[bool | None, ...] = ()
        self._footer_room: tuple[bool, ...] = ()
        # The breakpoint class now, not on the first resize: adding it then restyles
        # every widget once more before the first frame.  Not styled here: the screen is
        # styled with its class when it is mounted (styling it now cost one more pass).
        width = self.app.size.width
        self.add_class("-wide" if width >= WIDE else "-narrow", update=False)
        self._laid_out_for = self.app.size
        """The terminal size the screen was last laid out for (its first layout is for the
        app's size now); a resize to it is skipped (:meth:`on_resize`)."""
        self._panes: Panes | None = None
        self._first = PaneSlot(self.step, self._make_pane(self.step))
        self._quitting: Worker[None] | None = None
        """The unsaved-changes question and the save it may lead to, while under way."""
        self.panes_prepared = False
        """Every step's pane is mounted: see :meth:`_prepare_panes`."""
        self.last_switch_ms: float = 0.0
        """How long the last step switch took to show the pane (benchmark)."""

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The screen lays the sidebar, the panes and the preview out side by side (app.tcss)
        # between the docked header and footer: no container around them to style and draw.
        yield WizardHeader(self._header_title(), icon="hv")
        steps = StepList(self.view, id="steps")
        # Styled focused from the start: on_mount focuses the sidebar before the first frame,
        # and Textual restyles a widget and all it holds when its public has_focus reactive
        # changes (Widget.watch_has_focus -> update_node_styles, textual/widget.py): a second
        # styling of the sidebar, its rows and its four component classes (~5 M instructions
        # at 120x36, issue #13).  Marked focused before it is first styled, it is styled once,
        # as focused; the focus itself (the screen's focused widget, the Focus event, the
        # bindings) comes from on_mount as before, and sets has_focus to what it already is.
        steps.set_reactive(Widget.has_focus, True)
        yield steps.data_bind(view=WizardScreen.view)
        with PaneHolder(id="panes"):
            yield self._first
        yield PreviewPane(id="preview").data_bind(view=WizardScreen.view)
        yield WizardFooter(compact=True, show_command_palette=False)  # ctrl+p: in the help

    async def on_mount(self) -> None:
        self._mounted = True
        steps = self.query_one(StepList)
        holder = self.query_one("#panes", PaneHolder)
        self._panes = Panes(holder, self._make_pane)
        self._panes.adopt(self._first, self.view)
        self._update_titles()  # the step may have changed since (unchanged: nothing happens)
        steps.select_step(self.step)
        steps.focus()
        await self._show_step(self.step)
        self.call_after_refresh(self.query_one(PreviewPane).start)
        if self.prepare_panes:
            self.call_after_refresh(self._prepare_panes)  # once the preview has its tabs
        if self.probe:  # after the first frame: its thread would compete with drawing it
            self.call_after_refresh(self._deep_probe)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Spare the screen's first resume Textual's restyle of every widget on it.

        Textual restyles a whole screen when it is resumed (``Screen._on_screen_resume``
        calls ``update_node_styles`` unless the event's public ``refresh_styles`` is
        False), for a screen coming back whose app CSS may have changed meanwhile.  The
        first resume comes right after the screen was composed and mounted, each widget
        styled as it was mounted, with nothing changed since: that restyle finds the same
        styles and cost ~17 M instructions of the first frame at 120x36 (issue #13).
        Later resumes keep it.  This handler runs before Screen's own: Textual calls a
        message's handlers along the class's MRO, subclass first
        (``MessagePump._get_dispatch_methods``, textual/message_pump.py); the public
        ``stack_updates`` counts resumes and suspends, so 0 is the first resume."""
        if self.stack_updates == 0:
            event.refresh_styles = False

    @work(exclusive=True, group="panes", description="Preparing the step panes")
    async def _prepare_panes(self) -> None:
        """Mount every step's pane hidden, one at a time, the steps after the current one
        first: a pane's first visit then costs a pane swap (a few milliseconds) instead of
        building it (tens of milliseconds, most of a step switch).  Each pane waits until
        pending keys and frames are handled, and a step switch waits for at most the one
        pane being mounted."""
        panes = self._panes
        if panes is None:
            return
        steps = all_steps()
        here = steps.index(self.step) if self.step in steps else 0
        for step in steps[here + 1 :] + steps[: here + 1]:
            await asyncio.sleep(0)  # what is queued (a key, a refresh) goes first
            async with self._step_lock:
                if panes.prepared(step):
                    continue
                try:
                    await panes.prepare(step)
                except MountError:
                    return  # the app is closing
        self.panes_prepared = True

    def _make_pane(self, step: str) -> Widget:
        """The pane for ``step`` (imports are lazy: startup cost); the rules the panes after
        the Host pane share are read before the first of them is built."""
        shown = page(step)
        if shown is Step.HOST:
            from hvtui.tui.widgets.host import HostPane

            return HostPane(self.view)
        read_css(self.app, PANES)
        if shown is Step.START:
            from hvtui.tui.widgets.start import StartPane

            return StartPane(self.view)
        if shown is Step.REVIEW:
            from hvtui.tui.widgets.review import ReviewPane

            return ReviewPane(self.view)
        from hvtui.tui.widgets.option import OptionPane

        return OptionPane(catalog.get(step), self.view)

    # -- the draft and what follows from it ------------------------------------------------

    @property
    def preset(self) -> Preset:
        """The draft: the one model object everything else is derived from."""
        return self.draft.preset

    @property
    def started_from(self) -> AuditInput | None:
        """The existing or running VM the draft was started from (undone with the draft)."""
        return self.draft.started_from

    @property
    def dirty(self) -> bool:
        """True when the draft has changes not saved (or loaded from a file)."""
        return self.draft.dirty

    @property
    def can_merge(self) -> bool:
        """The draft was started from a whole libvirt domain definition."""
        return self.draft.can_merge

    @property
    def apply_target(self) -> tuple[str, str] | None:
        """The libvirt domain (URI, name) the draft can be applied to (see
        :attr:`hvtui.tui.draft.Draft.apply_target`)."""
        return self.draft.apply_target

    @property
    def export_env(self) -> services.ExportEnv:
        """What exports depend on: on this machine what ``hvtui export`` itself asks (probed
        in the worker); on a snapshot, the libvirt it recorded."""
        libvirt = self.live_libvirt if self.sysroot is None else self.host.libvirt
        return services.ExportEnv(libvirt, self.virt_install_features)

    @property
    def preview_format(self) -> str:
        """The format of the preview's visible tab."""
        return self.query_one(PreviewPane).active_format

    def _build_view(self) -> WizardView:
        draft = self.draft
        return WizardView.build(
            draft.preset,
            self.host,
            draft.baseline,
            self.intent,
            self.export_env,
            probing=self.probing,
            started_from=draft.started_from,
            running=self.running,
        )

    def refresh_view(self) -> None:
        """Rebuild the view after the draft, the host, the intent or the VM list changed;
        the keys that depend on where the draft came from are refreshed when that did."""
        before = (self.view.can_merge, self.apply_target)
        self.view = self._build_view()
        self._update_titles()
        if (self.view.can_merge, self.apply_target) != before:
            self.refresh_bindings()

    def watch_view(self, view: WizardView) -> None:
        """The shown pane follows the model (the sidebar and the preview are bound)."""
        if self._panes is not None:
            self._panes.follow(view)

    def _edited(self, changed: bool) -> None:
        if changed:
            self.refresh_view()

    def _update_titles(self) -> None:
        """``hvtui — demo: NAME — Step · preset (unsaved)``: the step first, so an 80-column
        header still shows it (the host label, when there is no demo name, comes last)."""
        mark = " (unsaved)" if self.view.dirty else ""
        title = f"hvtui — demo: {self.demo}" if self.demo else "hvtui"
        where = "" if self.demo else f" · {self.host.label}"
        sub_title = f"{step_title(self.step)} · {self.preset.name}{mark}{where}"
        if (title, sub_title) == (self.title, self.sub_title):
            return
        self.title = title
        self.sub_title = sub_title
        if self._mounted:
            self.query_one(WizardHeader).show(self._header_title())

    def _header_title(self) -> Content:
        """What the header shows: the app's way of joining the title and the sub-title."""
        return self.app.format_title(self.title or "", self.sub_title or "")

    def watch_preview_toggled(self, toggled: bool) -> None:
        """Where the preview goes is in rules of their own (:data:`PREVIEW_TOGGLED`), read on
        the first press, before the class they select on is set (setting it restyles the
        screen and all it holds): the first frame, never toggled, does not parse them."""
        read_css(self.app, PREVIEW_TOGGLED)
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
        """Show the step's pane; a newer step request wins over an older one.

        Focus inside the old pane goes back to the sidebar (it would otherwise stay
        on a hidden widget); Review takes it itself when it has findings to act on.
        """
        panes = self._panes
        if panes is None:
            return
        async with self._step_lock:
            if step != self.step or (panes.shown is not None and panes.shown.step == step):
                return
            started = time.perf_counter()
            focused = self.focused
            old = panes.pane
            inside = focused is None or old is None or focused is old or old in focused.ancestors
            with self.app.batch_update():
                await panes.show(step, self.view)
            if step == Step.REVIEW:
                self._focus_review(leaving=inside)
            elif inside:
                self.query_one(StepList).focus()
            self.last_switch_ms = (time.perf_counter() - started) * 1000

    def _focus_review(self, *, leaving: bool = False) -> None:
        """Review acts on arrival: its first finding selected and focused (``enter`` or
        ``f`` applies the fix); with no findings the focus stays where it was, unless it
        was in the pane just hidden (``leaving``): then the sidebar has it."""
        from hvtui.tui.widgets.review import FindingList

        listing = self.query_one(FindingList)
        if listing.findings:
            listing.highlighted = 0
            listing.focus()
        elif leaving or self.focused is None:
            self.query_one(StepList).focus()

    def go_to(self, step: str) -> None:
        """Show ``step`` (a step id or any spelling of an option name)."""
        found = step_for(step)
        if found is not None:
            self.step = found

    @on(StepList.Highlighted, "#steps")
    def _when_highlighted(self, event: StepList.Highlighted) -> None:
        """The user moved the sidebar's cursor (stale events from moves the screen made
        itself, such as the first highlight on mount, are ignored)."""
        event.stop()
        if event.index != event.step_list.highlighted:
            return
        self.step = event.step

    @on(StepList.Selected, "#steps")
    def _when_selected(self, event: StepList.Selected) -> None:
        """Enter on a step moves into its pane: into the value field of an option that has
        one, else to the pane's first control (``escape`` comes back)."""
        event.stop()
        pane = self._panes.pane if self._panes is not None else None
        if pane is None:
            return
        for field in pane.query("#value, #choice"):
            field.focus()
            return
        if self.step == Step.REVIEW:
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
        if self.focused is not steps:
            steps.focus()

    def action_next_group(self) -> None:
        """``]``: the first option of the next group (from the last group: Review)."""
        self.step = group_start(self.step, 1)

    def action_previous_group(self) -> None:
        """``[``: the first option of the previous group (or of this one, from inside it)."""
        self.step = group_start(self.step, -1)

    def action_next_finding(self) -> None:
        """``!``: the next option with a mark in the sidebar (a finding about it), round."""
        view = self.view
        marked = {name for name in option_steps() if view.worst(name) is not None}
        found = next_marked(self.step, marked)
        if found is None:
            self.notify("No option has a finding.", timeout=3)
        else:
            self.step = found

    def action_next_step(self) -> None:
        """Next step in sidebar order."""
        self.step = neighbour(self.step, 1)

    def action_previous_step(self) -> None:
        """Previous step in sidebar order."""
        self.step = neighbour(self.step, -1)

    def action_go_review(self) -> None:
        """Straight to Review."""
        self.step = Step.REVIEW

    def action_toggle_preview(self) -> None:
        """Preview beside (wide) or instead of (narrow) the detail pane."""
        self.preview_toggled = not self.preview_toggled

    def action_help(self) -> None:
        """``?``: the keys, the marks and the flow."""
        from hvtui.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the current step; leave out of the footer what
        does not fit in it (its unseen twin binding then does the work)."""
        if is_unseen_twin(action, parameters, self.app.size.width):
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

    def on_resize(self, event: events.Resize) -> None:
        """Crossing a width in ``FOOTER_ROOM`` changes which keys the footer has room for.

        A resize to the size the screen is laid out for, with its breakpoint class already
        right, changes nothing else, so Textual's own handler (which lays the whole screen
        out and draws it again) is skipped: three such come on the way to the first frame
        (the app's first size, the driver's first size report, the screen's own first
        layout), each of which relaid and redrew every widget before the first key could be
        read (issue #13).  Any other resize goes through to it and is remembered.  (Not
        ``self.size``: the app has set the screen's size to the new one before this runs.)"""
        tier = footer_tier(self.app.size.width)
        if tier != self._footer_room:
            self._footer_room = tier
            self.refresh_bindings()
        breakpoint = "-wide" if event.size.width >= WIDE else "-narrow"
        if event.size == self._laid_out_for and self.has_class(breakpoint):
            event.prevent_default()
        else:
            self._laid_out_for = event.size

    # -- edits -----------------------------------------------------------------------

    def _take(self, change: Change, label: str) -> None:
        """Commit a model change: pulled-in options are announced, dependents asked about."""
        if change.still_needed_by:
            self._ask_turn_off(change)
            return
        self._edited(self.draft.take(change, label))
        if change.side_effects:
            self.notify(
                f"{label.capitalize()} also changed:\n{side_effects_text(change)}\n"
                "ctrl+z undoes all of it.",
                title="Dependencies",
                timeout=8,
            )

    @work(group="dialogs", description="Asking about dependents")
    async def _ask_turn_off(self, change: Change) -> None:
        """Turning off what others need: them too, only it, or (cancel) nothing."""
        from hvtui.tui.screens.dialogs import Answer, turn_off_question

        name = change.items[0].option
        answer = await self.app.push_screen_wait(turn_off_question(change))
        if answer == Answer.CASCADE:
            self._edited(self.draft.turn_off_with_dependents(name))
            self.notify(
                f"Turned off {name} and {', '.join(change.still_needed_by)}. ctrl+z undoes it.",
                title="Dependencies",
            )
        elif answer == Answer.ONLY:
            self._edited(self.draft.take(change, f"turn off {name}"))
        else:
            self.mutate_reactive(WizardScreen.view)  # a control was moved: put it back

    @on(messages.ToggleOption)
    def _when_toggle(self, message: messages.ToggleOption) -> None:
        change = self.draft.toggle(message.name, message.on)
        if change is not None:
            self._take(change, f"turn {'on' if message.on else 'off'} {message.name}")

    @on(messages.SetValue)
    def _when_set_value(self, message: messages.SetValue) -> None:
        change = self.draft.set_value(message.name, message.value)
        if change is not None:
            self._take(change, f"set {message.name}")

    @on(messages.ApplyFix)
    def _when_apply_fix(self, message: messages.ApplyFix) -> None:
        fix = message.fix
        self._edited(self.draft.apply_fix(fix))
        self.notify(f"Applied: {fix.label}. ctrl+z undoes it.", title="Fix")

    def action_toggle_option(self) -> None:
        """Space: turn the shown option on or off."""
        name = catalog.canonical_name(self.step)
        if name is None or name != self.step:
            return
        self.post_message(messages.ToggleOption(name, not self.preset.config.is_on(name)))

    def action_undo(self) -> None:
        """Restore the draft before the last change."""
        edit = self.draft.undo()
        if edit is None:
            self.notify("Nothing to undo.", severity="warning", timeout=2)
            return
        self.refresh_view()
        self.notify(f"Undid: {edit.label}", timeout=3)

    def action_redo(self) -> None:
        """Re-apply the last undone change."""
        edit = self.draft.redo()
        if edit is None:
            self.notify("Nothing to redo.", severity="warning", timeout=2)
            return
        self.refresh_view()
        self.notify(f"Redid: {edit.label}", timeout=3)

    # -- start from -------------------------------------------------------------------

    @on(messages.StartFromRecommendation)
    def _when_recommended(self, message: messages.StartFromRecommendation) -> None:
        intent = message.intent or self.intent
        self.intent = intent
        rec = services.recommend(self.host, intent=intent)
        self.draft.start_recommended(rec.config, intent)
        self.refresh_view()  # the intent changed even when the draft did not
        self._loaded(f"the {intent} recommendation")

    @on(messages.StartFromFile)
    def _when_file(self, message: messages.StartFromFile) -> None:
        try:
            loaded = presets.load(typed_path(message.path))
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

    @on(messages.StartFromImport)
    def _when_import(self, message: messages.StartFromImport) -> None:
        try:
            imported = services.import_config(message.text)
        except services.ImportFailedError as exc:
            self.notify(str(exc), title="Cannot import", severity="error", timeout=8, markup=False)
            return
        self.start_from_vm(imported)

    @on(messages.StartFromRunning)
    def _when_running(self, message: messages.StartFromRunning) -> None:
        self.start_from_vm(services.ImportedConfig.of(message.source))

    @on(messages.StartFromDomain)
    def _when_domain(self, message: messages.StartFromDomain) -> None:
        self.notify(f"Reading {message.name} from {message.uri}…", title="Start from", timeout=3)
        self._load_domain(message.uri, message.name)

    @on(messages.StartEmpty)
    def _when_empty(self) -> None:
        self._edited(self.draft.start_empty())
        self._loaded("nothing")

    def start_from_vm(
        self, imported: services.ImportedConfig, domain: tuple[str, str] | None = None
    ) -> None:
        """Make an existing or running VM's enlightenments the draft and remember the VM
        (``domain``: the libvirt URI and name it was read from, to apply it back to)."""
        source = imported.source
        if domain is None:
            changed = self.draft.start_from_vm(imported.config, source)
        else:
            changed = self.draft.start_from_domain(imported.config, source, *domain)
        self._edited(changed)
        merge = " ctrl+d saves it merged into the domain XML." if self.can_merge else ""
        self._loaded(f"{one_line(source.label)} ({source.kind_name})", merge)
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
        self.start_from_vm(message.imported, (message.uri, message.name))

    def load_preset(self, loaded: Preset) -> None:
        """Make a saved preset the draft (undoable); it counts as saved."""
        self.draft.load(loaded)
        self.refresh_view()  # the baseline changed even when the draft did not
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

    @on(messages.ListRunning)
    def _when_list_running(self, message: messages.ListRunning) -> None:
        self.list_running(again=message.again)

    def list_running(self, *, again: bool = False) -> None:
        """List the running QEMU VMs in a worker: once, or ``again`` (Rescan)."""
        if self._listing or (self.running is not None and not again):
            return
        self._listing = True
        if self.running is not None:
            self.running = None  # the Start step says it is looking
            self.refresh_view()
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
        self.refresh_view()

    # -- save, export, verify, apply: the keys post the commands ------------------------------

    def action_save(self) -> None:
        """``ctrl+s``: save the preset."""
        self.post_message(messages.SavePreset())

    def action_export(self, _unseen: str = "") -> None:
        """``ctrl+e``: write or copy a snippet."""
        self.post_message(messages.ExportSnippet())

    def action_snippet(self, _unseen: str = "") -> None:
        """``ctrl+t``: the snippet full width."""
        self.post_message(messages.ShowSnippet())

    def action_save_merged(self) -> None:
        """``ctrl+d``: save the domain XML the draft started from, merged with it."""
        self.post_message(messages.SaveMerged())

    def action_verify(self) -> None:
        """``ctrl+k``: verify on this host."""
        self.post_message(messages.VerifyOnHost())

    def action_apply_domain(self) -> None:
        """``ctrl+l``: apply to the libvirt domain the draft started from."""
        self.post_message(messages.ApplyToDomain())

    @on(messages.SavePreset)
    @work(group="dialogs", description="Saving the preset")
    async def _when_save(self) -> None:
        """Ask for name and file, ask before replacing, write atomically."""
        from hvtui.tui.screens.writing import save_preset

        await save_preset(self)

    @on(messages.ExportSnippet)
    @work(group="dialogs", description="Exporting a snippet")
    async def _when_export(self) -> None:
        """Pick a format, then a file (asking before replacing) or the clipboard."""
        from hvtui.tui.screens.writing import export_snippet

        await export_snippet(self, self.preview_format)

    @on(messages.ShowSnippet)
    def _when_snippet(self) -> None:
        """The snippet of the preview's tab, full width, to select, copy or write."""
        from hvtui.tui.screens.snippet import SnippetScreen

        texts = {
            fmt: services.preview_text(self.preset, fmt, self.export_env)
            for fmt in services.format_names()
        }
        fmt = self.preview_format
        if fmt == "toml":
            fmt = "qemu"  # the preset itself is saved with ctrl+s; the snippets go elsewhere
        self.app.push_screen(
            SnippetScreen(texts, fmt, copy=self.copy_snippet, write=self.write_snippet)
        )

    @work(group="dialogs", description="Copying a snippet")
    async def copy_snippet(self, fmt: str) -> None:
        """Copy a snippet, where the terminal can; elsewhere say so and offer a file."""
        from hvtui.tui.screens.writing import copy_snippet

        await copy_snippet(self, fmt)

    @work(group="dialogs", description="Writing a snippet")
    async def write_snippet(self, fmt: str) -> None:
        """Ask where, then write a snippet (asking before replacing a file)."""
        from hvtui.tui.screens.writing import write_snippet

        await write_snippet(self, fmt)

    @on(messages.SaveMerged)
    @work(group="dialogs", description="Saving the merged domain XML")
    async def _when_save_merged(self) -> None:
        """Ask where, then write the domain XML the draft started from, merged."""
        from hvtui.tui.screens.writing import save_merged

        await save_merged(self)

    @on(messages.VerifyOnHost)
    def _when_verify(self) -> None:
        """Boot the draft's CPU configuration in a throw-away VM (live host only: a
        snapshot's or demo's draft describes another machine)."""
        from hvtui.tui.screens.verify import verify_draft

        elsewhere = None
        if self.demo is not None:
            elsewhere = f"the demo host {self.demo}"
        elif self.sysroot is not None:
            elsewhere = "a saved snapshot"
        verify_draft(self, self.preset, elsewhere=elsewhere)

    @on(messages.ApplyToDomain)
    def _when_apply(self) -> None:
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
        self._apply_domain(*target, self.preset, self.intent)

    @work(exclusive=True, group="apply", exit_on_error=False, description="Applying to a domain")
    async def _apply_domain(self, uri: str, name: str, preset: Preset, intent: str) -> None:
        """What ``hvtui apply DOMAIN`` and then ``--yes`` do, asking in between."""
        from hvtui.tui.screens.apply import apply_draft

        await apply_draft(self, uri, name, preset, intent)

    # -- quitting -----------------------------------------------------------------------------

    def action_request_quit(self, _unseen: str = "") -> None:
        """``q``: quit, asking first when there are unsaved changes."""
        self.request_quit()

    def request_quit(self, code: int = 0) -> None:
        """Quit, asking first when there are unsaved changes; exit with ``code`` (128+N when
        a signal asked)."""
        from hvtui.tui.screens.quitting import leave

        if not self.dirty:
            leave(self, code)
            return
        self._quitting = self._quit_asking(code)

    @work(group="dialogs", description="Quitting")
    async def _quit_asking(self, code: int) -> None:
        from hvtui.tui.screens.quitting import quit_asking

        await quit_asking(self, code)

    def stop_requested(self, code: int, why: str, *, ask: bool) -> None:
        """A signal asked hvtui to stop (see :meth:`HvtuiApp.stop_requested`): leave at once
        when nothing is unsaved; ask as ``q`` does when ``ask``, unless the question (or the
        save it led to) is already under way; otherwise write a recovery file."""
        from hvtui.tui.screens.quitting import leave, recover

        if not self.dirty:
            leave(self, code, why=why)
            return
        quitting = self._quitting is not None and not self._quitting.is_finished
        if ask and not quitting:
            self.request_quit(code)
            return
        recover(self, code, why)

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
        self.refresh_view()


__all__ = ["DomainLoaded", "HostUpdated", "WizardScreen"]
