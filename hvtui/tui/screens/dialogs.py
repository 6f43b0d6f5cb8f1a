"""Modal dialogs: questions, save, export and help.

Dialogs collect an answer and dismiss with it; the wizard screen does the
work (so undo, the dirty flag and error toasts stay in one place).  Every
dialog closes with escape and answers nothing.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from hvtui import presets
from hvtui.model import Change, Config
from hvtui.presets import Preset, PresetError
from hvtui.records import record
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.later_css import DIALOGS
from hvtui.tui.state import PathProblemError, typed_path


def clear_toasts(dialog: Screen[Any]) -> None:
    """A dialog starts a new question: earlier toasts go, so none covers its buttons on a
    small terminal (toasts raised while it is open show at the top, see ``dialogs.tcss``)."""
    dialog.app.clear_notifications()


class Answer(StrEnum):
    """What a question's buttons answer (a :class:`AnswerButton`'s id; the dialog dismisses with
    it): the screens compare with these, never with the words."""

    APPLY = "apply"
    CANCEL = "cancel"
    CASCADE = "cascade"
    DISCARD = "discard"
    ONLY = "only"
    REPLACE = "replace"
    SAVE = "save"
    WRITE = "write"


@record(frozen=True)
class AnswerButton:
    """One button of a :class:`ChoiceDialog`."""

    id: str
    label: str
    key: str
    """A key that picks it (shown in the label)."""
    variant: str = "default"


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few answers; dismisses with the chosen id (``None`` on escape)."""

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel", id="dialog-cancel")
    ]

    def __init__(self, title: str, message: str | Content, choices: list[AnswerButton]) -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._message = message
        self._choices = choices

    DIALOG_CLASSES: ClassVar[str] = "dialog"
    """The classes of the dialog's box (a subclass may add its own)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.DIALOG_CLASSES):
            yield Static(Content.styled(self._title, "bold"), classes="dialog-title")
            yield from self.compose_body()
            with Horizontal(classes="dialog-buttons"):
                for choice in self._choices:
                    yield Button(
                        f"{choice.label} ({choice.key})",
                        id=f"choice-{choice.id}",
                        variant=choice.variant,  # type: ignore[arg-type]
                        compact=True,
                    )

    def compose_body(self) -> ComposeResult:
        """What is between the title and the buttons: the message."""
        yield Static(self._message, classes="dialog-message")

    def on_mount(self) -> None:
        clear_toasts(self)
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        """A choice's key picks it, wherever the focus is."""
        for choice in self._choices:
            if event.key == choice.key:
                event.stop()
                self.dismiss(choice.id)
                return

    @on(Button.Pressed)
    def _when_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        self.dismiss(button_id.removeprefix("choice-"))

    def action_dismiss_none(self) -> None:
        """Escape: no answer."""
        self.dismiss(None)


def confirm_replace(path: Path, *, note: str = "") -> ChoiceDialog:
    """The question asked before a file is replaced (``note``: one more sentence)."""
    return ChoiceDialog(
        "Replace file?",
        Content(
            f"{one_line(str(path))} already exists. Replace it? (The old file is kept until "
            f"the new one is written.){' ' + note if note else ''}"
        ),
        [
            AnswerButton(Answer.REPLACE, "Replace", "r", "warning"),
            AnswerButton(Answer.CANCEL, "Keep it", "k"),
        ],
    )


def turn_off_question(change: Change) -> ChoiceDialog:
    """The question asked before turning off an option others need (``change`` turns off
    only it): turn them off too, only it, or nothing."""
    name = change.items[0].option
    needing = change.still_needed_by
    them = "them" if len(needing) > 1 else "it"
    need = "need" if len(needing) > 1 else "needs"
    return ChoiceDialog(
        f"Turn off {name}?",
        f"{', '.join(needing)} {need} {name}. Turn {them} off too?\n"
        f"Leaving {them} on makes QEMU refuse the configuration.",
        [
            AnswerButton(Answer.CASCADE, f"Turn {them} off too", "y", "warning"),
            AnswerButton(Answer.ONLY, f"Only {name}", "o"),
            AnswerButton(Answer.CANCEL, "Cancel", "c"),
        ],
    )


# -- save ----------------------------------------------------------------------


@record(frozen=True)
class SaveRequest:
    """What the save dialog asks for."""

    name: str
    description: str
    path: Path


class PresetName(Validator):
    """A name the preset loader accepts, checked by the loader itself."""

    def validate(self, value: str) -> ValidationResult:
        """Round-trip a preset with this name through the TOML reader."""
        problem = name_problem(value)
        return self.success() if problem is None else self.failure(problem)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a preset name, in the loader's words, or ``None``."""
    if not name:
        return "a preset needs a name"
    try:
        presets.loads(presets.dumps(Preset(name, Config())))
    except PresetError as exc:
        return exc.message
    return None


class SaveDialog(ModalScreen[SaveRequest | None]):
    """Name, description and where: the user preset directory unless told otherwise."""

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel")
    ]

    def __init__(self, preset: Preset) -> None:
        super().__init__(classes="dialog-screen")
        self._preset = preset
        self._no_home: str | None = None
        """Why there is no user preset directory (no home directory), if there is none."""
        try:
            self._user_dir: Path | None = presets.user_dir()
        except PresetError as exc:
            self._user_dir = None
            self._no_home = f"{one_line(exc.message)} (proposing the current directory)"
        self._auto_path = one_line(str(self._default(preset.name)))
        """The path proposed from the name; the name follows it until the user edits it."""

    def compose(self) -> ComposeResult:
        preset = self._preset
        path = (
            one_line(str(preset.source))
            if preset.origin == "user" and preset.source
            else self._auto_path
        )
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Save preset", "bold"), classes="dialog-title")
            yield Label("Name")
            yield Input(preset.name, validators=[PresetName()], id="save-name", compact=True)
            yield Label("Description")
            yield Input(one_line(preset.description), id="save-description", compact=True)
            yield Label("File")
            yield Input(path, id="save-path", compact=True)
            yield Static(
                Content(f"✗ {self._no_home}") if self._no_home else Content(),
                id="save-error",
                classes="value-error",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save-ok", variant="primary", compact=True)
                yield Button("Cancel", id="save-cancel", compact=True)

    def on_mount(self) -> None:
        clear_toasts(self)

    def _default(self, name: str) -> Path:
        """``NAME.toml`` in the user preset directory (without a home: the current one)."""
        directory = self._user_dir if self._user_dir is not None else Path.cwd()
        return directory / f"{name or 'preset'}.toml"

    @on(Input.Changed, "#save-name")
    def _when_name(self, event: Input.Changed) -> None:
        path = self.query_one("#save-path", Input)
        if path.value == self._auto_path:
            self._auto_path = one_line(str(self._default(event.value.strip())))
            path.value = self._auto_path
        problem = name_problem(event.value.strip()) or self._no_home
        self.query_one("#save-error", Static).update(
            Content(f"✗ {problem}") if problem else Content()
        )

    @on(Button.Pressed, "#save-ok")
    @on(Input.Submitted)
    def _when_ok(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#save-name", Input).value.strip()
        problem = name_problem(name)
        path: Path | None = None
        if problem is None:
            try:
                path = typed_path(self.query_one("#save-path", Input).value)
            except PathProblemError as exc:
                problem = str(exc)
        if problem is not None or path is None:
            self.query_one("#save-error", Static).update(Content(f"✗ {problem}"))
            return
        description = self.query_one("#save-description", Input).value.strip()
        self.dismiss(SaveRequest(name, description, path))

    @on(Button.Pressed, "#save-cancel")
    def _when_cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Escape: save nothing."""
        self.dismiss(None)


# -- export --------------------------------------------------------------------


@record(frozen=True)
class ExportRequest:
    """What the export dialog asks for: a format and a file, or the clipboard."""

    fmt: str
    path: Path | None
    """``None`` means copy to the clipboard."""


def default_export_path(preset: Preset, fmt: str) -> Path:
    """``./NAME.xml`` style: next to where hvtui was started."""
    return Path.cwd() / f"{preset.name}{services.export_format(fmt).suffix}"


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Which snippet, and to a file or the clipboard."""

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel")
    ]

    def __init__(self, preset: Preset, fmt: str) -> None:
        super().__init__(classes="dialog-screen")
        self._preset = preset
        self._formats = list(services.format_names())
        self._fmt = fmt if fmt in self._formats else self._formats[0]
        self._auto_path = one_line(str(default_export_path(preset, self._fmt)))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Export snippet", "bold"), classes="dialog-title")
            yield Label("Format")
            yield Select(
                [(services.export_format(f).label, f) for f in self._formats],
                value=self._fmt,
                allow_blank=False,
                id="export-format",
                compact=True,
            )
            yield Label("File")
            yield Input(self._auto_path, id="export-path", compact=True)
            yield Static("", id="export-error", classes="value-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write file", id="export-write", variant="primary", compact=True)
                yield Button("Copy to clipboard", id="export-copy", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        clear_toasts(self)

    @on(Select.Changed, "#export-format")
    def _when_format(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._fmt = event.value
            path = self.query_one("#export-path", Input)
            if path.value == self._auto_path:
                self._auto_path = one_line(str(default_export_path(self._preset, self._fmt)))
                path.value = self._auto_path

    @on(Button.Pressed, "#export-write")
    @on(Input.Submitted, "#export-path")
    def _when_write(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        try:
            path = typed_path(self.query_one("#export-path", Input).value)
        except PathProblemError as exc:
            self.query_one("#export-error", Static).update(Content(f"✗ {exc}"))
            return
        self.dismiss(ExportRequest(self._fmt, path))

    @on(Button.Pressed, "#export-copy")
    def _when_copy(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(ExportRequest(self._fmt, None))

    @on(Button.Pressed, "#export-cancel")
    def _when_cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Escape: export nothing."""
        self.dismiss(None)


# -- a file to write -----------------------------------------------------------


class PathDialog(ModalScreen[Path | None]):
    """Where to write one file: the export dialog's file field on its own.

    Dismisses with the path (``~`` expanded) or ``None`` (escape, Cancel); the
    screen asks before replacing a file that exists.
    """

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel")
    ]

    def __init__(self, title: str, message: str, path: Path, *, ok: str = "Write file") -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._message = message
        self._path = path
        self._ok = ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self._title, "bold"), classes="dialog-title")
            yield Static(Content(self._message), classes="dialog-message")
            yield Label("File")
            yield Input(one_line(str(self._path)), id="path-input", compact=True)
            yield Static("", id="path-error", classes="value-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._ok, id="path-ok", variant="primary", compact=True)
                yield Button("Cancel", id="path-cancel", compact=True)

    def on_mount(self) -> None:
        clear_toasts(self)
        self.query_one("#path-input", Input).focus()

    @on(Button.Pressed, "#path-ok")
    @on(Input.Submitted, "#path-input")
    def _when_ok(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        try:
            path = typed_path(self.query_one("#path-input", Input).value)
        except PathProblemError as exc:
            self.query_one("#path-error", Static).update(Content(f"✗ {exc}"))
            return
        self.dismiss(path)

    @on(Button.Pressed, "#path-cancel")
    def _when_cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Escape: write nothing."""
        self.dismiss(None)


# -- help ----------------------------------------------------------------------

HELP = """\
# hvtui wizard

From *what is this host* to a saved preset and a pasted snippet. Walking the steps
only looks: nothing changes until you toggle, type, choose or apply a fix.

1. **Host**: what detection found and why each fact matters.
2. **Start from**: the recommendation, a preset, a file, an existing VM (libvirt XML,
   a QEMU command line, a Proxmox `VMID.conf`), a running VM, or nothing.
3. **Options**: every enlightenment, grouped. Turning one on also turns on what it
   needs (undo with `ctrl+z`); turning off one that others need asks first.
4. **Preview**: TOML, QEMU, libvirt and virt-install, always from the model.
5. **Review**: findings with one-key fixes, migration safety, what other tools do;
   save and export, and, when you started from a libvirt domain XML, save it merged.

## The sidebar

| Mark | Means |
|---|---|
| `●` / `○` | on (or a value, shown beside it) / off or QEMU's default |
| `✗` | an error: QEMU would refuse this, or `hvtui check` fails |
| `!` | a warning: it works, but probably not as you want |
| `i` | a note worth reading |
| `⊘` | this host cannot give it (its CPU vendor, or KVM does not offer it) |
| `2✗ 1!` | on Review: how many errors and warnings there are |

## Keys

| Key | Does |
|---|---|
| `n` / `p` | next / previous step (also the sidebar's arrows and the mouse) |
| `]` / `[` | first option of the next / previous group |
| `!` | next option with a finding (a mark in the sidebar) |
| `r` | go to Review |
| `enter` | in the sidebar: into the step (an option's value field, if it has one) |
| `escape` | out of a field or list, back to the sidebar (nothing is quit) |
| `space` | turn the shown option on or off |
| `ctrl+z` / `ctrl+y` | undo / redo |
| `v` | show or hide the preview |
| `ctrl+t` | the snippet full width, to select with the mouse, copy or write to a file |
| `ctrl+s` | save the preset |
| `ctrl+e` | export a snippet to a file or the clipboard |
| `ctrl+d` | save the domain XML you started from, merged with this draft |
| `ctrl+k` | verify on this host: boot the draft's CPU configuration, show what the guest sees |
| `ctrl+l` | apply the draft to the libvirt domain it started from (shows the diff, asks first) |
| `ctrl+p` | command palette: load a preset, jump to an option, theme |
| `?` | this help |
| `q` | quit (asks when there are unsaved changes) |

Letters only move around or show something: whatever writes, copies or asks is a
`ctrl` key, so typing outside a field never exports anything.

On **Review** the first finding is selected as soon as you arrive: `n`/`p` or `↑`/`↓`
choose another, `enter` or `f` applies its fix, `escape` returns to the sidebar.

In a **value field** (spinlocks, vendor-id, the version ids) type a number (`0x1fff`
or `8191`) or text; `enter` or leaving the field keeps a valid value, a refused one is
shown with the reason and never applied.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and the flow, one key away."""

    CSS_PATH = DIALOGS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help-close"),
    ]

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # only here: it costs 30 ms to import

        with VerticalScroll(classes="dialog help"):
            yield Markdown(HELP)
            yield Static(Content.styled("escape closes", "$text-muted"))

    def action_close(self) -> None:
        """Back to the wizard."""
        self.dismiss(None)


__all__ = [
    "Answer",
    "AnswerButton",
    "ChoiceDialog",
    "ExportDialog",
    "ExportRequest",
    "HelpScreen",
    "PathDialog",
    "SaveDialog",
    "SaveRequest",
    "confirm_replace",
    "name_problem",
    "turn_off_question",
]
