"""The libvirt fixtures are real-world shapes: the installed libvirt accepts them, and the
QEMU command line its own QEMU driver builds from each reads back, through the audit's
command-line path, as exactly what the audit read from the XML.

Elements newer than the installed libvirt, and the fixture's deliberately unknown
element, are taken out first (the catalog says since when libvirt has each one);
``<hyperv mode='host-model'>`` is newer than any libvirt here and is not checked.
For libvirt's QEMU driver the domain runs under TCG with a named CPU model (see
``export.tools.EmbeddedQemuDriver``), and devices it cannot set up here (a TPM
emulator, a network tap) are dropped; the Hyper-V parts are untouched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from export.tools import EmbeddedQemuDriver, installed_libvirt, xml_validate

from audit.support import DATA
from hvtui.audit import load_text
from hvtui.formats import libvirt_layout as layout
from hvtui.model import Config
from hvtui.records import replace
from hvtui.versions import Version

pytestmark = pytest.mark.realtools

FIXTURES = sorted(p.name for p in DATA.glob("*.xml") if "host-model" not in p.name)
TCG_MODEL = "qemu64"
#: ``<cpu><feature>`` names that are CPU settings (``[cpu]`` nested-virt, invtsc).
SETTINGS = ("vmx", "svm", "invtsc")


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedQemuDriver]:
    driver = EmbeddedQemuDriver()
    yield driver
    driver.close()


def _known_to(root: ET.Element, libvirt: Version) -> None:
    """Drop ``<hyperv>`` children this libvirt (or hvtui) does not know."""
    for hyperv in root.iter(layout.HYPERV):
        for child in list(hyperv):
            entry = layout.hyperv_entry(str(child.tag))
            if entry is None or entry.libvirt.since is None or entry.libvirt.since > libvirt:
                hyperv.remove(child)
                continue
            for grandchild in list(child):
                nested = next(
                    (e for e in layout.children_of(entry)
                     if layout.split_child(e)[1] == grandchild.tag),
                    None,
                )  # fmt: skip
                nested_since = nested.libvirt.since if nested is not None else None
                if nested_since is None or nested_since > libvirt:
                    child.remove(grandchild)


def _for_tcg(root: ET.Element) -> None:
    root.set("type", "qemu")
    cpu = root.find(layout.CPU)
    if cpu is None:
        cpu = ET.SubElement(root, layout.CPU)
    topology = cpu.find("topology")
    # The CPU settings' features stay: qemu64 is an Intel-flavoured model (vmx counts).
    features = [
        f for f in cpu.findall(layout.CPU_FEATURE) if f.get(layout.FEATURE_NAME) in SETTINGS
    ]
    cpu.attrib.clear()
    cpu.attrib.update({layout.CPU_MODE: layout.CUSTOM_CPU, layout.CPU_MATCH: "exact"})
    for child in list(cpu):
        cpu.remove(child)
    ET.SubElement(cpu, layout.CPU_MODEL).text = TCG_MODEL
    if topology is not None:
        cpu.append(topology)
    cpu.extend(features)
    for devices in root.iter(layout.DEVICES):
        for device in devices.findall("tpm") + devices.findall("interface"):
            devices.remove(device)


def _text(root: ET.Element) -> str:
    ET.register_namespace(layout.QEMU_PREFIX, layout.QEMU_NS)
    return ET.tostring(root, encoding="unicode")


def _switched_on(config: Config) -> Config:
    """libvirt only writes what is on to QEMU's command line."""
    return Config.of({name: value for name, value in config if config.is_on(name)})


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_what_libvirt_accepts_and_builds(
    name: str, embedded: EmbeddedQemuDriver, tmp_path: Path
) -> None:
    libvirt = installed_libvirt()
    root = ET.fromstring((DATA / name).read_text(encoding="utf-8"))
    _known_to(root, libvirt)
    validated = xml_validate(_text(root), tmp_path)
    assert validated.code == 0, f"{name}: {validated.err or validated.out}"

    _for_tcg(root)
    domain = _text(root)
    native = embedded.native(domain)
    assert native.code == 0, f"{name}: {native.err}"
    from_xml = load_text(domain, label=name)
    from_argv = load_text(native.out, label=f"{name} (libvirt's QEMU command line)")
    assert from_argv.kind == "qemu-command"
    assert from_argv.config == _switched_on(from_xml.config), native.out
    assert from_argv.name == from_xml.name
    assert from_argv.imported.cpu_model == from_xml.imported.cpu_model
    # The CPU settings reach QEMU's -cpu as read; <hidden state='off'> writes nothing
    # (QEMU's default), which reads as unset.
    settings = from_xml.imported.cpu_settings
    if settings.hide_kvm is False:
        settings = replace(settings, hide_kvm=None)
    assert from_argv.imported.cpu_settings == settings, native.out
