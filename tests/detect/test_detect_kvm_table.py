"""``hvtui.detect.kvm_catalog``: the catalog's facts KVM's answers are decoded with, as
plain data so that ``hvtui detect`` does not import the catalog (issue #13).  It is a
copy; these tests keep it equal to the catalog, so it cannot drift."""

from __future__ import annotations

import random

from hvtui.catalog import ENTRIES
from hvtui.detect import kvm_catalog
from hvtui.detect.kvm_ioctl import catalog_caps, decode_hyperv, decode_legacy, kvm_rows
from hvtui.detect.report import CpuidEntry


def _literal() -> str:
    """The text of the table as it should read, for pasting into kvm_catalog.py."""
    rows = "\n".join(f"    {row!r}," for row in kvm_rows(ENTRIES))
    caps = sorted({e.kvm_cap for e in ENTRIES if e.kvm_cap is not None})
    return f"KVM_ROWS = (\n{rows}\n)\nKVM_CAPS = {tuple(caps)!r}"


def test_the_table_is_what_the_catalog_holds() -> None:
    caps = tuple(sorted({e.kvm_cap for e in ENTRIES if e.kvm_cap is not None}))
    assert (kvm_rows(ENTRIES), caps) == (kvm_catalog.KVM_ROWS, kvm_catalog.KVM_CAPS), (
        "the catalog changed: hvtui/detect/kvm_catalog.py should read (then ruff format):\n"
        + _literal()
    )
    assert catalog_caps() == caps


def test_decoding_with_the_table_is_decoding_with_the_catalog() -> None:
    """Random KVM answers (CPUID registers, capabilities, MSR lists) decode the same."""
    rnd = random.Random(13)
    leaves = sorted({bits.leaf for e in ENTRIES for bits in e.cpuid})
    caps = sorted({c for e in ENTRIES for c in e.legacy_caps} | set(kvm_catalog.KVM_CAPS) | {1, 2})
    msrs = sorted({m for e in ENTRIES for m in e.legacy_msrs} | {0x40000000})
    found: set[str] = set()
    for _ in range(2000):
        density = rnd.random()
        entries = [
            CpuidEntry(leaf, 0, *(rnd.getrandbits(32) if rnd.random() < density else 0
                                  for _ in range(4)))
            for leaf in leaves
        ]  # fmt: skip
        answer = {c: rnd.choice((0, 1, 2)) for c in caps if rnd.random() < density}
        listed = [m for m in msrs if rnd.random() < density]
        hyperv = decode_hyperv(entries, answer)
        legacy = decode_legacy(answer, listed)
        assert hyperv == decode_hyperv(entries, answer, ENTRIES)
        assert legacy == decode_legacy(answer, listed, ENTRIES)
        found.update(hyperv + legacy)
    assert found == {e.name for e in ENTRIES if e.cpuid or e.kvm_cap is not None
                     or e.legacy_caps or e.legacy_msrs}  # fmt: skip
