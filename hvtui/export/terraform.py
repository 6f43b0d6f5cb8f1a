"""``--format terraform``: the ``dmacvicar/libvirt`` provider's ``libvirt_domain`` attributes.

Since 0.9 the provider maps libvirt's domain XML one to one as nested attributes
(``features = { hyper_v = { vp_index = { state = "on" } } }``), so this format
follows the same :class:`~hvtui.export.libvirt.LibvirtPlan` as ``--format
libvirt`` (same target libvirt version, same elements) and spells each element
with the provider's attribute names from the catalog
(:mod:`hvtui.catalog.stacks`).  The provider has no ``<qemu:commandline>``, so
what libvirt cannot express natively (the ``-global`` fallbacks, syndbg's
``-device``) cannot be written: the header lists it and ``--strict`` refuses.

The block holds only the attributes hvtui manages (``features``, ``clock``,
``devices.panics``, ``cpu`` when the preset has ``[cpu]`` settings); they are
whole objects in the provider's schema, so merge them with the resource's own
``features``/``clock``/``devices`` by hand.  Every string is an HCL string
literal with ``"``, ``\\``, ``${`` and ``%{`` escaped, so a value can never end
the literal or start an interpolation.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Union

from hvtui.catalog import LibvirtKind
from hvtui.catalog.stacks import (
    TERRAFORM_CPU_FEATURES,
    TERRAFORM_HYPERV,
    TERRAFORM_KVM_HIDDEN,
    TERRAFORM_MODE,
    TERRAFORM_NAMES,
    TERRAFORM_PANICS,
    TERRAFORM_PROVIDER,
    TERRAFORM_TIMERS,
    TERRAFORM_VERSION,
)
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.kubevirt import Unexpressed
from hvtui.export.libvirt import (
    LibvirtPlan,
    cpu_settings_element,
    kvm_hidden_element,
    plan_libvirt,
    tsc_timer_element,
)
from hvtui.export.shell import comment
from hvtui.export.tree import subtree
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.spelling import libvirt_state, libvirt_value
from hvtui.model import Config
from hvtui.records import record

#: An HCL value: a string, number, bool, object or list of them.
Hcl = Union[str, int, bool, "dict[str, Hcl]", "list[Hcl]"]

_LABEL_JUNK = re.compile(r"[^A-Za-z0-9_-]+")
#: ``<cpu>`` attributes and children -> the provider's ``cpu`` attribute names.
_CPU_NAMES = {
    layout.CPU_MODE: "mode",
    layout.CPU_MATCH: "match",
    layout.CPU_MODEL: "model",
    layout.CPU_FALLBACK: "model_fallback",
}


@record(frozen=True)
class TerraformExport:
    """The resource's attributes and what they leave out."""

    attributes: dict[str, Hcl]
    plan: LibvirtPlan
    unexpressed: tuple[Unexpressed, ...]
    notes: tuple[str, ...]

    def expressed(self) -> Config:
        """What the attributes carry (the plan's native part)."""
        return Config.of({entry.name: value for entry, value in self.plan.native})


def hcl_string(text: str) -> str:
    """An HCL string literal: quotes, backslashes, control characters and the template
    sequences ``${`` / ``%{`` escaped."""
    out = ['"']
    for i, char in enumerate(text):
        if char in '"\\':
            out.append("\\" + char)
        elif char in "$%" and text[i + 1 : i + 2] == "{":
            out.append(char * 2)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def render_hcl(value: Hcl, indent: int = 0) -> str:
    """``value`` in HCL native syntax (objects one attribute per line)."""
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}  {render_hcl(item, indent + 1)}," for item in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if not value:
        return "{}"
    width = max(len(key) for key in value)
    lines = [
        f"{pad}  {key.ljust(width)} = {render_hcl(item, indent + 1)}" for key, item in value.items()
    ]
    return "{\n" + "\n".join(lines) + f"\n{pad}}}"


def _state(on: bool) -> dict[str, Hcl]:
    return {TERRAFORM_NAMES[layout.STATE]: libvirt_state(on)}


def _hyperv(plan: LibvirtPlan) -> dict[str, Hcl] | None:
    mode = plan.passthrough
    if mode is not None:
        return {TERRAFORM_MODE: mode.libvirt.element}
    hyperv: dict[str, Hcl] = {}
    for entry, value in plan.native:
        kind = entry.libvirt.kind
        if kind not in (LibvirtKind.HYPERV, LibvirtKind.HYPERV_CHILD):
            continue
        on = value is not False and value != "off"
        attributes = _state(on)
        if on and entry.libvirt.attribute is not None:
            text = libvirt_value(entry, value)
            attributes[TERRAFORM_NAMES[entry.libvirt.attribute]] = (
                int(text) if isinstance(value, int) and not isinstance(value, bool) else text
            )
        path = tuple(TERRAFORM_NAMES[part] for part in entry.libvirt.element.split("/"))
        subtree(hyperv, path).update(attributes)
    if not hyperv:
        return None
    return {TERRAFORM_MODE: layout.CUSTOM_MODE, **hyperv}


def _element_attributes(element: ET.Element) -> dict[str, Hcl]:
    """A ``<timer>``/``<feature>`` element's attributes (numbers as numbers)."""
    return {
        key: int(value) if key == layout.TIMER_FREQUENCY else value
        for key, value in element.attrib.items()
    }


def build_terraform(config: Config, target: ExportTarget) -> TerraformExport:
    """The attributes for ``config`` on ``target`` (call ``export_findings`` first)."""
    if target.hyperv_mode is not None:
        raise ExportError("--hyperv-mode only works with --format libvirt or json")
    plan = plan_libvirt(config, target)
    root: dict[str, Hcl] = {}
    hyperv = _hyperv(plan)
    if hyperv is not None:
        subtree(root, TERRAFORM_HYPERV[:-1])[TERRAFORM_HYPERV[-1]] = hyperv
    hidden = kvm_hidden_element(target)
    if hidden is not None:
        state = hidden.find(layout.KVM_HIDDEN)
        subtree(root, TERRAFORM_KVM_HIDDEN).update(
            _state(state is not None and state.get(layout.STATE) == "on")
        )
    cpu = cpu_settings_element(target)
    if cpu is not None:
        node = subtree(root, TERRAFORM_CPU_FEATURES[:-1])
        node.update({_CPU_NAMES[k]: v for k, v in cpu.attrib.items() if k in _CPU_NAMES})
        model = cpu.find(layout.CPU_MODEL)
        if model is not None:
            node[_CPU_NAMES[layout.CPU_MODEL]] = model.text or ""
            fallback = model.get(layout.CPU_FALLBACK)
            if fallback:
                node[_CPU_NAMES[layout.CPU_FALLBACK]] = fallback
        node[TERRAFORM_CPU_FEATURES[-1]] = [
            _element_attributes(f) for f in cpu.iter(layout.CPU_FEATURE)
        ]
    timers: list[Hcl] = []
    for entry, value in plan.native:
        if entry.libvirt.kind is LibvirtKind.CLOCK_TIMER:
            timers.append(
                {
                    layout.TIMER_NAME: entry.libvirt.element,
                    layout.TIMER_PRESENT: "yes" if value else "no",
                }
            )
    tsc = tsc_timer_element(target)
    if tsc is not None:
        timers.append(dict(_element_attributes(tsc)))
    if timers:
        subtree(root, TERRAFORM_TIMERS[:-1])[TERRAFORM_TIMERS[-1]] = timers
    panics: list[Hcl] = [
        {layout.PANIC_MODEL: layout.PANIC_HYPERV}
        for entry, value in plan.native
        if entry.libvirt.kind is LibvirtKind.PANIC and value is True
    ]
    if panics:
        subtree(root, TERRAFORM_PANICS[:-1])[TERRAFORM_PANICS[-1]] = panics

    unexpressed = [
        Unexpressed(f.entry.name, f.value, f"{f.reason}, and the provider has no "
                    "<qemu:commandline> to pass it with -global")
        for f in plan.fallback
    ]  # fmt: skip
    named = {u.name for u in unexpressed}
    unexpressed += [
        Unexpressed(entry.name, True, f"needs QEMU arguments ({' '.join(words)}) the provider "
                    "cannot pass")
        for entry, words in plan.extra
        if entry.name not in named
    ]  # fmt: skip
    notes = [
        f"{TERRAFORM_PROVIDER} {TERRAFORM_VERSION} (nested attributes, as libvirt's domain XML); "
        "older releases have another schema",
        "merge these attributes into your libvirt_domain (features, clock, devices and cpu are "
        "whole objects: keep your own entries beside these)",
    ]
    notes += [f"left out {o.entry.name}: {o.reason}" for o in plan.omitted]
    return TerraformExport(root, plan, tuple(unexpressed), tuple(notes))


def resource_label(preset_name: str) -> str:
    """A Terraform resource name from a preset name (``windows_desktop`` style)."""
    label = _LABEL_JUNK.sub("_", preset_name).strip("_-")[:60]
    return label if label[:1].isalpha() else f"vm_{label}".rstrip("_")


def render_terraform(config: Config, target: ExportTarget, *, preset_name: str = "vm") -> str:
    """Header comments, then ``resource "libvirt_domain" "NAME" { ... }``."""
    built = build_terraform(config, target)
    lines = [f"hvtui: Hyper-V settings of {preset_name} for {target.describe()}"]
    lines.extend(built.notes)
    lines.extend(
        f"not expressible with the Terraform provider, left out: {u.describe()}"
        for u in built.unexpressed
    )
    body = render_hcl(built.attributes)
    label = hcl_string(resource_label(preset_name))
    return f'{comment(chr(10).join(lines))}\nresource "libvirt_domain" {label} {body}\n'


__all__ = [
    "Hcl",
    "TerraformExport",
    "build_terraform",
    "hcl_string",
    "render_hcl",
    "render_terraform",
    "resource_label",
]
