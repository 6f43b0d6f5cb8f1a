"""Stable codes of ``hvtui verify``: why an option differs, why nothing could run.

Scripts read them from ``--json``; the text output words them.  They are
StrEnums so that the JSON value *is* the code.
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why what the guest sees differs from what was asked (or why it is not judged)."""

    QEMU_REFUSED = "qemu-refused"
    """QEMU did not start the guest; its message is ``qemu_error``."""
    DROPPED_NO_HYPERV = "dropped-no-hyperv"
    """QEMU started, but this host's KVM has no Hyper-V (``CONFIG_KVM_HYPERV=n``), so the
    guest sees no Hyper-V interface at all: QEMU drops the option without a word."""
    NOT_OFFERED = "not-offered-by-kvm"
    """The guest sees Hyper-V, but this host's KVM does not offer this option."""
    NO_INTERFACE = "no-hyperv-interface"
    """QEMU shows no Hyper-V interface for the options asked (identity values alone)."""
    DIFFERENT_VALUE = "different-value"
    """The guest sees the option with another value (spinlocks, vendor-id, version-id)."""
    NOT_SEEN = "not-seen"
    """The guest does not see it and none of the reasons above applies."""
    NOT_ASKED = "not-asked"
    """The guest sees an option nobody asked for."""
    PASSTHROUGH = "passthrough-expanded"
    """hv-passthrough: the guest sees what this host's KVM gives, listed explicitly."""
    NOT_IN_CPUID = "not-in-cpuid"
    """A KVM capability, not a CPUID bit (enforce-cpuid): the guest cannot show it."""


class Unavailable(enum.StrEnum):
    """Why verify cannot run on this machine at all (exit 2)."""

    NO_KVM = "no-kvm"
    KVM_NO_ACCESS = "kvm-no-access"
    NO_QEMU = "no-qemu"
    QEMU_NOT_RUNNABLE = "qemu-not-runnable"
    NO_PROBE = "no-probe"


class ProbeFailure(enum.StrEnum):
    """The guest ran but the probe's report is missing or broken (exit 1, loudly)."""

    TIMEOUT = "timeout"
    NO_OUTPUT = "no-output"
    INCOMPLETE = "incomplete"
    GARBLED = "garbled"
    FLOODED = "flooded"
    CANCELLED = "cancelled"


class HostWorkaround(enum.StrEnum):
    """What verify changed about the throw-away VM because this host, not the input,
    stopped QEMU (``--json``'s ``host_workaround.code``); the verdict is then still
    about the input's Hyper-V options, since the change touches no hypervisor leaf."""

    ARCH_CAPABILITIES_OFF = "arch-capabilities-off"
    """KVM refused the IA32_ARCH_CAPABILITIES value (MSR 0x10a) QEMU copies from the host
    CPU, so QEMU aborted; it ran again with ``arch-capabilities=off`` added to ``-cpu``
    (:mod:`hvtui.verify.hostmsr`)."""


__all__ = ["HostWorkaround", "ProbeFailure", "Reason", "Unavailable"]
