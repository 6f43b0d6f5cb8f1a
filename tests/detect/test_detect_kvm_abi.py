"""Detection decodes KVM's answers with the catalog's KVM table (hvtui.catalog.kvm_abi);
it reads them exactly as decoding with the catalog's entries does."""

from __future__ import annotations

import pytest

from hvtui.catalog import ENTRIES
from hvtui.detect.kvm_ioctl import (
    CAPABILITIES,
    catalog_caps,
    decode_hyperv,
    decode_legacy,
    parse_cpuid2,
)
from hvtui.detect.report import CpuidEntry

from .support import DATA

ALL_CAPS = {cap: 1 for cap in CAPABILITIES.values()}
#: Every bit of every Hyper-V leaf set: every option with bits or a capability decodes.
EVERYTHING = [CpuidEntry(leaf, 0, *(0xFFFFFFFF,) * 4) for leaf in range(0x40000000, 0x40000100)]


@pytest.mark.parametrize("case", ["amd", "intel-nested", "smt-forceoff"])
@pytest.mark.parametrize("caps", [{}, {44: 1}, ALL_CAPS], ids=["none", "hyperv", "all"])
def test_decode_hyperv_reads_the_table_as_the_entries(case: str, caps: dict[int, int]) -> None:
    entries = parse_cpuid2((DATA / f"hv_cpuid-6.12-{case}.bin").read_bytes())
    assert decode_hyperv(entries, caps) == decode_hyperv(entries, caps, ENTRIES)


def test_decode_with_everything_offered_lists_every_option_kvm_reports_on() -> None:
    got = decode_hyperv(EVERYTHING, ALL_CAPS)
    assert got == decode_hyperv(EVERYTHING, ALL_CAPS, ENTRIES)
    assert got == tuple(e.name for e in ENTRIES if e.cpuid or e.kvm_cap is not None)


@pytest.mark.parametrize("msrs", [[], [0x40000002, 0x40000080]], ids=["none", "some"])
def test_decode_legacy_reads_the_table_as_the_entries(msrs: list[int]) -> None:
    assert decode_legacy(ALL_CAPS, msrs) == decode_legacy(ALL_CAPS, msrs, ENTRIES)


def test_decode_legacy_with_everything_listed_lists_every_pre_5_0_option() -> None:
    msrs = list(range(0x40000000, 0x40000200))
    got = decode_legacy(ALL_CAPS, msrs)
    assert got == tuple(e.name for e in ENTRIES if e.legacy_caps or e.legacy_msrs)


def test_catalog_caps_are_the_entries_capabilities() -> None:
    assert catalog_caps() == tuple(sorted({e.kvm_cap for e in ENTRIES if e.kvm_cap is not None}))
    assert catalog_caps() == (44, 199)
