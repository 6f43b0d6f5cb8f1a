"""``--format kubevirt``: a VirtualMachine fragment to merge, and a VirtualMachinePreference.

The fields come from the catalog (:mod:`hvtui.catalog.stacks`, which cites
KubeVirt's ``schema.go``); nothing here names a field.  Two YAML documents:

1. a ``VirtualMachine`` with only ``spec.template.spec.domain`` (``features``,
   ``clock``, ``devices``, ``cpu``) to merge into an existing VM
   (``kubectl patch vm NAME --type merge --patch-file FILE``) or to copy into a
   new one.  Like ``--format virt-install``, it is faithful to the preset: every
   KubeVirt field the preset does not turn on is written off (``enabled:
   false``, ``present: false``), because merging only changes what the patch
   names and an older ``synictimer: {}`` in the VM would otherwise stay on.  With
   hv-passthrough, ``features.hyperv`` and the ``hyperv`` clock timer are
   removed (``null``): KubeVirt ignores ``hypervPassthrough`` while
   ``features.hyperv`` is set.
2. a ``VirtualMachinePreference`` with the preset's own choice
   (``preferredHyperv``, ``preferredTimer``, ``preferredPanicDeviceModel``,
   ``preferredKvm``) for new VMs that name it in ``spec.preference``.

What KubeVirt cannot express (avic, emsr-bitmap, xmm-input, syndbg, the
version ids, no-nonarch-coresharing, enforce-cpuid; spinlocks below 4096;
a fixed TSC frequency) is listed in the header and left out;
``--strict`` refuses instead (:attr:`KubevirtExport.unexpressed`).

Values reach the text only through PyYAML's safe dumper, which quotes what
YAML would otherwise read differently (a vendor id ``#x`` or ``"a: b"``).
"""

from __future__ import annotations

import re
from typing import Any

from hvtui import catalog
from hvtui.catalog import Value
from hvtui.catalog.cpu_settings import virt_flag
from hvtui.catalog.stacks import (
    KUBEVIRT_API,
    KUBEVIRT_CPU_FEATURES,
    KUBEVIRT_FIELDS,
    KUBEVIRT_KVM_HIDDEN,
    KUBEVIRT_PANIC_HYPERV,
    KUBEVIRT_PREFERENCE_API,
    KUBEVIRT_VERSION,
    KubevirtField,
    KubevirtKind,
    kubevirt_field,
)
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.shell import comment
from hvtui.export.tree import subtree
from hvtui.formats import safeyaml
from hvtui.model import Config
from hvtui.records import record

#: ``VirtualMachine`` paths: the VMI template's domain.
VM_DOMAIN = ("spec", "template", "spec", "domain")
#: A Kubernetes object name: DNS-1123 label characters.
_NAME_JUNK = re.compile(r"[^a-z0-9-]+")


@record(frozen=True)
class Unexpressed:
    """Something the preset sets that the format cannot write, and why."""

    name: str
    """The option (``avic``) or CPU setting (``tsc-frequency``)."""
    value: Value
    reason: str

    def describe(self) -> str:
        """``avic: KubeVirt has no field for it``."""
        return f"{self.name}: {self.reason}"


@record(frozen=True)
class KubevirtExport:
    """The two documents and what they leave out."""

    vm: dict[str, Any]
    preference: dict[str, Any]
    expressed: Config
    """The options the VM document turns on or off (what an importer reads back)."""
    unexpressed: tuple[Unexpressed, ...]
    """Options (and CPU settings) the preset turns on that KubeVirt cannot express."""
    omitted: tuple[Unexpressed, ...]
    """Explicit offs KubeVirt has no field for (off is what it does anyway)."""
    notes: tuple[str, ...]


def object_name(preset_name: str) -> str:
    """A Kubernetes name from a preset name (lower case, ``a-z0-9-``, at most 63)."""
    name = _NAME_JUNK.sub("-", preset_name.lower()).strip("-")[:55].strip("-")
    return f"hvtui-{name}" if name else "hvtui"


def _field_value(field: KubevirtField, value: Value, *, on: bool) -> dict[str, Any]:
    """``{enabled: true, spinlocks: 8191}`` for a FeatureState-like field."""
    state: dict[str, Any] = {field.switch: on}
    if on and field.value is not None:
        state[field.value] = value
    return state


def _put(root: dict[str, Any], field: KubevirtField, value: Value, *, on: bool) -> None:
    """Write ``field`` into the domain ``root`` (keeps children already written)."""
    node = subtree(root, field.path)
    node.update(_field_value(field, value, on=on))


def _check(field: KubevirtField, value: Value) -> str | None:
    """Why KubeVirt refuses this value, or ``None``."""
    if field.minimum is not None and isinstance(value, int) and value < field.minimum:
        return f"KubeVirt refuses {field.value} below {field.minimum}"
    if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
        return f"KubeVirt takes at most {field.max_length} characters"
    return None


def build_kubevirt(
    config: Config, target: ExportTarget, *, preset_name: str = "hyperv"
) -> KubevirtExport:
    """Both documents for ``config`` (call :func:`~hvtui.export.export_findings` first)."""
    unknown = config.unknown()
    if unknown:
        raise ExportError(f"unknown enlightenment {unknown[0]!r} cannot be exported")
    passthrough = any(catalog.get(n).overrides_list for n in config.enabled())
    overridden = set(config.overridden_by_passthrough())
    written: dict[str, Value] = {}
    unexpressed: list[Unexpressed] = []
    omitted: list[Unexpressed] = []
    for name, value in config:
        on = config.is_on(name)
        if name in overridden:
            omitted.append(Unexpressed(name, value, "hv-passthrough overrides it"))
            continue
        found = kubevirt_field(name)
        if found is None:
            reason = "KubeVirt has no field for it"
            if on:
                unexpressed.append(Unexpressed(name, value, reason))
            else:
                omitted.append(Unexpressed(name, value, f"{reason}; off is what it does anyway"))
            continue
        problem = _check(found, value) if on else None
        if problem is not None:
            unexpressed.append(Unexpressed(name, value, problem))
            continue
        written[name] = value

    domain: dict[str, Any] = {}
    preferred: dict[str, Any] = {}
    for field in KUBEVIRT_FIELDS:
        chosen = written.get(field.option)
        on = chosen is not None and Config.of({field.option: chosen}).is_on(field.option)
        if field.kind is KubevirtKind.PASSTHROUGH:
            _put(domain, field, True, on=on)
            continue
        if passthrough:
            continue
        if field.kind is KubevirtKind.PANIC:
            if on:
                subtree(domain, field.path[:-1])[field.path[-1]] = [
                    {field.value or "model": KUBEVIRT_PANIC_HYPERV}
                ]
                subtree(preferred, field.preference[:-1])[field.preference[-1]] = (
                    KUBEVIRT_PANIC_HYPERV
                )
            continue
        # Every other field is written, off when the preset does not turn it on, so that
        # merging into a VM that has it switches it off (what the preset says).
        _put(domain, field, chosen if chosen is not None else False, on=on)
        if chosen is not None and field.preference:
            node = subtree(preferred, field.preference)
            node.update(_field_value(field, chosen, on=on))
    if passthrough:
        hyperv = next(f for f in KUBEVIRT_FIELDS if f.kind is KubevirtKind.HYPERV)
        timer = next(f for f in KUBEVIRT_FIELDS if f.kind is KubevirtKind.TIMER)
        subtree(domain, hyperv.path[:-2])[hyperv.path[-2]] = None
        subtree(domain, timer.path[:-1])[timer.path[-1]] = None

    notes = _notes(target, passthrough)
    if written.get("evmcs") is True:
        notes.append(
            "evmcs: KubeVirt's webhook adds cpu feature vmx (policy require) and schedules the "
            "VM on Intel nodes"
        )
    if not passthrough and written.get("crash") is not True:
        notes.append(
            "a panicDevices entry with model hyperv already in the VM keeps hv-crash on: the "
            "patch leaves that list alone (a merge would replace it whole)"
        )
    cpu_features, hidden = _cpu_settings(target, unexpressed)
    if hidden is not None:
        subtree(domain, KUBEVIRT_KVM_HIDDEN[:-1])[KUBEVIRT_KVM_HIDDEN[-1]] = hidden
        subtree(preferred, ("features", "preferredKvm"))[KUBEVIRT_KVM_HIDDEN[-1]] = hidden
    if cpu_features:
        subtree(domain, KUBEVIRT_CPU_FEATURES[:-1])[KUBEVIRT_CPU_FEATURES[-1]] = cpu_features
    name = object_name(preset_name)
    vm: dict[str, Any] = {"apiVersion": KUBEVIRT_API, "kind": "VirtualMachine"}
    vm["metadata"] = {"name": name}
    spec = vm
    for key in VM_DOMAIN[:-1]:
        spec = spec.setdefault(key, {})
    spec[VM_DOMAIN[-1]] = domain
    preference: dict[str, Any] = {
        "apiVersion": KUBEVIRT_PREFERENCE_API,
        "kind": "VirtualMachinePreference",
        "metadata": {"name": name},
        "spec": preferred,
    }
    return KubevirtExport(
        vm,
        preference,
        Config.of(written),
        tuple(unexpressed),
        tuple(omitted),
        tuple(notes),
    )


def _cpu_settings(
    target: ExportTarget, unexpressed: list[Unexpressed]
) -> tuple[list[dict[str, str]], bool | None]:
    """``cpu.features`` entries and ``features.kvm.hidden`` for the preset's ``[cpu]``."""
    cpu = target.cpu
    features: list[dict[str, str]] = []
    if cpu.nested_virt and target.cpu_model not in ("host", "max"):
        features.append({"name": virt_flag(target.cpu_model), "policy": "require"})
    if cpu.invtsc is not None:
        features.append({"name": "invtsc", "policy": "require" if cpu.invtsc else "disable"})
    if cpu.tsc_frequency is not None:
        unexpressed.append(
            Unexpressed(
                "tsc-frequency",
                cpu.tsc_frequency,
                "KubeVirt has no field for it (it sets the TSC frequency of migratable VMs itself)",
            )
        )
    return features, cpu.hide_kvm


def _notes(target: ExportTarget, passthrough: bool) -> list[str]:
    notes = [
        f"KubeVirt {KUBEVIRT_VERSION.short()} API ({KUBEVIRT_API}); tlbflush direct/extended "
        "need KubeVirt 1.8, hypervPassthrough 1.3",
        "merge into a VM: kubectl patch vm NAME --type merge --patch-file FILE (the first "
        "document); the VirtualMachinePreference (second) is for new VMs: spec.preference.name",
    ]
    if passthrough:
        notes.append(
            "hypervPassthrough: features.hyperv is removed (KubeVirt ignores hypervPassthrough "
            "while it is set); the VM becomes non-migratable; a VirtualMachinePreference cannot "
            "express it"
        )
    if target.cpu_model_source in ("cli", "preset") and target.cpu_model != "host":
        notes.append(
            f"CPU model {target.cpu_model}: set spec.template.spec.domain.cpu.model yourself"
        )
    return notes


def _yaml(document: dict[str, Any]) -> str:
    return safeyaml.dump(document)


def render_kubevirt(config: Config, target: ExportTarget, *, preset_name: str = "hyperv") -> str:
    """Header comments, then the two YAML documents."""
    built = build_kubevirt(config, target, preset_name=preset_name)
    lines = [f"hvtui: Hyper-V settings of {preset_name} for {target.describe()}"]
    lines.extend(built.notes)
    lines.extend(
        f"not expressible in KubeVirt, left out: {u.describe()}" for u in built.unexpressed
    )
    lines.extend(f"left out {u.describe()}" for u in built.omitted)
    header = comment("\n".join(lines))
    return f"{header}\n---\n{_yaml(built.vm)}---\n{_yaml(built.preference)}"


__all__ = [
    "VM_DOMAIN",
    "KubevirtExport",
    "Unexpressed",
    "build_kubevirt",
    "object_name",
    "render_kubevirt",
]
