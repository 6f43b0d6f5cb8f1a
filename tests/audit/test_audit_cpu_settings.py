"""The audit reads the CPU settings around the hv-* options and judges them.

Every input kind reads vmx/svm, invtsc, tsc-frequency and a hidden KVM in the
spellings QEMU, libvirt, virt-install and Proxmox take; the audit gives them and
the CPU model to the advice, so ``--for nested-hyperv``/``vbs`` report a named
model without vmx (``nested-virt-missing``) and ``--for server-migratable`` a
reenlightenment or invtsc without a fixed TSC rate (``tsc-frequency-missing``);
``--json`` lists the settings found per VM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from hypothesis import given
from hypothesis import strategies as st

from audit.support import DATA, process, snapshot
from hvtui.audit import audit_vm, load_file, load_text
from hvtui.export import ExportTarget, build_qemu, build_virt_install, render_libvirt
from hvtui.importers import parse_qemu_args
from hvtui.model import Config, FindingCode
from hvtui.model.cpu import CpuSettings
from hvtui.versions import V

EVERYTHING = CpuSettings(nested_virt=True, tsc_frequency=2_800_000_000, invtsc=True, hide_kvm=True)
NESTED_HV = "hv-relaxed,hv-vapic,hv-vpindex,hv-synic,hv-time,hv-stimer,hv-evmcs"
REEN_HV = "hv-relaxed,hv-vapic,hv-vpindex,hv-time,hv-reenlightenment"


@pytest.fixture(scope="module")
def intel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot(tmp_path_factory.mktemp("intel"), processes=[])


def codes(text: str, intent: str = "desktop") -> set[str]:
    return {f.code for f in audit_vm(load_text(text), None, intent=intent).findings}


def settings(text: str) -> CpuSettings:
    return load_text(text).imported.cpu_settings


# -- reading ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [
        ("Skylake-Server,vmx", CpuSettings(nested_virt=True)),
        ("Skylake-Server,vmx=on", CpuSettings(nested_virt=True)),
        ("Skylake-Server,+vmx", CpuSettings(nested_virt=True)),
        ("Skylake-Server,vmx=off", CpuSettings(nested_virt=False)),
        ("Skylake-Server,-vmx", CpuSettings(nested_virt=False)),
        ("Skylake-Server,vmx=on,vmx=off", CpuSettings(nested_virt=False)),
        ("Skylake-Server,svm=on", CpuSettings()),  # not the extension of an Intel model
        ("EPYC-Rome,svm=on", CpuSettings(nested_virt=True)),
        ("EPYC-Rome,vmx=on", CpuSettings()),
        ("host,svm", CpuSettings(nested_virt=True)),
        ("host,-vmx", CpuSettings(nested_virt=False)),
        ("host,invtsc", CpuSettings(invtsc=True)),
        ("host,+invtsc", CpuSettings(invtsc=True)),
        ("host,invtsc=off", CpuSettings(invtsc=False)),
        ("host,tsc-frequency=2800000000", CpuSettings(tsc_frequency=2_800_000_000)),
        ("host,tsc_frequency=0xa6e49c00", CpuSettings(tsc_frequency=2_800_000_000)),
        ("host,tsc-freq=2.8G", CpuSettings(tsc_frequency=2_800_000_000)),
        ("host,tsc-freq=2800M", CpuSettings(tsc_frequency=2_800_000_000)),
        ("host,tsc-frequency=0", CpuSettings()),  # QEMU's default: the host's rate
        ("host,kvm=off", CpuSettings(hide_kvm=True)),
        ("host,kvm=on", CpuSettings(hide_kvm=False)),
        ("host,-kvm", CpuSettings(hide_kvm=True)),
        ("host,hv-relaxed,migratable=on", CpuSettings()),
    ],
)
def test_qemu_spellings(cpu: str, expected: CpuSettings) -> None:
    source = load_text(f"qemu-system-x86_64 -cpu {cpu}")
    assert source.imported.cpu_settings == expected
    assert source.imported.problems == ()


@pytest.mark.parametrize(
    ("cpu", "problem"),
    [
        ("host,tsc-frequency=fast", "expected an unsigned integer"),
        ("host,tsc-frequency", "needs a value"),
        ("host,tsc-freq=2.8Q", "expected Hz"),
        ("host,tsc-frequency=" + "9" * 5000, "expected an unsigned integer"),
        ("host,vmx=maybe", "expected on or off"),
        ("host,kvm=" + "x" * 5000, "expected on or off"),
    ],
)
def test_bad_values_are_input_problems_not_crashes(cpu: str, problem: str) -> None:
    audit = audit_vm(load_text(f"-cpu {cpu}"), None)
    found = [f.message for f in audit.findings if f.code == FindingCode.INPUT_PROBLEM]
    assert any(problem in m for m in found), found
    assert all(len(m) < 300 for m in found)


@given(st.text(max_size=60))
def test_any_value_reads_or_is_a_problem(value: str) -> None:
    for key in ("tsc-frequency", "tsc-freq", "vmx", "kvm", "invtsc"):
        escaped = value.replace(",", ",,")
        imported = parse_qemu_args(["-cpu", f"Skylake-Server,{key}={escaped}"])
        if imported.problems:
            assert imported.cpu_settings == CpuSettings()


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ("<feature policy='require' name='vmx'/>", CpuSettings(nested_virt=True)),
        ("<feature policy='force' name='vmx'/>", CpuSettings(nested_virt=True)),
        ("<feature name='vmx'/>", CpuSettings(nested_virt=True)),  # policy defaults to require
        ("<feature policy='optional' name='vmx'/>", CpuSettings(nested_virt=True)),
        ("<feature policy='disable' name='vmx'/>", CpuSettings(nested_virt=False)),
        ("<feature policy='forbid' name='vmx'/>", CpuSettings(nested_virt=False)),
        ("<feature policy='require' name='svm'/>", CpuSettings()),
        ("<feature policy='require' name='invtsc'/>", CpuSettings(invtsc=True)),
        ("<feature policy='disable' name='invtsc'/>", CpuSettings(invtsc=False)),
        ("<feature policy='require' name='pcid'/>", CpuSettings()),
    ],
)
def test_libvirt_cpu_features(features: str, expected: CpuSettings) -> None:
    xml = (
        "<domain type='kvm'><name>x</name><cpu mode='custom' match='exact'>"
        f"<model fallback='forbid'>Skylake-Server</model>{features}</cpu></domain>"
    )
    assert settings(xml) == expected


def test_libvirt_timer_and_kvm_hidden() -> None:
    xml = (
        "<domain type='kvm'><name>x</name><features><kvm><hidden state='on'/></kvm></features>"
        "<clock offset='utc'><timer name='tsc' frequency='2800000000' mode='native'/></clock>"
        "</domain>"
    )
    assert settings(xml) == CpuSettings(tsc_frequency=2_800_000_000, hide_kvm=True)
    off = xml.replace("state='on'", "state='off'").replace("2800000000", "0")
    assert settings(off) == CpuSettings(hide_kvm=False)


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        ("<clock><timer name='tsc' frequency='2.8GHz'/></clock>", "not a number of Hz"),
        ("<features><kvm><hidden state='maybe'/></kvm></features>", "expected on or off"),
        ("<cpu><model>Skylake-Server</model><feature policy='sometimes' name='vmx'/></cpu>",
         "not one libvirt knows"),
        ("<cpu><model>Skylake-Server</model><feature name='vmx'/><feature name='vmx'/></cpu>",
         "given twice"),
    ],
)  # fmt: skip
def test_libvirt_bad_settings_are_input_problems(xml: str, problem: str) -> None:
    imported = load_text(f"<domain><name>x</name>{xml}</domain>").imported
    assert any(problem in p for p in imported.problems), imported.problems


def test_a_cpu_in_qemu_commandline_replaces_libvirts() -> None:
    xml = (
        "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
        "<name>x</name><features><kvm><hidden state='on'/></kvm></features>"
        "<cpu mode='custom'><model>Skylake-Server</model><feature name='vmx'/></cpu>"
        "<qemu:commandline><qemu:arg value='-cpu'/><qemu:arg value='host,invtsc=on'/>"
        "</qemu:commandline></domain>"
    )
    imported = load_text(xml).imported
    assert imported.cpu_model == "host"
    assert imported.cpu_settings == CpuSettings(invtsc=True)


def test_proxmox_hidden_is_kvm_off() -> None:
    conf = "name: gpu\nostype: l26\ncpu: host,hidden=1,flags=+pcid\ncores: 4\n"
    source = load_text(conf)
    assert source.kind == "proxmox"
    assert source.imported.cpu_settings == CpuSettings(hide_kvm=True)
    # args: -cpu replaces Proxmox's own -cpu, kvm=off with it (QEMU keeps the last).
    replaced = load_text(conf + "args: -cpu host,hv-relaxed\n").imported
    assert replaced.cpu_settings == CpuSettings()


@pytest.mark.parametrize("model", ["Skylake-Server", "EPYC", "host"])
def test_every_export_reads_back_as_the_settings(model: str) -> None:
    target = ExportTarget(model, None, V("9.0.0"), cpu=EVERYTHING)
    config = Config.of(relaxed=True, vapic=True)
    expected = EVERYTHING if model != "host" else CpuSettings(
        tsc_frequency=EVERYTHING.tsc_frequency, invtsc=True, hide_kvm=True
    )  # fmt: skip
    qemu = build_qemu(config, target)
    assert settings(f"-cpu {qemu.cpu}") == expected
    assert settings(render_libvirt(config, target)) == expected
    virt_install = load_text("virt-install " + " ".join(build_virt_install(config, target).args))
    assert virt_install.kind == "virt-install"
    assert virt_install.imported.cpu_settings == expected


# -- judging ------------------------------------------------------------------------


@pytest.mark.parametrize("intent", ["nested-hyperv", "vbs"])
def test_named_model_without_vmx_is_an_error_for_nested_intents(intent: str) -> None:
    for cpu in ("Skylake-Server", "Skylake-Server,svm=on", "Skylake-Server,vmx=off"):
        assert FindingCode.NESTED_VIRT_MISSING in codes(f"-cpu {cpu},hv-relaxed", intent)
    assert FindingCode.NESTED_VIRT_MISSING not in codes(
        "-cpu Skylake-Server,+vmx,hv-relaxed", intent
    )
    assert FindingCode.NESTED_VIRT_MISSING not in codes("-cpu EPYC,svm=on,hv-relaxed", intent)
    assert FindingCode.NESTED_VIRT_MISSING not in codes("-cpu host,hv-relaxed", intent)
    # No -cpu: the model is unknown, so the rule stays quiet and a note says why.
    audit = audit_vm(load_text("-machine q35 -smp 2"), None, intent=intent)
    assert FindingCode.NESTED_VIRT_MISSING not in {f.code for f in audit.findings}
    assert any("not judged" in note for note in audit.notes)


def test_nested_only_option_on_a_named_model_is_an_error_whatever_the_intent() -> None:
    assert FindingCode.NESTED_VIRT_MISSING in codes(f"-cpu Cascadelake-Server,{NESTED_HV}")
    assert FindingCode.NESTED_VIRT_MISSING not in codes(
        f"-cpu Cascadelake-Server,{NESTED_HV},vmx=on"
    )


def test_migratable_without_tsc_frequency() -> None:
    intent = "server-migratable"
    assert FindingCode.TSC_FREQUENCY_MISSING in codes(f"-cpu Skylake-Server,{REEN_HV}", intent)
    assert FindingCode.TSC_FREQUENCY_MISSING in codes(
        "-cpu Skylake-Server,hv-relaxed,invtsc", intent
    )
    fixed = f"-cpu Skylake-Server,{REEN_HV},invtsc,tsc-frequency=2800000000"
    assert FindingCode.TSC_FREQUENCY_MISSING not in codes(fixed, intent)
    assert FindingCode.TSC_FREQUENCY_MISSING not in codes(
        f"-cpu Skylake-Server,{REEN_HV}", "desktop"
    )


def _audit_json(intel: Path, intent: str, *files: str) -> dict[str, Any]:
    result = run_cli(["audit", "--sysroot", str(intel), "--for", intent, "--json", *files])
    assert "Traceback" not in result.err, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    data["code"] = result.code
    return data


def test_fixtures_through_the_cli(intel: Path) -> None:
    named = str(DATA / "libvirt-nested-named-model.xml")
    fine = str(DATA / "libvirt-cpu-settings.xml")
    cmd = str(DATA / "qemu-nested-named-model.cmd")
    data = _audit_json(intel, "nested-hyperv", named, fine, cmd)
    assert data["code"] == 1
    by_name = {vm["name"]: vm for vm in data["vms"]}
    first, second, third = (
        by_name["vbs-cascadelake"],
        by_name["migratable-nested"],
        by_name["vbs-icelake"],
    )
    assert first["cpu_model"] == "Cascadelake-Server"
    assert first["cpu_settings"] == {"invtsc": True}
    severity = {f["code"]: f["severity"] for f in first["findings"]}
    assert severity["nested-virt-missing"] == "error"
    assert second["cpu_settings"] == {
        "nested-virt": True, "tsc-frequency": 2_800_000_000, "invtsc": True, "hide-kvm": True,
    }  # fmt: skip
    assert "nested-virt-missing" not in {f["code"] for f in second["findings"]}
    assert "kvm-hidden" in {f["code"] for f in second["findings"]}
    assert third["cpu_settings"] == {"tsc-frequency": 2_800_000_000, "invtsc": True}
    assert "nested-virt-missing" in {f["code"] for f in third["findings"]}

    migratable = _audit_json(intel, "server-migratable", named, fine)
    found = {vm["name"]: {f["code"] for f in vm["findings"]} for vm in migratable["vms"]}
    assert "tsc-frequency-missing" in found["vbs-cascadelake"]  # invtsc, no fixed rate
    assert "tsc-frequency-missing" not in found["migratable-nested"]
    assert "nested-virt-missing" in found["vbs-cascadelake"]  # evmcs is nested-only


def test_text_output_shows_the_settings(intel: Path) -> None:
    result = run_cli(["audit", "--sysroot", str(intel), str(DATA / "libvirt-cpu-settings.xml")])
    assert (
        "  CPU settings: nested-virt=true tsc-frequency=2800000000 invtsc=true hide-kvm=true"
        in result.out
    )


def test_running_vm_on_a_named_model(tmp_path: Path) -> None:
    vm = process(
        3000,
        ["/usr/bin/qemu-system-x86_64", "-name", "guest=vbs,debug-threads=on", "-smp", "2",
         "-cpu", f"Icelake-Server,{NESTED_HV},kvm=off"],
        [[2], [3]],
    )  # fmt: skip
    root = snapshot(tmp_path, processes=[vm])
    result = run_cli(["audit", "--running", "--sysroot", str(root), "--for", "vbs", "--json"])
    assert result.code == 1, result.err
    (found,) = json.loads(result.out)["vms"]
    assert found["kind"] == "running" and found["cpu_settings"] == {"hide-kvm": True}
    assert "nested-virt-missing" in {f["code"] for f in found["findings"]}


def test_the_recommendation_does_not_depend_on_the_vms_settings() -> None:
    plain = audit_vm(load_text("-cpu Skylake-Server,hv-relaxed"), None, intent="vbs")
    tuned = audit_vm(load_file(DATA / "libvirt-cpu-settings.xml"), None, intent="vbs")
    assert plain.recommendation.config == tuned.recommendation.config
    assert not {f.code for f in plain.recommendation.findings} & {
        FindingCode.NESTED_VIRT_MISSING, FindingCode.TSC_FREQUENCY_MISSING, FindingCode.KVM_HIDDEN,
    }  # fmt: skip
