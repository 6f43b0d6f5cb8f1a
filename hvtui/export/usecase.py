"""Exporting a preset, start to end: the one function the CLI and the wizard call.

``hvtui export``, the snippets ``recommend`` prints and the wizard's preview and
export all go through :func:`export_preset`: resolve the target (the versions
and CPU model), refuse when the findings have errors, render the format (or
merge into a domain definition), and end the text with a newline.  It returns
an :class:`Export` or a :class:`Refusal`; it raises nothing the user caused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from hvtui.catalog.libvirt_modes import HypervMode
from hvtui.export.context import ExportError, ExportTarget, export_findings, resolve_target
from hvtui.export.merge import merge_into
from hvtui.export.registry import Format, get
from hvtui.formats.safexml import XmlError
from hvtui.model import Finding
from hvtui.presets import Preset
from hvtui.records import record
from hvtui.versions import Version

#: Where an export stopped: choosing the target, the preset's findings, or the format.
Stage = Literal["target", "findings", "format"]


@record(frozen=True)
class Export:
    """An export that worked."""

    text: str
    """The whole text, ending in a newline (what ``hvtui export`` prints or writes)."""
    format: Format
    target: ExportTarget
    """The versions and CPU model it was made for."""
    notes: tuple[str, ...] = ()
    """What the user should know (a value overridden, an element added by a merge)."""


@record(frozen=True)
class Refusal:
    """Why there is no export; ``message`` is one line."""

    stage: Stage
    message: str
    """``not exported: 2 errors`` for findings; else the reason, naming its source."""
    code: int
    """The command line's exit status: 1 the preset cannot be written so, 2 bad input."""
    findings: tuple[Finding, ...] = ()
    """The errors that refused it (``stage == "findings"``)."""
    notes: tuple[str, ...] = ()
    """What choosing the target had to say before the format refused."""


def export_preset(
    preset: Preset,
    fmt: str,
    *,
    cpu_model: str | None = None,
    qemu: Version | None = None,
    libvirt: Version | None = None,
    detect: bool | Callable[[], Version | None] = True,
    hyperv_mode: HypervMode | None = None,
    features: Callable[[], frozenset[str] | None] | None = None,
    into: Callable[[], bytes | str] | None = None,
    into_label: str = "<domain>",
) -> Export | Refusal:
    """``preset`` in format ``fmt``, or why not.

    ``cpu_model``, ``qemu`` and ``libvirt`` are the caller's choices (the preset's
    own target wins for versions, see :func:`~hvtui.export.resolve_target`);
    ``detect`` answers for the host's libvirt.  ``features`` is asked only for a
    format whose text depends on virt-install's ``--features`` (``None``: unknown).
    ``into`` reads a libvirt domain definition to merge into (``fmt`` ``libvirt``),
    named ``into_label`` in messages; it is called only once the preset passed its
    checks, and what it raises goes to the caller.
    """
    try:
        chosen = get(fmt)
        target, notes = resolve_target(
            preset.target,
            cpu_model=cpu_model,
            qemu=qemu,
            libvirt=libvirt,
            detect=detect,
            cpu=preset.cpu,
            hyperv_mode=hyperv_mode,
        )
    except ExportError as exc:
        return Refusal("target", str(exc), exc.code)
    problems = export_findings(preset.config, target)
    if problems:
        count = len(problems)
        errors = f"{count} error{'s' * (count != 1)}"
        return Refusal("findings", f"not exported: {errors}", 1, tuple(problems))
    try:
        if into is not None:
            merged = merge_into(into(), preset.config, target, source=into_label)
            text, notes = merged.text, [*notes, *merged.notes]
        else:
            known = features() if features is not None and chosen.uses_features else None
            text = chosen.render(preset, target, known)
    except XmlError as exc:
        return Refusal("format", str(exc), 2, notes=tuple(notes))
    except ExportError as exc:
        return Refusal("format", str(exc), exc.code, notes=tuple(notes))
    return Export(text if text.endswith("\n") else text + "\n", chosen, target, tuple(notes))


__all__ = ["Export", "Refusal", "Stage", "export_preset"]
