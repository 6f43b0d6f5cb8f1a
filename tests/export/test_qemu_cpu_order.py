"""The command-line importer reads ``-cpu`` items in the order QEMU applies them.

QEMU applies ``name=value`` items in written order, then every ``+name``, then every
``-name`` (``x86_cpu_parse_featurestr`` / ``x86_cpu_expand_features``).  Each case sets
one property two ways; a real QEMU says which value the vCPU ends up with, and the
importer must read the same.
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


def _cpu() -> str:
    return ",".join(["qemu64", *(items for items, _warn in CASES.values())])


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


@pytest.mark.realtools
def test_importer_reads_what_real_qemu_applies() -> None:
    props = [f"hv-{name}" for name in CASES]
    real = qom_get_cpu(props, ["-machine", "pc", "-cpu", _cpu()])
    imported = parse_qemu_args(["-cpu", _cpu()])
    ours = {f"hv-{name}": bool(imported.config.get(name)) for name in CASES}
    assert ours == real


def test_cpu_settings_follow_the_same_order() -> None:
    """vmx/svm and invtsc items are read in QEMU's order too (``[cpu]`` of the audit)."""
    imported = parse_qemu_args(["-cpu", "qemu64,vmx=on,-vmx,+invtsc,invtsc=off"])
    settings = imported.cpu_settings
    assert (settings.nested_virt, settings.invtsc) == (False, True)
    assert sum("wins" in w for w in imported.warnings) == 2
