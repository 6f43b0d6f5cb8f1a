"""The catalog as KVM's answers are decoded with it, as plain data.

:func:`hvtui.detect.kvm_ioctl.decode_hyperv` and ``decode_legacy`` read, of each
enlightenment, only its name, its CPUID bits, its KVM capability and the
capabilities and MSRs of kernels before 5.0.  ``hvtui detect`` needs nothing more
of the catalog, and importing the catalog (its enums, ~200 versions parsed,
~30 records) cost ~8 ms CPU of a run whose budget is 60 ms (issue #13), so this copy
is what detection reads.  It is derived from :data:`hvtui.catalog.ENTRIES`, never
written by hand: ``tests/detect/test_detect_kvm_table.py`` fails, printing the
new text, whenever the catalog changes what it holds.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    #: One enlightenment: ``(name, ((leaf, register, mask), ...), kvm_cap, legacy_caps,
    #: legacy_msrs)``.
    KvmRow: TypeAlias = tuple[
        str, tuple[tuple[int, str, int], ...], int | None, tuple[int, ...], tuple[int, ...]
    ]

#: Each enlightenment with CPUID bits, a KVM capability or legacy capabilities or MSRs,
#: in catalog order (what :func:`hvtui.detect.kvm_ioctl.kvm_rows` makes of the catalog).
KVM_ROWS: tuple[KvmRow, ...] = (
    ("relaxed", ((0x40000004, "eax", 0x20),), None, (44,), ()),
    ("vapic", ((0x40000003, "eax", 0x10),), None, (44,), ()),
    ("vpindex", ((0x40000003, "eax", 0x40),), None, (), (0x40000002,)),
    ("runtime", ((0x40000003, "eax", 0x1),), None, (), (0x40000010,)),
    ("crash", ((0x40000003, "edx", 0x400),), None, (), (0x40000105,)),
    ("time", ((0x40000003, "eax", 0x202),), None, (96,), ()),
    ("synic", ((0x40000003, "eax", 0x4),), None, (148,), (0x40000080,)),
    ("stimer", ((0x40000003, "eax", 0x8),), None, (), (0x400000B0,)),
    ("tlbflush", ((0x40000004, "eax", 0x804),), None, (155,), ()),
    ("ipi", ((0x40000004, "eax", 0xC00),), None, (161,), ()),
    ("reset", ((0x40000003, "eax", 0x80),), None, (), (0x40000003,)),
    (
        "frequencies",
        ((0x40000003, "eax", 0x800), (0x40000003, "edx", 0x100)),
        None,
        (),
        (0x40000022,),
    ),
    ("reenlightenment", ((0x40000003, "eax", 0x2000),), None, (), (0x40000106,)),
    ("evmcs", ((0x40000004, "eax", 0x4000),), None, (163,), ()),
    ("stimer-direct", ((0x40000003, "edx", 0x80000),), None, (), ()),
    ("avic", ((0x40000004, "eax", 0x200),), None, (), ()),
    ("no-nonarch-coresharing", ((0x40000004, "eax", 0x40000),), None, (), ()),
    ("syndbg", ((0x40000003, "edx", 0x800),), None, (), ()),
    ("emsr-bitmap", ((0x4000000A, "eax", 0x80000),), None, (), ()),
    ("xmm-input", ((0x40000003, "edx", 0x10),), None, (), ()),
    ("tlbflush-ext", ((0x40000003, "edx", 0x4000),), None, (), ()),
    ("tlbflush-direct", ((0x4000000A, "eax", 0x20000),), None, (), ()),
    ("passthrough", (), 44, (44,), ()),
    ("enforce-cpuid", (), 199, (), ()),
)

#: The KVM capabilities the catalog uses in place of CPUID bits, sorted.
KVM_CAPS: tuple[int, ...] = (44, 199)
