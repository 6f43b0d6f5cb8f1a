"""``--format json``: the configuration and every rendered format in one object.

For tools: the preset document, the resolved target, and each format as the
exact text the other formats print; QEMU, libvirt and virt-install also as
structured data (argument lists, which options went native, which through
``-global`` and why).  The other formats of the registry (KubeVirt, Terraform,
virt-xml, Proxmox VE and any registered later) come as ``{"text": ...}``.  A
format that refuses the configuration (virt-install and some vendor strings)
carries ``error`` instead of ``text``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from hvtui import presets
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.libvirt import plan_libvirt, render_libvirt
from hvtui.export.qemu import build_qemu, render_qemu
from hvtui.export.virtinstall import build_virt_install, render_virt_install
from hvtui.presets import Preset


def _libvirt(preset: Preset, target: ExportTarget) -> dict[str, Any]:
    plan = plan_libvirt(preset.config, target)
    return {
        "text": render_libvirt(preset.config, target, preset_name=preset.name),
        "native": [entry.name for entry, _ in plan.native],
        "fallback": [
            {"option": f.entry.name, "reason": f.reason, "args": [option, setting]}
            for f, option, setting in plan.global_args()
        ],
        "omitted": [{"option": o.entry.name, "reason": o.reason} for o in plan.omitted],
        "extra_args": [list(words) for _, words in plan.extra],
    }


def _virt_install(
    preset: Preset, target: ExportTarget, known_features: frozenset[str] | None
) -> dict[str, Any]:
    try:
        built = build_virt_install(preset.config, target, known_features=known_features)
    except ExportError as exc:
        return {"error": str(exc)}
    return {
        "text": render_virt_install(preset.config, target, known_features=known_features),
        "args": list(built.args),
        "notes": list(built.notes),
    }


def _text(render: Callable[[], str]) -> dict[str, Any]:
    try:
        return {"text": render()}
    except ExportError as exc:
        return {"error": str(exc)}


def to_json(
    preset: Preset,
    target: ExportTarget,
    *,
    known_features: frozenset[str] | None = None,
    toml_text: str | None = None,
    other_formats: Mapping[str, Callable[[], str]] | None = None,
) -> dict[str, Any]:
    """The whole export as plain data.

    ``other_formats`` renders each registered format by name; those not given above
    as structured data are added as ``{"text": ...}`` (or ``{"error": ...}``).
    """
    qemu = build_qemu(preset.config, target)
    formats: dict[str, Any] = {
        "qemu": {
            "text": render_qemu(preset.config, target),
            "args": list(qemu.args),
            "notes": list(qemu.notes),
        },
        "libvirt": _libvirt(preset, target),
        "virt-install": _virt_install(preset, target, known_features),
        "toml": toml_text if toml_text is not None else presets.dumps(preset),
    }
    for name, render in (other_formats or {}).items():
        if name not in formats:
            formats[name] = _text(render)
    return {
        "preset": presets.to_document(preset),
        "config": dict(preset.config.values),
        "target": target.to_json(),
        "formats": formats,
    }


def render_json(
    preset: Preset,
    target: ExportTarget,
    *,
    known_features: frozenset[str] | None = None,
    toml_text: str | None = None,
    other_formats: Mapping[str, Callable[[], str]] | None = None,
) -> str:
    """:func:`to_json` as indented JSON text."""
    data = to_json(
        preset,
        target,
        known_features=known_features,
        toml_text=toml_text,
        other_formats=other_formats,
    )
    return json.dumps(data, indent=2) + "\n"


__all__ = ["render_json", "to_json"]
