"""``--into DOMAIN.xml``: the Hyper-V settings merged into an existing domain definition.

The preset defines the whole Hyper-V set, so what hvtui manages is replaced
and everything else is kept as it was: ``<features><hyperv>``, the catalog's
clock timers, ``<panic model='hyperv'/>``, and in ``<qemu:commandline>`` the
``-global`` pairs that set an ``hv-*`` property of the CPU (``_hv_global``), the
catalog's extra arguments and hvtui's own comments.  Running it twice gives the
same document.

The domain's CPU model is never changed when it names one: ``-global``
lines then target that model's QEMU type.  A ``--cpu-model`` that disagrees
with it is an error; without ``<cpu>`` one is added only when ``-global``
lines or the preset's CPU features need a known CPU model; with ``host-model``
(libvirt picks the type at start) such lines cannot be targeted and the merge
is refused.

The preset's ``[cpu]`` settings are merged key by key, and only the keys it
sets: ``nested-virt`` and ``invtsc`` replace the ``<feature>`` of that name in
the existing ``<cpu>`` (its mode, model and other children stay; on
``host-passthrough`` vmx/svm need nothing, so only a ``disable`` of them goes),
``tsc-frequency`` sets the ``frequency`` of ``<clock><timer name='tsc'>`` (the
offset and the other timers stay) and ``hide-kvm`` sets ``<features><kvm><hidden
state>`` (other ``<kvm>`` children stay).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hvtui import catalog
from hvtui.catalog import LibvirtKind
from hvtui.catalog.cpu_settings import virt_flag
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.libvirt import (
    COMMENT_MARK,
    LibvirtPlan,
    commandline_element,
    cpu_element,
    hyperv_element,
    panic_elements,
    plan_libvirt,
    timer_elements,
)
from hvtui.export.qemu import cpu_setting_notes
from hvtui.formats import libvirt_layout as layout
from hvtui.formats import safexml
from hvtui.formats.libvirt_layout import FEATURE_POLICIES, INVTSC, VIRT_FLAGS, cpu_model_of
from hvtui.formats.qemu_global import GlobalOptionError, parse_global, reaches_cpu
from hvtui.formats.spelling import names_hyperv
from hvtui.model import Config
from hvtui.records import record, replace

_RESERVED_PREFIX = re.compile(r"^ns\d+$|^xml", re.IGNORECASE)


@record(frozen=True)
class MergeResult:
    """The merged document and what the user should know about it."""

    text: str
    plan: LibvirtPlan
    notes: tuple[str, ...]


def _unit(root: ET.Element) -> str:
    """The document's indentation step (libvirt writes two spaces)."""
    text = root.text or ""
    if text.startswith("\n") and text.strip() == "":
        step = text.lstrip("\n").replace("\t", "  ")
        if step:
            return step
    return "  "


class _Editor:
    """Inserts and removes elements while keeping the surrounding indentation."""

    def __init__(self, root: ET.Element) -> None:
        self.unit = _unit(root)

    def insert(self, parent: ET.Element, index: int, child: ET.Element, depth: int) -> None:
        """Put ``child`` at ``index`` of ``parent`` (at nesting ``depth`` of ``parent``)."""
        inner = "\n" + self.unit * (depth + 1)
        closing = "\n" + self.unit * depth
        ET.indent(child, space=self.unit, level=depth + 1)
        if len(parent) == 0:
            parent.text = inner
            child.tail = closing
            parent.append(child)
            return
        if index >= len(parent):
            last = parent[-1]
            child.tail = last.tail if (last.tail or "").strip() == "" else closing
            last.tail = inner
            parent.append(child)
            return
        child.tail = inner
        parent.insert(index, child)

    def remove(self, parent: ET.Element, child: ET.Element) -> None:
        """Take ``child`` out, handing its trailing whitespace to the previous sibling."""
        children = list(parent)
        index = children.index(child)
        if index == len(children) - 1:
            if index > 0:
                children[index - 1].tail = child.tail
            else:
                parent.text = None
        parent.remove(child)


def _position_after(parent: ET.Element, tags: tuple[str, ...]) -> int:
    """Index just after the last child whose tag is in ``tags`` (else the end)."""
    found = -1
    for i, child in enumerate(parent):
        if child.tag in tags:
            found = i
    return found + 1 if found >= 0 else len(parent)


def _hv_global(value: str) -> bool:
    """A ``-global`` hvtui manages: an ``hv-*`` property for a driver QEMU applies to an
    x86 CPU (:func:`reaches_cpu`: any model's type, or one every CPU is, such as
    ``x86_64-cpu``, or every device, such as ``device``, at which QEMU stops anyway).

    The driver and property are those QEMU reads (:func:`parse_global`: the driver ends
    at the first ``.``, the long form names them anywhere); one QEMU refuses is the
    user's, and kept.
    """
    try:
        option = parse_global(value)
    except GlobalOptionError:
        return False
    return reaches_cpu(option.driver) and names_hyperv(option.property)


def _extra_groups() -> list[tuple[str, ...]]:
    groups: list[tuple[str, ...]] = []
    for entry in catalog.ENTRIES:
        words = entry.extra_qemu_args
        current: list[str] = []
        for word in words:
            if word.startswith("-") and current:
                groups.append(tuple(current))
                current = []
            current.append(word)
        if current:
            groups.append(tuple(current))
    return groups


def _strip_commandline(editor: _Editor, commandline: ET.Element) -> None:
    """Remove hvtui-managed arguments and comments from one ``<qemu:commandline>``."""
    children = list(commandline)
    doomed: set[int] = set()
    args = [(i, c) for i, c in enumerate(children) if c.tag == layout.ARG]
    values = [c.get(layout.ARG_VALUE, "") for _, c in args]
    groups = _extra_groups()
    k = 0
    while k < len(args):
        if values[k] == "-global" and k + 1 < len(args) and _hv_global(values[k + 1]):
            doomed.update((args[k][0], args[k + 1][0]))
            k += 2
            continue
        matched = next((g for g in groups if tuple(values[k : k + len(g)]) == g), None)
        if matched is not None:
            doomed.update(args[j][0] for j in range(k, k + len(matched)))
            k += len(matched)
            continue
        k += 1
    for i, child in enumerate(children):
        is_comment = not isinstance(child.tag, str)
        if is_comment and (child.text or "").strip().startswith(COMMENT_MARK):
            doomed.add(i)
    for i in sorted(doomed, reverse=True):
        editor.remove(commandline, children[i])


def _remove_managed(editor: _Editor, root: ET.Element) -> int | None:
    """Remove what hvtui manages; returns where ``<hyperv>`` was in ``<features>``."""
    hyperv_at: int | None = None
    for features in root.findall(layout.FEATURES):
        for hyperv in features.findall(layout.HYPERV):
            if hyperv_at is None:
                hyperv_at = list(features).index(hyperv)
            editor.remove(features, hyperv)
    timer_names = {e.libvirt.element for e in layout.entries_of(LibvirtKind.CLOCK_TIMER)}
    for clock in root.findall(layout.CLOCK):
        for timer in clock.findall(layout.TIMER):
            if timer.get(layout.TIMER_NAME) in timer_names:
                editor.remove(clock, timer)
    panic_tags = {e.libvirt.element for e in layout.entries_of(LibvirtKind.PANIC)}
    for devices in root.findall(layout.DEVICES):
        for device in list(devices):
            if device.tag in panic_tags and device.get(layout.PANIC_MODEL) == layout.PANIC_HYPERV:
                editor.remove(devices, device)
    for commandline in root.findall(layout.COMMANDLINE):
        _strip_commandline(editor, commandline)
        if len(commandline) == 0:
            editor.remove(root, commandline)
    return hyperv_at


def _child(
    editor: _Editor, root: ET.Element, tag: str, attrib: dict[str, str], after: tuple[str, ...]
) -> ET.Element:
    found = root.find(tag)
    if found is not None:
        return found
    element = ET.Element(tag, attrib)
    editor.insert(root, _position_after(root, after), element, 0)
    return element


def _resolve_cpu(
    root: ET.Element, target: ExportTarget, source: str
) -> tuple[ExportTarget, bool, list[str]]:
    """The target with the domain's CPU model, whether to add ``<cpu>``, and notes."""
    notes: list[str] = []
    domain_model = cpu_model_of(root)
    if domain_model is not None:
        if domain_model == target.cpu_model:
            return target, False, notes
        if target.cpu_model_source == "cli":
            raise ExportError(
                f"{source}: the domain's CPU model is {domain_model!r}, not "
                f"{target.cpu_model!r} (--cpu-model); hvtui does not change the domain's "
                f"<{layout.CPU}>: use --cpu-model {domain_model} or edit the domain"
            )
        if target.cpu_model_source == "preset":
            notes.append(
                f"the domain's CPU model {domain_model} is kept (the preset targets "
                f"{target.cpu_model})"
            )
        return replace(target, cpu_model=domain_model, cpu_model_source="domain"), False, notes
    has_cpu = root.find(layout.CPU) is not None
    return target, not has_cpu, notes


def merge_into(
    data: bytes | str, config: Config, target: ExportTarget, *, source: str = "<domain>"
) -> MergeResult:
    """Merge ``config`` into the domain XML ``data``; raises ``XmlError``/``ExportError``."""
    document = safexml.parse(data, source=source)
    root = document.root
    if root.tag != layout.DOMAIN:
        raise ExportError(
            f"{source}: not a libvirt domain definition (the root element is <{root.tag}>)"
        )
    target, add_cpu, notes = _resolve_cpu(root, target, source)
    plan = plan_libvirt(config, target)
    if plan.fallback and cpu_model_of(root) is None and not add_cpu:
        names = ", ".join(f.entry.name for f in plan.fallback)
        passthrough = f"<{layout.CPU} {layout.CPU_MODE}='{layout.HOST_PASSTHROUGH}'/>"
        raise ExportError(
            f"{source}: the domain's <{layout.CPU}> lets libvirt choose the CPU type at "
            f"start, so -global lines for {names} cannot target it; use {passthrough} or a "
            "custom model, or a target libvirt that knows them (--libvirt-version)"
        )
    editor = _Editor(root)
    hyperv_at = _remove_managed(editor, root)
    features_need_cpu = _cpu_features_wanted(target)
    if add_cpu and (plan.fallback or features_need_cpu):
        editor.insert(
            root, _position_after(root, (layout.FEATURES, "os")), cpu_element(target.cpu_model), 0
        )
        why = " and ".join(
            what
            for what, needed in (
                ("the -global lines need a known CPU type", bool(plan.fallback)),
                ("the preset's CPU features need a CPU model", features_need_cpu),
            )
            if needed
        )
        notes.append(f"added <{layout.CPU}> for CPU model {target.cpu_model}: {why}")
    _add_managed(editor, root, plan, hyperv_at)
    notes.extend(_merge_cpu_settings(editor, root, target))
    for prefix, uri in document.namespaces:
        if not _RESERVED_PREFIX.match(prefix):
            try:
                ET.register_namespace(prefix, uri)
            except ValueError:
                continue
    body = ET.tostring(root, encoding="unicode")
    return MergeResult(document.prolog + body + document.epilog, plan, tuple(notes))


def _clock(editor: _Editor, root: ET.Element) -> ET.Element:
    """The domain's ``<clock>``, made (offset UTC, after features, CPU or os) if missing."""
    return _child(
        editor,
        root,
        layout.CLOCK,
        {layout.CLOCK_OFFSET: layout.DEFAULT_CLOCK_OFFSET},
        (layout.FEATURES, layout.CPU, "os"),
    )


def _add_managed(
    editor: _Editor, root: ET.Element, plan: LibvirtPlan, hyperv_at: int | None
) -> None:
    hyperv = hyperv_element(plan)
    if hyperv is not None:
        features = _child(editor, root, layout.FEATURES, {}, ("os",))
        position = len(features) if hyperv_at is None else hyperv_at
        editor.insert(features, position, hyperv, 1)
    timers = timer_elements(plan)
    if timers:
        clock = _clock(editor, root)
        for timer in timers:
            editor.insert(clock, len(clock), timer, 1)
    panics = panic_elements(plan)
    if panics:
        devices = _child(editor, root, layout.DEVICES, {}, ())
        for panic in panics:
            editor.insert(devices, len(devices), panic, 1)
    commandline = commandline_element(plan)
    if commandline is not None:
        existing = root.find(layout.COMMANDLINE)
        if existing is None:
            editor.insert(root, len(root), commandline, 0)
        else:
            for item in list(commandline):
                editor.insert(existing, len(existing), item, 1)


def _cpu_features_wanted(target: ExportTarget) -> bool:
    """Whether the preset's ``[cpu]`` puts a ``<feature>`` into ``<cpu>`` (which then
    needs a CPU model: libvirt refuses features without one)."""
    return target.cpu.invtsc is not None or bool(target.cpu.nested_virt)


def _set_feature(
    editor: _Editor, cpu: ET.Element, name: str, policy: str | None, *, every: bool
) -> None:
    """Replace the ``<feature name=NAME>`` of ``cpu`` by one with ``policy``.

    ``every``: remove each ``<feature>`` of that name, else only those whose policy
    gives the guest the feature; ``policy`` ``None`` adds none.
    """
    for feature in cpu.findall(layout.CPU_FEATURE):
        if feature.get(layout.FEATURE_NAME) != name:
            continue
        given = FEATURE_POLICIES.get(feature.get(layout.FEATURE_POLICY, layout.FEATURE_REQUIRE))
        if every or given is True:
            editor.remove(cpu, feature)
    if policy is not None:
        element = ET.Element(
            layout.CPU_FEATURE, {layout.FEATURE_POLICY: policy, layout.FEATURE_NAME: name}
        )
        editor.insert(cpu, len(cpu), element, 1)


def _merge_cpu_features(editor: _Editor, root: ET.Element, target: ExportTarget) -> list[str]:
    """``nested-virt`` and ``invtsc`` as ``<feature>`` children of the domain's ``<cpu>``."""
    settings = target.cpu
    if settings.nested_virt is None and settings.invtsc is None:
        return []
    cpu = root.find(layout.CPU)
    if cpu is None:
        return []  # nothing to write: one is added when there is (_cpu_features_wanted)
    notes: list[str] = []
    model = cpu_model_of(root)
    mode = cpu.get(layout.CPU_MODE, layout.CUSTOM_CPU)
    if model is None and mode != layout.HOST_MODEL:
        return [
            f"nested-virt/invtsc not written: the domain's <{layout.CPU}> names no model, and "
            "libvirt refuses <feature> without one"
        ]
    nested = settings.nested_virt
    if nested is not None:
        if model is None:
            notes.append(
                f"nested-virt not written: with <{layout.CPU} mode='{layout.HOST_MODEL}'> "
                "libvirt picks the model at start, so whether it is vmx or svm depends on the "
                "host; add <feature policy='require' name='vmx'/> (Intel) or 'svm' (AMD)"
            )
        elif model in ("host", "max"):
            if nested:
                # Passed through already; only a feature that takes it away must go.
                for feature in cpu.findall(layout.CPU_FEATURE):
                    policy = feature.get(layout.FEATURE_POLICY, layout.FEATURE_REQUIRE)
                    if (
                        feature.get(layout.FEATURE_NAME) in VIRT_FLAGS
                        and FEATURE_POLICIES.get(policy) is False
                    ):
                        editor.remove(cpu, feature)
                        notes.append(
                            f"removed <feature policy='{policy}' "
                            f"name='{feature.get(layout.FEATURE_NAME)}'>: nested-virt is on"
                        )
        else:
            wanted = layout.FEATURE_REQUIRE if nested else None
            _set_feature(editor, cpu, virt_flag(model), wanted, every=nested)
    if settings.invtsc is not None:
        wanted = layout.FEATURE_REQUIRE if settings.invtsc else layout.FEATURE_DISABLE
        _set_feature(editor, cpu, INVTSC, wanted, every=True)
    return notes


def _merge_cpu_settings(editor: _Editor, root: ET.Element, target: ExportTarget) -> list[str]:
    """Every key the preset's ``[cpu]`` sets, and only those; returns notes."""
    settings = target.cpu
    if settings.empty:
        return []
    notes = _merge_cpu_features(editor, root, target)
    if settings.tsc_frequency is not None:
        clock = _clock(editor, root)
        timers = [
            t for t in clock.findall(layout.TIMER) if t.get(layout.TIMER_NAME) == layout.TSC_TIMER
        ]
        frequency = str(settings.tsc_frequency)
        if timers:
            for timer in timers:
                timer.set(layout.TIMER_FREQUENCY, frequency)
        else:
            timer = ET.Element(
                layout.TIMER,
                {layout.TIMER_NAME: layout.TSC_TIMER, layout.TIMER_FREQUENCY: frequency},
            )
            editor.insert(clock, len(clock), timer, 1)
    if settings.hide_kvm is not None:
        state = "on" if settings.hide_kvm else "off"
        features = _child(editor, root, layout.FEATURES, {}, ("os",))
        kvm = features.find(layout.KVM)
        if kvm is None:
            kvm = ET.Element(layout.KVM)
            editor.insert(features, _position_after(features, (layout.HYPERV,)), kvm, 1)
        hidden = kvm.find(layout.KVM_HIDDEN)
        if hidden is None:
            hidden = ET.Element(layout.KVM_HIDDEN)
            editor.insert(kvm, len(kvm), hidden, 2)
        hidden.set(layout.STATE, state)
    if cpu_model_of(root) is None:
        # The nested-virt note is about host/max; here libvirt picks the model (noted above).
        target = replace(target, cpu=replace(settings, nested_virt=None))
    notes.extend(cpu_setting_notes(target))
    return notes


__all__ = ["MergeResult", "merge_into"]
