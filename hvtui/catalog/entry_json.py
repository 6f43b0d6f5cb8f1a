"""One catalog entry as plain data: ``hvtui explain --json`` and tools read it.

Every field of :class:`~hvtui.catalog.types.Enlightenment` (and of the fact types it
holds) appears, under the key ``tests/test_catalog_json.py`` maps it to, so a fact added
to the catalog cannot be left out of the JSON unnoticed. Derived facts sit beside the
stored ones: the transitive dependencies, the sources every entry shares, the spellings
of the stacks and peers whose tables the catalog holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hvtui import catalog
from hvtui.catalog.types import CpuidBits, Enlightenment, LibvirtMapping, ValueKind

_T = TypeVar("_T")


def _maybe(value: _T | None, convert: Callable[[_T], object]) -> object:
    """``convert(value)``, or ``None`` where the catalog holds no such fact."""
    return None if value is None else convert(value)


def _cpuid(bits: CpuidBits) -> dict[str, object]:
    return {"leaf": f"{bits.leaf:#010x}", "register": bits.register, "mask": f"{bits.mask:#x}"}


def _libvirt(lv: LibvirtMapping) -> dict[str, object]:
    return {
        "kind": lv.kind.value,
        "element": lv.element or None,
        "attribute": lv.attribute,
        "minimum": lv.minimum,
        "since": _maybe(lv.since, str),
        "example": lv.example or None,
        "note": lv.note or None,
    }


def stack_spellings(entry: Enlightenment) -> list[tuple[str, str, str]]:
    """``(key, label, spelling)`` of ``entry`` in each stack whose table the catalog holds:
    Proxmox VE, KubeVirt, the Terraform provider and virt-xml (``explain`` shows the
    label, ``--json`` the key)."""
    from hvtui.catalog import proxmox
    from hvtui.catalog.stacks import kubevirt_spelling, terraform_spelling, virt_xml_spelling

    return [
        ("proxmox", "Proxmox", proxmox.spelling(entry.name, entry.kind is ValueKind.SWITCH)),
        ("kubevirt", "KubeVirt", kubevirt_spelling(entry.name)),
        ("terraform", "Terraform", terraform_spelling(entry)),
        ("virt-xml", "virt-xml", virt_xml_spelling(entry)),
    ]


def _peers(entry: Enlightenment) -> list[dict[str, object]]:
    """What each management tool does with ``entry`` by default (``hvtui compare``)."""
    from hvtui.catalog.peers import ALL_PEERS

    out: list[dict[str, object]] = []
    for peer in ALL_PEERS:
        default = peer.default(entry.name)
        out.append(
            {
                "key": peer.key,
                "name": peer.name,
                "version": peer.version,
                "state": default.state.value,
                "value": default.value,
                "note": default.note or None,
            }
        )
    return out


def entry_json(entry: Enlightenment) -> dict[str, object]:
    """Every fact of one entry as plain data (the README documents the shape)."""
    return {
        "name": entry.name,
        "qemu_property": entry.qemu_property,
        "aliases": list(entry.aliases),
        "summary": entry.summary,
        "doc": entry.doc,
        "group": entry.group.value,
        "kind": entry.kind.value,
        "range": entry.describe_range(),
        "default": entry.default,
        "older_machine_default": _maybe(
            entry.older_machine_default,
            lambda d: {"value": d.value, "machine_types_up_to": d.up_to.short()},
        ),
        "suggested": entry.suggested,
        "overcommit_value": entry.overcommit_value,
        "bits": entry.bits or None,
        "hex_display": entry.hex_display,
        "max_length": entry.max_length or None,
        "choices": list(entry.choices) or None,
        "requires": list(entry.requires),
        "requires_all": list(catalog.all_requirements(entry.name)),
        "needed_by": list(catalog.dependents(entry.name)),
        "needed_by_all": list(catalog.all_dependents(entry.name)),
        "doc_rules": [
            {
                "options": list(r.options),
                "vendor": r.vendor,
                "message": r.message,
                "explanation": r.explanation,
            }
            for r in entry.doc_rules
        ],
        "cautions": [
            {
                "severity": c.severity.value,
                "code": c.code,
                "message": c.message,
                "explanation": c.explanation,
                "when": c.when,
                "below": c.below,
            }
            for c in entry.cautions
        ],
        "vendors": _maybe(entry.vendors, sorted),
        "nested_only": entry.nested_only,
        "host_needs": [n.value for n in entry.host_needs],
        "migration": entry.migration.value,
        "migration_note": entry.migration_note,
        "production": entry.production,
        "enlightenment": entry.enlightenment,
        "recommended": entry.recommended,
        "not_recommended_because": entry.not_recommended_because or None,
        "intents": list(entry.intents),
        "important_for": list(entry.important_for),
        "missing_hurts": entry.missing_hurts or None,
        "overrides_list": entry.overrides_list,
        "kept_by_passthrough": entry.kept_by_passthrough,
        "cpuid": [_cpuid(b) for b in entry.cpuid],
        "cpuid_means_auto": entry.cpuid_means_auto,
        "kvm_cap": entry.kvm_cap,
        "legacy_caps": list(entry.legacy_caps),
        "legacy_msrs": [f"{msr:#x}" for msr in entry.legacy_msrs],
        "guest_cpuid": entry.guest_cpuid,
        "value_cpuid": _maybe(entry.value_cpuid, _cpuid),
        "extra_qemu_args": list(entry.extra_qemu_args),
        "qemu_since": entry.qemu_since.short(),
        "qemu_since_verified": entry.qemu_since_verified,
        "old_qemu_minimum": _maybe(
            entry.old_qemu_minimum,
            lambda m: {"minimum": m.minimum, "until": m.until.short(), "message": m.message},
        ),
        "without_hyperv": entry.without_hyperv.value,
        "without_hyperv_error": entry.without_hyperv_error or None,
        "libvirt": _libvirt(entry.libvirt),
        "stacks": {key: text for key, _label, text in stack_spellings(entry)},
        "peers": _peers(entry),
        "tags": list(entry.tags),
        "sources": [
            {"fact": s.fact.value, "where": s.where, "verified": s.verified}
            for s in catalog.sources_of(entry)
        ],
    }


__all__ = ["entry_json", "stack_spellings"]
