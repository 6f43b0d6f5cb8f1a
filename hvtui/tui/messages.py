"""Commands: what widgets (and the screen's own keys) ask the wizard screen to do.

Widgets never edit the draft or open dialogs themselves: they post one of
these typed messages, the screen handles each with its own ``@on`` handler,
applies edits to the one model object, and every view redraws from the
result.  That keeps undo, dependency handling, dialogs and the previews in one
place, and a command that nothing handles is a type error, not a silently
ignored string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from hvtui.catalog import Value
from hvtui.model import Fix

if TYPE_CHECKING:
    from hvtui.audit import AuditInput


# -- edits of the draft -------------------------------------------------------------


class ToggleOption(Message):
    """Turn an option on (pulling in what it needs) or off (asking about what needs it)."""

    def __init__(self, name: str, on: bool) -> None:
        super().__init__()
        self.name = name
        self.on = on


class SetValue(Message):
    """A valid value was typed or chosen for an option."""

    def __init__(self, name: str, value: Value | None) -> None:
        super().__init__()
        self.name = name
        self.value = value


class ApplyFix(Message):
    """Apply a finding's fix to the draft."""

    def __init__(self, fix: Fix) -> None:
        super().__init__()
        self.fix = fix


# -- where the draft starts from (each replaces it, undoably) ------------------------------


class StartFromRecommendation(Message):
    """The recommendation for this host and ``intent``."""

    def __init__(self, intent: str) -> None:
        super().__init__()
        self.intent = intent


class StartFromFile(Message):
    """A preset file (a path as typed, or a listed preset's path)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class StartFromImport(Message):
    """An existing VM: a libvirt XML, QEMU command line or Proxmox file, or pasted text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class StartFromRunning(Message):
    """A running VM that was listed."""

    def __init__(self, source: AuditInput) -> None:
        super().__init__()
        self.source = source


class StartFromDomain(Message):
    """A libvirt domain ``name`` of the connection ``uri`` (read in a worker)."""

    def __init__(self, uri: str, name: str) -> None:
        super().__init__()
        self.uri = uri
        self.name = name


class StartEmpty(Message):
    """Nothing on."""


# -- what a pane's buttons run (the same as the screen's keys) -------------------------------


class SavePreset(Message):
    """Save the draft as a preset (``ctrl+s``)."""


class ExportSnippet(Message):
    """Write or copy a snippet (``ctrl+e``)."""


class ShowSnippet(Message):
    """The snippet full width (``ctrl+t``)."""


class SaveMerged(Message):
    """Save the domain XML the draft started from, merged with it (``ctrl+d``)."""


class VerifyOnHost(Message):
    """Boot the draft's CPU configuration on this host (``ctrl+k``)."""


class ApplyToDomain(Message):
    """Apply the draft to the libvirt domain it started from (``ctrl+l``)."""


class ListRunning(Message):
    """List the running QEMU VMs: once, or ``again`` (Rescan)."""

    def __init__(self, *, again: bool = False) -> None:
        super().__init__()
        self.again = again


__all__ = [
    "ApplyFix",
    "ApplyToDomain",
    "ExportSnippet",
    "ListRunning",
    "SaveMerged",
    "SavePreset",
    "SetValue",
    "ShowSnippet",
    "StartEmpty",
    "StartFromDomain",
    "StartFromFile",
    "StartFromImport",
    "StartFromRecommendation",
    "StartFromRunning",
    "ToggleOption",
    "VerifyOnHost",
]
