"""``--format kubevirt`` and the audit of KubeVirt YAML: round trips, KubeVirt's own rules,
its API names, untrusted YAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from clirun import DATA, run_cli
from export.cases import SHIPPED
from export.strategies import valid_configs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import presets
from hvtui.catalog.stacks import KUBEVIRT_FIELDS, kubevirt_field
from hvtui.cli import main
from hvtui.export import ExportTarget, resolve_target
from hvtui.export.kubevirt import build_kubevirt, render_kubevirt
from hvtui.formats import safeyaml
from hvtui.importers.kubevirt import parse_kubevirt_documents, read_domain
from hvtui.model import Config
from stacks.helpers import merge_patch, on_values

VM_DOMAIN = ("spec", "template", "spec", "domain")


def _target(preset: presets.Preset) -> ExportTarget:
    return resolve_target(preset.target, detect=False, cpu=preset.cpu)[0]


def _documents(text: str) -> list[Any]:
    return safeyaml.load_all(text, source="export")


def _domain(vm: Any) -> dict[str, Any]:
    node = vm
    for key in VM_DOMAIN:
        node = node[key]
    assert isinstance(node, dict)
    return node


# -- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_export_then_audit_gives_the_preset(preset: presets.Preset) -> None:
    """What KubeVirt can say comes back exactly; the rest is named in the header."""
    target = _target(preset)
    built = build_kubevirt(preset.config, target, preset_name=preset.name)
    text = render_kubevirt(preset.config, target, preset_name=preset.name)
    vm, preference = parse_kubevirt_documents(text, source="x", preferences=True)
    assert vm.kind == "VirtualMachine"
    assert vm.imported.problems == ()
    assert on_values(vm.imported.config) == on_values(built.expressed)
    assert on_values(preference.imported.config) == on_values(built.expressed)
    left_out = {u.name for u in built.unexpressed}
    assert on_values(built.expressed).as_dict().keys() | left_out == set(
        on_values(preset.config).as_dict()
    )
    for name in left_out:
        assert f"left out: {name}:" in text


def test_what_kubevirt_cannot_say_is_named() -> None:
    nested = presets.find("nested-hyperv-intel")
    server = presets.find("windows-server-migratable")
    assert {u.name for u in build_kubevirt(nested.config, _target(nested)).unexpressed} == {
        "emsr-bitmap",
        "xmm-input",
    }
    low = build_kubevirt(server.config, _target(server)).unexpressed
    assert [(u.name, u.value) for u in low] == [("spinlocks", 0xFFF)]
    assert "below 4096" in low[0].reason


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=valid_configs())
def test_generated_configurations_round_trip(config: Config) -> None:
    target = ExportTarget()
    built = build_kubevirt(config, target)
    text = render_kubevirt(config, target)
    imported = parse_kubevirt_documents(text, source="x")[0].imported
    assert on_values(imported.config) == on_values(built.expressed)
    assert not imported.problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=valid_configs(allow_passthrough=False))
def test_merging_into_a_vm_with_everything_on_gives_the_preset(config: Config) -> None:
    """Fidelity: ``kubectl patch --type merge`` onto a VM whose hyperv has every field on
    (no panic device: the patch leaves lists alone, and says so)."""
    everything: dict[str, Any] = {}
    for field in KUBEVIRT_FIELDS:
        if field.preference:  # every field but hypervPassthrough
            node = everything
            for key in field.path:
                node = node.setdefault(key, {})
            if field.value == "spinlocks":
                node["spinlocks"] = 8191
            elif field.value == "vendorid":
                node["vendorid"] = "KVMKVMKVM"
    everything.pop("devices", None)
    existing = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "spec": {}}
    existing["spec"] = {"template": {"spec": {"domain": everything}}}
    built = build_kubevirt(config, ExportTarget())
    merged = merge_patch(existing, built.vm)
    assert isinstance(merged, dict)
    imported = read_domain(_domain(merged), base="spec.template.spec.domain")
    assert on_values(imported.config) == on_values(built.expressed)


def test_passthrough_removes_features_hyperv() -> None:
    """KubeVirt ignores hypervPassthrough while features.hyperv is set: the patch deletes it."""
    built = build_kubevirt(Config.of(passthrough=True), ExportTarget())
    domain = _domain(built.vm)
    assert domain["features"]["hyperv"] is None
    assert domain["features"]["hypervPassthrough"] == {"enabled": True}
    assert domain["clock"]["timer"]["hyperv"] is None
    before: dict[str, Any] = {"features": {"hyperv": {"relaxed": {}}}}
    existing: dict[str, Any] = {"spec": {"template": {"spec": {"domain": before}}}}
    merged = merge_patch(existing, built.vm)
    imported = read_domain(_domain(merged), base="d")
    assert on_values(imported.config) == Config.of(passthrough=True)


# -- KubeVirt's rules when reading ------------------------------------------------------------


def _read(domain: dict[str, Any]) -> Config:
    imported = read_domain(domain, base="d")
    return imported.config


def test_a_present_feature_without_enabled_is_on_and_spinlocks_default_to_4096() -> None:
    """``relaxed: {}`` is on; ``vapic:`` alone is null, which leaves the field unset."""
    config = _read(
        {
            "features": {"hyperv": {"relaxed": {}, "vapic": None, "spinlocks": {}}},
            "clock": {"timer": {"hyperv": {}}},
        }
    )
    assert config == Config.of(relaxed=True, spinlocks=4096, time=True)


def test_enabled_false_and_present_false_are_off() -> None:
    config = _read(
        {
            "features": {"hyperv": {"relaxed": {"enabled": False}, "vendorid": {"enabled": False}}},
            "clock": {"timer": {"hyperv": {"present": False}}},
        }
    )
    assert config == Config.of(relaxed=False, time=False)


def test_the_webhook_turns_unset_requirements_on() -> None:
    """synic -> vpindex, synictimer -> synic, ipi/tlbflush -> vpindex, evmcs -> vapic."""
    config = _read({"features": {"hyperv": {"synictimer": {}, "evmcs": {}, "ipi": {}}}})
    assert on_values(config) == Config.of(
        stimer=True, synic=True, vpindex=True, evmcs=True, vapic=True, ipi=True
    )
    imported = read_domain(
        {"features": {"hyperv": {"synic": {}, "vpindex": {"enabled": False}}}}, base="d"
    )
    assert any("requires vpindex" in p for p in imported.problems)


def test_passthrough_needs_enabled_true_and_no_hyperv() -> None:
    assert _read({"features": {"hypervPassthrough": {"enabled": True}}}) == Config.of(
        passthrough=True
    )
    missing = read_domain({"features": {"hypervPassthrough": {}}}, base="d")
    assert missing.config == Config() and "only with enabled: true" in missing.problems[0]
    both = read_domain(
        {"features": {"hypervPassthrough": {"enabled": True}, "hyperv": {"relaxed": {}}}}, base="d"
    )
    assert both.config == Config.of(relaxed=True)
    assert "KubeVirt uses that" in both.problems[0]


def test_wrong_types_and_unknown_fields_are_problems_not_crashes() -> None:
    imported = read_domain(
        {
            "features": {
                "hyperv": {
                    "relaxed": "yes please",
                    "spinlocks": {"spinlocks": "many"},
                    "vendorid": {"vendorid": 12},
                    "stimer": {},
                    "tlbflush": {"enabled": 1},
                }
            },
            "devices": {"panicDevices": "hyperv"},
            "cpu": {"cores": "four", "features": [3, {"name": "vmx", "policy": "forbid"}]},
        },
        base="d",
    )
    assert imported.config == Config()
    assert len(imported.problems) == 6
    assert any("unknown field 'stimer'" in p for p in imported.problems)


def test_several_documents_and_other_kinds() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: a}\n"
        "spec: {domain: {features: {hyperv: {relaxed: {}}}}}\n---\n"
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: b}\n"
        "spec: {template: {spec: {domain: {clock: {timer: {hyperv: {}}}}}}}\n"
    )
    found = parse_kubevirt_documents(text, source="f")
    assert [(d.kind, d.name, d.imported.config) for d in found] == [
        ("VirtualMachineInstance", "a", Config.of(relaxed=True)),
        ("VirtualMachine", "b", Config.of(time=True)),
    ]


# -- the names are KubeVirt's ---------------------------------------------------------------------


def _api_table() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for line in (DATA / "stacks" / "kubevirt_api_fields.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, fields = line.partition(":")
        table[name] = dict(item.split("=") for item in fields.split())
    return table


def _check_names(
    value: object, type_name: str, table: dict[str, dict[str, str]], where: str
) -> None:
    if type_name == "-":
        assert not isinstance(value, (dict, list)), where
        return
    if type_name.endswith("[]"):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            _check_names(item, type_name[:-2], table, f"{where}[{i}]")
        return
    if value is None:  # a merge patch's deletion
        return
    assert isinstance(value, dict), where
    fields = table[type_name]
    for key, item in value.items():
        assert key in fields, f"{where}.{key}: not a field of {type_name} in KubeVirt's API"
        _check_names(item, fields[key], table, f"{where}.{key}")


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_every_name_written_is_in_kubevirts_api(preset: presets.Preset) -> None:
    table = _api_table()
    vm, preference = _documents(render_kubevirt(preset.config, _target(preset)))
    _check_names(vm, "VirtualMachine", table, "VirtualMachine")
    _check_names(preference, "VirtualMachinePreference", table, "VirtualMachinePreference")


@settings(max_examples=40, deadline=None)
@given(config=valid_configs(), hide=st.sampled_from([None, True, False]))
def test_every_name_written_for_generated_configurations(config: Config, hide: bool | None) -> None:
    from hvtui.model.cpu import CpuSettings

    table = _api_table()
    target = ExportTarget(cpu=CpuSettings(hide_kvm=hide, invtsc=hide), cpu_model="EPYC")
    vm, preference = _documents(render_kubevirt(config, target))
    _check_names(vm, "VirtualMachine", table, "VirtualMachine")
    _check_names(preference, "VirtualMachinePreference", table, "VirtualMachinePreference")


def test_the_catalog_fields_are_in_the_api_table() -> None:
    table = _api_table()
    for field in KUBEVIRT_FIELDS:
        type_name = "DomainSpec"
        for key in field.path:
            assert key in table[type_name], (field.option, key)
            type_name = table[type_name][key].removesuffix("[]")
    assert kubevirt_field("avic") is None


# -- untrusted values and YAML ------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ['a"b', "#x", "a: b", "'q'", "* &x", "{x}", "null", "0x10"])
def test_hostile_vendor_ids_come_back_unchanged(vendor: str) -> None:
    config = Config.of(vendor_id=vendor)
    text = render_kubevirt(config, ExportTarget())
    assert parse_kubevirt_documents(text, source="x")[0].imported.config.get("vendor-id") == vendor


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\na: &x 1\nb: *x\n", "aliases"),
        ("apiVersion: kubevirt.io/v1\nkind: !!python/object:os.system x\n", "tag"),
        ("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nkind: VirtualMachine\n", "duplicate"),
        ("apiVersion: kubevirt.io/v1\nspec: " + "[" * 300 + "]" * 300 + "\n", "nested"),
        ("apiVersion: kubevirt.io/v1\nkind: Pod\n", "no KubeVirt"),
        ("apiVersion: kubevirt.io/v1\nkind: [\n", "not YAML"),
    ],
)
def test_hostile_yaml_is_one_line_exit_2(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vm.yaml"
    path.write_text(text)
    assert main(["audit", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err


def test_hostile_yaml_through_the_real_cli(tmp_path: Path) -> None:
    """One run as users do it: no traceback, exit 2, one line."""
    path = tmp_path / "vm.yaml"
    path.write_text("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nx: &a [*a]\n")
    result = run_cli(["audit", str(path)])
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err


def test_audit_reads_every_vm_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vms.yaml"
    desktop = presets.find("windows-desktop")
    text = render_kubevirt(desktop.config, _target(desktop), preset_name="a")
    other = text.replace("hvtui-a", "second")
    path.write_text(text + "---\n" + other)
    code = main(["audit", str(path), "--json", "--demo", "intel-tigerlake"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert out.count('"kind": "kubevirt"') == 2
    assert re.search(r"VirtualMachine second", out)


def test_strict_refuses_what_kubevirt_cannot_express(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "nested-hyperv-intel", "--format", "kubevirt"]) == 0
    assert "left out: emsr-bitmap" in capsys.readouterr().out
    assert main(["export", "nested-hyperv-intel", "--format", "kubevirt", "--strict"]) == 1
    strict = capsys.readouterr()
    assert strict.out == ""
    assert strict.err.strip().splitlines()[-1].endswith("cannot express emsr-bitmap, xmm-input")
    assert main(["export", "windows-desktop", "--format", "kubevirt", "--strict"]) == 0
