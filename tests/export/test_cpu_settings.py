"""The CPU settings around the hv-* options ([cpu]): presets, advice, and exports real tools take.

The QEMU export must start the real QEMU, and libvirt must turn the libvirt
export into exactly the same ``-cpu`` properties (through its own QEMU driver),
so a user gets the same VM whichever snippet they paste.
"""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostviews import INTEL
from hypothesis import given
from hypothesis import strategies as st

from hvtui import presets
from hvtui.advice import advise, make_context, recommend
from hvtui.catalog.cpu_settings import CPU_SETTINGS, CpuSettingKey, virt_flag
from hvtui.export.context import ExportTarget
from hvtui.export.libvirt import cpu_settings_element, render_libvirt
from hvtui.export.qemu import render_qemu
from hvtui.importers.qemu_cmdline import parse_cpu_option
from hvtui.model import Config, FindingCode
from hvtui.model.cpu import CpuSettings
from hvtui.records import replace
from hvtui.versions import Version

from .tools import EmbeddedQemuDriver, minimal_domain, run_qemu, virsh_define, xml_validate

EVERYTHING = CpuSettings(nested_virt=True, tsc_frequency=2_800_000_000, invtsc=True, hide_kvm=True)
NESTED = Config.of(relaxed=True, vapic=True, evmcs=True)

settings = st.builds(
    CpuSettings,
    nested_virt=st.none() | st.booleans(),
    tsc_frequency=st.none() | st.integers(1_000_000, 100_000_000_000),
    invtsc=st.none() | st.booleans(),
    hide_kvm=st.none() | st.booleans(),
)


@given(settings)
def test_cpu_table_round_trips(cpu: CpuSettings) -> None:
    preset = presets.Preset("p", Config.of(relaxed=True), cpu=cpu)
    again = presets.loads(presets.dumps(preset))
    assert again.cpu == cpu
    assert ("[cpu]" in presets.dumps(preset)) == (not cpu.empty)


def test_every_catalog_setting_is_a_preset_key() -> None:
    assert [s.key for s in CPU_SETTINGS] == list(CpuSettingKey)
    for setting in CPU_SETTINGS:
        assert setting.summary and setting.doc and setting.sources
        assert setting.qemu and setting.libvirt and setting.virt_install


@pytest.mark.parametrize(
    ("model", "vendor", "flag"),
    [("Skylake-Server", None, "vmx"), ("EPYC-Rome", None, "svm"), ("host", "amd", "svm"),
     ("host", "intel", "vmx")],
)  # fmt: skip
def test_virt_flag_follows_the_model(model: str, vendor: str | None, flag: str) -> None:
    assert virt_flag(model, vendor) == flag


def test_named_model_gets_the_flag_host_does_not() -> None:
    named = render_qemu(NESTED, ExportTarget("EPYC", cpu=CpuSettings(nested_virt=True)))
    assert "svm=on" in named
    host = render_qemu(NESTED, ExportTarget("host", cpu=CpuSettings(nested_virt=True)))
    assert "vmx=on" not in host and "svm=on" not in host
    assert "nothing to add" in host


def test_invtsc_without_a_frequency_says_it_blocks_migration() -> None:
    text = render_qemu(NESTED, ExportTarget("host", cpu=CpuSettings(invtsc=True)))
    assert "invtsc: QEMU blocks migration unless tsc-frequency is set" in text
    fixed = render_qemu(NESTED, ExportTarget("host", cpu=replace(EVERYTHING, hide_kvm=None)))
    assert "blocks migration" not in fixed


def test_check_refuses_nested_options_on_a_model_without_vmx(tmp_path: Path) -> None:
    from clirun import run_cli

    path = tmp_path / "n.toml"
    path.write_text(
        'schema = 1\nname = "n"\n[enlightenments]\nrelaxed = true\nvapic = true\n'
        'evmcs = true\n[target]\ncpu-model = "Skylake-Server"\n'
    )
    result = run_cli(["check", str(path)])
    assert result.code == 1 and "[nested-virt-missing]" in result.out
    path.write_text(path.read_text() + "[cpu]\nnested-virt = true\n")
    assert run_cli(["check", str(path)]).code == 0


def _codes(config: Config, **kwargs: object) -> set[str]:
    return {f.code for f in advise(config, make_context(**kwargs))}  # type: ignore[arg-type]


def test_advice_on_the_settings_around() -> None:
    reen = Config.of(relaxed=True, vapic=True, time=True, reenlightenment=True)
    mig = {"intent": "server-migratable", "cpu": CpuSettings()}
    assert FindingCode.TSC_FREQUENCY_MISSING in _codes(reen, **mig)
    fixed = CpuSettings(tsc_frequency=2_000_000_000)
    assert FindingCode.TSC_FREQUENCY_MISSING not in _codes(
        reen, intent="server-migratable", cpu=fixed
    )
    shaky = replace(INTEL, tsc_invariant=False)
    assert FindingCode.INVTSC_UNSTABLE in _codes(NESTED, host=shaky, cpu=CpuSettings(invtsc=True))
    assert FindingCode.INVTSC_UNSTABLE not in _codes(
        NESTED, host=INTEL, cpu=CpuSettings(invtsc=True)
    )
    assert FindingCode.KVM_HIDDEN in _codes(NESTED, cpu=CpuSettings(hide_kvm=True))
    nested = {"intent": "vbs", "cpu": CpuSettings(), "cpu_model": "Cascadelake-Server"}
    assert FindingCode.NESTED_VIRT_MISSING in _codes(Config.of(relaxed=True), **nested)
    assert FindingCode.NESTED_VIRT_MISSING not in _codes(
        Config.of(relaxed=True), intent="vbs", cpu=CpuSettings(), cpu_model="host"
    )


def test_recommend_sets_what_the_intent_and_host_call_for() -> None:
    vbs = recommend(make_context(INTEL, intent="vbs"))
    assert vbs.cpu.nested_virt is True
    assert vbs.cpu.invtsc is (INTEL.tsc_invariant is True and INTEL.clocksource == "tsc")
    migratable = recommend(make_context(INTEL, intent="server-migratable"))
    assert migratable.cpu.invtsc is None
    reasons = dict(migratable.cpu_reasons)
    assert "left out for migration" in reasons[CpuSettingKey.INVTSC]
    gpu = dict(recommend(make_context(INTEL, intent="gpu-passthrough")).cpu_reasons)
    assert gpu[CpuSettingKey.HIDE_KVM].startswith("offered, not set")


@pytest.mark.realtools
@pytest.mark.parametrize("model", ["Skylake-Server", "EPYC"])
def test_qemu_and_libvirt_exports_give_the_same_cpu(
    model: str, tmp_path: Path, embedded: EmbeddedQemuDriver
) -> None:
    target = ExportTarget(model, None, Version(9, 0, 0), cpu=EVERYTHING)
    qemu_args = shlex.split(render_qemu(NESTED, target))
    assert run_qemu(qemu_args).verdict() is None, qemu_args
    ours = parse_cpu_option(qemu_args[qemu_args.index("-cpu") + 1])

    pieces = ET.fromstring("<x>" + render_libvirt(NESTED, target) + "</x>")
    cpu = cpu_settings_element(target)
    assert cpu is not None
    rest = "".join(ET.tostring(e, encoding="unicode") for e in pieces if e.tag != "cpu")
    for domain_type in ("kvm", "qemu"):
        domain = minimal_domain(rest, cpu=ET.tostring(cpu, encoding="unicode"),
                                domain_type=domain_type)  # fmt: skip
        assert xml_validate(domain, tmp_path).code == 0
        defined = virsh_define(domain, tmp_path)
        assert defined.code == 0, defined.err
    native = embedded.native(domain)
    assert native.code == 0, native.err
    argv = shlex.split(native.out)
    theirs = parse_cpu_option(argv[argv.index("-cpu") + 1])
    assert theirs.model == ours.model == model
    assert set(ours.items) <= set(theirs.items), native.out
    # libvirt may add its own model fix-ups (EPYC: monitor=off), never an hv-* or [cpu] one.
    ours_keys = {key for key, _ in ours.items}
    ours_keys |= {"vmx", "svm", "invtsc", "tsc-frequency", "kvm"}
    extra = {key for key, _ in theirs.items} - {key for key, _ in ours.items}
    assert not {k for k in extra if k.startswith("hv-") or k in ours_keys}, native.out
