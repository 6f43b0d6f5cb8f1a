"""Helpers for the KubeVirt, Terraform and virt-xml tests: read each format back the way
its own tool applies it, into libvirt XML or a configuration."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from hvtui import catalog
from hvtui.catalog import LibvirtKind
from hvtui.catalog.stacks import (
    TERRAFORM_CPU_FEATURES,
    TERRAFORM_HYPERV,
    TERRAFORM_KVM_HIDDEN,
    TERRAFORM_NAMES,
    TERRAFORM_PANICS,
    TERRAFORM_TIMERS,
)
from hvtui.export.virtxml import Edit
from hvtui.formats import libvirt_layout as layout
from hvtui.model import Config
from hvtui.versions import Version


def on_values(config: Config) -> Config:
    """What the guest gets: the options that are on, with their values."""
    return Config.of({name: value for name, value in config if config.is_on(name)})


# -- KubeVirt: a JSON merge patch (RFC 7386), what kubectl patch --type merge does -------


def merge_patch(target: object, patch: object) -> object:
    """``target`` with ``patch`` merged: mappings recursively, ``None`` deletes, the rest
    (lists included) replaces."""
    if not isinstance(patch, dict):
        return patch
    result: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- Terraform: python-hcl2's answer back to values, then to libvirt XML ----------------

_HCL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def hcl_unquote(text: str) -> str:
    """python-hcl2 keeps a string literal as written (quotes, escapes, ``$${``)."""
    assert text.startswith('"') and text.endswith('"'), text
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1]
            if nxt == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_HCL_ESCAPES[nxt])
            i += 2
            continue
        if char in "$%" and body[i + 1 : i + 3] == char + "{":
            out.append(char + "{")
            i += 3
            continue
        out.append(char)
        i += 1
    return "".join(out)


def hcl_plain(value: object) -> object:
    """python-hcl2 output as plain values (strings unquoted, block markers dropped)."""
    if isinstance(value, dict):
        return {k: hcl_plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [hcl_plain(v) for v in value]
    if isinstance(value, str):
        return hcl_unquote(value)
    return value


def attribute_paths(value: object, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every leaf attribute's dotted path (a list's items share the list's path)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= attribute_paths(item, (*prefix, key))
        return found
    if isinstance(value, list):
        found = set()
        for item in value:
            found |= attribute_paths(item, prefix)
        return found
    return {".".join(prefix)}


def _get(root: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = root
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def terraform_domain(attributes: dict[str, Any]) -> ET.Element:
    """The ``<domain>`` the provider writes for these ``libvirt_domain`` attributes: each
    nested attribute an element, each scalar an attribute (the names reversed)."""
    xml_name = {v: k for k, v in TERRAFORM_NAMES.items()}
    domain = ET.Element(layout.DOMAIN)
    features = ET.SubElement(domain, layout.FEATURES)
    hyperv = _get(attributes, TERRAFORM_HYPERV)

    def build(parent: ET.Element, name: str, value: dict[str, Any]) -> None:
        element = ET.SubElement(parent, xml_name[name])
        for key, item in value.items():
            if isinstance(item, dict):
                build(element, key, item)
            else:
                element.set(xml_name[key], str(item))

    if isinstance(hyperv, dict):
        element = ET.SubElement(features, layout.HYPERV)
        for key, item in hyperv.items():
            if isinstance(item, dict):
                build(element, key, item)
            else:
                element.set(layout.MODE, str(item))
    hidden = _get(attributes, TERRAFORM_KVM_HIDDEN)
    if isinstance(hidden, dict):
        kvm = ET.SubElement(features, layout.KVM)
        ET.SubElement(kvm, layout.KVM_HIDDEN, {k: str(v) for k, v in hidden.items()})
    timers = _get(attributes, TERRAFORM_TIMERS)
    if isinstance(timers, list):
        clock = ET.SubElement(domain, layout.CLOCK)
        for timer in timers:
            ET.SubElement(clock, layout.TIMER, {k: str(v) for k, v in timer.items()})
    panics = _get(attributes, TERRAFORM_PANICS)
    if isinstance(panics, list):
        devices = ET.SubElement(domain, layout.DEVICES)
        for panic in panics:
            ET.SubElement(devices, layout.panic_tag(), {k: str(v) for k, v in panic.items()})
    cpu = _get(attributes, TERRAFORM_CPU_FEATURES[:-1])
    if isinstance(cpu, dict):
        element = ET.SubElement(domain, layout.CPU)
        for key, item in cpu.items():
            if key == "features":
                for feature in item:
                    ET.SubElement(
                        element, layout.CPU_FEATURE, {k: str(v) for k, v in feature.items()}
                    )
            elif key == "model":
                ET.SubElement(element, layout.CPU_MODEL).text = str(item)
            elif key != "model_fallback":
                element.set(key, str(item))
    return domain


# -- virt-xml: its --xml edits applied as virtinst applies them ------------------------------

_STEP = re.compile(r"^([\w:-]+)(?:\[@([\w-]+)='([^']*)'\])?$")


def _find_or_make(parent: ET.Element, step: str, *, make: bool) -> ET.Element | None:
    match = _STEP.match(step)
    assert match is not None, step
    name, attribute, value = match.groups()
    for child in parent.findall(name):
        if attribute is None or child.get(attribute) == value:
            return child
    if not make:
        return None
    return ET.SubElement(parent, name, {attribute: value} if attribute else {})


def apply_edits(domain: ET.Element, edits: tuple[Edit, ...]) -> None:
    """Apply virt-xml ``--xml`` edits in order: set creates what is missing (a
    ``[@a='v']`` step with that attribute), delete removes the first match if any."""
    for edit in edits:
        steps = edit.xpath.removeprefix("./").split("/")
        attribute = steps.pop()[1:] if steps[-1].startswith("@") else None
        node: ET.Element | None = domain
        parent: ET.Element | None = None
        for step in steps:
            assert node is not None
            parent = node
            node = _find_or_make(node, step, make=edit.value is not None)
            if node is None:
                break
        if edit.value is None:
            if node is not None and parent is not None:
                parent.remove(node)
            continue
        assert node is not None and attribute is not None
        node.set(attribute, edit.value)


def add_commandline(domain: ET.Element, args: tuple[str, ...]) -> None:
    """What ``--edit --qemu-commandline=ARGS`` appends."""
    commandline = domain.find(layout.COMMANDLINE)
    if commandline is None:
        commandline = ET.SubElement(domain, layout.COMMANDLINE)
    for word in args:
        ET.SubElement(commandline, layout.ARG, {layout.ARG_VALUE: word})


def everything_on_domain(libvirt: Version, *, domain_type: str = "test") -> ET.Element:
    """A Windows domain as some other tool left it: every ``<hyperv>`` element ``libvirt``
    knows on (children included, values set), the hypervclock timer, a Hyper-V panic
    device and a hidden KVM; what an export must switch off."""
    domain = ET.Element(layout.DOMAIN, {"type": domain_type})
    ET.SubElement(domain, layout.NAME).text = "win"
    ET.SubElement(domain, "memory", {"unit": "KiB"}).text = "262144"
    os_element = ET.SubElement(domain, "os")
    ET.SubElement(os_element, "type", {"arch": "x86_64", "machine": "pc"}).text = "hvm"
    features = ET.SubElement(domain, layout.FEATURES)
    hyperv = ET.SubElement(features, layout.HYPERV, {layout.MODE: layout.CUSTOM_MODE})
    values = {"spinlocks": "8191", "vendor-id": "KVMKVMKVM"}
    for entry in catalog.ENTRIES:
        lv = entry.libvirt
        if lv.since is None or lv.since > libvirt:
            continue
        if lv.kind is LibvirtKind.HYPERV:
            element = ET.SubElement(hyperv, lv.element, {layout.STATE: "on"})
            if lv.attribute is not None:
                element.set(lv.attribute, values[entry.name])
        elif lv.kind is LibvirtKind.HYPERV_CHILD:
            parent, child = layout.split_child(entry)
            found = hyperv.find(parent)
            assert found is not None
            ET.SubElement(found, child, {layout.STATE: "on"})
    kvm = ET.SubElement(features, layout.KVM)
    ET.SubElement(kvm, layout.KVM_HIDDEN, {layout.STATE: "on"})
    clock = ET.SubElement(domain, layout.CLOCK, {layout.CLOCK_OFFSET: "localtime"})
    ET.SubElement(clock, layout.TIMER, {layout.TIMER_NAME: "hypervclock", "present": "yes"})
    devices = ET.SubElement(domain, layout.DEVICES)
    ET.SubElement(devices, layout.panic_tag(), {layout.PANIC_MODEL: layout.PANIC_HYPERV})
    return domain


__all__ = [
    "add_commandline",
    "apply_edits",
    "attribute_paths",
    "everything_on_domain",
    "hcl_plain",
    "hcl_unquote",
    "merge_patch",
    "on_values",
    "terraform_domain",
]
