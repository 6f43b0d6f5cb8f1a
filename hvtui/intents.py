"""What the VM is for: each intent changes what ``recommend`` chooses and warns about.

The per-option side lives in the catalog (``intents`` adds an option for an
intent, ``important_for`` warns when it is missing); this module only says what
each intent means as a whole.
"""

from __future__ import annotations

from hvtui.records import record


@record(frozen=True)
class Intent:
    """A documented purpose for a VM."""

    name: str
    summary: str
    migratable: bool = False
    """Drop everything host-specific so the VM can live-migrate between hosts."""
    nested: bool = False
    """The guest runs Hyper-V itself (nested Hyper-V, WSL2, VBS): nested virtualization
    must be on in KVM."""


INTENTS: dict[str, Intent] = {
    i.name: i
    for i in (
        Intent(
            "desktop",
            "Windows 10/11 desktop on one host: everything the host supports that QEMU "
            "recommends, nested-only options included because Windows 11 turns VBS on by "
            "default.",
        ),
        Intent(
            "server-migratable",
            "Windows Server that must live-migrate: drops every option that is host-specific "
            "(blocks migration, needs a CPU vendor or host feature, or is nested-only).",
            migratable=True,
        ),
        Intent(
            "nested-hyperv",
            "Hyper-V, WSL2 or Docker Desktop inside the guest: the nested options, with "
            "warnings when KVM's nested virtualization is off or a nested option is missing.",
            nested=True,
        ),
        Intent(
            "vbs",
            "Virtualization-based security / Credential Guard / HVCI: like nested-hyperv, "
            "since VBS runs Hyper-V underneath.",
            nested=True,
        ),
        Intent(
            "gpu-passthrough",
            "A desktop with a passed-through GPU: adds the identity options the catalog marks "
            "for it, so consumer GPU drivers do not refuse to start (pair with libvirt's "
            "<kvm><hidden state='on'/>).",
        ),
        Intent(
            "debug",
            "Kernel debugging: adds the debugging options the catalog marks for it (the "
            "synthetic debugger and crash reporting).",
        ),
    )
}

DEFAULT_INTENT = "desktop"


def get_intent(name: str) -> Intent:
    """The intent called ``name``; raises ``KeyError`` listing the valid ones."""
    try:
        return INTENTS[name]
    except KeyError:
        raise KeyError(f"unknown intent {name!r} (choose from {', '.join(INTENTS)})") from None
