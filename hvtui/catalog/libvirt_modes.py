"""libvirt's ``<hyperv mode=...>`` values that are not an hv-* option of their own.

``mode='passthrough'`` is hv-passthrough (an entry of the main table).
``mode='host-model'`` has no QEMU counterpart: libvirt itself turns on, when the
domain starts, every Hyper-V feature its domain capabilities report for the host,
and writes the result into the live definition.  Its facts live here so the
libvirt export, the audit and ``explain`` read them from one place.
"""

from __future__ import annotations

from hvtui.catalog.types import FactKind, Source
from hvtui.records import record
from hvtui.versions import V, Version


@record(frozen=True)
class HypervMode:
    """A ``<hyperv mode=...>`` value and since which libvirt it means what."""

    name: str
    since: Version
    """First libvirt release that accepts the mode."""
    children_since: Version | None
    """First release where child elements override the mode's choice (``None``: never)."""
    summary: str
    migration_note: str
    sources: tuple[Source, ...]


HOST_MODEL = HypervMode(
    "host-model",
    V("11.9.0"),
    V("12.1.0"),
    "libvirt turns on, at start, every Hyper-V feature the host supports (domain "
    "capabilities) and records them in the live definition",
    "The set is fixed when the VM starts on the source host; a destination whose KVM lacks "
    "any of them refuses the migration. Pin an explicit list (mode='custom') for a mixed pool.",
    (
        Source(
            FactKind.LIBVIRT,
            "libvirt NEWS 11.9.0 (hyperv mode='host-model') and 12.1.0 "
            "(child elements override its defaults); tests/qemuxmlconfdata/hyperv-host-model",
        ),
    ),
)

__all__ = ["HOST_MODEL", "HypervMode"]
