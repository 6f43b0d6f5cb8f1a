"""``--into``: merging keeps the user's domain; untrusted XML is parsed safely."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hvtui.export import ExportError, ExportTarget, merge_into, newest_libvirt, plan_libvirt
from hvtui.formats import safexml
from hvtui.importers import parse_libvirt_xml
from hvtui.model import Config
from hvtui.versions import V

DOMAIN = """<?xml version='1.0' encoding='UTF-8'?>
<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST.
-->
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>win11</name>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://microsoft.com/win/11"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>8388608</memory>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <features>
    <acpi/>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <evmcs state='on'/>
    </hyperv>
    <kvm><hidden state='on'/></kvm>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'>
    <topology sockets='1' dies='1' cores='4' threads='2'/>
  </cpu>
  <clock offset='localtime'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='hypervclock' present='yes'/>
  </clock>
  <devices>
    <!-- the user's own comment -->
    <disk type='file' device='disk'><source file='/var/lib/a &amp; b.qcow2'/>
      <target dev='vda' bus='virtio'/></disk>
    <panic model='hyperv'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-fw_cfg'/>
    <qemu:arg value='opt/ovmf/X-PciMmio64Mb,string=65536'/>
    <qemu:arg value='-global'/>
    <qemu:arg value='host-x86_64-cpu.hv-syndbg=on'/>
  </qemu:commandline>
</domain>
<!-- trailing comment -->
"""

CONFIG = Config.of(relaxed=True, vapic=True, xmm_input=True, spinlocks=0x1FFF)


def at(libvirt: str, model: str = "host", source: str = "preset") -> ExportTarget:
    return ExportTarget(model, None, V(libvirt), source)  # type: ignore[arg-type]


def _managed(element: ET.Element) -> bool:
    if not isinstance(element.tag, str):
        return "hvtui:" in (element.text or "")
    if element.tag == "hyperv" or element.get("model") == "hyperv":
        return True
    if element.tag == "timer" and element.get("name") == "hypervclock":
        return True
    value = element.get("value", "")
    return element.tag.endswith("}arg") and (value == "-global" or ".hv-" in value)


def _unmanaged(text: str) -> list[str]:
    """Canonical text of everything hvtui does not manage, for before/after comparison."""

    def walk(element: ET.Element) -> list[str]:
        lines = []
        for child in element:
            if _managed(child):
                continue
            text = (child.text or "").strip()
            lines.append(f"{child.tag}:{sorted(child.attrib.items())}:{text}")
            lines.extend(walk(child))
        return lines

    root = safexml.parse(text, source="t").root
    return [f"{root.tag}:{sorted(root.attrib.items())}", *walk(root)]


def test_merge_replaces_the_hyperv_set_and_keeps_everything_else() -> None:
    merged = merge_into(DOMAIN, CONFIG, at("9.0.0"), source="win11.xml")
    text = merged.text
    assert parse_libvirt_xml(text).config == plan_libvirt(CONFIG, at("9.0.0")).expressed()
    assert parse_libvirt_xml(text).config == CONFIG
    assert _unmanaged(text) == _unmanaged(DOMAIN)
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<!--\nWARNING")
    assert text.endswith("</domain>\n<!-- trailing comment -->\n")
    assert "xmlns:libosinfo=" in text and "<libosinfo:os " in text
    assert '<qemu:arg value="opt/ovmf/X-PciMmio64Mb,string=65536" />' in text
    assert "hv-syndbg" not in text and "evmcs" not in text and "<panic" not in text
    assert "hypervclock" not in text, "time is not in the configuration"


def test_merge_is_idempotent() -> None:
    once = merge_into(DOMAIN, CONFIG, at("9.0.0")).text
    assert merge_into(once, CONFIG, at("9.0.0")).text == once


def test_merge_adds_what_is_missing_and_keeps_the_indentation() -> None:
    bare = "<domain type='kvm'>\n  <name>x</name>\n  <os><type>hvm</type></os>\n</domain>\n"
    config = Config.of(relaxed=True, time=True, crash=True, xmm_input=True)
    merged = merge_into(bare, config, at("9.0.0"))
    root = ET.fromstring(merged.text)
    cpu, clock = root.find("cpu"), root.find("clock")
    assert cpu is not None and cpu.get("mode") == "host-passthrough"
    assert clock is not None and clock.get("offset") == "utc"
    assert parse_libvirt_xml(merged.text).config == config
    assert '\n    <hyperv mode="custom">\n      <relaxed' in merged.text
    assert any("added <cpu>" in n for n in merged.notes)


def test_merge_uses_the_domains_cpu_model_for_global_lines() -> None:
    custom = DOMAIN.replace(
        "<cpu mode='host-passthrough' check='none' migratable='on'>",
        "<cpu mode='custom' match='exact'><model>EPYC</model>",
    )
    merged = merge_into(custom, CONFIG, at("9.0.0"))
    assert "EPYC-x86_64-cpu.hv-xmm-input=on" in merged.text
    assert any("EPYC is kept" in n for n in merged.notes)
    with pytest.raises(ExportError, match="--cpu-model EPYC"):
        merge_into(custom, CONFIG, at("9.0.0", source="cli"))


def test_merge_refuses_global_lines_when_libvirt_picks_the_cpu_type() -> None:
    host_model = DOMAIN.replace("mode='host-passthrough'", "mode='host-model'")
    with pytest.raises(ExportError, match="choose the CPU type"):
        merge_into(host_model, CONFIG, at("9.0.0"))
    merged = merge_into(host_model, CONFIG, at(str(newest_libvirt())))
    assert "hv-xmm-input" not in merged.text, "native at the newest libvirt: no -global"
    assert parse_libvirt_xml(merged.text).config == CONFIG


def test_merge_refuses_a_document_that_is_not_a_domain() -> None:
    with pytest.raises(ExportError, match="not a libvirt domain"):
        merge_into("<network/>", CONFIG, at("9.0.0"))


# -- safe parsing -----------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<domain>&lol2;</domain>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain>&x;</domain>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "DOCTYPE declaration is not allowed"),
        (EXTERNAL, "DOCTYPE declaration is not allowed"),
        ("<!doctype domain><domain/>", "DOCTYPE"),
        ("<domain><name>x</name>", "malformed XML: no element found: line 1"),
        ("<domain><name>x</domain>", "malformed XML: mismatched tag"),
        ("<domain>&nbsp;</domain>", "malformed XML: undefined entity"),
        ("", "empty document"),
        ("   \n", "empty document"),
        (b"<domain>\xff</domain>", "not UTF-8"),
        ("<domain>\x00</domain>", "malformed XML"),
        ("<?xml version='1.0' encoding='UTF-16'?><domain/>", "declares encoding UTF-16"),
        ("<domain>" + "<a>" * 300 + "</a>" * 300 + "</domain>", "nested more than 256"),
    ],
)
def test_unsafe_or_broken_xml_is_one_line_error(data: str | bytes, message: str) -> None:
    with pytest.raises(safexml.XmlError) as info:
        safexml.parse(data, source="in.xml")
    text = str(info.value)
    assert text.startswith("in.xml: ") and message in text and "\n" not in text


REFUSED_BY_BOTH = [
    BILLION_LAUGHS,
    EXTERNAL,
    "<domain>&nbsp;</domain>",
    "<domain><name>x</domain>",
    "<domain>" + "<a>" * 300 + "</a>" * 300 + "</domain>",
    "<domain>" + "<a>" * 300 + "</a>" * 300 + "</domain><broken",
    "<domain>" + "<a/>" * (safexml.MAX_NODES + 1) + "</domain>",
    "<domain>" + "<!--c-->" * (safexml.MAX_NODES + 1) + "</domain>",
    "<domain>" + "<a/>" * (safexml.MAX_NODES + 1) + "<b></domain>",
    "<?xml version='1.0'?>\n<!--x--><!\tDOCTYPE d><d/>",
    "<d a='1' a='2'/>",
]


@pytest.mark.parametrize("data", REFUSED_BY_BOTH, ids=range(len(REFUSED_BY_BOTH)))
def test_the_fast_parser_refuses_exactly_as_the_checked_one(data: str) -> None:
    with pytest.raises(safexml.XmlError) as checked:
        safexml.parse_checked(data, source="in.xml")
    with pytest.raises(safexml.XmlError) as fast:
        safexml.parse(data, source="in.xml")
    assert str(fast.value) == str(checked.value)


@pytest.mark.parametrize(
    "data",
    [
        DOMAIN,
        "<domain>" + "<a>" * 255 + "</a>" * 255 + "</domain>",  # 256 levels: the limit
        "<d xmlns:a='u1' xmlns:b='u2'><a:x xmlns:a='u3'/><?pi x?><!--c--></d>\n<!--e-->",
        "<domain>" + "<a/>" * (safexml.MAX_NODES - 1) + "</domain>",
    ],
)
def test_the_fast_parser_builds_what_the_checked_one_builds(data: str) -> None:
    fast = safexml.parse(data, source="in.xml")
    checked = safexml.parse_checked(data, source="in.xml")
    assert ET.tostring(fast.root) == ET.tostring(checked.root)
    assert (fast.prolog, fast.epilog, fast.namespaces) == (
        checked.prolog,
        checked.epilog,
        checked.namespaces,
    )


def test_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(safexml.XmlError, match="too large"):
        safexml.parse(b"<domain>" + b" " * 100 + b"</domain>", source="x", max_bytes=50)


def test_entities_hidden_from_the_text_check_are_stopped_by_expat() -> None:
    # A declaration the regular expression cannot see (in another encoding) is
    # still refused by the parser's own handler.
    with pytest.raises(safexml.XmlError):
        safexml.parse("<?xml version='1.0'?>\n<!--x--><!\tDOCTYPE d><d/>", source="x")


def test_prolog_epilog_and_namespaces_are_reported() -> None:
    document = safexml.parse(DOMAIN, source="d")
    assert document.prolog.startswith("<?xml") and document.prolog.endswith("-->\n")
    assert document.epilog == "\n<!-- trailing comment -->\n"
    assert ("qemu", "http://libvirt.org/schemas/domain/qemu/1.0") in document.namespaces
    assert document.root.tag == "domain"
