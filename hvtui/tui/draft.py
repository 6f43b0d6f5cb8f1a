"""The draft the wizard edits, and its undo: plain Python, no Textual.

:class:`Draft` holds the one model object (a :class:`~hvtui.presets.Preset`),
what it was last saved or loaded as, the VM it was started from and the undo
history.  Every edit goes through the model's own operations
(``enable``/``disable``/``set``/``with_values``) and is one undo step; the VM a
draft was started from is undone and redone with it, so "save merged domain
XML" and "Apply to DOMAIN" always act on the VM the current draft came from.

The wizard screen delegates here and only says what happened (toasts,
questions); the rules themselves are unit-tested without the UI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hvtui import presets
from hvtui.model import Change, Config, Fix
from hvtui.presets import Preset
from hvtui.records import field, record, replace
from hvtui.textsafe import one_line
from hvtui.tui.state import is_dirty, preset_name_for, recommended_description

if TYPE_CHECKING:
    from hvtui.audit import AuditInput
    from hvtui.catalog import Value


@record(frozen=True)
class Edit:
    """One undoable change of the draft."""

    label: str
    """What it did, in words (``turn on stimer``), shown by undo/redo toasts."""
    before: Preset
    after: Preset
    source_before: AuditInput | None = None
    """The VM the draft was started from before the edit (a domain XML can be merged into)."""
    source_after: AuditInput | None = None


@record()
class History:
    """Undo and redo stacks of :class:`Edit`; the draft itself lives in :class:`Draft`."""

    limit: int = 200
    undo_stack: list[Edit] = field(default_factory=list)
    redo_stack: list[Edit] = field(default_factory=list)

    def record(self, edit: Edit) -> None:
        """Remember an edit (the oldest are forgotten past ``limit``); redo is cleared."""
        self.undo_stack.append(edit)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()

    def undo(self) -> Edit | None:
        """The edit to revert (its ``before`` is the draft to restore), or ``None``."""
        return _move_last(self.undo_stack, self.redo_stack)

    def redo(self) -> Edit | None:
        """The edit to re-apply (its ``after`` is the draft to restore), or ``None``."""
        return _move_last(self.redo_stack, self.undo_stack)

    def keep_identity(self, saved: Preset) -> None:
        """After a save, every remembered draft is the saved preset's: undo and redo then
        change what is in it, never its name, description or file (undoing back to the saved
        content gives the saved preset again)."""

        def renamed(preset: Preset) -> Preset:
            return replace(
                preset,
                name=saved.name,
                description=saved.description,
                source=saved.source,
                origin=saved.origin,
            )

        for stack in (self.undo_stack, self.redo_stack):
            stack[:] = [
                replace(edit, before=renamed(edit.before), after=renamed(edit.after))
                for edit in stack
            ]


def _move_last(source: list[Edit], target: list[Edit]) -> Edit | None:
    """Move the last edit of ``source`` onto ``target`` and return it (``None``: empty)."""
    if not source:
        return None
    edit = source.pop()
    target.append(edit)
    return edit


@record(frozen=True)
class DomainOrigin:
    """The libvirt domain a draft was started from: where to apply it."""

    source: AuditInput
    """What was read (the draft's ``started_from`` while it is this domain's)."""
    uri: str
    name: str


def side_effects_text(change: Change) -> str:
    """What else a change turned on or off, one ``• name on: reason`` line each."""
    return "\n".join(
        f"• {item.option} {'on' if change.after.is_on(item.option) else 'off'}: {item.reason}"
        for item in change.side_effects
    )


class Draft:
    """The preset being edited, what it was saved as, where it came from, and undo."""

    def __init__(self, preset: Preset) -> None:
        self.preset = preset
        """The draft: the one model object everything the wizard shows is derived from."""
        self.baseline = preset
        """What was last saved or loaded: :attr:`dirty` compares the draft with it."""
        self.started_from: AuditInput | None = None
        """The existing or running VM the draft was started from (undone with the draft)."""
        self.domain: DomainOrigin | None = None
        """The libvirt domain last started from (see :attr:`apply_target`)."""
        self.history = History()

    # -- what follows from it -------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True when the draft has changes not saved (or loaded from a file)."""
        return is_dirty(self.preset, self.baseline)

    @property
    def can_merge(self) -> bool:
        """The draft was started from a whole libvirt domain definition: it can be saved
        merged into a copy of it."""
        return self.started_from is not None and self.started_from.document is not None

    @property
    def apply_target(self) -> tuple[str, str] | None:
        """The libvirt domain (URI, name) the draft can be applied to: the one it started
        from (undoing that start forgets it)."""
        origin = self.domain
        if origin is None or self.started_from is not origin.source:
            return None
        return origin.uri, origin.name

    # -- edits ------------------------------------------------------------------------

    def commit(self, after: Preset, label: str) -> bool:
        """Make ``after`` the draft, undoably; ``False`` when it is the draft already."""
        return self.start_from(after, label, self.started_from)

    def start_from(self, after: Preset, label: str, source: AuditInput | None) -> bool:
        """Make ``after`` the draft, started from ``source`` (a VM, or ``None``), undoably;
        ``False`` when nothing changes."""
        if after == self.preset and source == self.started_from:
            return False
        self.history.record(Edit(label, self.preset, after, self.started_from, source))
        self.preset = after
        self.started_from = source
        return True

    def with_config(self, config: Config) -> Preset:
        """The draft with ``config`` in place of its own."""
        return replace(self.preset, config=config)

    def toggle(self, name: str, on: bool) -> Change | None:
        """The model's change for turning ``name`` on or off (``None``: it already is)."""
        config = self.preset.config
        if on == config.is_on(name):
            return None
        return config.enable(name) if on else config.disable(name)

    def set_value(self, name: str, value: Value | None) -> Change | None:
        """The model's change for setting ``name`` (``None``: it has that value)."""
        if self.preset.config.get(name) == value:
            return None
        return self.preset.config.set(name, value)

    def take(self, change: Change, label: str) -> bool:
        """Commit a change as the model made it (what it pulled in too)."""
        return self.commit(self.with_config(change.after), label)

    def turn_off_with_dependents(self, name: str) -> bool:
        """Turn ``name`` off and everything that needs it, as one undo step."""
        cascade = self.preset.config.disable(name, cascade=True)
        return self.take(cascade, f"turn off {name} and what needs it")

    def apply_fix(self, fix: Fix) -> bool:
        """Apply a finding's fix, as one undo step."""
        return self.commit(self.with_config(self.preset.config.with_values(fix.changes)), fix.label)

    def undo(self) -> Edit | None:
        """Restore the draft (and its VM) before the last edit; ``None``: nothing to undo."""
        edit = self.history.undo()
        if edit is not None:
            self.preset, self.started_from = edit.before, edit.source_before
        return edit

    def redo(self) -> Edit | None:
        """Re-apply the last undone edit; ``None``: nothing to redo."""
        edit = self.history.redo()
        if edit is not None:
            self.preset, self.started_from = edit.after, edit.source_after
        return edit

    # -- starting points ---------------------------------------------------------------

    def start_recommended(self, config: Config, intent: str) -> bool:
        """The recommendation for ``intent`` (its description says so)."""
        described = replace(self.preset, config=config, description=recommended_description(intent))
        return self.start_from(described, f"start from the {intent} recommendation", None)

    def start_empty(self) -> bool:
        """Nothing on."""
        return self.start_from(self.with_config(Config()), "start empty", None)

    def start_from_vm(self, config: Config, source: AuditInput) -> bool:
        """An existing or running VM's enlightenments, named after the VM when its name
        can be a preset name."""
        draft = self.with_config(config)
        name = preset_name_for(source.imported.name)
        if name is not None:
            draft = replace(draft, name=name)
        return self.start_from(draft, f"start from {one_line(source.label)}", source)

    def start_from_domain(self, config: Config, source: AuditInput, uri: str, name: str) -> bool:
        """A libvirt domain's definition: as :meth:`start_from_vm`, and the draft can then
        be applied back to that domain."""
        self.domain = DomainOrigin(source, uri, name)
        return self.start_from_vm(config, source)

    def load(self, loaded: Preset) -> bool:
        """A saved preset (undoable); it counts as saved."""
        self.baseline = loaded
        return self.start_from(loaded, f"load preset {loaded.name}", None)

    def saved(self, written: Preset, path: Path) -> Preset:
        """``written`` is now in ``path``: it is the draft and the baseline, and undo keeps
        its identity.  Returns the saved preset (its source and origin set)."""
        origin: presets.Origin = "user" if path.parent == presets.user_dir_or_none() else "file"
        saved = replace(written, source=path, origin=origin)
        self.baseline = saved
        self.preset = saved
        self.history.keep_identity(saved)
        return saved


__all__ = [
    "DomainOrigin",
    "Draft",
    "Edit",
    "History",
    "side_effects_text",
]
