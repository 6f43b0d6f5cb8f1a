"""The presets the export and stack tests put through real tools, and the odd ones beside
them (a spinlocks value only ``-global`` can carry, hv-passthrough alone)."""

from __future__ import annotations

from hvtui import presets
from hvtui.model import Config
from hvtui.records import replace
from hvtui.versions import Version

SHIPPED = [presets.load(p) for p in sorted(presets.shipped_dir().glob("*.toml"))]
#: A model TCG can run, for libvirt's QEMU driver (no KVM, so no host-passthrough).
TCG_MODEL = "qemu64"
#: Below libvirt's minimum retries (4095): only a ``-global`` can carry it.
LOW_SPINLOCKS = 0x800


def low_spinlocks() -> presets.Preset:
    """A shipped preset with spinlocks below libvirt's minimum."""
    base = presets.find("windows-server-migratable")
    return replace(
        base, name="low-spinlocks", config=base.config.with_value("spinlocks", LOW_SPINLOCKS)
    )


def passthrough_only(libvirt: Version) -> presets.Preset:
    """hv-passthrough alone: libvirt before 11.0.0 passes <hyperv> children on in
    passthrough mode, so a tool's defaults there would reach QEMU too."""
    return presets.Preset(
        "passthrough-only",
        Config.of(passthrough=True),
        target=presets.Target(cpu_model="host", libvirt=libvirt),
    )


def real_tool_cases(libvirt: Version) -> list[presets.Preset]:
    """Every shipped preset and the two odd ones (hv-passthrough for ``libvirt``)."""
    return [*SHIPPED, low_spinlocks(), passthrough_only(libvirt)]
