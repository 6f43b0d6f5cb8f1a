"""Leaving the wizard: ``q`` and the stop signals, and what happens to an unsaved draft.

``q`` (and SIGINT, when someone can be asked) asks about unsaved changes:
save first, quit without saving, or keep working.  When nobody can be asked,
or a second signal arrives while asking, the draft goes to a new recovery file
and one line says where.  An exit a signal started has the code 128+N.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvtui.textsafe import one_line
from hvtui.tui.screens.dialogs import Answer, AnswerButton, ChoiceDialog
from hvtui.tui.screens.writing import save_preset

if TYPE_CHECKING:
    from hvtui.tui.screens.wizard import WizardScreen


def unsaved_question(name: str) -> ChoiceDialog:
    """The question ``q`` asks when the draft has unsaved changes."""
    return ChoiceDialog(
        "Unsaved changes",
        f"The preset {one_line(name)} has changes that are not saved.",
        [
            AnswerButton(Answer.SAVE, "Save first", "s", "primary"),
            AnswerButton(Answer.DISCARD, "Quit without saving", "d", "error"),
            AnswerButton(Answer.CANCEL, "Keep working", "c"),
        ],
    )


async def quit_asking(wizard: WizardScreen, code: int) -> None:
    """Quit with ``code``; with unsaved changes, ask first (saving first quits only once
    the preset is saved; keeping working forgets ``code``: a later ``q`` quits with 0)."""
    if not wizard.dirty:
        leave(wizard, code)
        return
    answer = await wizard.app.push_screen_wait(unsaved_question(wizard.preset.name))
    if answer == Answer.DISCARD or (answer == Answer.SAVE and await save_preset(wizard)):
        leave(wizard, code)


def recover(wizard: WizardScreen, code: int, why: str) -> None:
    """Write the draft to a new recovery file and leave, saying where (or why not)."""
    from hvtui.tui.recovery import save_draft

    leave(wizard, code, save_draft(wizard.preset, why))


def leave(wizard: WizardScreen, code: int, note: str | None = None, *, why: str = "") -> None:
    """Exit the app with ``code``; an exit a signal started (``code`` not 0) says so in
    one line once the terminal is restored (``why``: the signal's word)."""
    from hvtui.tui.app import HvtuiApp

    if note is None and code:
        note = f"hvtui: {why or 'interrupted'}"
    app = wizard.app
    if isinstance(app, HvtuiApp):
        app.leave(code, note)
    else:
        app.exit(return_code=code)


__all__ = ["leave", "quit_asking", "recover", "unsaved_question"]
