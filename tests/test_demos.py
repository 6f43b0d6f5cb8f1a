"""Demo hosts: shipped in the package, listed by ``hvtui demos``, usable wherever --sysroot is."""

from __future__ import annotations

import filecmp
import json
import sys
from pathlib import Path

import pytest
from clirun import REPO, run_cli

from hvtui.catalog import ENTRIES
from hvtui.demos import DEMOS, demo_at, find_demo

sys.path.insert(0, str(REPO / "scripts"))
import build_demos

NAMES = [d.name for d in DEMOS]


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_demos_are_what_the_build_script_makes(tmp_path: Path) -> None:
    """The shipped files are reproducible: real captures plus the modelled parts, nothing else."""
    for built in build_demos.build_all(tmp_path):
        shipped = find_demo(built.name).path
        assert _tree(built) == _tree(shipped), f"rerun scripts/build_demos.py for {built.name}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    assert not filecmp.dircmp(tmp_path, find_demo(NAMES[0]).path.parent).left_only


def test_demos_lists_one_line_each() -> None:
    result = run_cli(["demos"])
    assert result.code == 0, result.err
    lines = [line for line in result.out.splitlines() if line.strip()]
    for name in NAMES:
        (line,) = [x for x in lines if x.startswith(name + " ")]
        assert len(line) <= 100
    assert "hvtui --demo intel-tigerlake" in result.out


def test_demos_json_and_verbose_say_what_is_modelled() -> None:
    data = json.loads(run_cli(["demos", "--json"]).out)
    assert [d["name"] for d in data] == NAMES
    assert all("modelled" in d and Path(d["path"]).is_dir() for d in data)
    verbose = run_cli(["demos", "-v"]).out
    assert verbose.count("modelled:") == len(NAMES)


def _detect(name: str) -> dict[str, object]:
    result = run_cli(["detect", "--demo", name, "--json"])
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


def _value(report: dict[str, object], section: str, key: str) -> object:
    node = report[section]
    assert isinstance(node, dict)
    return node[key]


def test_intel_demo_offers_every_enlightenment_its_hardware_allows() -> None:
    report = _detect("intel-tigerlake")
    assert report["source"] == "demo:intel-tigerlake"
    assert _value(report, "cpu", "vendor") == "intel"
    assert _value(report, "kvm", "nested") is True
    assert _value(report, "apic_virt", "enabled") is True
    kernel = _value(report, "host", "kernel")
    assert isinstance(kernel, str) and kernel.startswith("6.")
    hyperv = _value(report, "kvm", "hyperv")
    assert isinstance(hyperv, list)
    needs_kvm = [e.name for e in ENTRIES if e.needs_kvm_support]
    assert "evmcs" in hyperv and set(needs_kvm) <= set(hyperv)


def test_amd_demo_has_avic_and_tsc_scaling() -> None:
    report = _detect("amd-epyc")
    assert _value(report, "cpu", "vendor") == "amd"
    assert (
        _value(report, "apic_virt", "kind") == "avic"
        and _value(report, "apic_virt", "enabled") is True
    )
    assert _value(report, "tsc", "scaling") is True
    hyperv = _value(report, "kvm", "hyperv")
    assert isinstance(hyperv, list) and "evmcs" not in hyperv and "avic" in hyperv


def test_no_hyperv_demo_offers_nothing() -> None:
    report = _detect("no-hyperv")
    assert _value(report, "kvm", "hyperv") == []
    result = run_cli(["recommend", "--demo", "no-hyperv"])
    assert result.code == 0 and "nothing: no enlightenment can help here" in result.out


def test_recommend_and_audit_take_a_demo() -> None:
    rec = run_cli(["recommend", "--demo", "intel-tigerlake", "--format", "json"])
    assert rec.code == 0, rec.err
    chosen = {c["option"] for c in json.loads(rec.out)["choices"] if c["chosen"]}
    assert "evmcs" in chosen
    audit = run_cli(["audit", "--running", "--demo", "intel-tigerlake", "--json"])
    assert audit.code in (0, 1), audit.err
    data = json.loads(audit.out)
    assert data["host"] == "demo intel-tigerlake"
    assert [vm["name"] for vm in data["vms"]] == ["win11"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["detect", "--demo", "nope"], "--demo: unknown demo 'nope' (choose from: "),
        (["detect", "--demo", "amd-epyc", "--sysroot", "/"], "not allowed with argument"),
        (["--demo", "nope"], "--demo: unknown demo 'nope'"),
        (["audit", "--running", "--demo", ""], "unknown demo ''"),
    ],
)
def test_bad_demo_is_one_line(args: list[str], message: str) -> None:
    result = run_cli(args)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1


def test_demo_at_recognises_only_shipped_directories(tmp_path: Path) -> None:
    demo = find_demo("amd-epyc")
    assert demo_at(demo.path) == demo
    assert demo_at(tmp_path / "amd-epyc") is None
