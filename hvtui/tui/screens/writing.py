"""Saving the preset, and writing, copying or merging the snippets: the dialogs in order.

Each flow is a coroutine the wizard screen runs in a worker, awaiting each
dialog (``push_screen_wait``) and writing through :func:`write_confirmed`; what
it did or why not is a toast.  The draft itself changes only on a save, through
:meth:`hvtui.tui.draft.Draft.saved`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content

from hvtui import presets
from hvtui.catalog import Severity
from hvtui.fsutil import atomic_write
from hvtui.records import replace
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.screens.confirmed_write import exists, write_confirmed
from hvtui.tui.screens.dialogs import (
    Answer,
    AnswerButton,
    ChoiceDialog,
    ExportDialog,
    PathDialog,
    SaveDialog,
    default_export_path,
)
from hvtui.tui.state import plural

if TYPE_CHECKING:
    from hvtui.tui.screens.wizard import WizardScreen


async def save_preset(wizard: WizardScreen) -> bool:
    """Ask for name and file, ask before replacing, write atomically; ``True`` when saved
    (quitting with "Save first" leaves only then)."""
    request = await wizard.app.push_screen_wait(SaveDialog(wizard.preset))
    if request is None:
        return False
    draft = replace(wizard.preset, name=request.name, description=request.description)
    path = request.path

    def write(force: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        presets.save(draft, path, force=force)

    if not await write_confirmed(wizard, path, write, failed="Not saved"):
        return False
    wizard.draft.saved(draft, path)
    wizard.refresh_view()
    errors = wizard.view.counts[Severity.ERROR]
    note = f" It has {plural(errors, 'error')}: 'hvtui check' will fail." if errors else ""
    wizard.notify(
        f"Saved {draft.name} to {one_line(str(path))}.{note}", title="Saved", markup=False
    )
    return True


def snippet(wizard: WizardScreen, fmt: str) -> str | None:
    """What ``hvtui export --format FMT`` prints, or ``None`` (and why) when it refuses."""
    try:
        return services.render(wizard.preset, fmt, wizard.export_env)
    except services.ExportRefusedError as exc:
        details = "".join(f"\n• {f.message}" for f in exc.findings[:5])
        wizard.notify(
            f"{exc}{details}\nFix them on the Review step (r).",
            title="Not exported",
            severity="error",
            timeout=10,
        )
        return None


async def export_snippet(wizard: WizardScreen, fmt: str) -> None:
    """Pick a format (``fmt`` first), then a file (asking before replacing one) or the
    clipboard."""
    request = await wizard.app.push_screen_wait(ExportDialog(wizard.preset, fmt))
    if request is None:
        return
    text = snippet(wizard, request.fmt)
    if text is None:
        return
    if request.path is None:
        await copy_text(wizard, text, request.fmt)
    else:
        await write_text(wizard, text, request.path, request.fmt)


async def copy_snippet(wizard: WizardScreen, fmt: str) -> None:
    """Copy a snippet, where the terminal can; elsewhere say so and offer a file."""
    text = snippet(wizard, fmt)
    if text is not None:
        await copy_text(wizard, text, fmt)


async def copy_text(wizard: WizardScreen, text: str, fmt: str) -> None:
    """Put ``text`` on the clipboard, saying how sure that is; where the terminal cannot,
    offer to write the snippet to a file instead."""
    label = services.export_format(fmt).label
    support = services.clipboard_support()
    if support.state == "no":
        question = ChoiceDialog(
            "Cannot copy in this terminal",
            Content(
                f"{support.terminal}: {support.why}, so nothing would reach your "
                f"clipboard. Write the {label} snippet to a file instead? (Or select "
                "it on the full-width view, ctrl+t.)"
            ),
            [
                AnswerButton(Answer.WRITE, "Write to a file", "w", "primary"),
                AnswerButton(Answer.CANCEL, "Cancel", "c"),
            ],
        )
        if await wizard.app.push_screen_wait(question) == Answer.WRITE:
            await write_snippet(wizard, fmt)
        return
    wizard.app.copy_to_clipboard(text)
    if support.state == "yes":
        wizard.notify(f"Copied the {label} snippet.", title="Copied")
    else:
        wizard.notify(
            f"Sent the {label} snippet to the clipboard. If nothing pastes, {support.why}: "
            "write it to a file (w on the full-width view, ctrl+t) or select it there.",
            title="Copied?",
            timeout=10,
            markup=False,
        )


async def write_snippet(wizard: WizardScreen, fmt: str) -> None:
    """Ask where, then write a snippet (asking before replacing a file)."""
    text = snippet(wizard, fmt)
    if text is None:
        return
    label = services.export_format(fmt).label
    path = await wizard.app.push_screen_wait(
        PathDialog(
            f"Write the {label} snippet",
            f"Exactly what 'hvtui export --format {fmt}' prints for this draft.",
            default_export_path(wizard.preset, fmt),
        )
    )
    if path is not None:
        await write_text(wizard, text, path, fmt)


async def write_text(wizard: WizardScreen, text: str, path: Path, fmt: str) -> None:
    """Write a snippet to ``path`` (asking before replacing it)."""
    if await write_confirmed(
        wizard, path, lambda force: atomic_write(path, text, force=force), failed="Not exported"
    ):
        label = services.export_format(fmt).label
        wizard.notify(
            f"Wrote the {label} snippet to {one_line(str(path))}.", title="Exported", markup=False
        )


async def save_merged(wizard: WizardScreen) -> None:
    """Ask where, then write the domain XML the draft started from with the draft merged
    in (``hvtui export --into``); the input itself only if picked and confirmed."""
    source = wizard.draft.started_from
    if source is None or source.document is None:
        wizard.notify(
            "Start from a libvirt domain XML (Start step) to save a merged copy.",
            severity="warning",
        )
        return
    label = one_line(source.label)
    path = await wizard.app.push_screen_wait(
        PathDialog(
            "Save merged domain XML",
            f"{label} with this draft's Hyper-V settings in place of its own; everything else "
            "in the domain is kept. The file you started from is only replaced if you pick it.",
            services.default_merged_path(source, wizard.preset),
        )
    )
    if path is None:
        return
    try:
        merged = services.merged_xml(source, wizard.preset, wizard.export_env)
    except services.ExportRefusedError as exc:
        wizard.notify(
            f"{exc}\nFix it on the Review step (r).",
            title="Not written",
            severity="error",
            timeout=10,
            markup=False,
        )
        return
    same = exists(path) and services.same_file(path, source.label)
    note = "It is the domain XML this draft was started from." if same else ""
    if not await write_confirmed(
        wizard,
        path,
        lambda force: atomic_write(path, merged.text, force=force),
        failed="Not written",
        note=note,
    ):
        return
    notes = "".join(f"\n• {line}" for line in merged.notes)
    shown = one_line(str(path))
    wizard.notify(
        f"Wrote the merged domain XML to {shown}; 'virsh define {shown}' applies it.{notes}",
        title="Saved merged XML",
        timeout=8,
        markup=False,
    )


__all__ = [
    "copy_snippet",
    "copy_text",
    "export_snippet",
    "save_merged",
    "save_preset",
    "snippet",
    "write_snippet",
    "write_text",
]
