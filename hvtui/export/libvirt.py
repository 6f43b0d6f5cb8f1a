"""``--format libvirt``: the domain XML for a configuration, for a given libvirt version.

First a :class:`LibvirtPlan` decides, option by option, whether libvirt can
say it natively (its element exists in the target version and takes this
value), must be passed to QEMU as ``-global <cpu type>.hv-x=v`` in
``<qemu:commandline>``, or can be left out (an explicit "off" that libvirt
has no way to write and that equals QEMU's default, or an option
hv-passthrough overrides).  Then the plan is turned into elements; the
snippet (this module) and ``--into`` (:mod:`hvtui.export.merge`) both build
from the same elements.  Every value reaches the XML through ElementTree,
which escapes it; nothing is pasted into markup by hand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import cast

from hvtui import catalog
from hvtui.catalog import Enlightenment, LibvirtKind, Value
from hvtui.catalog.cpu_settings import virt_flag
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.qemu import extra_arguments
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.spelling import libvirt_state, libvirt_value, qemu_value
from hvtui.model import Config
from hvtui.records import record

ET.register_namespace(layout.QEMU_PREFIX, layout.QEMU_NS)

#: Starts every comment hvtui writes inside elements it manages, so that a
#: later ``--into`` can recognise and replace them.
COMMENT_MARK = "hvtui:"


@record(frozen=True)
class Fallback:
    """An option passed with ``-global`` because libvirt cannot express it."""

    entry: Enlightenment
    value: Value
    reason: str


@record(frozen=True)
class Omitted:
    """An option the libvirt output leaves out, and why that changes nothing."""

    entry: Enlightenment
    value: Value
    reason: str


@record(frozen=True)
class LibvirtPlan:
    """Where every option of a configuration goes in a libvirt domain."""

    target: ExportTarget
    native: tuple[tuple[Enlightenment, Value], ...]
    fallback: tuple[Fallback, ...]
    omitted: tuple[Omitted, ...]
    extra: tuple[tuple[Enlightenment, tuple[str, ...]], ...] = ()
    """QEMU arguments options need beyond properties (syndbg's ``-device``), which
    libvirt has no element for either, with the option that needs them."""

    def native_value(self, entry: Enlightenment) -> Value | None:
        """The value written natively for ``entry``, or ``None``."""
        for native, value in self.native:
            if native.name == entry.name:
                return value
        return None

    @property
    def passthrough(self) -> Enlightenment | None:
        """The MODE option written as ``<hyperv mode=...>``, if any."""
        for entry, value in self.native:
            if entry.libvirt.kind is LibvirtKind.MODE and value is True:
                return entry
        return None

    def expressed(self) -> Config:
        """The configuration the XML carries (what an importer must read back)."""
        values = {e.name: v for e, v in self.native}
        values.update({f.entry.name: f.value for f in self.fallback})
        return Config.of(values)

    def global_args(self) -> list[tuple[Fallback, str, str]]:
        """``(fallback, "-global", "host-x86_64-cpu.hv-x=on")`` for each fallback."""
        return [
            (
                f,
                "-global",
                f"{self.target.cpu_type}.{f.entry.qemu_property}={qemu_value(f.entry, f.value)}",
            )
            for f in self.fallback
        ]


def _since_ok(entry: Enlightenment, target: ExportTarget) -> bool:
    since = entry.libvirt.since
    return since is not None and since <= target.libvirt


def _phase(entry: Enlightenment) -> int:
    """Modes first (they decide whether <hyperv> takes children), children last."""
    kind = entry.libvirt.kind
    return 0 if kind is LibvirtKind.MODE else 2 if kind is LibvirtKind.HYPERV_CHILD else 1


def plan_libvirt(config: Config, target: ExportTarget) -> LibvirtPlan:
    """Decide native / fallback / omitted for every option in ``config``."""
    unknown = config.unknown()
    if unknown:
        raise ExportError(f"unknown enlightenment {unknown[0]!r} cannot be exported")
    overridden = set(config.overridden_by_passthrough())
    overriding = [n for n in config.enabled() if catalog.get(n).overrides_list]
    native: dict[str, Value] = {}
    fallback: list[Fallback] = []
    omitted: list[Omitted] = []
    items = sorted(((catalog.get(n), v) for n, v in config), key=lambda item: _phase(item[0]))
    for entry, value in items:
        if entry.name in overridden:
            omitted.append(
                Omitted(entry, value, f"{overriding[0]} overrides it, so QEMU ignores it")
            )
            continue
        if not config.is_on(entry.name):
            if _off_is_native(entry, target, native):
                native[entry.name] = value
            else:
                omitted.append(
                    Omitted(
                        entry,
                        value,
                        f"libvirt {target.libvirt} cannot write it off here, and off is "
                        "QEMU's default",
                    )
                )
            continue
        reason = _why_not_native(entry, value, target, native)
        if reason is None:
            native[entry.name] = value
        else:
            fallback.append(Fallback(entry, value, reason))
    order = catalog.order_key
    extra: list[tuple[Enlightenment, tuple[str, ...]]] = []
    for name in config.enabled():
        if name in overridden:
            continue
        for group in extra_arguments(Config.of({name: True})):
            if group not in [g for _, g in extra]:
                extra.append((catalog.get(name), group))
    return LibvirtPlan(
        target,
        tuple(
            sorted(
                ((catalog.get(n), v) for n, v in native.items()),
                key=lambda item: order(item[0].name),
            )
        ),
        tuple(sorted(fallback, key=lambda f: order(f.entry.name))),
        tuple(sorted(omitted, key=lambda o: order(o.entry.name))),
        tuple(extra),
    )


def _passthrough_on(native: dict[str, Value]) -> bool:
    return any(
        catalog.get(n).libvirt.kind is LibvirtKind.MODE and v is True for n, v in native.items()
    )


def _parent_on(entry: Enlightenment, native: dict[str, Value]) -> bool:
    parent = layout.parent_entry(entry)
    return parent is not None and native.get(parent.name) not in (None, False)


def _off_is_native(entry: Enlightenment, target: ExportTarget, native: dict[str, Value]) -> bool:
    """Whether libvirt has an "off" spelling for ``entry`` in this plan."""
    if not _since_ok(entry, target):
        return False
    kind = entry.libvirt.kind
    if kind is LibvirtKind.CLOCK_TIMER:
        return True
    if kind is LibvirtKind.HYPERV:
        return not _passthrough_on(native)
    if kind is LibvirtKind.HYPERV_CHILD:
        return not _passthrough_on(native) and _parent_on(entry, native)
    return False


def _why_not_native(
    entry: Enlightenment, value: Value, target: ExportTarget, native: dict[str, Value]
) -> str | None:
    """Why libvirt cannot write ``entry=value`` here, or ``None`` when it can."""
    lv = entry.libvirt
    where = layout.describe_element(entry)
    if lv.kind is LibvirtKind.NONE or lv.since is None:
        return "libvirt has no element for it"
    if lv.since > target.libvirt:
        return f"libvirt {target.libvirt} does not know {where} (added in libvirt {lv.since})"
    inside_hyperv = lv.kind in (LibvirtKind.HYPERV, LibvirtKind.HYPERV_CHILD)
    if inside_hyperv and _passthrough_on(native):
        return f"libvirt takes no {where} inside <{layout.HYPERV} {layout.MODE}='passthrough'>"
    if lv.kind is LibvirtKind.HYPERV_CHILD and not _parent_on(entry, native):
        parent = layout.parent_entry(entry)
        parent_name = parent.name if parent is not None else where
        return f"libvirt writes {where} only while {parent_name} is on in <{layout.HYPERV}>"
    if lv.minimum is not None and isinstance(value, int) and value < lv.minimum:
        return f"libvirt refuses {lv.attribute} below {lv.minimum}"
    return None


# -- elements ----------------------------------------------------------------


def _feature_element(entry: Enlightenment, value: Value, tag: str) -> ET.Element:
    on = value is not False and value != "off"
    element = ET.Element(tag, {layout.STATE: libvirt_state(on)})
    if on and entry.libvirt.attribute is not None:
        element.set(entry.libvirt.attribute, libvirt_value(entry, value))
    return element


def check_hyperv_mode(plan: LibvirtPlan) -> list[str]:
    """Refuse a ``<hyperv mode>`` the target libvirt does not have; notes on what it changes."""
    mode = plan.target.hyperv_mode
    if mode is None:
        return []
    libvirt = plan.target.libvirt
    if libvirt < mode.since:
        raise ExportError(
            f"<hyperv mode='{mode.name}'> needs libvirt {mode.since}; the target is libvirt "
            f"{libvirt} (use the default mode='custom', or --libvirt-version {mode.since})",
            1,
        )
    if plan.passthrough is not None:
        raise ExportError(
            f"the preset turns on {plan.passthrough.qemu_property}, which is "
            f"<hyperv mode='passthrough'>; it cannot also be mode='{mode.name}'",
            1,
        )
    notes = [f"mode='{mode.name}': {mode.summary}. {mode.migration_note}"]
    if mode.children_since is None or libvirt < mode.children_since:
        since = f"before libvirt {mode.children_since}" if mode.children_since else "ever"
        notes.append(
            f"the preset's own values are left out: child elements do not override "
            f"mode='{mode.name}' {since}"
        )
    return notes


def hyperv_element(plan: LibvirtPlan) -> ET.Element | None:
    """``<hyperv mode=...>`` with its children, or ``None`` when there is nothing to say."""
    mode = plan.passthrough
    if mode is not None:
        return ET.Element(layout.HYPERV, {layout.MODE: mode.libvirt.element})
    asked = plan.target.hyperv_mode
    if asked is not None:
        element = ET.Element(layout.HYPERV, {layout.MODE: asked.name})
        if asked.children_since is None or plan.target.libvirt < asked.children_since:
            return element
    hyperv = ET.Element(layout.HYPERV, {layout.MODE: asked.name if asked else layout.CUSTOM_MODE})
    for entry, value in plan.native:
        if entry.libvirt.kind is not LibvirtKind.HYPERV:
            continue
        element = _feature_element(entry, value, entry.libvirt.element)
        for child in layout.children_of(entry):
            child_value = plan.native_value(child)
            if child_value is not None:
                element.append(_feature_element(child, child_value, layout.split_child(child)[1]))
        hyperv.append(element)
    return hyperv if len(hyperv) or asked is not None else None


def timer_elements(plan: LibvirtPlan) -> list[ET.Element]:
    """``<timer name='hypervclock' present='yes|no'/>`` for each native clock timer."""
    return [
        ET.Element(
            layout.TIMER,
            {
                layout.TIMER_NAME: entry.libvirt.element,
                layout.TIMER_PRESENT: "yes" if value else "no",
            },
        )
        for entry, value in plan.native
        if entry.libvirt.kind is LibvirtKind.CLOCK_TIMER
    ]


def panic_elements(plan: LibvirtPlan) -> list[ET.Element]:
    """``<panic model='hyperv'/>`` for each native panic option that is on."""
    return [
        ET.Element(entry.libvirt.element, {layout.PANIC_MODEL: layout.PANIC_HYPERV})
        for entry, value in plan.native
        if entry.libvirt.kind is LibvirtKind.PANIC and value is True
    ]


def xml_comment(text: str) -> ET.Element:
    """A comment element; ``--`` (not allowed in XML comments) is broken up."""
    safe = text.replace("--", "- -").replace("--", "- -")
    return cast(ET.Element, ET.Comment(f" {safe} "))


def commandline_element(plan: LibvirtPlan) -> ET.Element | None:
    """``<qemu:commandline>`` with a commented ``-global`` pair per fallback."""
    pairs = plan.global_args()
    if not pairs and not plan.extra:
        return None
    commandline = ET.Element(layout.COMMANDLINE)
    for fallback, option, setting in pairs:
        commandline.append(
            xml_comment(f"{COMMENT_MARK} {fallback.entry.qemu_property}: {fallback.reason}")
        )
        commandline.append(ET.Element(layout.ARG, {layout.ARG_VALUE: option}))
        commandline.append(ET.Element(layout.ARG, {layout.ARG_VALUE: setting}))
    for entry, group in plan.extra:
        commandline.append(
            xml_comment(f"{COMMENT_MARK} {entry.qemu_property} needs {' '.join(group)}")
        )
        for word in group:
            commandline.append(ET.Element(layout.ARG, {layout.ARG_VALUE: word}))
    return commandline


def cpu_element(model: str) -> ET.Element:
    """The ``<cpu>`` that makes QEMU use ``-cpu MODEL`` (so ``-global`` hits the right type)."""
    mode = layout.MODE_FOR_MODEL.get(model)
    if mode is not None:
        return ET.Element(layout.CPU, {layout.CPU_MODE: mode})
    cpu = ET.Element(
        layout.CPU, {layout.CPU_MODE: layout.CUSTOM_CPU, layout.CPU_MATCH: layout.CPU_MATCH_EXACT}
    )
    model_element = ET.SubElement(
        cpu, layout.CPU_MODEL, {layout.CPU_FALLBACK: layout.CPU_FALLBACK_FORBID}
    )
    model_element.text = model
    return cpu


def cpu_settings_element(target: ExportTarget) -> ET.Element | None:
    """The ``<cpu>`` carrying the preset's CPU features (vmx/svm, invtsc), if it has any."""
    cpu = target.cpu
    features: list[tuple[str, str]] = []
    if cpu.nested_virt and target.cpu_model not in ("host", "max"):
        features.append((layout.FEATURE_REQUIRE, virt_flag(target.cpu_model)))
    if cpu.invtsc is not None:
        features.append(
            (layout.FEATURE_REQUIRE if cpu.invtsc else layout.FEATURE_DISABLE, "invtsc")
        )
    if not features:
        return None
    element = cpu_element(target.cpu_model)
    for policy, name in features:
        ET.SubElement(
            element, layout.CPU_FEATURE, {layout.FEATURE_POLICY: policy, layout.FEATURE_NAME: name}
        )
    return element


def tsc_timer_element(target: ExportTarget) -> ET.Element | None:
    """``<timer name='tsc' frequency='HZ'/>`` for a preset with ``tsc-frequency``."""
    if target.cpu.tsc_frequency is None:
        return None
    return ET.Element(
        layout.TIMER,
        {
            layout.TIMER_NAME: layout.TSC_TIMER,
            layout.TIMER_FREQUENCY: str(target.cpu.tsc_frequency),
        },
    )


def kvm_hidden_element(target: ExportTarget) -> ET.Element | None:
    """``<kvm><hidden state='on'/></kvm>`` for a preset with ``hide-kvm``."""
    if target.cpu.hide_kvm is None:
        return None
    kvm = ET.Element(layout.KVM)
    ET.SubElement(kvm, layout.KVM_HIDDEN, {layout.STATE: "on" if target.cpu.hide_kvm else "off"})
    return kvm


def cpu_xml(model: str) -> str:
    """:func:`cpu_element` as text, for comments and messages."""
    return ET.tostring(cpu_element(model), encoding="unicode")


def fallback_summary(plan: LibvirtPlan) -> str:
    """One comment explaining the ``<qemu:commandline>`` block and what it needs."""
    parts = []
    if plan.fallback:
        names = ", ".join(f.entry.name for f in plan.fallback)
        parts.append(
            f"libvirt {plan.target.libvirt} cannot express: {names}. <qemu:commandline> "
            f"passes them to QEMU with -global for CPU type {plan.target.cpu_type}, which "
            f"needs {cpu_xml(plan.target.cpu_model)}"
        )
    if plan.extra:
        parts.append("it also carries QEMU arguments libvirt has no element for")
    parts.append(f"<domain> needs xmlns:{layout.QEMU_PREFIX}='{layout.QEMU_NS}'")
    return "; ".join(parts)


def omitted_summary(plan: LibvirtPlan) -> str:
    """One comment line per reason for what the XML leaves out."""
    by_reason: dict[str, list[str]] = {}
    for item in plan.omitted:
        by_reason.setdefault(item.reason, []).append(item.entry.name)
    return "; ".join(
        f"left out {', '.join(names)}: {reason}" for reason, names in by_reason.items()
    )


def _serialize(element: ET.Element, level: int = 0) -> str:
    ET.indent(element, space="  ", level=level)
    return ET.tostring(element, encoding="unicode")


def render_libvirt(config: Config, target: ExportTarget, *, preset_name: str = "") -> str:
    """The pieces to paste into a domain, each with a comment saying where it goes."""
    plan = plan_libvirt(config, target)
    about = f"preset {preset_name}" if preset_name else "this configuration"
    parts: list[ET.Element] = [
        xml_comment(f"hvtui: Hyper-V settings of {about} for {target.describe()}")
    ]
    parts.extend(xml_comment(note) for note in check_hyperv_mode(plan))
    hyperv = hyperv_element(plan)
    hidden = kvm_hidden_element(target)
    if hyperv is not None or hidden is not None:
        replaced = [f"<{e.tag}>" for e in (hyperv, hidden) if e is not None]
        parts.append(
            xml_comment(f"In <{layout.FEATURES}>: replaces any {' and '.join(replaced)} there")
        )
        features = ET.Element(layout.FEATURES)
        features.extend(e for e in (hyperv, hidden) if e is not None)
        parts.append(features)
    cpu = cpu_settings_element(target)
    if cpu is not None:
        parts.append(
            xml_comment(
                f"Replaces <{layout.CPU}>: keeps CPU model {target.cpu_model} and adds the "
                "preset's CPU features"
            )
        )
        parts.append(cpu)
    timers = timer_elements(plan)
    tsc = tsc_timer_element(target)
    if tsc is not None:
        timers.append(tsc)
    if timers:
        parts.append(
            xml_comment(f"In <{layout.CLOCK}>: add the <{layout.TIMER}> and keep your own offset")
        )
        clock = ET.Element(layout.CLOCK, {layout.CLOCK_OFFSET: layout.DEFAULT_CLOCK_OFFSET})
        clock.extend(timers)
        parts.append(clock)
    panics = panic_elements(plan)
    if panics:
        parts.append(xml_comment(f"In <{layout.DEVICES}>: add the <{panics[0].tag}> device"))
        devices = ET.Element(layout.DEVICES)
        devices.extend(panics)
        parts.append(devices)
    commandline = commandline_element(plan)
    if commandline is not None:
        parts.append(xml_comment(fallback_summary(plan)))
        parts.append(commandline)
    if plan.omitted:
        parts.append(xml_comment(omitted_summary(plan)))
    if len(parts) == 1:
        parts.append(xml_comment("nothing to add: the configuration sets no option"))
    return "\n".join(_serialize(p) for p in parts) + "\n"


__all__ = [
    "Fallback",
    "LibvirtPlan",
    "Omitted",
    "commandline_element",
    "cpu_element",
    "cpu_settings_element",
    "hyperv_element",
    "kvm_hidden_element",
    "panic_elements",
    "plan_libvirt",
    "render_libvirt",
    "timer_elements",
    "tsc_timer_element",
    "xml_comment",
]
