"""``catalog.to_json`` (``hvtui explain --json``) gives every fact the catalog holds.

The maps below name, for each field of the entry type and of the fact types inside it,
the JSON key that carries it. A field added to a type without a key here fails the first
tests; a key that does not follow its field (empty where the field is set, or set where it
is empty) fails the last ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from clirun import run_cli

from hvtui import catalog, records
from hvtui.catalog.peers import ALL_PEERS
from hvtui.catalog.types import (
    Caution,
    CpuidBits,
    DocRule,
    Enlightenment,
    LibvirtMapping,
    MachineDefault,
    OldQemuMinimum,
    Source,
)

#: Enlightenment field -> its key in the entry's JSON object.
ENTRY_KEYS = {
    "name": "name",
    "summary": "summary",
    "doc": "doc",
    "group": "group",
    "kind": "kind",
    "qemu_since": "qemu_since",
    "libvirt": "libvirt",
    "aliases": "aliases",
    "default": "default",
    "older_machine_default": "older_machine_default",
    "suggested": "suggested",
    "bits": "bits",
    "hex_display": "hex_display",
    "max_length": "max_length",
    "choices": "choices",
    "requires": "requires",
    "doc_rules": "doc_rules",
    "cautions": "cautions",
    "vendors": "vendors",
    "nested_only": "nested_only",
    "host_needs": "host_needs",
    "migration": "migration",
    "migration_note": "migration_note",
    "cpuid": "cpuid",
    "legacy_caps": "legacy_caps",
    "legacy_msrs": "legacy_msrs",
    "cpuid_means_auto": "cpuid_means_auto",
    "kvm_cap": "kvm_cap",
    "production": "production",
    "enlightenment": "enlightenment",
    "sources": "sources",
    "without_hyperv": "without_hyperv",
    "without_hyperv_error": "without_hyperv_error",
    "extra_qemu_args": "extra_qemu_args",
    "guest_cpuid": "guest_cpuid",
    "value_cpuid": "value_cpuid",
    "overrides_list": "overrides_list",
    "kept_by_passthrough": "kept_by_passthrough",
    "old_qemu_minimum": "old_qemu_minimum",
    "overcommit_value": "overcommit_value",
    "important_for": "important_for",
    "missing_hurts": "missing_hurts",
    "recommended": "recommended",
    "not_recommended_because": "not_recommended_because",
    "intents": "intents",
    "tags": "tags",
}

#: Fact types held by an entry: field -> key in the nested JSON object.
NESTED_KEYS: dict[type, dict[str, str]] = {
    LibvirtMapping: {
        "kind": "kind",
        "element": "element",
        "attribute": "attribute",
        "since": "since",
        "example": "example",
        "note": "note",
        "minimum": "minimum",
    },
    MachineDefault: {"value": "value", "up_to": "machine_types_up_to"},
    OldQemuMinimum: {"minimum": "minimum", "until": "until", "message": "message"},
    CpuidBits: {"leaf": "leaf", "register": "register", "mask": "mask"},
    DocRule: {
        "options": "options",
        "message": "message",
        "explanation": "explanation",
        "vendor": "vendor",
    },
    Caution: {
        "severity": "severity",
        "code": "code",
        "message": "message",
        "explanation": "explanation",
        "when": "when",
        "below": "below",
    },
    Source: {"fact": "fact", "where": "where", "verified": "verified"},
}

#: Derived facts beside the stored ones.
DERIVED_KEYS = {
    "qemu_property",
    "range",
    "requires_all",
    "needed_by",
    "needed_by_all",
    "qemu_since_verified",
    "stacks",
    "peers",
}

ENTRIES = [pytest.param(e, id=e.name) for e in catalog.ENTRIES]


def _field_names(cls: type) -> set[str]:
    return {f.name for f in records.fields(cls)}


def test_every_entry_field_has_a_json_key() -> None:
    assert _field_names(Enlightenment) == set(ENTRY_KEYS)


@pytest.mark.parametrize("cls", list(NESTED_KEYS), ids=lambda c: c.__name__)
def test_every_fact_type_field_has_a_json_key(cls: type) -> None:
    assert _field_names(cls) == set(NESTED_KEYS[cls])


def test_every_fact_type_inside_an_entry_is_mapped() -> None:
    """A new fact type in an entry (or inside a fact type) needs its own key map."""
    seen: set[type] = set()
    for entry in catalog.ENTRIES:
        for value in _record_values(entry):
            seen.add(type(value))
    assert seen - {Enlightenment} <= set(NESTED_KEYS)
    assert seen >= {LibvirtMapping, DocRule, Caution, CpuidBits, Source}


def _record_values(obj: object) -> list[object]:
    out: list[object] = []
    if records.is_record(obj) and not isinstance(obj, type):
        out.append(obj)
        for f in records.fields(obj):
            out.extend(_record_values(getattr(obj, f.name)))
    elif isinstance(obj, tuple):
        for item in obj:
            out.extend(_record_values(item))
    return out


def _check_nested(value: object, data: Any) -> None:
    """``data`` carries every field of the fact ``value``, each set where the field is."""
    keys = NESTED_KEYS[type(value)]
    assert set(data) == set(keys.values())
    for name, key in keys.items():
        field = getattr(value, name)
        assert bool(field) == bool(data[key]) or field == 0, (type(value).__name__, name)


@pytest.mark.parametrize("entry", ENTRIES)
def test_json_carries_every_fact_of_the_entry(entry: Enlightenment) -> None:
    data: Any = json.loads(json.dumps(catalog.to_json(entry)))  # plain data only
    assert set(data) == set(ENTRY_KEYS.values()) | DERIVED_KEYS
    for name, key in ENTRY_KEYS.items():
        field = getattr(entry, name)
        if name == "sources":
            # the entry's own sources, then the ones every entry shares
            own = [_source_json(s) for s in field]
            assert data[key][: len(own)] == own
            continue
        assert bool(field) == bool(data[key]), name
        if records.is_record(field):
            _check_nested(field, data[key])
        elif isinstance(field, tuple) and field and records.is_record(field[0]):
            assert len(data[key]) == len(field), name
            for item, item_data in zip(field, data[key], strict=True):
                _check_nested(item, item_data)


def _source_json(source: Source) -> dict[str, object]:
    return {"fact": source.fact.value, "where": source.where, "verified": source.verified}


@pytest.mark.parametrize("entry", ENTRIES)
def test_json_has_every_peer_and_stack_the_catalog_holds(entry: Enlightenment) -> None:
    data: Any = catalog.to_json(entry)
    assert [p["key"] for p in data["peers"]] == [p.key for p in ALL_PEERS]
    assert set(data["stacks"]) == {"proxmox", "kubevirt", "terraform", "virt-xml"}


def test_explain_json_prints_the_same_facts() -> None:
    """The CLI prints ``to_json`` as is: the new facts reach ``explain --json``."""
    data = json.loads(run_cli(["explain", "spinlocks", "--json"]).out)
    assert data["old_qemu_minimum"]["message"].endswith("(minimum: 4095)")
    assert data["value_cpuid"] == {"leaf": "0x40000004", "register": "ebx", "mask": "0xffffffff"}
    assert data["suggested"] == 0x1FFF and data["overcommit_value"] == 0xFFF
    assert data["stacks"]["proxmox"].startswith("automatic = 0x1fff")
    nova = next(p for p in data["peers"] if p["key"] == "nova")
    assert (nova["state"], nova["value"]) == ("on", 8191)
