"""recommend: QEMU's recommendation per host and intent, fleets, presets, peers, snapshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clirun import HOSTS, SHIPPED, run_cli
from hostviews import ALL_HV, INTEL

from hvtui import catalog, presets
from hvtui.advice import (
    INTENTS,
    HostView,
    make_context,
    migration_safety,
    recommend,
    recommend_fleet,
)
from hvtui.catalog.peers import PEERS, PeerState
from hvtui.compare import compare
from hvtui.model import FindingCode, validate
from hvtui.records import replace

AMD = replace(
    INTEL,
    label="amd-host",
    vendor="amd",
    hyperv=ALL_HV - {"evmcs"},
    apic_virt_enabled=False,
    tsc_scaling=False,
)


def chosen(host: HostView | None, intent: str = "desktop", **kw: object) -> set[str]:
    rec = recommend(make_context(host, intent=intent, **kw))  # type: ignore[arg-type]
    return set(rec.config.enabled())


def test_desktop_follows_qemus_recommendation_on_intel() -> None:
    rec = recommend(make_context(INTEL))
    on = set(rec.config.enabled())
    assert on >= {
        "relaxed",
        "vapic",
        "spinlocks",
        "vpindex",
        "runtime",
        "time",
        "synic",
        "stimer",
        "stimer-direct",
        "tlbflush",
        "ipi",
        "frequencies",
        "evmcs",
        "avic",
        "reenlightenment",
        "xmm-input",
        "emsr-bitmap",
        "tlbflush-direct",
    }
    never = {"syndbg", "passthrough", "enforce-cpuid", "reset", "crash", "vendor-id"}
    assert not on & never
    assert not any(n.startswith("version-id") for n in on), "identities unchanged"
    assert "no-nonarch-coresharing" not in on, "SMT on and vCPUs not pinned"
    assert rec.config.get("spinlocks") == 0x1FFF
    assert all(c.reason for c in rec.choices)
    assert not [f for f in rec.findings if f.severity.value == "error"]


def test_amd_gets_no_evmcs_avic_or_reenlightenment() -> None:
    rec = recommend(make_context(AMD))
    on = set(rec.config.enabled())
    assert not on & {"evmcs", "avic", "reenlightenment"}
    assert rec.choice("evmcs").reason == "left out: intel hosts only (this host: amd)"
    assert "APICv/AVIC is off" in rec.choice("avic").reason
    assert "TSC scaling is missing" in rec.choice("reenlightenment").reason
    assert {"emsr-bitmap", "tlbflush-direct"} <= on, "work on AMD without evmcs"


def test_intel_without_evmcs_drops_what_needs_it() -> None:
    rec = recommend(make_context(replace(INTEL, nested=False, hyperv=ALL_HV - {"evmcs"})))
    assert "evmcs" not in rec.config.enabled()
    assert rec.choice("emsr-bitmap").reason == "left out: needs evmcs, which is left out"


def test_pinned_or_smt_off_enables_no_nonarch_coresharing() -> None:
    assert "no-nonarch-coresharing" in chosen(INTEL, pinned=True)
    smt_off = replace(INTEL, smt_control="forceoff", smt_active=False)
    rec = recommend(make_context(smt_off))
    assert rec.config.get("no-nonarch-coresharing") == "on"


def test_spinlocks_by_overcommit() -> None:
    busy = replace(INTEL, logical_cpus=4, running_vcpus=6)
    rec = recommend(make_context(busy, vcpus=2))
    assert rec.config.get("spinlocks") == 0xFFF
    assert "overcommitted" in rec.choice("spinlocks").reason


def test_nothing_the_host_lacks() -> None:
    host = replace(INTEL, hyperv=ALL_HV - {"xmm-input", "ipi"})
    rec = recommend(make_context(host))
    assert not {"xmm-input", "ipi"} & set(rec.config.enabled())
    assert rec.choice("ipi").reason == "left out: this host's KVM does not support it"
    empty = recommend(make_context(replace(INTEL, hyperv=frozenset())))
    assert empty.config.enabled() == ()
    assert empty.findings[0].code == FindingCode.NO_HYPERV_SUPPORT


@pytest.mark.parametrize("intent", list(INTENTS))
def test_every_intent_gives_a_valid_configuration(intent: str) -> None:
    for host in (INTEL, AMD, None):
        rec = recommend(make_context(host, intent=intent))
        errors = [
            f
            for f in validate(rec.config, vendor=host.vendor if host else None)
            if f.severity.value == "error"
        ]
        assert errors == [], (intent, host.label if host else None)


def test_intents_change_the_choice() -> None:
    desktop = chosen(INTEL)
    migratable = chosen(INTEL, "server-migratable")
    assert not migratable & {
        "evmcs",
        "avic",
        "reenlightenment",
        "passthrough",
        "no-nonarch-coresharing",
        "emsr-bitmap",
        "tlbflush-direct",
    }
    assert migratable < desktop
    assert (
        migration_safety(recommend(make_context(INTEL, intent="server-migratable")).config).level
        == "safe"
    )
    assert chosen(INTEL, "gpu-passthrough") - desktop == {"vendor-id"}
    assert chosen(INTEL, "debug") - desktop == {"syndbg", "crash"}
    assert {"evmcs", "stimer-direct"} <= chosen(INTEL, "nested-hyperv")
    assert {"evmcs", "stimer-direct"} <= chosen(INTEL, "vbs")


def test_fleet_is_supported_by_every_host_and_migration_safe() -> None:
    old_kernel = replace(
        INTEL,
        label="old",
        hyperv=ALL_HV - {"xmm-input", "tlbflush-ext", "emsr-bitmap", "tlbflush-direct"},
    )
    busy = replace(AMD, label="busy", logical_cpus=4, running_vcpus=8)
    hosts = [INTEL, old_kernel, busy]
    rec = recommend_fleet(hosts, make_context(None))
    on = set(rec.config.enabled())
    for host in hosts:
        assert host.hyperv is not None and on - {"spinlocks"} <= host.hyperv
    assert "xmm-input" not in on and "evmcs" not in on
    assert rec.config.get("spinlocks") == 0xFFF, "the overcommitted host sets the value"
    assert migration_safety(rec.config).level == "safe"
    left = {c.option for c in rec.left_out_by_host["old"]}
    assert left == {"xmm-input", "tlbflush-ext"}
    assert rec.choice("xmm-input").reason == "left out: not on old"
    assert rec.hosts == ("intel-host", "old", "busy")


def test_migration_badge() -> None:
    from hvtui.model import Config

    assert migration_safety(Config.of(relaxed=True)).level == "safe"
    assert migration_safety(Config.of(evmcs=True, vapic=True)).level == "conditional"
    badge = migration_safety(Config.of(passthrough=True))
    assert badge.level == "blocked" and badge.label == "cannot migrate"
    assert migration_safety(Config.of({"no-nonarch-coresharing": "auto"})).level == "blocked"
    assert migration_safety(Config.of({"no-nonarch-coresharing": "on"})).level == "conditional"


# -- shipped presets and peers --------------------------------------------------------

REQUIRED_PRESETS = {
    "windows-desktop",
    "windows-server-migratable",
    "nested-hyperv-intel",
    "nested-hyperv-amd",
    "vbs-credential-guard",
    "gpu-passthrough",
    "kernel-debugging",
    "minimal",
}


def test_the_full_preset_set_ships() -> None:
    assert {p.stem for p in SHIPPED.glob("*.toml")} >= REQUIRED_PRESETS


@pytest.mark.parametrize("name", sorted(REQUIRED_PRESETS))
def test_shipped_preset_states_its_minimums_and_rationale(name: str) -> None:
    path = SHIPPED / f"{name}.toml"
    text = path.read_text()
    assert "Rationale:" in text
    assert "Needs QEMU" in text
    preset = presets.load(path)
    assert preset.target.qemu is not None and preset.target.libvirt is not None
    assert f"QEMU {preset.target.qemu.short()}" in text
    needed = max(catalog.get(n).qemu_since for n in preset.config.enabled())
    assert needed == preset.target.qemu, "the stated QEMU minimum is the real one"


def test_migratable_preset_is_migration_safe() -> None:
    preset = presets.load(SHIPPED / "windows-server-migratable.toml")
    assert migration_safety(preset.config).level == "safe"
    ctx = make_context(INTEL, intent="server-migratable")
    from hvtui.advice import advise

    assert not [f for f in advise(preset.config, ctx) if f.severity.value == "error"]


def test_amd_preset_has_no_intel_only_option() -> None:
    preset = presets.load(SHIPPED / "nested-hyperv-amd.toml")
    from hvtui.advice import advise

    errors = [
        f
        for f in advise(preset.config, make_context(AMD, intent="nested-hyperv"))
        if f.severity.value == "error"
    ]
    assert errors == []


def test_peers_cover_the_five_tools_and_name_real_options() -> None:
    assert [p.key for p in PEERS] == ["virt-install", "proxmox", "nova", "kubevirt", "quickemu"]
    for peer in PEERS:
        for option in peer.defaults:
            assert catalog.is_canonical(option), (peer.key, option)
    nova = {p.key: p for p in PEERS}["nova"]
    assert nova.default("stimer").state is PeerState.OFF
    assert "broke AMD" in nova.default("evmcs").note


def test_compare_table() -> None:
    preset = presets.load(SHIPPED / "windows-desktop.toml")
    table = compare(preset.config)
    row = next(r for r in table.rows if r.option == "stimer")
    assert row.ours == "on"
    assert [d.short() for d in row.peers] == ["cond.", "on", "-", "on", "PT"]
    assert len(table.rows) == len(catalog.ENTRIES)


# -- real snapshots -----------------------------------------------------------------


def snapshot(tmp_path: Path, name: str, params: dict[str, dict[str, str]]) -> Path:
    root = tmp_path / name
    shutil.copytree(HOSTS / name, root, symlinks=True)
    for module, values in params.items():
        directory = root / "sys" / "module" / module / "parameters"
        directory.mkdir(parents=True, exist_ok=True)
        for key, value in values.items():
            (directory / key).write_text(value + "\n")
    return root


@pytest.mark.parametrize(
    ("vcpus", "value", "words"),
    [(9, "0xfff", "9 vCPUs on 8 host CPUs"), (8, "0x1fff", "overcommit unknown")],
)
def test_a_vm_larger_than_the_snapshot_is_overcommit(vcpus: int, value: str, words: str) -> None:
    """No processes recorded, so the running load is unknown; a VM with more vCPUs than
    the host's 8 CPUs overcommits it all the same (issue #10)."""
    root = HOSTS / "util-linux-x86_64-64cpu-linux6.2"
    result = run_cli(["recommend", "--sysroot", str(root), "--vcpus", str(vcpus)])
    assert result.code == 0, result.err
    (line,) = [x for x in result.out.splitlines() if x.strip().startswith("hv-spinlocks")]
    assert value in line and words in line


def test_snapshot_intel_laptop(tmp_path: Path) -> None:
    root = snapshot(
        tmp_path,
        "util-linux-x86_64-64cpu-linux6.2",
        {"kvm_intel": {"nested": "Y", "enable_apicv": "Y"}},
    )
    result = run_cli(["recommend", "--sysroot", str(root), "--format", "json"])
    assert result.code == 0, result.err
    data = json.loads(result.out)
    on = set(data["enlightenments"])
    assert {"evmcs", "avic", "reenlightenment"} <= on, "Intel, nested, APICv, tsc_scaling"
    reasons = {c["option"]: c["reason"] for c in data["choices"]}
    assert all(reasons.values())


def test_snapshot_epyc(tmp_path: Path) -> None:
    root = snapshot(
        tmp_path, "util-linux-x86_64-epyc_7451", {"kvm_amd": {"nested": "1", "avic": "N"}}
    )
    data = json.loads(
        run_cli(
            ["recommend", "--sysroot", str(root), "--format", "json", "--for", "nested-hyperv"]
        ).out
    )
    assert "evmcs" not in data["enlightenments"]
    assert "avic" not in data["enlightenments"]
    assert "stimer-direct" in data["enlightenments"]


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTS.iterdir() if p.is_dir()))
def test_every_snapshot_recommends_a_valid_configuration(name: str) -> None:
    result = run_cli(["recommend", "--sysroot", str(HOSTS / name), "--format", "toml"])
    assert result.code == 0, result.err
    preset = presets.loads(result.out)
    assert not [f for f in validate(preset.config) if f.severity.value == "error"]


def test_fleet_from_reports(tmp_path: Path) -> None:
    reports = []
    for name, params in (
        ("util-linux-x86_64-64cpu-linux6.2", {"kvm_intel": {"nested": "Y"}}),
        ("util-linux-x86_64-epyc_7451", {"kvm_amd": {"nested": "1"}}),
    ):
        root = snapshot(tmp_path, name, params)
        out = run_cli(["detect", "--sysroot", str(root), "--json"])
        assert out.code == 0, out.err
        path = tmp_path / f"{name}.json"
        path.write_text(out.out)
        reports += ["--report", str(path)]
    result = run_cli(["recommend", *reports, "--format", "json"])
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "evmcs" not in data["enlightenments"]
    assert set(data["left_out_by_host"]) == {
        "util-linux-x86_64-64cpu-linux6.2",
        "util-linux-x86_64-epyc_7451",
    }
    text = run_cli(["recommend", *reports]).out
    assert "Per host" in text


def test_recommend_bad_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run_cli(["recommend", "--report", str(bad)])
    assert result.code == 2 and result.err.startswith(f"hvtui: {bad}: not a JSON host report")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"schema": 99}')
    result = run_cli(["recommend", "--report", str(wrong)])
    assert result.code == 2 and "schema" in result.err
    result = run_cli(["recommend", "--sysroot", str(tmp_path / "nope")])
    assert result.code == 2 and result.err.count("\n") == 1
    result = run_cli(["recommend", "--for", "gaming"])
    assert result.code == 2
    result = run_cli(["recommend", "--vcpus", "0", "--sysroot", str(tmp_path)])
    assert result.code == 2


def test_compare_cli() -> None:
    result = run_cli(["compare", "windows-desktop"])
    assert result.code == 0
    assert "virt-install" in result.out and "Proxmox VE" in result.out
    assert "stimer / OpenStack Nova: Nova has no synthetic timer support" in result.out
    data = json.loads(run_cli(["compare", "minimal", "--json"]).out)
    assert data["rows"][0]["peers"]["nova"]["state"] == "on"
    assert run_cli(["compare", "nope"]).code == 2
