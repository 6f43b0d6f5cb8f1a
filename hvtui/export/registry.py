"""The one table of export formats: what ``--format`` accepts and the wizard shows.

Each :class:`Format` says how the format is named on the command line, labelled
in the wizard's preview tabs, highlighted (the tree-sitter language), which file
suffix the export dialog proposes, and how it is rendered.  The CLI takes its
``--format`` choices from here and the wizard its tabs; a new format is one
:func:`register` call and appears in both.

The stack formats (Proxmox, KubeVirt, Terraform, virt-xml) import their renderers
when used, so building the CLI's parser (also on the way to the wizard's first
frame) does not load YAML or their tables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from hvtui import presets
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.json_export import render_json
from hvtui.export.libvirt import render_libvirt
from hvtui.export.qemu import render_qemu
from hvtui.export.virtinstall import render_virt_install
from hvtui.presets import Preset, Target
from hvtui.records import record

#: ``render(preset, target, known_features)``: the format's text.  ``known_features``
#: are virt-install's ``--features=?`` answers (``None``: unknown or not asked).
Renderer = Callable[[Preset, ExportTarget, "frozenset[str] | None"], str]


@record(frozen=True)
class Format:
    """One export format."""

    name: str
    """The ``--format`` name (``virt-install``)."""
    label: str
    """Its title in the wizard's preview tabs (``virt-install``)."""
    lexer: str
    """The tree-sitter language that highlights it (``bash``, ``xml``, ``toml``, ``json``)."""
    suffix: str
    """The file name suffix the export dialog proposes (``.virt-install.txt``)."""
    render: Renderer
    """Makes the text; call :func:`hvtui.export.export_preset`, which checks first."""
    uses_features: bool = False
    """Its text depends on which ``--features`` this host's virt-install knows."""
    tab: int | None = None
    """Its place among the wizard's preview tabs (``None``: not shown there)."""


_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the table (after the others: ``--help`` lists them in this order)."""
    if fmt.name in _FORMATS:
        raise ValueError(f"export format {fmt.name!r} is registered twice")
    _FORMATS[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    """The format called ``name``; :class:`ExportError` (exit 2) names the choices."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown format {name!r}; choose one of {', '.join(names())}") from None


def names() -> tuple[str, ...]:
    """Every format's ``--format`` name, in registration order."""
    return tuple(_FORMATS)


def all_formats() -> tuple[Format, ...]:
    """Every format, in registration order."""
    return tuple(_FORMATS.values())


def tabs() -> tuple[Format, ...]:
    """The formats the wizard previews, in tab order."""
    shown = [f for f in _FORMATS.values() if f.tab is not None]
    return tuple(sorted(shown, key=lambda f: f.tab or 0))


def preset_for_target(preset: Preset, target: ExportTarget) -> Preset:
    """The preset with the target the export was made for, as ``--format toml`` writes it.

    Values chosen on the command line are recorded; a detected or "newest"
    libvirt version is not (it describes this host, not the preset).
    """
    from hvtui.records import replace

    chosen = Target(
        target.cpu_model if target.cpu_model_source in ("cli", "preset") else None,
        target.qemu if target.qemu_source in ("cli", "preset") else None,
        target.libvirt if target.libvirt_source in ("cli", "preset") else None,
    )
    return replace(preset, target=chosen)


def _qemu(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    return render_qemu(preset.config, target)


def _libvirt(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    return render_libvirt(preset.config, target, preset_name=preset.name)


def _virt_install(preset: Preset, target: ExportTarget, known: frozenset[str] | None) -> str:
    return render_virt_install(preset.config, target, known_features=known)


def _toml(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    return presets.dumps(preset_for_target(preset, target))


def _json(preset: Preset, target: ExportTarget, known: frozenset[str] | None) -> str:
    """Every other registered format inside one JSON object (each rendered once)."""
    toml_text = presets.dumps(preset_for_target(preset, target))
    others = {
        fmt.name: functools.partial(fmt.render, preset, target, known)
        for fmt in _FORMATS.values()
        if fmt.render is not _json
    }
    return render_json(
        preset, target, known_features=known, toml_text=toml_text, other_formats=others
    )


def _proxmox(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    from hvtui.export.proxmox import render_proxmox  # on use: keeps YAML/HCL off start-up

    return render_proxmox(preset.config, target, preset_name=preset.name)


def _kubevirt(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    from hvtui.export.kubevirt import render_kubevirt  # on use: keeps YAML/HCL off start-up

    return render_kubevirt(preset.config, target, preset_name=preset.name)


def _terraform(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    from hvtui.export.terraform import render_terraform  # on use: keeps YAML/HCL off start-up

    return render_terraform(preset.config, target, preset_name=preset.name)


def _virt_xml(preset: Preset, target: ExportTarget, _known: frozenset[str] | None) -> str:
    from hvtui.export.virtxml import render_virt_xml  # on use: keeps YAML/HCL off start-up

    return render_virt_xml(preset.config, target)


# The command line's order (``--format`` choices); ``tab`` is the wizard's.
register(Format("qemu", "QEMU", "bash", ".qemu.txt", _qemu, tab=1))
register(Format("libvirt", "libvirt", "xml", ".xml", _libvirt, tab=2))
register(
    Format(
        "virt-install",
        "virt-install",
        "bash",
        ".virt-install.txt",
        _virt_install,
        uses_features=True,
        tab=3,
    )
)
register(Format("toml", "TOML", "toml", ".toml", _toml, tab=0))
register(Format("json", "JSON", "json", ".json", _json, uses_features=True))
register(Format("kubevirt", "KubeVirt", "yaml", ".kubevirt.yaml", _kubevirt))
register(Format("terraform", "Terraform", "bash", ".tf", _terraform))
register(Format("virt-xml", "virt-xml", "bash", ".virt-xml.sh", _virt_xml))
register(Format("proxmox", "Proxmox VE", "bash", ".proxmox.sh", _proxmox))

__all__ = [
    "Format",
    "Renderer",
    "all_formats",
    "get",
    "names",
    "preset_for_target",
    "register",
    "tabs",
]
