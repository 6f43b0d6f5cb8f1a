"""What an importer found: the configuration plus everything it could not place."""

from __future__ import annotations

from dataclasses import dataclass, field

from hvtui.model import Config


@dataclass(frozen=True)
class Imported:
    """The Hyper-V configuration read from a QEMU command line or a libvirt domain.

    Only ``config`` takes part in round-trip comparisons; the other fields are
    for the audit command, which reports them.
    """

    config: Config
    cpu_model: str | None = None
    """The ``-cpu`` model (``host``), or ``None`` when nothing names one."""
    extra_args: tuple[str, ...] = ()
    """Other QEMU arguments that belong to the set (``-device vmbus-bridge,irq=15``)."""
    other_properties: tuple[str, ...] = ()
    """``-cpu`` properties that are not Hyper-V options (``migratable=on``, ``+vmx``)."""
    problems: tuple[str, ...] = field(default_factory=tuple)
    """One line each: unknown ``hv-*`` names, values of the wrong type, ignored parts."""


__all__ = ["Imported"]
