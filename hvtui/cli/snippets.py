"""QEMU / libvirt / virt-install snippets for commands other than ``export``.

``recommend`` prints the same text ``hvtui export`` would, and refuses what it
would refuse, so it goes through :func:`hvtui.export.export_preset` rather than
formatting anything itself.
"""

from __future__ import annotations

import sys
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

    result = export.export_preset(preset, fmt, detect=detected)
    if isinstance(result, export.Refusal):
        # As ``hvtui export`` refuses a preset with errors: each on stderr, then one line.
        from hvtui.cli.render import format_finding

        for finding in result.findings:
            print("\n".join(format_finding(preset.name, finding)), file=sys.stderr)
        prefix = f"{preset.name}: " if result.findings else ""
        raise CliError(prefix + result.message, result.code)
    return result.text
