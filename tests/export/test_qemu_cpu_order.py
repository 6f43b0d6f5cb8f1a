"""The command-line importer reads ``-cpu`` items in the order QEMU applies them.

QEMU applies ``name=value`` items in written order, then every ``+name``, then every
``-name`` (``x86_cpu_parse_featurestr`` / ``x86_cpu_expand_features``).  Each case sets
one property two ways; a real QEMU says which value the vCPU ends up with, and the
importer must read the same.  The same QEMU run checks how ``-cpu`` is split (``,,`` is
two separators, not an escaped comma) and the ``hv_`` names QEMU translates.
"""

from __future__ import annotations

import pytest

from export.tools import qom_get_cpu
from hvtui.importers import parse_qemu_args

#: Catalog name -> the -cpu items setting it twice, and whether the importer must warn.
CASES: dict[str, tuple[str, bool]] = {
    "relaxed": ("hv-relaxed=on,-hv-relaxed", True),  # - after plain: - wins
    "vapic": ("-hv-vapic,hv-vapic=on", True),  # - before plain: still - wins
    "time": ("+hv-time,hv-time=off", True),  # + beats plain off
    "crash": ("hv-crash=off,+hv-crash", True),
    "reset": ("-hv-reset,+hv-reset", True),  # - beats + whatever the order
    "runtime": ("+hv-runtime,-hv-runtime", True),
    "frequencies": ("hv-frequencies=on,hv-frequencies=off", False),  # plain: the last wins
    "reenlightenment": ("hv_reenlightenment=off,+hv-reenlightenment", True),  # hv_ is hv-
    "xmm-input": ("hv-xmm-input=off,hv-xmm-input=on", False),
}


#: QEMU property -> the value a real QEMU gives it from :func:`_cpu`, which puts ``,,``
#: right after the model (QEMU skips the empty item: ``hv-ipi`` is read) and has
#: ``SPELLINGS``: an ``hv_`` name in a ``name=value`` item, which QEMU translates, and
#: a ``,,`` after a value, which QEMU splits at (``hv-vendor-id`` is ``ab``, and
#: ``+hv-synic`` an item of its own).
SPELLINGS = "hv_tlbflush=on,hv-vendor-id=ab,,,+hv-synic"
SPELLING_VALUES: dict[str, object] = {
    "hv-ipi": True,
    "hv-tlbflush": True,
    "hv-vendor-id": "ab",
    "hv-synic": True,
}


def _cpu() -> str:
    return ",".join(["qemu64,,hv-ipi", *(items for items, _warn in CASES.values()), SPELLINGS])


def test_written_order_cases_disagree_with_written_order() -> None:
    """The cases are worth running: read left to right, most would give the other value."""
    imported = parse_qemu_args(["-cpu", _cpu()])
    naive = {"relaxed": False, "vapic": True, "time": False, "crash": True, "reset": True}
    differ = [n for n, v in naive.items() if imported.config.get(n) != v]
    assert len(differ) >= 3, differ


def test_importer_warns_where_written_order_misleads() -> None:
    imported = parse_qemu_args(["-cpu", _cpu()])
    for name, (items, warn) in CASES.items():
        said = [w for w in imported.warnings if any(i in w for i in items.split(",")[:1])]
        assert bool(said) == warn, (name, imported.warnings)


def test_spellings_are_read_as_qemu_reads_them() -> None:
    imported = parse_qemu_args(["-cpu", _cpu()])
    assert imported.cpu_model == "qemu64"
    ours = {p: imported.config.get(p.removeprefix("hv-")) for p in SPELLING_VALUES}
    assert ours == SPELLING_VALUES
    assert imported.problems == imported.other_properties == ()
    assert [w for w in imported.warnings if "no escaped comma" in w] == [
        "-cpu: hv-vendor-id=ab,,,+hv-synic: ,, is no escaped comma in -cpu (unlike -device "
        "or -name): QEMU splits -cpu at every comma and skips empty items, so this is "
        "hv-vendor-id=ab and then an item +hv-synic"
    ]


@pytest.mark.realtools
def test_importer_reads_what_real_qemu_applies() -> None:
    props = [f"hv-{name}" for name in CASES]
    real = qom_get_cpu([*props, *SPELLING_VALUES], ["-machine", "pc", "-cpu", _cpu()])
    imported = parse_qemu_args(["-cpu", _cpu()])
    ours: dict[str, object] = {f"hv-{name}": bool(imported.config.get(name)) for name in CASES}
    ours |= {p: imported.config.get(p.removeprefix("hv-")) for p in SPELLING_VALUES}
    assert ours == real
    assert real == {**real, **SPELLING_VALUES}


def test_cpu_settings_follow_the_same_order() -> None:
    """vmx/svm and invtsc items are read in QEMU's order too (``[cpu]`` of the audit)."""
    imported = parse_qemu_args(["-cpu", "qemu64,vmx=on,-vmx,+invtsc,invtsc=off"])
    settings = imported.cpu_settings
    assert (settings.nested_virt, settings.invtsc) == (False, True)
    assert sum("wins" in w for w in imported.warnings) == 2
