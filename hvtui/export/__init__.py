"""Exports: a configuration as QEMU arguments, libvirt XML, virt-install arguments,
a TOML preset or one JSON object with all of them.

Every format is generated from the configuration model and the catalog alone
(no option, element or version is written here), and the matching parsers in
:mod:`hvtui.importers` read the QEMU, libvirt and virt-install output back.

The CLI and the wizard call one function, :func:`export_preset`, which resolves
the target, refuses on findings with errors, renders and ends the text with a
newline; the formats are the one table in :mod:`hvtui.export.registry`::

    result = export_preset(preset, "libvirt", libvirt=V("9.0.0"), detect=False)
    if isinstance(result, Refusal):
        ...  # result.message, result.code (1 or 2), result.findings
    else:
        print(result.text, end="")
"""

from __future__ import annotations

from hvtui.export import registry
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
from hvtui.export.registry import Format, preset_for_target
from hvtui.export.usecase import Export, Refusal, export_preset
from hvtui.export.virtinstall import (
    VirtInstallExport,
    build_virt_install,
    probe_features,
    render_virt_install,
)
from hvtui.presets import Preset

#: The ``--format`` choices, in the order ``--help`` lists them (the format table's).
FORMATS = registry.names()


def render(
    fmt: str,
    preset: Preset,
    target: ExportTarget,
    *,
    known_features: frozenset[str] | None = None,
) -> str:
    """One format's text for ``preset`` on ``target``, unchecked: :func:`export_preset`
    checks the findings first and is what the CLI and the wizard call."""
    return registry.get(fmt).render(preset, target, known_features)


__all__ = [
    "FORMATS",
    "Export",
    "ExportError",
    "ExportTarget",
    "Format",
    "LibvirtPlan",
    "MergeResult",
    "QemuExport",
    "Refusal",
    "VirtInstallExport",
    "build_qemu",
    "build_virt_install",
    "check_cpu_model",
    "cpu_option",
    "detected_libvirt",
    "export_findings",
    "export_preset",
    "merge_into",
    "newest_libvirt",
    "plan_libvirt",
    "preset_for_target",
    "probe_features",
    "qemu_findings",
    "registry",
    "render",
    "render_json",
    "render_libvirt",
    "render_qemu",
    "render_virt_install",
    "resolve_target",
    "to_json",
]
