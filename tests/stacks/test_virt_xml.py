"""``--format virt-xml``: the edits, replayed on a domain that has everything on, give exactly
the preset; the real virt-xml (4.1) applies them the same way, and libvirt's QEMU driver then
gives QEMU exactly the preset's flags."""

from __future__ import annotations

import shlex
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from export.cases import SHIPPED, TCG_MODEL, real_tool_cases
from export.strategies import libvirt_versions, valid_configs
from export.tools import EmbeddedQemuDriver, require, virtinst_runner
from hypothesis import HealthCheck, given, settings

from hvtui import presets
from hvtui.export import ExportError, ExportTarget, newest_libvirt, resolve_target
from hvtui.export.virtinstall import DOUBLE_ESCAPED
from hvtui.export.virtxml import DOMAIN_WORD, build_virt_xml, render_virt_xml
from hvtui.formats import libvirt_layout as layout
from hvtui.importers import parse_domain, parse_libvirt_xml, parse_qemu_args
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import replace
from hvtui.versions import V, Version
from stacks.helpers import add_commandline, apply_edits, everything_on_domain, on_values

#: Debian 12's libvirt: the real tools here (the test driver refuses elements it lacks).
LOCAL_LIBVIRT = V("9.0.0")


def _replayed(config: Config, target: ExportTarget, start: ET.Element) -> Config:
    built = build_virt_xml(config, target)
    apply_edits(start, built.edits)
    if built.qemu_args:
        add_commandline(start, built.qemu_args)
    imported = parse_domain(start)
    assert imported.problems == (), imported.problems
    return on_values(imported.config)


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_editing_a_domain_with_everything_on_gives_the_preset(preset: presets.Preset) -> None:
    target = resolve_target(preset.target, detect=False)[0]
    assert _replayed(preset.config, target, everything_on_domain(newest_libvirt())) == on_values(
        preset.config
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=valid_configs(), libvirt=libvirt_versions(), domain_libvirt=libvirt_versions())
def test_generated_configurations(
    config: Config, libvirt: Version, domain_libvirt: Version
) -> None:
    """Whatever the domain had (written by any libvirt), the result is what the libvirt
    export expresses for the target (on values: the same as QEMU would get)."""
    target = ExportTarget(libvirt=libvirt)
    vendor = config.get("vendor-id")
    written = "vendor-id" not in config.overridden_by_passthrough()
    if isinstance(vendor, str) and set(vendor) & DOUBLE_ESCAPED and written:
        with pytest.raises(ExportError):
            build_virt_xml(config, target)
        return
    expected = on_values(build_virt_xml(config, target).expressed())
    assert _replayed(config, target, everything_on_domain(domain_libvirt)) == expected


def test_cpu_settings_are_edited_in() -> None:
    target = ExportTarget(
        cpu_model="EPYC",
        cpu=CpuSettings(
            nested_virt=True, tsc_frequency=2_800_000_000, invtsc=False, hide_kvm=False
        ),
    )
    start = everything_on_domain(newest_libvirt())
    apply_edits(start, build_virt_xml(Config.of(relaxed=True), target).edits)
    imported = parse_domain(start)
    assert imported.cpu_settings == target.cpu


@pytest.mark.parametrize("vendor", ["a&b", "a<b", "a'b", 'a"b'])
def test_values_virt_xml_escapes_twice_are_refused(vendor: str) -> None:
    with pytest.raises(ExportError) as caught:
        build_virt_xml(Config.of(vendor_id=vendor), ExportTarget())
    assert caught.value.code == 1 and "#838" in str(caught.value)


# -- the real virt-xml and libvirt's QEMU driver -------------------------------------------------


def _node(domain: ET.Element, directory: Path, name: str) -> Path:
    node = ET.Element("node")
    node.append(domain)
    path = directory / f"{name}.xml"
    path.write_text(ET.tostring(node, encoding="unicode"), encoding="utf-8")
    return path


def _virt_xml(words: list[str], node: Path) -> str:
    """One of the export's commands, against the test driver loaded from ``node`` (the real
    virt-xml, each run its own process: :class:`export.tools.VirtinstRunner`)."""
    binary = require("virt-xml", "virtinst")
    args = [binary, "--connect", f"test://{node}", *words[1:], "--print-xml"]
    done = virtinst_runner().run(args)
    assert done.code == 0, f"{shlex.join(args)}: {done.err}"
    return done.out


def _start_domain() -> ET.Element:
    """Everything on that libvirt 9.0 knows, on a CPU TCG can run."""
    domain = everything_on_domain(LOCAL_LIBVIRT)
    cpu = ET.SubElement(domain, layout.CPU, {"mode": "custom", "match": "exact"})
    ET.SubElement(cpu, layout.CPU_MODEL, {"fallback": "forbid"}).text = TCG_MODEL
    return domain


CASES = real_tool_cases(LOCAL_LIBVIRT)


@pytest.mark.realtools
@pytest.mark.parametrize("preset", CASES, ids=lambda p: p.name)
def test_real_virt_xml_then_libvirt_give_qemu_the_presets_flags(
    preset: presets.Preset,
    tmp_path: Path,
    embedded: EmbeddedQemuDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The embedded driver runs as nobody, who cannot write a per-test cache directory.
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    target = replace(resolve_target(preset.target, detect=False)[0], cpu_model=TCG_MODEL)
    built = build_virt_xml(preset.config, target)
    node = _node(_start_domain(), tmp_path, "start")
    xml = ""
    for i, words in enumerate(built.commands("win")):
        xml = _virt_xml(words, node)
        node = tmp_path / f"after-{i}.xml"
        node.write_text(f"<node>{xml}</node>", encoding="utf-8")
    assert on_values(parse_libvirt_xml(xml, source="virt-xml").config) == on_values(preset.config)
    domain = ET.fromstring(xml)
    domain.set("type", "qemu")
    native = embedded.native(ET.tostring(domain, encoding="unicode"))
    assert native.code == 0, native.err
    argv = shlex.split(native.out)
    imported = parse_qemu_args(argv)
    assert imported.problems == (), imported.problems
    assert imported.config == on_values(preset.config), native.out


@pytest.mark.realtools
@pytest.mark.parametrize("vendor", ["a b#c,x y", "$HOME`id`\\n"])
def test_the_text_runs_in_a_shell_with_hostile_vendor_ids(vendor: str, tmp_path: Path) -> None:
    """The rendered text itself, through bash and the real virt-xml: shell quoting and
    virt-xml's own option splitting both give the value back unchanged."""
    binary = require("virt-xml", "virtinst")
    node = _node(_start_domain(), tmp_path, "start")
    config = Config.of(relaxed=True, vendor_id=vendor)
    text = render_virt_xml(config, ExportTarget(libvirt=LOCAL_LIBVIRT))
    assert DOMAIN_WORD in text
    shim = f'virt-xml() {{ {shlex.quote(binary)} --connect "test://$NODE" "$@" --print-xml; }}\n'
    done = subprocess.run(
        ["bash", "-c", shim + text],
        env={"PATH": "/usr/bin:/bin", "DOMAIN": "win", "NODE": str(node), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported = parse_libvirt_xml(done.stdout, source="virt-xml")
    assert imported.config.get("vendor-id") == vendor
    assert on_values(imported.config) == on_values(config)


def test_unset_domain_stops_the_shell() -> None:
    text = render_virt_xml(Config.of(relaxed=True), ExportTarget())
    done = subprocess.run(
        ["bash", "-c", text], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "set DOMAIN" in done.stderr


def test_cli_writes_it(capsys: pytest.CaptureFixture[str]) -> None:
    from hvtui.cli import main

    assert main(["export", "windows-desktop", "--format", "virt-xml"]) == 0
    out = capsys.readouterr().out
    commands = [line for line in out.splitlines() if line.startswith("virt-xml ")]
    assert len(commands) == 1 and "--edit" in commands[0]
