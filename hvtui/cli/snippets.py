"""QEMU / libvirt / virt-install snippets for commands other than ``export``.

``recommend`` (and ``audit``) print the same text ``hvtui export`` would, so they
go through the exporters rather than formatting anything themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hvtui.cli.errors import CliError

if TYPE_CHECKING:
    from hvtui.presets import Preset
    from hvtui.versions import Version


def render_snippet(
    preset: Preset, fmt: str, *, host_libvirt: Version | None = None, live_host: bool = True
) -> str:
    """The ``fmt`` export of ``preset``, exactly as ``hvtui export`` prints it.

    The libvirt version comes from the preset's target, else ``host_libvirt``
    (the host the advice was for), else this machine when ``live_host``.
    """
    from hvtui import export

    def detected() -> Version | None:
        if host_libvirt is not None:
            return host_libvirt
        return export.detected_libvirt() if live_host else None

    try:
        target, _notes = export.resolve_target(preset.target, detect=detected, cpu=preset.cpu)
        text = export.render(fmt, preset, target)
    except export.ExportError as exc:
        raise CliError(str(exc), exc.code) from exc
    return text if text.endswith("\n") else text + "\n"
