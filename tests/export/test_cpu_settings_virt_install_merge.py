"""The ``[cpu]`` settings in ``--format virt-install`` and ``export --into DOMAIN.xml``.

virt-install: the real ``virt-install --print-xml`` writes the domain, libvirt's
real QEMU driver turns it into a QEMU command line, and its ``-cpu`` carries
exactly the CPU settings of ``--format qemu`` (vmx/svm, invtsc, tsc-frequency,
kvm).  ``--into``: only the keys the preset sets change, the rest of the domain
means what it meant, the result passes ``virt-xml-validate`` and ``virsh
define``, and libvirt's QEMU driver makes the same ``-cpu`` settings of it.
"""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from export.test_merge_and_safexml import DOMAIN
from export.tools import (
    EmbeddedQemuDriver,
    for_tcg,
    virsh_define,
    virt_install_xml,
    xml_validate,
)
from hvtui.export import (
    ExportTarget,
    VirtInstallExport,
    build_qemu,
    build_virt_install,
    merge_into,
)
from hvtui.formats import libvirt_layout as layout
from hvtui.importers import parse_cpu_option, parse_libvirt_xml, parse_virt_install_args
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import replace
from hvtui.versions import V

EVERYTHING = CpuSettings(nested_virt=True, tsc_frequency=2_800_000_000, invtsc=True, hide_kvm=True)
NESTED = Config.of(relaxed=True, vapic=True, evmcs=True)
#: With hv-time the clock also gets ``hypervclock_present``, so the tsc timer is timer1.
TIMED = Config.of(relaxed=True, vapic=True, vpindex=True, time=True, evmcs=True)
LIBVIRT = V("9.0.0")
#: ``-cpu`` keys the [cpu] table writes (QEMU's spelling).
SETTING_KEYS = frozenset({"vmx", "svm", "invtsc", "tsc-frequency", "kvm"})


def settings_items(cpu_value: str) -> set[tuple[str, str | None]]:
    """The [cpu] items of a ``-cpu`` value."""
    return {(k, v) for k, v in parse_cpu_option(cpu_value).items if k in SETTING_KEYS}


def option(built: VirtInstallExport, name: str) -> str:
    """The value of virt-install option ``name`` (given once)."""
    (value,) = [group[1] for group in built.groups if group[0] == name]
    return value


def cpu_of(argv: list[str]) -> str:
    return argv[len(argv) - 1 - argv[::-1].index("-cpu") + 1]


# -- virt-install: the arguments --------------------------------------------------


@pytest.mark.parametrize("known", [None, frozenset()], ids=["features", "xml-edits"])
@pytest.mark.parametrize("config", [NESTED, TIMED], ids=["no-hv-time", "hv-time"])
@pytest.mark.parametrize(
    ("model", "nested"),
    [("Skylake-Server", True), ("EPYC", True), ("host", None)],
)
def test_virt_install_arguments_read_back_as_the_settings(
    model: str, nested: bool | None, config: Config, known: frozenset[str] | None
) -> None:
    target = ExportTarget(model, None, LIBVIRT, cpu=EVERYTHING)
    built = build_virt_install(config, target, known_features=known)
    imported = parse_virt_install_args(list(built.args))
    assert imported.problems == ()
    assert imported.cpu_settings == replace(EVERYTHING, nested_virt=nested)
    cpu = option(built, "--cpu")
    if model == "host":
        assert cpu == "mode=host-passthrough,require=invtsc"
    else:
        flag = "svm" if model == "EPYC" else "vmx"
        assert cpu == f"{model},match=exact,require={flag},require=invtsc"
    clock = option(built, "--clock").split(",")
    index = 1 if any(item.startswith("hypervclock_present=") for item in clock) else 0
    assert clock[-2:] == [f"timer{index}.name=tsc", f"timer{index}.frequency=2800000000"]


def test_virt_install_without_settings_is_unchanged() -> None:
    plain = build_virt_install(NESTED, ExportTarget("Skylake-Server", None, LIBVIRT))
    assert option(plain, "--cpu") == "Skylake-Server,match=exact"
    words = " ".join(plain.args)
    assert "kvm.hidden" not in words and "timer0." not in words and "timer1." not in words


def test_virt_install_writes_offs_too() -> None:
    off = CpuSettings(invtsc=False, hide_kvm=False, nested_virt=False)
    built = build_virt_install(NESTED, ExportTarget("Skylake-Server", None, LIBVIRT, cpu=off))
    assert option(built, "--cpu") == "Skylake-Server,match=exact,disable=invtsc"
    assert "kvm.hidden.state=off" in " ".join(built.args)
    imported = parse_virt_install_args(list(built.args))
    assert imported.cpu_settings == CpuSettings(invtsc=False, hide_kvm=False)


def test_virt_install_notes_say_what_qemu_notes_say() -> None:
    target = ExportTarget("host", None, LIBVIRT, cpu=CpuSettings(nested_virt=True, invtsc=True))
    notes = build_virt_install(NESTED, target).notes
    assert any("nothing to add" in n for n in notes)
    assert any("invtsc: QEMU blocks migration" in n for n in notes)


# -- virt-install: the real tool and libvirt's QEMU driver ---------------------------


CASES = [
    ("Skylake-Server", EVERYTHING),
    ("EPYC", EVERYTHING),
    ("Skylake-Server", CpuSettings(tsc_frequency=1_000_000_000)),
    ("Cascadelake-Server", CpuSettings(nested_virt=True, invtsc=False, hide_kvm=False)),
    ("qemu64", CpuSettings(hide_kvm=True)),
]


#: The three two-way choices of a run (hv-time, how features are written, the OS), as
#: pairs of opposite combinations: each CPU case runs one pair, so it meets both values
#: of every choice, and the four pairs together are all eight combinations.  (Every
#: case with every combination, 40 runs of virt-install at ~3 s each, tested nothing
#: more: the settings of a case do not interact with the choices.)
OPPOSITE_PAIRS = [
    ((False, False, False), (True, True, True)),
    ((False, True, True), (True, False, False)),
    ((True, False, True), (False, True, False)),
    ((True, True, False), (False, False, True)),
]
RUNS = [
    pytest.param(
        model,
        cpu,
        TIMED if timed else NESTED,
        xml_edits,
        "generic" if generic else "win11",
        id=f"{model}-{i}-{'hv-time' if timed else 'no-hv-time'}-"
        f"{'xml-edits' if xml_edits else 'features'}-{'generic' if generic else 'win11'}",
    )
    for i, (model, cpu) in enumerate(CASES)
    for timed, xml_edits, generic in OPPOSITE_PAIRS[i % len(OPPOSITE_PAIRS)]
]


def test_the_runs_cover_every_choice_with_every_case_and_every_combination() -> None:
    combinations = {(r.values[2] is TIMED, r.values[3], r.values[4]) for r in RUNS}
    assert len(combinations) == 8
    for i in range(len(CASES)):
        mine = [r.values[2:] for r in RUNS if str(r.id).startswith(f"{CASES[i][0]}-{i}-")]
        assert {m[0] is TIMED for m in mine} == {m[1] for m in mine} == {True, False}
        assert {m[2] for m in mine} == {"win11", "generic"}


@pytest.mark.realtools
@pytest.mark.parametrize(("model", "cpu", "config", "xml_edits", "osinfo"), RUNS)
def test_virt_install_gives_qemu_the_settings_of_the_qemu_export(
    model: str,
    cpu: CpuSettings,
    config: Config,
    xml_edits: bool,
    osinfo: str,
    known_features: frozenset[str] | None,
    embedded: EmbeddedQemuDriver,
) -> None:
    target = ExportTarget(model, None, LIBVIRT, cpu=cpu)
    known = frozenset() if xml_edits else known_features
    args = list(build_virt_install(config, target, known_features=known).args)
    native = embedded.native(for_tcg(virt_install_xml(args, osinfo)))
    assert native.code == 0, native.err
    theirs = settings_items(cpu_of(shlex.split(native.out)))
    ours = settings_items(build_qemu(config, target).cpu)
    assert theirs == ours, f"virt-install {shlex.join(args)} made QEMU run with {native.out}"
    # libvirt writes no kvm=on for <hidden state='off'>: QEMU's default, like leaving it out.
    expected = cpu if cpu.hide_kvm else replace(cpu, hide_kvm=None)
    assert parse_cpu_option(cpu_of(shlex.split(native.out))).model == model
    from hvtui.importers import parse_qemu_args

    assert parse_qemu_args(shlex.split(native.out)).cpu_settings == expected


# -- export --into ------------------------------------------------------------------

NAMED = (
    DOMAIN.replace(
        "<cpu mode='host-passthrough' check='none' migratable='on'>",
        "<cpu mode='custom' match='exact' check='none'>\n"
        "    <model fallback='forbid'>Skylake-Server</model>\n"
        "    <feature policy='disable' name='vmx'/>\n"
        "    <feature policy='require' name='pcid'/>",
    )
    .replace(
        "<timer name='hypervclock' present='yes'/>",
        "<timer name='hypervclock' present='yes'/>\n"
        "    <timer name='tsc' mode='native' frequency='1000000000'/>",
    )
    .replace("<kvm><hidden state='on'/></kvm>", "<kvm><hint-dedicated state='on'/></kvm>")
)
NO_CPU = "<domain type='kvm'><name>bare</name><memory>262144</memory>" \
    "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>"  # fmt: skip

#: What hvtui's [cpu] merge may touch; everything else must stay.
MANAGED_FEATURES = {"vmx", "svm", "invtsc"}


def _strip_cpu_settings(text: str) -> str:
    """The document without what the [cpu] merge manages, canonical and whitespace-free."""
    root = ET.fromstring(text.encode())
    for cpu in root.findall(layout.CPU):
        for feature in cpu.findall(layout.CPU_FEATURE):
            if feature.get(layout.FEATURE_NAME) in MANAGED_FEATURES:
                cpu.remove(feature)
    for clock in root.findall(layout.CLOCK):
        for timer in clock.findall(layout.TIMER):
            if timer.get(layout.TIMER_NAME) == layout.TSC_TIMER:
                timer.attrib.pop(layout.TIMER_FREQUENCY, None)
                if timer.attrib == {layout.TIMER_NAME: layout.TSC_TIMER}:
                    clock.remove(timer)
    for kvm in root.findall(f"{layout.FEATURES}/{layout.KVM}"):
        for hidden in kvm.findall(layout.KVM_HIDDEN):
            kvm.remove(hidden)
    for element in root.iter():
        element.text = (element.text or "").strip() or None
        element.tail = (element.tail or "").strip() or None
    return ET.canonicalize(ET.tostring(root, encoding="unicode"), strip_text=True)


def _merge(domain: str, cpu: CpuSettings, model: str = "host") -> str:
    return merge_into(domain, NESTED, ExportTarget(model, None, LIBVIRT, cpu=cpu)).text


@pytest.mark.parametrize("domain", [DOMAIN, NAMED], ids=["host-passthrough", "named"])
@pytest.mark.parametrize(
    "cpu",
    [EVERYTHING, CpuSettings(tsc_frequency=2_000_000_000), CpuSettings(hide_kvm=False),
     CpuSettings(nested_virt=False, invtsc=False), CpuSettings(invtsc=True)],
)  # fmt: skip
def test_merge_changes_only_what_the_preset_sets(domain: str, cpu: CpuSettings) -> None:
    base = _merge(domain, CpuSettings())
    merged = _merge(domain, cpu)
    assert _strip_cpu_settings(merged) == _strip_cpu_settings(base)
    assert _merge(merged, cpu) == merged  # idempotent
    before = parse_libvirt_xml(base).cpu_settings
    after = parse_libvirt_xml(merged).cpu_settings
    for key, value in before.items():
        if cpu.get(key) is None:
            assert after.get(key) == value, key  # a key the preset leaves alone stays
    for key, value in cpu.items():
        if key.value == "nested-virt" and "host-passthrough" in domain:
            continue  # host passes vmx through: nothing written, nothing to read
        if key.value == "nested-virt" and value is False:
            assert not after.nested_virt
            continue
        assert after.get(key) == value, key


def test_merge_keeps_the_cpu_model_offset_and_other_timers() -> None:
    merged = _merge(NAMED, EVERYTHING)
    root = ET.fromstring(merged)
    cpu = root.find(layout.CPU)
    assert cpu is not None and cpu.findtext(layout.CPU_MODEL) == "Skylake-Server"
    features = [(f.get("policy"), f.get("name")) for f in cpu.findall(layout.CPU_FEATURE)]
    assert features == [("require", "pcid"), ("require", "vmx"), ("require", "invtsc")]
    clock = root.find(layout.CLOCK)
    assert clock is not None and clock.get("offset") == "localtime"
    timers = [t.attrib for t in clock.findall(layout.TIMER)]
    assert {"name": "tsc", "mode": "native", "frequency": "2800000000"} in timers
    # hypervclock is hv-time's, which NESTED leaves out: the merge removes it.
    assert [t["name"] for t in timers] == ["rtc", "tsc"]
    kvm = root.find(f"{layout.FEATURES}/{layout.KVM}")
    assert kvm is not None and [c.tag for c in kvm] == ["hint-dedicated", "hidden"]


def test_merge_on_host_passthrough_removes_only_a_disabled_vmx() -> None:
    domain = DOMAIN.replace(
        "<topology sockets='1' dies='1' cores='4' threads='2'/>",
        "<topology sockets='1' dies='1' cores='4' threads='2'/>\n"
        "    <feature policy='disable' name='vmx'/>",
    )
    target = ExportTarget("host", None, LIBVIRT, cpu=CpuSettings(nested_virt=True))
    result = merge_into(domain, NESTED, target)
    assert 'name="vmx"' not in result.text
    assert any("removed <feature policy='disable' name='vmx'>" in n for n in result.notes)
    assert any("nothing to add" in n for n in result.notes)


def test_merge_adds_a_cpu_when_features_need_one() -> None:
    result = merge_into(
        NO_CPU, NESTED, ExportTarget("Skylake-Server", None, LIBVIRT, cpu=EVERYTHING)
    )
    assert any("CPU features need a CPU model" in n for n in result.notes)
    assert parse_libvirt_xml(result.text).cpu_settings == EVERYTHING
    clock_only = CpuSettings(tsc_frequency=2_000_000_000)
    only_clock = merge_into(
        NO_CPU, NESTED, ExportTarget("Skylake-Server", None, LIBVIRT, cpu=clock_only)
    )
    assert "<cpu" not in only_clock.text and 'frequency="2000000000"' in only_clock.text


def test_merge_on_host_model_says_nested_is_left_to_the_user() -> None:
    domain = DOMAIN.replace(
        "<cpu mode='host-passthrough' check='none' migratable='on'>", "<cpu mode='host-model'>"
    )
    result = merge_into(domain, NESTED, ExportTarget("host", None, LIBVIRT, cpu=EVERYTHING))
    assert any("nested-virt not written" in n for n in result.notes)
    assert not any("nothing to add" in n for n in result.notes)
    assert parse_libvirt_xml(result.text).cpu_settings == replace(EVERYTHING, nested_virt=None)


@pytest.mark.realtools
@pytest.mark.parametrize(
    ("domain", "model"),
    [(NAMED, "Skylake-Server"), (NO_CPU, "EPYC"), (DOMAIN, "host")],
    ids=["named", "no-cpu", "host-passthrough"],
)
@pytest.mark.parametrize("cpu", [EVERYTHING, CpuSettings(invtsc=False, hide_kvm=False)])
def test_merged_domain_is_what_libvirt_accepts_and_runs(
    domain: str,
    model: str,
    cpu: CpuSettings,
    tmp_path: Path,
    embedded: EmbeddedQemuDriver,
) -> None:
    target = ExportTarget(model, None, LIBVIRT, cpu=cpu)
    merged = merge_into(domain, NESTED, target).text
    validated = xml_validate(merged, tmp_path)
    assert validated.code == 0, validated.err or validated.out
    defined = virsh_define(merged, tmp_path)
    assert defined.code == 0, defined.err
    if model == "host":
        return  # host-passthrough needs KVM: libvirt's QEMU driver here runs TCG only
    root = ET.fromstring(merged)
    root.set("type", "qemu")  # TCG, and nothing the fixture's <vcpu> and devices need
    for devices in root.findall(layout.DEVICES):
        root.remove(devices)
    for element in root.findall(layout.CPU):
        for topology in element.findall("topology"):
            element.remove(topology)
    ET.register_namespace(layout.QEMU_PREFIX, layout.QEMU_NS)
    native = embedded.native(ET.tostring(root, encoding="unicode"))
    assert native.code == 0, native.err
    # Only the keys the preset sets: the domain's own <feature>s stay (NAMED disables vmx).
    keys = {
        key
        for key, setting in (("vmx", cpu.nested_virt), ("svm", cpu.nested_virt),
                             ("invtsc", cpu.invtsc), ("tsc-frequency", cpu.tsc_frequency),
                             ("kvm", cpu.hide_kvm))
        if setting is not None
    }  # fmt: skip
    theirs = {item for item in settings_items(cpu_of(shlex.split(native.out))) if item[0] in keys}
    assert theirs == settings_items(build_qemu(NESTED, target).cpu), native.out
