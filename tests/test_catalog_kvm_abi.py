"""The catalog's KVM table (hvtui.catalog.kvm_abi) is what the entries say, and the
package loads it alone: ``hvtui detect`` decodes KVM's answer with it without loading
the entries, their types or enum (issue #13)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hvtui import catalog
from hvtui.catalog import entries, lookup, types
from hvtui.catalog.kvm_abi import KVM_ABI, NO_KVM_FACTS


def test_the_table_is_every_entrys_kvm_facts_in_catalog_order() -> None:
    """Each entry's cpuid, kvm_cap, legacy_caps and legacy_msrs are its row, and the rows
    are in catalog order (the decoders list options in the table's order): a row under a
    name no entry has, or out of order, fails here."""
    facts = {
        e.name: (
            tuple((bits.leaf, bits.register, bits.mask) for bits in e.cpuid),
            e.kvm_cap,
            e.legacy_caps,
            e.legacy_msrs,
        )
        for e in catalog.ENTRIES
    }
    assert [(n, f) for n, f in facts.items() if f != NO_KVM_FACTS] == list(KVM_ABI.items())
    assert set(KVM_ABI) <= set(catalog.names())
    assert {n for n, f in facts.items() if f == NO_KVM_FACTS} == {
        "spinlocks", "vendor-id", "version-id-build", "version-id-major", "version-id-minor",
        "version-id-spack", "version-id-sbranch", "version-id-snumber",
    }  # fmt: skip


def test_registers_are_written_as_the_decoders_read_them() -> None:
    for name, (cpuid, _cap, _caps, _msrs) in KVM_ABI.items():
        for leaf, register, mask in cpuid:
            assert register in ("eax", "ebx", "ecx", "edx"), name
            assert 0x40000000 <= leaf <= 0x400000FF and mask > 0, name


def _modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after ``statement``."""
    script = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_the_kvm_table_loads_without_the_rest_of_the_catalog() -> None:
    loaded = _modules_after("import hvtui.catalog.kvm_abi")
    assert "hvtui.catalog.kvm_abi" in loaded
    heavy = {"enum", "typing", "hvtui.catalog.entries", "hvtui.catalog.types",
             "hvtui.catalog.lookup", "hvtui.records", "hvtui.versions"}  # fmt: skip
    assert sorted(loaded & heavy) == []


def test_the_package_loads_the_entries_when_a_name_is_asked_for() -> None:
    loaded = _modules_after("from hvtui.catalog import get")
    assert {"hvtui.catalog.entries", "hvtui.catalog.types", "hvtui.catalog.lookup"} <= loaded


@pytest.mark.parametrize("name", catalog.__all__)
def test_every_public_name_is_its_modules_own(name: str) -> None:
    """``catalog.X`` is the very object the submodule defining ``X`` holds."""
    homes = [m for m in (entries, types, lookup) if name in vars(m)]
    assert homes, name
    assert getattr(catalog, name) is vars(homes[-1])[name]


def test_star_import_and_dir_list_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from hvtui.catalog import *", namespace)
    assert set(catalog.__all__) <= set(namespace)
    assert namespace["get"] is lookup.get and namespace["ENTRIES"] is entries.ENTRIES
    assert set(catalog.__all__) <= set(dir(catalog))


def test_unknown_names_are_attribute_errors_and_submodules_still_import() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = catalog.no_such_name  # type: ignore[attr-defined]
    assert not hasattr(catalog, "_BY_NAME")
    from hvtui.catalog import proxmox

    assert proxmox.__name__ == "hvtui.catalog.proxmox"
