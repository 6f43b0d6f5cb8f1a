"""Exports: a configuration as QEMU arguments, libvirt XML, virt-install arguments,
a TOML preset or one JSON object with all of them.

Every format is generated from the configuration model and the catalog alone
(no option, element or version is written here), and the matching parsers in
:mod:`hvtui.importers` read the QEMU, libvirt and virt-install output back.

Typical use (the CLI and the TUI do exactly this)::

    target, notes = resolve_target(preset.target, libvirt=V("9.0.0"), detect=False)
    problems = export_findings(preset.config, target)   # refuse when non-empty
    text = render("libvirt", preset, target)
"""

from __future__ import annotations

from dataclasses import replace

from hvtui import presets
from hvtui.export.context import (
    ExportError,
    ExportTarget,
    check_cpu_model,
    detected_libvirt,
    export_findings,
    newest_libvirt,
    qemu_findings,
    resolve_target,
)
from hvtui.export.json_export import render_json, to_json
from hvtui.export.libvirt import LibvirtPlan, plan_libvirt, render_libvirt
from hvtui.export.merge import MergeResult, merge_into
from hvtui.export.qemu import QemuExport, build_qemu, cpu_option, render_qemu
from hvtui.export.virtinstall import (
    VirtInstallExport,
    build_virt_install,
    probe_features,
    render_virt_install,
)
from hvtui.presets import Preset, Target

#: The ``--format`` choices, in the order ``--help`` lists them.
FORMATS = ("qemu", "libvirt", "virt-install", "toml", "json")


def preset_for_target(preset: Preset, target: ExportTarget) -> Preset:
    """The preset with the target the export was made for, as ``--format toml`` writes it.

    Values chosen on the command line are recorded; a detected or "newest"
    libvirt version is not (it describes this host, not the preset).
    """
    chosen = Target(
        target.cpu_model if target.cpu_model_source in ("cli", "preset") else None,
        target.qemu if target.qemu_source in ("cli", "preset") else None,
        target.libvirt if target.libvirt_source in ("cli", "preset") else None,
    )
    return replace(preset, target=chosen)


def render(
    fmt: str,
    preset: Preset,
    target: ExportTarget,
    *,
    known_features: frozenset[str] | None = None,
) -> str:
    """One format's text for ``preset`` on ``target`` (call :func:`export_findings` first)."""
    if fmt == "qemu":
        return render_qemu(preset.config, target)
    if fmt == "libvirt":
        return render_libvirt(preset.config, target, preset_name=preset.name)
    if fmt == "virt-install":
        return render_virt_install(preset.config, target, known_features=known_features)
    toml_text = presets.dumps(preset_for_target(preset, target))
    if fmt == "toml":
        return toml_text
    if fmt == "json":
        return render_json(preset, target, known_features=known_features, toml_text=toml_text)
    raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "ExportError",
    "ExportTarget",
    "LibvirtPlan",
    "MergeResult",
    "QemuExport",
    "VirtInstallExport",
    "build_qemu",
    "build_virt_install",
    "check_cpu_model",
    "cpu_option",
    "detected_libvirt",
    "export_findings",
    "merge_into",
    "newest_libvirt",
    "plan_libvirt",
    "preset_for_target",
    "probe_features",
    "qemu_findings",
    "render",
    "render_json",
    "render_libvirt",
    "render_qemu",
    "render_virt_install",
    "resolve_target",
    "to_json",
]
