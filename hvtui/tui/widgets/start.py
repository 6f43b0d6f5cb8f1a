"""The "Start from" step: the recommendation, a preset, a file, an existing or running VM,
a libvirt domain, or nothing.

Every choice is a ``StartFrom…`` message (:mod:`hvtui.tui.messages`); the screen
replaces the draft (undoably) and reports what it loaded.  Running VMs are
listed by the screen in a worker the first time this step is shown (psutil
walks every process); the pane draws whatever the view holds.  A libvirt
connection's domains are listed by this pane, in a worker, when asked.

The pane is built once (ahead of its first visit, like every step's) and kept: what
the user typed or listed here stays.  Each time it is shown it lists the preset
files again (one saved meanwhile is there) and redraws the list only when they
differ (:meth:`StartPane.when_shown`); the rest follows the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from hvtui import catalog, presets
from hvtui.intents import INTENTS
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.later_css import START, read_css
from hvtui.tui.messages import (
    ListRunning,
    StartEmpty,
    StartFromDomain,
    StartFromFile,
    StartFromImport,
    StartFromRecommendation,
    StartFromRunning,
)
from hvtui.tui.state import typed_text
from hvtui.tui.view import WizardView

if TYPE_CHECKING:
    from hvtui.advice import Recommendation


def preset_options(listed: Sequence[presets.PresetInfo]) -> list[Option]:
    """Shipped and user presets (``presets.list_presets()``), one row each; unreadable ones
    disabled with the reason."""
    rows: list[Option] = []
    for info in listed:
        detail = one_line(info.error or info.description)
        rows.append(
            Option(
                Content.assemble(
                    (f"{one_line(info.name):<20} ", "bold"),
                    (f"{info.origin:<8} ", "$text-muted"),
                    (detail, "$text-error" if info.error else ""),
                ),
                id=str(info.path),
                disabled=info.error is not None,
            )
        )
    return rows


def running_options(running: services.RunningVms | None, *, snapshot: bool) -> list[Option]:
    """One row per running VM (name, vCPUs, pinning, pid); a disabled row while listing,
    when there are none, or saying why they cannot be listed."""

    def note(text: str) -> list[Option]:
        return [Option(Content.styled(text, "$text-muted"), disabled=True)]

    if running is None:
        return note("Looking for running QEMU VMs…")
    if running.error is not None:
        return note(f"Cannot list running VMs: {running.error}")
    if not running.vms:
        return note(f"No QEMU VM is running {'in this snapshot' if snapshot else 'on this host'}.")
    rows: list[Option] = []
    for index, vm in enumerate(running.vms):
        vcpus = f"{vm.vcpus} vCPU{'s' * (vm.vcpus != 1)}" if vm.vcpus is not None else "? vCPUs"
        pinned = {True: "pinned", False: "floating", None: "pinning ?"}[vm.pinned]
        pid = f"pid {vm.pid}" if vm.pid is not None else ""
        rows.append(
            Option(
                Content.assemble(
                    (f"{one_line(vm.name):<16} ", "bold"),
                    f"{vcpus:<9}",
                    (f"{pinned:<10}", "$text-success" if vm.pinned else "$text-muted"),
                    (pid, "$text-muted"),
                ),
                id=str(index),
            )
        )
    return rows


def recommendation_content(rec: Recommendation, summary: str) -> Content:
    """The intent in a line, then every option: chosen (with value) or left out, and why."""
    parts: list[str | tuple[str, str]] = [(summary + "\n", "$text-muted")]
    chosen = [c for c in rec.choices if c.value is not None]
    left_out = [c for c in rec.choices if c.value is None]
    for choice in chosen:
        entry = catalog.get(choice.option)
        value = "" if choice.value is True else f" = {typed_text(entry, choice.value)}"
        parts.append(("● ", "$text-success"))
        parts.append((f"{choice.option}{value}", "bold"))
        parts.append((f": {choice.reason}\n", "$text-muted"))
    for choice in left_out:
        parts.append(("○ ", "$text-muted"))
        parts.append(choice.option)
        parts.append((f": {choice.reason}\n", "$text-muted"))
    return Content.assemble(*parts)


class StartPane(VerticalScroll):
    """Where the draft comes from."""

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view (the draft's name is shown)."""

    def __init__(self, view: WizardView) -> None:
        super().__init__(id="detail", classes="pane start-pane")
        self._initial = view
        self._intents: dict[str, str] = {}
        self._listed = view.running
        """The running-VM list drawn (redrawn only when the view's differs)."""
        self._domains: services.LibvirtDomains | None = None
        self._presets: list[presets.PresetInfo] = []
        """The preset files listed (listed again when shown; redrawn only when they differ)."""
        self._intent = view.intent
        """The view's intent when last drawn (the intent chooser follows it when it changes)."""
        self._recommended: tuple[services.Host, str] | None = None
        """The host and intent the recommendation was drawn for."""

    def compose(self) -> ComposeResult:
        read_css(self.app, START)  # before the lists it styles are mounted
        view = self._initial
        yield Static(Content.styled("Start from", "bold $text-accent"), classes="title")
        yield Static(self._current(view), id="current")
        yield Static(Content.styled("The recommendation for this host", "bold"), classes="section")
        self._intents = {name: intent.summary for name, intent in INTENTS.items()}
        intent = view.intent if view.intent in self._intents else next(iter(self._intents))
        self._recommended = (view.host, intent)
        with Horizontal(classes="row"):
            yield Select(
                [(name, name) for name in self._intents],
                value=intent,
                allow_blank=False,
                id="intent",
                compact=True,
                tooltip="What the guest is for",
            )
            yield Button("Use recommendation", id="use-recommended", compact=True)
        yield Static(
            recommendation_content(
                services.recommend(view.host, intent=intent), self._intents[intent]
            ),
            id="recommendation",
            classes="detail",
        )
        yield Static(Content.styled("A preset", "bold"), classes="section")
        self._presets = presets.list_presets()
        yield OptionList(*preset_options(self._presets), id="preset-list")
        yield Static(Content.styled("A preset file", "bold"), classes="section")
        with Horizontal(classes="row"):
            yield Input(placeholder="path/to/preset.toml", id="preset-path", compact=True)
            yield Button("Load file", id="load-file", compact=True)
        yield Static(
            Content.styled("An existing VM (libvirt XML or QEMU command line)", "bold"),
            classes="section",
        )
        with Horizontal(classes="row"):
            yield Input(
                placeholder="a file, or paste a command line",
                id="import-path",
                compact=True,
            )
            yield Button("Import", id="import", compact=True)
        yield Static(Content.styled("A running VM", "bold"), classes="section")
        yield OptionList(
            *running_options(view.running, snapshot=self._snapshot(view)), id="running-list"
        )
        with Horizontal(classes="row"):
            yield Button("Rescan", id="rescan-running", compact=True)
        yield Static(Content.styled("A libvirt domain", "bold"), classes="section")
        with Horizontal(classes="row"):
            yield Input(
                value=self.libvirt_uri, placeholder="qemu:///system", id="libvirt-uri", compact=True
            )
            yield Button("List domains", id="list-domains", compact=True)
        yield OptionList(
            Option(
                Content.styled("List domains shows the connection's domains.", "$text-muted"),
                disabled=True,
            ),
            id="domain-list",
        )
        yield Static(Content.styled("Nothing", "bold"), classes="section")
        yield Button("Start empty", id="start-empty", compact=True)

    libvirt_uri: ClassVar[str] = services.LIBVIRT_URI
    """The connection whose domains are listed first (the last one used, after that)."""

    class DomainsListed(Message):
        """The domains of a connection were listed (in the worker)."""

        def __init__(self, domains: services.LibvirtDomains) -> None:
            super().__init__()
            self.domains = domains

    @on(Button.Pressed, "#list-domains")
    @on(Input.Submitted, "#libvirt-uri")
    def _when_list_domains(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        uri = self.query_one("#libvirt-uri", Input).value.strip() or services.LIBVIRT_URI
        StartPane.libvirt_uri = uri
        self.query_one("#domain-list", OptionList).set_options(
            [Option(Content.styled(f"Listing the domains of {uri}…", "$text-muted"), disabled=True)]
        )
        self._list_domains(uri)

    @work(
        thread=True,
        exclusive=True,
        group="domains",
        exit_on_error=False,
        description="Listing libvirt domains",
    )
    def _list_domains(self, uri: str) -> None:
        """Connecting can take seconds (or time out): never on the UI path."""
        self.post_message(StartPane.DomainsListed(services.libvirt_domains(uri)))

    @on(DomainsListed)
    def _when_domains_listed(self, message: DomainsListed) -> None:
        listed = message.domains
        self._domains = listed
        listing = self.query_one("#domain-list", OptionList)
        if listed.error is not None:
            note = f"Cannot list the domains: {listed.error}"
            listing.set_options([Option(Content.styled(note, "$text-error"), disabled=True)])
        elif not listed.names:
            note = f"{listed.uri} has no domains."
            listing.set_options([Option(Content.styled(note, "$text-muted"), disabled=True)])
        else:
            listing.set_options(
                Option(one_line(name), id=str(i)) for i, name in enumerate(listed.names)
            )

    @on(OptionList.OptionSelected, "#domain-list")
    def _when_domain(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._domains is None or event.option.id is None:
            return
        name = self._domains.names[int(event.option.id)]
        self.post_message(StartFromDomain(self._domains.uri, name))

    def when_shown(self) -> None:
        """On screen (the panes call this after handing it the view of the moment): ask the
        screen for the running VMs the first time (it lists them once, in a worker; not
        when the pane is built, which is ahead of the visit), and list the preset files
        again, redrawing their list only when they changed (the highlighted row stays)."""
        if (self.view or self._initial).running is None:
            self.post_message(ListRunning())
        if not self.is_mounted:
            return  # composing lists them
        listed = presets.list_presets()
        if listed == self._presets:
            return
        self._presets = listed
        rows = self.query_one("#preset-list", OptionList)
        highlighted = rows.highlighted_option
        rows.set_options(preset_options(listed))
        paths = [str(info.path) for info in listed]  # the rows' ids
        if highlighted is not None and highlighted.id in paths:  # else that file is gone
            rows.highlighted = paths.index(highlighted.id)

    def watch_view(self, view: WizardView | None) -> None:
        """Keep the "current draft" line, the recommendation (the host's facts change when
        the slow probes end) and the running VMs in step with the model."""
        if view is None or view is self._initial or not self.is_mounted:
            return
        self.query_one("#current", Static).update(self._current(view))
        chooser = self.query_one("#intent", Select)
        if view.intent != self._intent:
            self._intent = view.intent
            if view.intent in self._intents:
                chooser.value = view.intent
        self._recommend(view.host, str(chooser.value))
        if view.running != self._listed:
            self._listed = view.running
            listing = self.query_one("#running-list", OptionList)
            listing.set_options(running_options(view.running, snapshot=self._snapshot(view)))

    def _recommend(self, host: services.Host, intent: str) -> None:
        """Draw the recommendation for ``host`` and ``intent`` unless it is the one drawn."""
        if self._recommended == (host, intent):
            return
        self._recommended = (host, intent)
        self.query_one("#recommendation", Static).update(
            recommendation_content(services.recommend(host, intent=intent), self._intents[intent])
        )

    @staticmethod
    def _snapshot(view: WizardView) -> bool:
        return view.host.is_snapshot

    @staticmethod
    def _current(view: WizardView) -> Content:
        count = len(view.preset.config.enabled())
        source = view.started_from
        origin: list[str | tuple[str, str]] = []
        if source is not None:
            origin = [" from ", (one_line(source.label), "bold"), f" ({source.kind_name})"]
        return Content.assemble(
            "Current draft: ",
            (one_line(view.preset.name), "bold"),
            f" ({count} option{'s' * (count != 1)} on)",
            *origin,
            ". ",
            ("Choosing below replaces it; ctrl+z brings it back.", "$text-muted"),
        )

    @on(Select.Changed, "#intent")
    def _when_intent(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self._recommend((self.view or self._initial).host, event.value)

    @on(Button.Pressed, "#use-recommended")
    def _when_recommended(self, event: Button.Pressed) -> None:
        event.stop()
        intent = self.query_one("#intent", Select).value
        self.post_message(StartFromRecommendation(str(intent)))

    @on(OptionList.OptionSelected, "#preset-list")
    def _when_preset(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(StartFromFile(event.option.id))

    @on(Button.Pressed, "#load-file")
    @on(Input.Submitted, "#preset-path")
    def _when_file(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        path = self.query_one("#preset-path", Input).value.strip()
        if path:
            self.post_message(StartFromFile(path))
        else:
            self.app.notify("Type the path of a preset file first.", severity="warning")

    @on(Button.Pressed, "#import")
    @on(Input.Submitted, "#import-path")
    def _when_import(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        path = self.query_one("#import-path", Input).value.strip()
        if path:
            self.post_message(StartFromImport(path))

    @on(OptionList.OptionSelected, "#running-list")
    def _when_running(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._listed is None or event.option.id is None:
            return
        vm = self._listed.vms[int(event.option.id)]
        self.post_message(StartFromRunning(vm))

    @on(Button.Pressed, "#rescan-running")
    def _when_rescan(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(ListRunning(again=True))

    @on(Button.Pressed, "#start-empty")
    def _when_empty(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(StartEmpty())


__all__ = ["StartPane", "preset_options", "running_options"]
