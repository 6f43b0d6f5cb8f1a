"""Messages widgets post to ask the wizard screen for a change.

Widgets never edit the draft themselves: they describe what the user asked
for, the screen applies it to the one model object and every view redraws
from the result.  That keeps undo, dependency handling and the previews in
one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from hvtui.catalog import Value
from hvtui.model import Fix

if TYPE_CHECKING:
    from hvtui.audit import AuditInput


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


class StartFrom(Message):
    """Replace the draft with a starting point.

    ``kind`` is ``recommended`` (``argument`` is the intent), ``file`` (a
    preset file), ``import`` (an existing VM: a file or pasted text),
    ``running`` (``source`` is the running VM chosen), ``libvirt`` (``argument`` is a
    domain of the connection ``uri``) or ``empty``.
    """

    def __init__(
        self, kind: str, argument: str = "", source: AuditInput | None = None, uri: str = ""
    ) -> None:
        super().__init__()
        self.kind = kind
        self.argument = argument
        self.source = source
        self.uri = uri


class RunAction(Message):
    """Run a screen action (``save``, ``export``, ``snippet``, ``save_merged``,
    ``list_running``, ``rescan_running``, ``verify``, ``apply_domain``) from a widget
    inside a pane."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action


__all__ = ["ApplyFix", "RunAction", "SetValue", "StartFrom", "ToggleOption"]
