"""What KVM says about each ``hv-*`` option: the one place those facts are written.

For every option KVM reports on, this table holds the bits of KVM's Hyper-V CPUID
answer that must all be set (``KVM_GET_SUPPORTED_HV_CPUID``, Linux 5.0+), the KVM
capability that stands in for bits (passthrough, enforce-cpuid), and how kernels
before 5.0 show support: ``KVM_CAP_HYPERV*`` capabilities and the Hyper-V MSRs of
``KVM_GET_MSR_INDEX_LIST``.  :mod:`hvtui.catalog.entries` builds each entry's
``cpuid``, ``kvm_cap``, ``legacy_caps`` and ``legacy_msrs`` from it by name.

It is plain data (tuples and ints, no enum, no records) because ``hvtui detect``
decodes KVM's answer with it alone: importing it loads neither the catalog's
types nor its 32 documented entries (issue #13).  Order is catalog order, so the
decoders list options as every other listing does (``tests/test_catalog.py``
keeps the two equal).

Sources: :data:`CPUID_SOURCE` and :data:`LEGACY_SOURCE` (the catalog cites them
for every entry), QEMU's ``target/i386/kvm/hyperv-proto.h`` for leaves,
``hyperv-tlfs.h`` for MSRs, Linux ``include/uapi/linux/kvm.h`` for capabilities.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import TypeAlias

    #: ``(leaf, register, mask)``: ``register`` is ``eax``/``ebx``/``ecx``/``edx``.
    Bits: TypeAlias = tuple[int, str, int]
    #: ``(cpuid bits, kvm_cap, legacy_caps, legacy_msrs)`` of one option.
    KvmFacts: TypeAlias = tuple[tuple[Bits, ...], int | None, tuple[int, ...], tuple[int, ...]]

#: Where the CPUID bits were checked (the catalog's source for their fact kind).
CPUID_SOURCE = (
    "QEMU target/i386/kvm/kvm.c kvm_hyperv_properties[].flags (the bits "
    "hyperv_feature_supported() tests) and target/i386/kvm/hyperv-proto.h"
)
#: Where the pre-5.0 capabilities and MSRs were checked.
LEGACY_SOURCE = (
    "QEMU target/i386/kvm/kvm.c get_supported_hv_cpuid_legacy(): KVM_CAP_HYPERV* and the "
    "has_msr_hv_* MSRs of KVM_GET_MSR_INDEX_LIST"
)

# Hyper-V CPUID leaves (QEMU hyperv-proto.h).
HV_VERSION = 0x40000002
HV_FEATURES = 0x40000003
HV_ENLIGHTENMENT_INFO = 0x40000004
HV_NESTED_FEATURES = 0x4000000A

# Hyper-V synthetic MSRs (hyperv-tlfs.h) that pre-5.0 kernels list when they
# implement an option (QEMU's has_msr_hv_* flags).
HV_MSR_VP_INDEX = 0x40000002
HV_MSR_RESET = 0x40000003
HV_MSR_VP_RUNTIME = 0x40000010
HV_MSR_SCONTROL = 0x40000080
HV_MSR_STIMER0_CONFIG = 0x400000B0
HV_MSR_TSC_FREQUENCY = 0x40000022
HV_MSR_CRASH_CTL = 0x40000105
HV_MSR_REENLIGHTENMENT_CONTROL = 0x40000106

# KVM capability numbers (include/uapi/linux/kvm.h).
KVM_CAP_HYPERV = 44
KVM_CAP_HYPERV_SYNIC2 = 148
KVM_CAP_HYPERV_TIME = 96
KVM_CAP_HYPERV_TLBFLUSH = 155
KVM_CAP_HYPERV_SEND_IPI = 161
KVM_CAP_HYPERV_ENLIGHTENED_VMCS = 163
KVM_CAP_HYPERV_CPUID = 167
KVM_CAP_HYPERV_ENFORCE_CPUID = 199


def _kvm(
    *cpuid: Bits,
    kvm_cap: int | None = None,
    legacy_caps: tuple[int, ...] = (),
    legacy_msrs: tuple[int, ...] = (),
) -> KvmFacts:
    """One option's facts, named where they are written."""
    return cpuid, kvm_cap, legacy_caps, legacy_msrs


#: Options KVM reports on, in catalog order; the others (spinlocks, vendor-id, the
#: version ids: values QEMU sets itself) have no row.
KVM_ABI: dict[str, KvmFacts] = {
    "relaxed": _kvm((HV_ENLIGHTENMENT_INFO, "eax", 0x20), legacy_caps=(KVM_CAP_HYPERV,)),
    "vapic": _kvm((HV_FEATURES, "eax", 0x10), legacy_caps=(KVM_CAP_HYPERV,)),
    "vpindex": _kvm((HV_FEATURES, "eax", 0x40), legacy_msrs=(HV_MSR_VP_INDEX,)),
    "runtime": _kvm((HV_FEATURES, "eax", 0x1), legacy_msrs=(HV_MSR_VP_RUNTIME,)),
    "crash": _kvm((HV_FEATURES, "edx", 0x400), legacy_msrs=(HV_MSR_CRASH_CTL,)),
    "time": _kvm((HV_FEATURES, "eax", 0x202), legacy_caps=(KVM_CAP_HYPERV_TIME,)),
    "synic": _kvm(
        (HV_FEATURES, "eax", 0x4),
        legacy_caps=(KVM_CAP_HYPERV_SYNIC2,),
        legacy_msrs=(HV_MSR_SCONTROL,),
    ),
    "stimer": _kvm((HV_FEATURES, "eax", 0x8), legacy_msrs=(HV_MSR_STIMER0_CONFIG,)),
    "tlbflush": _kvm((HV_ENLIGHTENMENT_INFO, "eax", 0x804), legacy_caps=(KVM_CAP_HYPERV_TLBFLUSH,)),
    "ipi": _kvm((HV_ENLIGHTENMENT_INFO, "eax", 0xC00), legacy_caps=(KVM_CAP_HYPERV_SEND_IPI,)),
    "reset": _kvm((HV_FEATURES, "eax", 0x80), legacy_msrs=(HV_MSR_RESET,)),
    "frequencies": _kvm(
        (HV_FEATURES, "eax", 0x800),
        (HV_FEATURES, "edx", 0x100),
        legacy_msrs=(HV_MSR_TSC_FREQUENCY,),
    ),
    "reenlightenment": _kvm(
        (HV_FEATURES, "eax", 0x2000), legacy_msrs=(HV_MSR_REENLIGHTENMENT_CONTROL,)
    ),
    "evmcs": _kvm(
        (HV_ENLIGHTENMENT_INFO, "eax", 0x4000), legacy_caps=(KVM_CAP_HYPERV_ENLIGHTENED_VMCS,)
    ),
    "stimer-direct": _kvm((HV_FEATURES, "edx", 0x80000)),
    "avic": _kvm((HV_ENLIGHTENMENT_INFO, "eax", 0x200)),
    # KVM's answer for ``auto`` rather than a support test (entries: cpuid_means_auto).
    "no-nonarch-coresharing": _kvm((HV_ENLIGHTENMENT_INFO, "eax", 0x40000)),
    "syndbg": _kvm((HV_FEATURES, "edx", 0x800)),
    "emsr-bitmap": _kvm((HV_NESTED_FEATURES, "eax", 0x80000)),
    "xmm-input": _kvm((HV_FEATURES, "edx", 0x10)),
    "tlbflush-ext": _kvm((HV_FEATURES, "edx", 0x4000)),
    "tlbflush-direct": _kvm((HV_NESTED_FEATURES, "eax", 0x20000)),
    # Only Hyper-V in KVM: without the HV CPUID ioctl QEMU copies the legacy leaves.
    "passthrough": _kvm(kvm_cap=KVM_CAP_HYPERV, legacy_caps=(KVM_CAP_HYPERV,)),
    "enforce-cpuid": _kvm(kvm_cap=KVM_CAP_HYPERV_ENFORCE_CPUID),
}

#: What an option without a row has: no bits, no capability, nothing before 5.0.
NO_KVM_FACTS: KvmFacts = ((), None, (), ())
