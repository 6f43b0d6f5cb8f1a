"""The stable codes of findings: what scripts match in ``--json`` and rules match here.

Every rule that makes or looks for a finding uses a :class:`FindingCode` member, never
a string written somewhere else; a ``StrEnum``, so the JSON value *is* the code
(``"needs-pinning"``) and comparing with the string still holds.  The catalog writes
its cautions' codes as data; :func:`hvtui.model.validate` turns each into a member,
and a test checks that every one of them is here.
"""

from __future__ import annotations

import enum


class FindingCode(enum.StrEnum):
    """Why a finding was made (``hvtui check --json``: ``findings[].code``)."""

    APIC_VIRT_OFF = "apic-virt-off"
    BLOCKS_MIGRATION = "blocks-migration"
    CORE_SHARING_POSSIBLE = "core-sharing-possible"
    CRASH_BLOCKS_DUMPS = "crash-blocks-dumps"
    DOC_REQUIREMENT = "doc-requirement"
    HOST_IS_A_VM = "host-is-a-vm"
    HOST_SPECIFIC = "host-specific"
    IDENTITY_ALONE = "identity-alone"
    IDENTITY_CHANGED = "identity-changed"
    IGNORED_BY_HOST = "ignored-by-host"
    INPUT_PROBLEM = "input-problem"
    INTEL_ONLY = "intel-only"
    INVALID_VALUE = "invalid-value"
    INVTSC_UNSTABLE = "invtsc-unstable"
    KVM_HIDDEN = "kvm-hidden"
    KVM_UNUSABLE = "kvm-unusable"
    LIBVIRT_FALLBACK = "libvirt-fallback"
    MIGRATION_NEEDS_TSC = "migration-needs-tsc"
    MISSING_DEPENDENCY = "missing-dependency"
    MISSING_FOR_INTENT = "missing-for-intent"
    NEEDS_APIC_VIRT = "needs-apic-virt"
    NEEDS_NESTED = "needs-nested"
    NEEDS_PINNING = "needs-pinning"
    NEEDS_VMBUS_BRIDGE = "needs-vmbus-bridge"
    NESTED_OFF = "nested-off"
    NESTED_VIRT_MISSING = "nested-virt-missing"
    NO_HYPERV_SUPPORT = "no-hyperv-support"
    NO_TSC_SCALING = "no-tsc-scaling"
    NOT_FOR_PRODUCTION = "not-for-production"
    NOT_NEEDED = "not-needed"
    OVERCOMMITTED = "overcommitted"
    PASSTHROUGH_OVERRIDES = "passthrough-overrides"
    QEMU_REFUSES_SPELLING = "qemu-refuses-spelling"
    QEMU_REFUSES_VALUE = "qemu-refuses-value"
    QEMU_TOO_OLD = "qemu-too-old"
    SPINLOCKS_BELOW_MINIMUM = "spinlocks-below-minimum"
    TSC_FREQUENCY_MISSING = "tsc-frequency-missing"
    UNKNOWN_OPTION = "unknown-option"
    UNSTABLE_TSC = "unstable-tsc"
    UNSUPPORTED_BY_HOST = "unsupported-by-host"
    WRONG_VENDOR = "wrong-vendor"


__all__ = ["FindingCode"]
