"""The formats themselves: exact output, libvirt placement decisions, round trips, hostile values.

Everything here is pure Python; ``test_export_realtools.py`` checks the same
output against the installed QEMU and libvirt.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from export.strategies import libvirt_versions, valid_configs
from export.tools import virt_install_expressed
from hvtui import catalog, presets
from hvtui.catalog import LibvirtKind, Severity
from hvtui.export import (
    ExportError,
    ExportTarget,
    build_qemu,
    build_virt_install,
    export_findings,
    newest_libvirt,
    plan_libvirt,
    qemu_findings,
    render,
    render_libvirt,
    render_qemu,
    render_virt_install,
    resolve_target,
)
from hvtui.export.context import drop_unknown_offs
from hvtui.export.virtinstall import DOUBLE_ESCAPED
from hvtui.formats.spelling import qemu_value
from hvtui.importers import (
    parse_libvirt_xml,
    parse_qemu_args,
    parse_qemu_command,
    parse_virt_install_command,
)
from hvtui.model import Config, FindingCode, validate
from hvtui.presets import Target
from hvtui.versions import V, Version


def target(
    libvirt: str | None = None, model: str = "host", qemu: str | None = None
) -> ExportTarget:
    return ExportTarget(
        model,
        V(qemu) if qemu else None,
        V(libvirt) if libvirt else newest_libvirt(),
    )


def shipped() -> list[presets.Preset]:
    found = [presets.load(p) for p in sorted(presets.shipped_dir().glob("*.toml"))]
    assert found, "no shipped presets found"
    return found


# -- qemu ----------------------------------------------------------------------


def test_qemu_windows_desktop_is_the_documented_string() -> None:
    preset = presets.find("windows-desktop")
    assert render_qemu(preset.config, target()) == (
        "-cpu host,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-vpindex=on,"
        "hv-runtime=on,hv-time=on,hv-synic=on,hv-stimer=on,hv-tlbflush=on,hv-ipi=on,"
        "hv-frequencies=on,hv-stimer-direct=on\n"
    )


def test_qemu_properties_follow_catalog_order_whatever_the_input_order() -> None:
    names = list(reversed(catalog.names()))
    config = Config.of({n: catalog.get(n).default for n in names})
    built = build_qemu(config, target())
    props = [item.partition("=")[0] for item in built.cpu.split(",")[1:]]
    assert props == [catalog.get(n).qemu_property for n in catalog.names()]


def test_qemu_writes_explicit_off_hex_and_strings() -> None:
    config = Config.of(
        relaxed=True,
        stimer=False,
        spinlocks=0xFFF,
        vendor_id="KVM Hv",
        no_nonarch_coresharing="auto",
        version_id_build=100,
    )
    built = build_qemu(config, target(model="Skylake-Server"))
    assert built.cpu == (
        "Skylake-Server,hv-relaxed=on,hv-spinlocks=0xfff,hv-stimer=off,hv-vendor-id=KVM Hv,"
        "hv-no-nonarch-coresharing=auto,hv-version-id-build=100"
    )
    assert "'" in render_qemu(config, target()), "a value with a space must be quoted"


def test_qemu_adds_the_catalogs_extra_arguments_once() -> None:
    syndbg = catalog.get("syndbg")
    config = Config().enable("syndbg").after
    built = build_qemu(config, target())
    assert built.args[2:] == syndbg.extra_qemu_args
    assert parse_qemu_command(render_qemu(config, target())).extra_args == (syndbg.extra_qemu_args)


def test_qemu_notes_what_reenlightenment_needs_for_migration() -> None:
    config = Config().enable("reenlightenment").after
    text = render_qemu(config, target())
    entry = catalog.get("reenlightenment")
    assert f"# {entry.qemu_property}: {entry.migration_note}" in text
    assert "tsc-frequency=" in text
    assert text.splitlines()[-1].startswith("-cpu "), "notes come before the arguments"


def test_qemu_refuses_a_value_with_a_comma_even_without_validation() -> None:
    config = Config.of(vendor_id="a,hv-evmcs=on")
    assert validate(config), "the model refuses it"
    with pytest.raises(ExportError, match="may not contain ','"):
        render_qemu(config, target())


# -- target and findings ---------------------------------------------------------


def test_precedence_preset_beats_cli_versions_and_cli_beats_preset_model() -> None:
    preset_target = Target("Skylake-Server", V("7.2"), V("9.0.0"))
    resolved, notes = resolve_target(
        preset_target, cpu_model="host", qemu=V("8.0"), libvirt=V("10.0.0"), detect=False
    )
    assert (resolved.cpu_model, resolved.qemu, resolved.libvirt) == ("host", V("7.2"), V("9.0.0"))
    assert (resolved.cpu_model_source, resolved.qemu_source, resolved.libvirt_source) == (
        "cli",
        "preset",
        "preset",
    )
    assert len(notes) == 3


def test_precedence_falls_back_to_cli_then_detection_then_newest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hvtui.export import context

    resolved, _ = resolve_target(Target(), libvirt=V("8.0.0"), detect=False)
    assert (resolved.libvirt, resolved.libvirt_source) == (V("8.0.0"), "cli")
    monkeypatch.setattr(context, "detected_libvirt", lambda: V("9.0.0"))
    resolved, _ = resolve_target(Target(), detect=True)
    assert (resolved.libvirt, resolved.libvirt_source) == (V("9.0.0"), "detected")
    resolved, _ = resolve_target(Target(), detect=lambda: V("8.10.0"))
    assert (resolved.libvirt, resolved.libvirt_source) == (V("8.10.0"), "detected")
    resolved, _ = resolve_target(Target(libvirt=V("5.7.0")), detect=lambda: V("8.10.0"))
    assert resolved.libvirt_source == "preset", "detection only when nothing names a version"
    monkeypatch.setattr(context, "detected_libvirt", lambda: None)
    resolved, _ = resolve_target(Target(), detect=True)
    assert (resolved.libvirt, resolved.libvirt_source) == (newest_libvirt(), "newest")
    assert resolved.cpu_model == "host" and resolved.qemu is None
    assert all(
        e.libvirt.since is None or e.libvirt.since <= newest_libvirt() for e in catalog.ENTRIES
    )


def test_detection_failures_mean_not_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    from hvtui.detect import versions
    from hvtui.export import context

    def broken() -> Version | None:
        raise OSError("no libvirt here")

    monkeypatch.setattr(versions, "libvirt_version", broken)
    assert context.detected_libvirt() is None
    monkeypatch.setattr(versions, "libvirt_version", lambda: V("9.0.0"))
    assert context.detected_libvirt() == V("9.0.0")


def test_cpu_model_must_be_a_plain_name() -> None:
    with pytest.raises(ExportError):
        resolve_target(Target(), cpu_model="host,hv-evmcs=on", detect=False)


def test_qemu_version_check_names_the_version_that_added_the_option() -> None:
    config = Config.of(relaxed=True, xmm_input=True, syndbg=False)
    found = qemu_findings(config, target(qemu="6.2"))
    assert [f.options[0] for f in found] == ["xmm-input"]
    assert "added in QEMU 7.1" in found[0].message and "QEMU 6.2" in found[0].message
    assert qemu_findings(config, target(qemu="7.2")) == []
    assert qemu_findings(config, target()) == [], "no target QEMU, no check"


def test_an_explicit_off_the_target_qemu_does_not_know_is_left_out() -> None:
    config = Config.of(relaxed=True, syndbg=False)
    old = build_qemu(config, target(qemu="6.2"))
    assert old.cpu == "host,hv-relaxed=on"
    assert any("hv-syndbg left out: QEMU 6.2" in note for note in old.notes)
    assert build_qemu(config, target(qemu="7.2")).cpu == "host,hv-relaxed=on,hv-syndbg=off"


def test_export_findings_include_validation_errors() -> None:
    config = Config.of(stimer=True)
    codes = {f.code for f in export_findings(config, target())}
    assert codes == {FindingCode.MISSING_DEPENDENCY}


# -- libvirt placement -------------------------------------------------------------


def _reasons(config: Config, libvirt: str) -> dict[str, str]:
    return {f.entry.name: f.reason for f in plan_libvirt(config, target(libvirt)).fallback}


def test_options_newer_than_the_target_libvirt_fall_back_with_the_version() -> None:
    config = Config.of(
        vapic=True,
        vpindex=True,
        tlbflush=True,
        tlbflush_ext=True,
        tlbflush_direct=True,
        emsr_bitmap=True,
        xmm_input=True,
        avic=True,
    )
    at_9 = _reasons(config, "9.0.0")
    assert set(at_9) == {"tlbflush-ext", "tlbflush-direct", "emsr-bitmap", "xmm-input"}
    for name, reason in at_9.items():
        assert f"added in libvirt {catalog.get(name).libvirt.since}" in reason
    assert set(_reasons(config, "8.9.0")) == set(at_9) | {"avic"}
    assert _reasons(config, str(newest_libvirt())) == {}


def test_elements_without_libvirt_spelling_always_fall_back() -> None:
    names = [e.name for e in catalog.ENTRIES if e.libvirt.kind is LibvirtKind.NONE]
    config = Config.of(
        {
            n: catalog.get(n).suggested or True
            for n in names
            if catalog.get(n).kind is not catalog.ValueKind.TRISTATE
        }
    )
    plan = plan_libvirt(config, target())
    assert {f.entry.name for f in plan.fallback} == set(config.enabled())
    assert all(f.reason == "libvirt has no element for it" for f in plan.fallback)


def test_spinlocks_below_libvirts_minimum_go_through_global() -> None:
    minimum = catalog.get("spinlocks").libvirt.minimum
    assert minimum is not None
    low = plan_libvirt(Config.of(spinlocks=minimum - 1), target("9.0.0"))
    assert [f.entry.name for f in low.fallback] == ["spinlocks"]
    assert low.global_args()[0][2] == f"host-x86_64-cpu.hv-spinlocks={minimum - 1:#x}"
    ok = plan_libvirt(Config.of(spinlocks=minimum), target("9.0.0"))
    assert ok.fallback == () and ok.native_value(catalog.get("spinlocks")) == minimum


def test_a_child_element_needs_its_parent_on() -> None:
    alone = plan_libvirt(Config.of(vapic=True, tlbflush_direct=True), target())
    assert [f.entry.name for f in alone.fallback] == ["tlbflush-direct"]
    assert "only while tlbflush is on" in alone.fallback[0].reason
    nested = plan_libvirt(
        Config.of(vapic=True, vpindex=True, tlbflush=True, tlbflush_direct=True), target()
    )
    assert nested.fallback == ()
    assert '<tlbflush state="on">\n      <direct state="on" />' in render_libvirt(
        nested.expressed(), target()
    )


def test_passthrough_is_a_mode_and_overrides_the_list() -> None:
    config = Config().enable("passthrough").after.enable("syndbg").after
    config = config.with_values([("relaxed", True), ("spinlocks", 0x1FFF)])
    plan = plan_libvirt(config, target("8.0.0"))
    assert [e.name for e, _ in plan.native] == ["passthrough"]
    assert [f.entry.name for f in plan.fallback] == ["syndbg"]
    assert {o.entry.name for o in plan.omitted} == set(config.overridden_by_passthrough())
    text = render_libvirt(config, target("8.0.0"))
    assert '<hyperv mode="passthrough" />' in text
    assert 'value="vmbus-bridge,irq=15"' in text
    before = plan_libvirt(config, target("7.10.0"))
    assert {f.entry.name for f in before.fallback} == {"passthrough", "syndbg"}
    assert "<features>" not in render_libvirt(config, target("7.10.0"))


def test_explicit_off_is_written_where_libvirt_can_say_it() -> None:
    config = Config.of(relaxed=False, time=False, crash=False, no_nonarch_coresharing="off")
    plan = plan_libvirt(config, target())
    assert {e.name for e, _ in plan.native} == {"relaxed", "time"}
    assert {o.entry.name for o in plan.omitted} == {"crash", "no-nonarch-coresharing"}
    text = render_libvirt(config, target())
    assert '<relaxed state="off" />' in text and 'present="no"' in text
    assert "<panic" not in text


def test_snippet_declares_the_qemu_namespace_on_its_commandline() -> None:
    config = Config.of(xmm_input=True)
    text = render_libvirt(config, target("9.0.0"))
    assert '<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">' in text
    assert "--" not in text.replace("<!--", "").replace("-->", "")


# -- round trips ---------------------------------------------------------------------


def _check_round_trip(
    config: Config, libvirt: Version, model: str, qemu_version: Version | None = None
) -> None:
    tgt = ExportTarget(model, qemu_version, libvirt)
    qemu = parse_qemu_command(render_qemu(config, tgt))
    assert qemu.config == drop_unknown_offs(config, tgt)[0]
    if qemu_version is None:
        assert qemu.config == config
    assert qemu.cpu_model == model and qemu.problems == ()
    plan = plan_libvirt(config, tgt)
    back = parse_libvirt_xml(render_libvirt(config, tgt))
    assert back.config == plan.expressed()
    assert back.problems == ()
    for item in plan.omitted:
        assert item.entry.name in config.overridden_by_passthrough() or not config.is_on(
            item.entry.name
        ), f"{item.entry.name} left out although it is on: {item.reason}"
    kept = Config.of({n: v for n, v in config if n not in {o.entry.name for o in plan.omitted}})
    assert plan.expressed() == kept
    try:
        virt = render_virt_install(config, tgt)
    except ExportError as exc:
        assert exc.code == 1 and set(str(config.get("vendor-id"))) & DOUBLE_ESCAPED
    else:
        expressed = virt_install_expressed(config, tgt)
        assert parse_virt_install_command(virt).config == expressed
    known = frozenset({"hyperv.relaxed.state", "hyperv.spinlocks.state"})
    try:
        old = render_virt_install(config, tgt, known_features=known)
    except ExportError:
        pass
    else:
        expressed = virt_install_expressed(config, tgt, known)
        assert parse_virt_install_command(old).config == expressed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs(), libvirt_versions(), st.sampled_from(["host", "qemu64", "EPYC-v4"]))
def test_every_format_parses_back_to_the_configuration(
    config: Config, libvirt: Version, model: str
) -> None:
    _check_round_trip(config, libvirt, model)


@pytest.mark.parametrize("preset", shipped(), ids=lambda p: p.name)
def test_shipped_presets_round_trip_at_their_target(preset: presets.Preset) -> None:
    tgt, _ = resolve_target(preset.target, detect=False)
    assert export_findings(preset.config, tgt) == []
    _check_round_trip(preset.config, tgt.libvirt, tgt.cpu_model, tgt.qemu)
    for libvirt in (V("9.0.0"), newest_libvirt()):
        _check_round_trip(preset.config, libvirt, tgt.cpu_model)


# -- hostile values ------------------------------------------------------------------

HOSTILE = [
    "'",
    '"',
    "<",
    ">",
    "&",
    "&amp;",
    "]]>",
    "a'b\"c",
    "$(reboot)",
    "`id`",
    "a b",
    " ",
    "x,y",
    ",",
    "a,,b",
    "é",
    "Ω",
    "\u202e",
    "\n",
    "a\nb",
    "\x00",
    "\\",
    "--",
    "a--b",
    "<!--",
    "=",
    "a=b",
    "#",
    ";rm -rf",
    "*",
    "~",
    "%s",
    "{}",
    "KVMKVMKVMKVMK",
    "",
]


def _all_outputs_read_back(config: Config, value: str) -> None:
    """Every format carries ``value`` exactly, or refuses it with a clear error."""
    for libvirt in (V("1.3.3"), V("1.3.2"), V("9.0.0")):
        tgt = ExportTarget("host", None, libvirt)
        assert parse_qemu_command(render_qemu(config, tgt)).config.get("vendor-id") == value
        assert parse_libvirt_xml(render_libvirt(config, tgt)).config.get("vendor-id") == value
        try:
            virt = render_virt_install(config, tgt)
        except ExportError as exc:
            assert set(value) & DOUBLE_ESCAPED, str(exc)
        else:
            assert parse_virt_install_command(virt).config.get("vendor-id") == value
    preset = presets.Preset("hostile", config)
    data = json.loads(render("json", preset, target()))
    assert data["config"]["vendor-id"] == value
    qemu_text = data["formats"]["qemu"]["text"]
    assert parse_qemu_command(qemu_text).config.get("vendor-id") == value
    assert presets.loads(render("toml", preset, target())).config.get("vendor-id") == value


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=16),
        st.text(string.punctuation + " ", min_size=1, max_size=12),
    )
)
@example("a'<&\" b")
def test_hostile_strings_are_refused_by_the_model_or_survive_every_format(value: str) -> None:
    config = Config.of(relaxed=True, vendor_id=value)
    errors = [f for f in validate(config) if f.severity is Severity.ERROR]
    if errors:
        assert errors[0].code == FindingCode.INVALID_VALUE
        assert export_findings(config, target()), "the export refuses what the model refuses"
        return
    assert value and "," not in value and value.isascii() and value.isprintable()
    _all_outputs_read_back(config, value)


def test_a_hostile_value_is_escaped_not_pasted() -> None:
    value = "a'<&\" b"
    config = Config.of(relaxed=True, vendor_id=value)
    assert 'vendor_id state="on" value="a\'&lt;&amp;&quot; b"' in render_libvirt(config, target())
    assert "hv-vendor-id=a'\"'\"'<&\" b" in render_qemu(config, target())
    with pytest.raises(ExportError, match="#838"):
        build_virt_install(config, target())


def test_qemu_value_spelling_matches_the_parser_for_every_kind() -> None:
    for entry in catalog.ENTRIES:
        value = entry.default
        text = qemu_value(entry, value)
        parsed = parse_qemu_args(["-cpu", f"host,{entry.qemu_property}={text}"]).config
        assert parsed.get(entry.name) == value, entry.name
