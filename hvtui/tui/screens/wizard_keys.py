"""The wizard screen's keys: what each does, and which the footer has room to show.

Letters only move around or show things; what writes, copies or asks is a
``ctrl`` key, so typing a word outside a field never exports anything.  A few
footer entries need room (:data:`FOOTER_ROOM`): narrower, the same key still
works through an unseen twin binding, so the footer never runs out of room
mid-word and ``^z Undo`` stays in it at 80 columns.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

#: From this many columns the preview sits beside the pane; below, ``v`` swaps them.
WIDE = 110


#: Footer entries that need room: shown from this many columns on (see :func:`roomy`).
FOOTER_ROOM: dict[str, int] = {"export": 80, "request_quit": 80, "snippet": WIDE}

UNSEEN = "unseen"
"""The parameter of a roomy entry's unseen twin."""


def roomy(key: str, action: str, description: str, tooltip: str, id: str) -> list[Binding]:
    """A footer key that is only shown when the terminal is wide enough (``FOOTER_ROOM``),
    and its unseen twin that does the same where it is not shown."""
    return [
        Binding(key, action, description, tooltip=tooltip, id=id),
        Binding(
            key,
            f"{action}('{UNSEEN}')",
            description,
            show=False,
            tooltip=tooltip,
            id=f"{id}-{UNSEEN}",
        ),
    ]


WIZARD_BINDINGS: list[BindingType] = [
    Binding("n", "next_step", "Next", tooltip="Go to the next step", id="next-step"),
    Binding("p", "previous_step", "Prev", tooltip="Go to the previous step", id="previous-step"),
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
    *roomy("ctrl+e", "export", "Export", "Write or copy a snippet", "export"),
    *roomy("ctrl+t", "snippet", "Snippet", "The snippet full width, to select or copy", "snippet"),
    Binding("v", "toggle_preview", "Preview", tooltip="Show or hide the preview", id="preview"),
    Binding("question_mark", "help", "Help", key_display="?", tooltip="Keys", id="help"),
    *roomy("q", "request_quit", "Quit", "Quit (asks when there are unsaved changes)", "quit"),
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


def is_unseen_twin(action: str, parameters: tuple[object, ...], width: int) -> bool:
    """``action`` is a footer entry that needs room, and this binding is the one of the two
    twins that should not act at ``width`` columns (so exactly one of them does)."""
    if action not in FOOTER_ROOM:
        return False
    roomy_enough = width >= FOOTER_ROOM[action]
    return roomy_enough == (parameters == (UNSEEN,))


def footer_tier(width: int) -> tuple[bool, ...]:
    """Which of the roomy footer entries fit at ``width`` (the footer is refreshed when
    this changes)."""
    return tuple(width >= room for room in FOOTER_ROOM.values())


__all__ = [
    "FOOTER_ROOM",
    "UNSEEN",
    "WIDE",
    "WIZARD_BINDINGS",
    "footer_tier",
    "is_unseen_twin",
    "roomy",
]
