"""Exports checked against the installed QEMU and libvirt.

- QEMU: every ``hv-*`` property and value of the ``-cpu`` string is one
  ``-device <model>-x86_64-cpu,help`` lists with a matching type, and QEMU's
  own parser accepts the whole command line (it may then fail only for lack of
  KVM, see ``tools.ACCEPTED_FAILURES``).
- libvirt: the snippet in a minimal domain validates with ``virt-xml-validate``
  and ``virsh -c test:///default define`` accepts it; libvirt's real QEMU driver
  (embedded in virsh) turns it into a QEMU command line whose Hyper-V options
  are exactly what the plan says, and QEMU accepts that ``-cpu`` with our
  ``-global`` lines.
"""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from export.cases import SHIPPED, TCG_MODEL
from export.strategies import libvirt_versions, valid_configs
from export.tools import (
    EmbeddedQemuDriver,
    cpu_property_types,
    installed_libvirt,
    minimal_domain,
    run_qemu,
    value_fits,
    virsh_define,
    xml_validate,
)
from hvtui import presets
from hvtui.export import (
    ExportTarget,
    build_qemu,
    merge_into,
    plan_libvirt,
    render_libvirt,
    render_qemu,
    resolve_target,
)
from hvtui.export.libvirt import cpu_element
from hvtui.formats.safexml import parse as parse_xml
from hvtui.importers import parse_cpu_option, parse_domain, parse_qemu_args, split_command
from hvtui.model import Config
from hvtui.versions import V, Version

pytestmark = pytest.mark.realtools


def check_qemu(config: Config, model: str, qemu: Version | None = None) -> None:
    """The QEMU export on the real QEMU: property names, types, and its parser."""
    target = ExportTarget(model, qemu)
    args = split_command(render_qemu(config, target))
    assert args[0] == "-cpu"
    types = cpu_property_types(model)
    option = parse_cpu_option(args[1])
    assert option.model == model
    for key, value in option.items:
        assert key in types, f"QEMU's {model} CPU has no property {key}"
        assert value is not None and value_fits(types[key], value), (
            f"{key}={value!r} does not fit QEMU's type {types[key]}"
        )
    verdict = run_qemu(list(args)).verdict()
    assert verdict is None, f"{shlex.join(args)}: {verdict}"
    extra = build_qemu(config, target).extra
    if extra:
        # With a host CPU QEMU stops before creating devices; check them on a plain CPU.
        plain = [word for group in extra for word in group]
        verdict = run_qemu(["-cpu", TCG_MODEL, *plain]).verdict()
        assert verdict is None, f"{shlex.join(plain)}: {verdict}"


def check_libvirt(
    config: Config,
    libvirt: Version,
    model: str,
    tmp_path: Path,
    embedded: EmbeddedQemuDriver,
) -> None:
    """The libvirt snippet on libvirt's schema, its parser and its QEMU driver."""
    target = ExportTarget(model, None, libvirt)
    cpu = ET.tostring(cpu_element(model), encoding="unicode")
    domain = minimal_domain(render_libvirt(config, target), cpu=cpu)
    validated = xml_validate(domain, tmp_path)
    assert validated.code == 0, validated.err + validated.out
    defined = virsh_define(domain, tmp_path)
    assert defined.code == 0, defined.err

    tcg = ExportTarget(TCG_MODEL, None, libvirt)
    plan = plan_libvirt(config, tcg)
    tcg_cpu = ET.tostring(cpu_element(TCG_MODEL), encoding="unicode")
    tcg_domain = minimal_domain(render_libvirt(config, tcg), cpu=tcg_cpu, domain_type="qemu")
    native = embedded.native(tcg_domain)
    assert native.code == 0, native.err
    argv = shlex.split(native.out)
    imported = parse_qemu_args(argv)
    expected = Config.of({n: v for n, v in plan.expressed() if config.is_on(n)})
    assert imported.config == expected, f"libvirt built: {native.out}"
    assert imported.problems == ()
    for _entry, group in plan.extra:
        assert any(tuple(argv[i : i + len(group)]) == group for i in range(len(argv)))
    own_globals = [
        word
        for _f, option, setting in plan_libvirt(config, target).global_args()
        for word in (option, setting)
    ]
    verdict = run_qemu(["-cpu", model, *own_globals]).verdict()
    assert verdict is None, f"{shlex.join(own_globals)}: {verdict}"
    cpu_and_globals: list[str] = []
    for i, word in enumerate(argv[:-1]):
        if word in ("-cpu", "-global"):
            cpu_and_globals += [word, argv[i + 1]]
    verdict = run_qemu(cpu_and_globals).verdict()
    assert verdict is None, f"{shlex.join(cpu_and_globals)}: {verdict}"


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_shipped_presets_on_real_qemu(preset: presets.Preset) -> None:
    target, _ = resolve_target(preset.target, detect=False)
    check_qemu(preset.config, target.cpu_model, target.qemu)


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
@pytest.mark.parametrize("libvirt", ["target", "installed"])
def test_shipped_presets_on_real_libvirt(
    preset: presets.Preset, libvirt: str, tmp_path: Path, embedded: EmbeddedQemuDriver
) -> None:
    """At the preset's own target and at the installed libvirt (newer targets use
    elements the installed schema cannot know, which is what fallbacks are for)."""
    target, _ = resolve_target(preset.target, detect=False)
    version = (
        min(target.libvirt, installed_libvirt()) if libvirt == "target" else (installed_libvirt())
    )
    check_libvirt(preset.config, version, target.cpu_model, tmp_path, embedded)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@pytest.mark.long
@given(
    config=valid_configs(), libvirt=libvirt_versions(), model=st.sampled_from(["host", TCG_MODEL])
)
def test_generated_configurations_on_real_tools(
    config: Config,
    libvirt: Version,
    model: str,
    tmp_path: Path,
    embedded: EmbeddedQemuDriver,
) -> None:
    check_qemu(config, model)
    check_libvirt(config, min(libvirt, installed_libvirt()), model, tmp_path, embedded)


def test_hostile_vendor_string_reaches_qemu_unchanged(
    tmp_path: Path, embedded: EmbeddedQemuDriver
) -> None:
    """Quotes, ``<``, ``&``, spaces and ``$(...)`` pass QEMU's parser and libvirt's
    schema, parser and QEMU driver, and arrive as exactly the same string."""
    config = Config.of(relaxed=True, vendor_id="a'<&\" b$(x)")
    check_qemu(config, "host")
    check_libvirt(config, installed_libvirt(), "host", tmp_path, embedded)


def test_qemu_rejections_are_recognised() -> None:
    """The verdict must fail on what QEMU refuses, or the checks above prove nothing."""
    assert run_qemu(["-cpu", "host,hv-relaxed=on,hv-bogus=on"]).verdict() is not None
    assert run_qemu(["-cpu", "host,hv-spinlocks=0x1ffffffff"]).verdict() is not None
    assert run_qemu(["-cpu", "host", "-global", "host-x86_64-cpu.hv-nope=on"]).verdict()
    assert run_qemu(["-cpu", TCG_MODEL, "-device", "vmbus-bridge,irq=15,bogus=1"]).verdict()
    assert run_qemu(["-cpu", "host,hv-relaxed=on"]).verdict() is None


def test_libvirt_rejections_are_recognised(tmp_path: Path) -> None:
    """virt-xml-validate and virsh must refuse what libvirt 9.0 cannot take."""
    cpu = "<cpu mode='host-passthrough'/>"
    too_new = minimal_domain(
        "<features><hyperv mode='custom'><xmm_input state='on'/></hyperv></features>", cpu=cpu
    )
    assert xml_validate(too_new, tmp_path).code != 0
    low = minimal_domain(
        "<features><hyperv><spinlocks state='on' retries='100'/></hyperv></features>", cpu=cpu
    )
    assert virsh_define(low, tmp_path).code != 0


def test_merged_domain_is_accepted_by_libvirt(tmp_path: Path) -> None:
    domain = (
        "<domain type='kvm'>\n  <name>merged</name>\n  <memory unit='MiB'>256</memory>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        "  <features><acpi/><hyperv><relaxed state='on'/></hyperv></features>\n"
        "  <clock offset='localtime'><timer name='rtc' tickpolicy='catchup'/></clock>\n"
        "  <devices/>\n</domain>\n"
    )
    config = Config.of(
        relaxed=True,
        vapic=True,
        vpindex=True,
        synic=True,
        time=True,
        stimer=True,
        crash=True,
        xmm_input=True,
        spinlocks=100,
    )
    merged = merge_into(domain, config, ExportTarget("host", None, V("9.0.0")))
    assert xml_validate(merged.text, tmp_path).code == 0
    assert virsh_define(merged.text, tmp_path).code == 0
    assert parse_domain(parse_xml(merged.text, source="m").root).config == config
