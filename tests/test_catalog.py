"""The catalog is complete and internally consistent: every later layer trusts it."""

from __future__ import annotations

import re
import subprocess

import pytest

from hvtui import catalog
from hvtui.catalog import LibvirtKind, Migration, ValueKind

# The options of QEMU's docs/system/i386/hyperv.rst, as the issue lists them.
DOCUMENTED = [
    "hv-relaxed",
    "hv-vapic",
    "hv-spinlocks",
    "hv-vpindex",
    "hv-runtime",
    "hv-crash",
    "hv-time",
    "hv-synic",
    "hv-stimer",
    "hv-tlbflush",
    "hv-ipi",
    "hv-vendor-id",
    "hv-reset",
    "hv-frequencies",
    "hv-reenlightenment",
    "hv-evmcs",
    "hv-stimer-direct",
    "hv-avic",
    "hv-no-nonarch-coresharing",
    "hv-version-id-build",
    "hv-version-id-major",
    "hv-version-id-minor",
    "hv-version-id-spack",
    "hv-version-id-sbranch",
    "hv-version-id-snumber",
    "hv-syndbg",
    "hv-emsr-bitmap",
    "hv-xmm-input",
    "hv-tlbflush-ext",
    "hv-tlbflush-direct",
    "hv-passthrough",
    "hv-enforce-cpuid",
]

# QEMU-enforced dependencies (kvm.c), as the issue states them.
HARD = {
    "stimer": {"synic", "time"},
    "synic": {"vpindex"},
    "tlbflush": {"vpindex"},
    "ipi": {"vpindex"},
    "evmcs": {"vapic"},
    "stimer-direct": {"stimer"},
    "syndbg": {"synic", "relaxed"},
    "tlbflush-ext": {"tlbflush"},
    "tlbflush-direct": {"vapic"},
}

ALL = catalog.ENTRIES


def test_every_documented_option_is_in_the_catalog_once() -> None:
    properties = [e.qemu_property for e in ALL]
    assert sorted(properties) == sorted(DOCUMENTED)
    assert len(set(properties)) == len(properties)


def test_apicv_is_an_alias_of_avic() -> None:
    assert catalog.get("hv-apicv").name == "avic"
    assert catalog.canonical_name("apicv") == "avic"


@pytest.mark.parametrize("spelling", ["hv-relaxed", "relaxed", "hv_relaxed", "HV-Relaxed"])
def test_spellings_resolve(spelling: str) -> None:
    assert catalog.get(spelling).name == "relaxed"


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(catalog.UnknownOptionError) as info:
        catalog.get("relaxd")
    assert info.value.suggestions[0] == "relaxed"
    assert "did you mean 'relaxed'?" in str(info.value)


def test_hard_dependencies_match_qemu() -> None:
    actual = {e.name: set(e.requires) for e in ALL if e.requires}
    assert actual == HARD


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.name)
def test_dependencies_name_existing_entries(entry: catalog.Enlightenment) -> None:
    for name in entry.requires:
        assert catalog.is_canonical(name), name
    for rule in entry.doc_rules:
        for name in rule.options:
            assert catalog.is_canonical(name), name


def test_no_dependency_cycles() -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "active", f"cycle: {' -> '.join([*path, name])}"
        state[name] = "active"
        for required in catalog.get(name).requires:
            visit(required, [*path, name])
        state[name] = "done"

    for entry in ALL:
        visit(entry.name, [])


def test_dependents_are_the_reverse_of_requires() -> None:
    for entry in ALL:
        for required in entry.requires:
            assert entry.name in catalog.dependents(required)
    assert catalog.dependents("vpindex") == ("synic", "tlbflush", "ipi")
    assert set(catalog.all_dependents("synic")) == {"stimer", "stimer-direct", "syndbg"}
    assert catalog.all_requirements("stimer-direct") == ("stimer", "synic", "time", "vpindex")


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.name)
def test_every_entry_is_documented(entry: catalog.Enlightenment) -> None:
    assert entry.summary and len(entry.summary) <= 100
    assert "\n" not in entry.summary
    paragraphs = [p for p in entry.doc.strip().split("\n\n") if p.strip()]
    assert len(paragraphs) >= 2, "a few short paragraphs"
    assert len(entry.doc) >= 200


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.name)
def test_every_entry_has_a_libvirt_mapping_or_an_explicit_none(
    entry: catalog.Enlightenment,
) -> None:
    lv = entry.libvirt
    if lv.kind is LibvirtKind.NONE:
        assert lv.since is None and lv.note, "an explicit 'none' says why"
    else:
        assert lv.element and lv.since is not None and lv.example


def test_libvirt_versions_from_the_reference() -> None:
    expected = {
        "emsr-bitmap": "10.7.0",
        "xmm-input": "10.7.0",
        "tlbflush-direct": "11.0.0",
        "tlbflush-ext": "11.0.0",
        "avic": "8.10.0",
        "stimer-direct": "5.7.0",
        "passthrough": "8.0.0",
        "time": "1.2.2",
        "crash": "1.3.0",
    }
    for name, version in expected.items():
        assert str(catalog.get(name).libvirt.since) == version, name
    no_element = {e.name for e in ALL if e.libvirt.kind is LibvirtKind.NONE}
    assert no_element == {
        "no-nonarch-coresharing",
        "syndbg",
        "enforce-cpuid",
        *(f"version-id-{f}" for f in ("build", "major", "minor", "spack", "sbranch", "snumber")),
    }


def test_value_kinds_and_ranges() -> None:
    spinlocks = catalog.get("spinlocks")
    assert spinlocks.kind is ValueKind.UINT and spinlocks.maximum == 0xFFFFFFFF
    assert spinlocks.default == 0xFFFFFFFF
    assert catalog.get("vendor-id").max_length == 12
    assert catalog.get("no-nonarch-coresharing").choices == ("on", "off", "auto")
    widths = {
        f: catalog.get(f"version-id-{f}").bits
        for f in ("build", "major", "minor", "spack", "sbranch", "snumber")
    }
    assert widths == {
        "build": 32,
        "major": 16,
        "minor": 16,
        "spack": 32,
        "sbranch": 8,
        "snumber": 24,
    }


def test_vendor_migration_and_production_facts() -> None:
    assert catalog.get("evmcs").vendors == frozenset({"intel"})
    assert catalog.get("passthrough").migration is Migration.BLOCKS
    assert catalog.get("no-nonarch-coresharing").migration is Migration.BLOCKS_WHEN_AUTO
    assert catalog.get("reenlightenment").migration is Migration.NEEDS_TSC
    assert {e.name for e in ALL if not e.production} == {"syndbg", "passthrough", "enforce-cpuid"}
    assert {e.name for e in ALL if e.nested_only} == {
        "reenlightenment",
        "evmcs",
        "emsr-bitmap",
        "tlbflush-direct",
    }


def test_cpuid_bits_match_qemu_masks() -> None:
    def bits(name: str) -> list[tuple[int, str, int]]:
        return [(b.leaf, b.register, b.mask) for b in catalog.get(name).cpuid]

    assert bits("time") == [(0x40000003, "eax", 0x202)]
    assert bits("frequencies") == [(0x40000003, "eax", 0x800), (0x40000003, "edx", 0x100)]
    assert bits("tlbflush") == [(0x40000004, "eax", 0x804)]
    assert bits("ipi") == [(0x40000004, "eax", 0xC00)]
    assert bits("tlbflush-direct") == [(0x4000000A, "eax", 0x20000)]
    for entry in ALL:
        for b in entry.cpuid:
            assert b.leaf in (0x40000003, 0x40000004, 0x4000000A)
            assert b.register in ("eax", "ebx", "ecx", "edx") and b.mask > 0


def test_every_switch_with_cpuid_is_decodable_or_has_a_capability() -> None:
    for entry in ALL:
        if entry.kind is ValueKind.SWITCH and entry.enlightenment:
            assert entry.cpuid or entry.kvm_cap is not None, entry.name


def test_qemu_since_is_never_newer_than_72() -> None:
    # Debian 12's QEMU 7.2 knows every option (peers.md [Q72]).
    for entry in ALL:
        assert entry.qemu_since <= (7, 2, 0), entry.name


def test_to_json_is_complete_for_every_entry() -> None:
    for entry in ALL:
        data = catalog.to_json(entry)
        assert data["name"] == entry.name
        assert data["libvirt"]["kind"] == entry.libvirt.kind.value  # type: ignore[index]


def test_no_other_module_spells_out_option_facts() -> None:
    """One catalog: outside hvtui/catalog, no module lists libvirt versions or CPUID leaves."""
    result = subprocess.run(
        ["grep", "-rlE", r"0x4000000[34A]|10\.7\.0|8\.10\.0|11\.0\.0", "hvtui", "--include=*.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    offenders = [p for p in result.stdout.split() if not p.startswith("hvtui/catalog/")]
    assert offenders == []


def test_names_are_preset_keys() -> None:
    for entry in ALL:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", entry.name)
        assert catalog.normalize(entry.qemu_property) == entry.name


def test_legacy_kernel_facts() -> None:
    """Pre-5.0 kernels: what QEMU's get_supported_hv_cpuid_legacy reads, nothing newer."""
    legacy = {e.name for e in ALL if e.legacy_caps or e.legacy_msrs}
    assert legacy == {"relaxed", "vapic", "vpindex", "runtime", "crash", "time", "synic",
                      "stimer", "tlbflush", "ipi", "reset", "frequencies", "reenlightenment",
                      "evmcs", "passthrough"}  # fmt: skip
    for entry in ALL:
        for msr in entry.legacy_msrs:
            assert 0x40000000 <= msr <= 0x400000FF or 0x40000100 <= msr <= 0x40000108
        for cap in entry.legacy_caps:
            assert cap in (44, 96, 148, 155, 161, 163)
