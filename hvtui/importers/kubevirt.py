"""Reading Hyper-V options from KubeVirt YAML: VirtualMachine, VirtualMachineInstance and
VirtualMachinePreference documents, several per file.

The fields are the catalog's (:mod:`hvtui.catalog.stacks`); KubeVirt's own
rules decide what the guest gets, as its defaults, converter and webhook apply
them:

- a field that is present is on unless it says ``enabled: false`` (``present:
  false`` for the timer): ``defaults.go`` sets a missing ``enabled`` to true and
  the converter writes ``state='on'`` for it;
- ``spinlocks`` on without a value gets 4096 (``SetDefaults_FeatureSpinlocks``);
- ``hypervPassthrough`` counts only with ``enabled: true`` and only while
  ``features.hyperv`` is absent (the converter checks ``hyperv`` first);
- the webhook switches an unset requirement on (synic -> vpindex, ipi and
  tlbflush -> vpindex, synictimer -> synic, evmcs -> vapic) and reports one that
  was switched off.

A VirtualMachinePreference is read from its ``preferred*`` fields: what a VM that
names it gets where it says nothing itself.  Anything else that is not a
KubeVirt VM (a Service, a DataVolume) is skipped.  Input is untrusted: YAML
goes through :mod:`hvtui.formats.safeyaml`, and a value of the wrong type is a
problem in the result, never an exception.
"""

from __future__ import annotations

from typing import Any

from hvtui import catalog
from hvtui.catalog import Value
from hvtui.catalog.stacks import (
    KUBEVIRT_CPU_FEATURES,
    KUBEVIRT_CPU_MODEL,
    KUBEVIRT_FIELDS,
    KUBEVIRT_KVM_HIDDEN,
    KUBEVIRT_PANIC_HYPERV,
    KUBEVIRT_PREFERENCE_KINDS,
    KUBEVIRT_VM_KINDS,
    KUBEVIRT_WEBHOOK_REQUIRES,
    KubevirtField,
    KubevirtKind,
)
from hvtui.formats import libvirt_layout as layout
from hvtui.formats import safeyaml
from hvtui.importers.result import Imported
from hvtui.model import Config
from hvtui.model.config import off_value
from hvtui.model.cpu import CpuSettings
from hvtui.model.values import value_problem
from hvtui.records import field, record

#: ``apiVersion`` group of KubeVirt's own objects and of its preferences.
_GROUPS = ("kubevirt.io/", "instancetype.kubevirt.io/")
#: KubeVirt's CPU mode names for QEMU's ``host`` and ``max``.
_CPU_MODES = {"host-passthrough": "host", "host-model": None}


class KubevirtError(ValueError):
    """Text that is not usable KubeVirt YAML; ``str()`` is one line naming the source."""


@record(frozen=True)
class KubevirtDocument:
    """One KubeVirt object of a file and what it configures."""

    kind: str
    name: str
    index: int
    """Its position in the file (0-based), for labels (``vm.yaml#2``)."""
    imported: Imported


@record()
class _Reader:
    source: str
    problems: list[str] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")


def _mapping(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _get(root: dict[str, Any], path: tuple[str, ...]) -> object:
    node: object = root
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _switch(reader: _Reader, where: str, node: object, key: str) -> bool | None:
    """On (True), off (False) or unusable (None) for a FeatureState-like node."""
    if not isinstance(node, dict):
        reader.problem(where, f"expected a mapping like {{{key}: true}}, got {node!r:.40}")
        return None
    state = node.get(key)
    if state is None:
        return True
    if not isinstance(state, bool):
        reader.problem(where, f"{key}: expected true or false, got {state!r:.40}")
        return None
    return state


def _read_field(reader: _Reader, domain: dict[str, Any], spec: KubevirtField, base: str) -> None:
    where = ".".join((base, *spec.path))
    if spec.kind is KubevirtKind.PANIC:
        devices = _get(domain, spec.path)
        if devices is None:
            return
        if not isinstance(devices, list):
            reader.problem(where, "expected a list")
            return
        models = [d.get(spec.value or "model") for d in devices if isinstance(d, dict)]
        if KUBEVIRT_PANIC_HYPERV in models:
            reader.values[spec.option] = True
        return
    parent = _get(domain, spec.path[:-1])
    if not isinstance(parent, dict) or spec.path[-1] not in parent:
        return
    node = parent[spec.path[-1]]
    if node is None:
        return  # ``relaxed:`` alone is null: Go's JSON decoding leaves the field unset
    if spec.kind is KubevirtKind.PASSTHROUGH:
        enabled = _mapping(node)
        if enabled is None or "enabled" not in enabled:
            reader.problem(
                where, "without enabled: KubeVirt reads hypervPassthrough only with enabled: true"
            )
            return
        state = _switch(reader, where, node, "enabled")
        if state is not None:
            reader.values[spec.option] = state
        return
    on = _switch(reader, where, node, spec.switch)
    if on is None:
        return
    entry = catalog.get(spec.option)
    if not on:
        off = off_value(entry)  # a string option has no "off": absent is QEMU's default
        if off is not None:
            reader.values[spec.option] = off
        else:
            reader.values.pop(spec.option, None)
        return
    if spec.value is None:
        reader.values[spec.option] = True
        return
    raw = node.get(spec.value) if isinstance(node, dict) else None
    if raw is None:
        if spec.default_value is None:
            reader.problem(where, f"{spec.value}: missing (KubeVirt passes an empty value)")
            return
        raw = spec.default_value  # KubeVirt's default (defaults.go)
    problem = value_problem(entry, raw)
    if problem is not None:
        reader.problem(f"{where}.{spec.value}", problem)
        return
    if spec.minimum is not None and isinstance(raw, int) and raw < spec.minimum:
        reader.problem(f"{where}.{spec.value}", f"KubeVirt refuses values below {spec.minimum}")
    assert isinstance(raw, (bool, int, str))
    reader.values[spec.option] = raw


def _unknown_keys(reader: _Reader, domain: dict[str, Any], base: str) -> None:
    """Report keys of ``features.hyperv`` (and its children) that KubeVirt does not have."""
    known: dict[tuple[str, ...], set[str]] = {}
    for spec in KUBEVIRT_FIELDS:
        if spec.kind is KubevirtKind.HYPERV:
            for depth in range(2, len(spec.path)):
                known.setdefault(spec.path[:depth], set()).add(spec.path[depth])
            leaf = known.setdefault(spec.path, set())
            leaf.add(spec.switch)
            if spec.value is not None:
                leaf.add(spec.value)
    for path, names in known.items():
        node = _get(domain, path)
        if isinstance(node, dict):
            for key in node:
                if key not in names:
                    reader.problem(".".join((base, *path)), f"unknown field {key!r:.40}")


def _webhook(reader: _Reader, base: str) -> None:
    """Apply the webhook's requirements to what was read (an unset one is switched on)."""
    for dependent, requirement in KUBEVIRT_WEBHOOK_REQUIRES:
        if reader.values.get(dependent) is not True:
            continue
        current = reader.values.get(requirement)
        if current is None:
            reader.values[requirement] = True
        elif current is False:
            reader.problem(
                base, f"{dependent} requires {requirement}, which is disabled: KubeVirt refuses it"
            )


def _cpu(reader: _Reader, domain: dict[str, Any], base: str) -> tuple[str | None, CpuSettings]:
    settings = CpuSettings()
    hidden = _get(domain, KUBEVIRT_KVM_HIDDEN)
    if isinstance(hidden, bool):
        settings = CpuSettings(hide_kvm=hidden)
    elif hidden is not None:
        reader.problem(f"{base}.{'.'.join(KUBEVIRT_KVM_HIDDEN)}", "expected true or false")
    features = _get(domain, KUBEVIRT_CPU_FEATURES)
    if isinstance(features, list):
        for item in features:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            policy = item.get("policy", "require")  # schema.go CPUFeature: defaults to require
            wanted = layout.FEATURE_POLICIES.get(policy) if isinstance(policy, str) else None
            if wanted is None:
                continue
            name = item["name"]
            if name in layout.VIRT_FLAGS:
                settings = CpuSettings(
                    wanted, settings.tsc_frequency, settings.invtsc, settings.hide_kvm
                )
            elif name == layout.INVTSC:
                settings = CpuSettings(
                    settings.nested_virt, settings.tsc_frequency, wanted, settings.hide_kvm
                )
    model = _get(domain, KUBEVIRT_CPU_MODEL)
    cpu_model = None
    if isinstance(model, str) and model:
        cpu_model = _CPU_MODES.get(model, model)
    return cpu_model, settings


def _vcpus(domain: dict[str, Any]) -> int | None:
    cpu = _mapping(domain.get("cpu"))
    if cpu is None:
        return None
    counts = [cpu.get(k, 1) for k in ("sockets", "cores", "threads")]
    if not all(isinstance(c, int) and not isinstance(c, bool) and 0 < c < 1 << 16 for c in counts):
        return None
    return int(counts[0] * counts[1] * counts[2])


def read_domain(domain: dict[str, Any], *, base: str, source: str = "") -> Imported:
    """The configuration of a VMI ``spec.domain`` (``base`` names it in messages)."""
    reader = _Reader(source)
    for spec in KUBEVIRT_FIELDS:
        _read_field(reader, domain, spec, base)
    hyperv = _get(domain, ("features", "hyperv"))
    if hyperv is not None and not isinstance(hyperv, dict):
        reader.problem(f"{base}.features.hyperv", "expected a mapping")
    if isinstance(hyperv, dict) and reader.values.get("passthrough") is True:
        reader.problem(
            f"{base}.features",
            "hypervPassthrough is ignored: features.hyperv is set, and KubeVirt uses that",
        )
        reader.values.pop("passthrough")
    _unknown_keys(reader, domain, base)
    _webhook(reader, base)
    cpu_model, settings = _cpu(reader, domain, base)
    mode = None
    if reader.values.get("passthrough") is True:
        mode = layout.entries_of(catalog.LibvirtKind.MODE)[0].libvirt.element
    elif isinstance(hyperv, dict):
        mode = layout.CUSTOM_MODE
    return Imported(
        Config.of(reader.values),
        cpu_model=cpu_model,
        problems=tuple(reader.problems),
        vcpus=_vcpus(domain),
        pinning="KubeVirt pins vCPUs only with dedicatedCpuPlacement",
        hyperv_mode=mode,
        cpu_settings=settings,
    )


def _preference_domain(spec: dict[str, Any]) -> dict[str, Any]:
    """A preference's ``preferred*`` fields arranged as a VMI domain would have them."""
    domain: dict[str, Any] = {}
    for field_spec in KUBEVIRT_FIELDS:
        if not field_spec.preference:
            continue
        value = _get(spec, field_spec.preference)
        if value is None and field_spec.preference[-1] not in (
            _mapping(_get(spec, field_spec.preference[:-1])) or {}
        ):
            continue
        if field_spec.kind is KubevirtKind.PANIC:
            value = [{field_spec.value or "model": value}]
        node = domain
        for key in field_spec.path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(field_spec.path[-1], value)
    kvm = _get(spec, ("features", "preferredKvm", KUBEVIRT_KVM_HIDDEN[-1]))
    if kvm is not None:
        domain.setdefault("features", {}).setdefault("kvm", {})["hidden"] = kvm
    return domain


def parse_kubevirt_documents(
    text: str, *, source: str, preferences: bool = False
) -> list[KubevirtDocument]:
    """Every KubeVirt VM and VMI of ``text`` (and preference, with ``preferences``);
    raises :class:`KubevirtError` when the text is not YAML or has none of them."""
    try:
        documents = safeyaml.load_all(text, source=source)
    except safeyaml.YamlError as exc:
        raise KubevirtError(str(exc)) from None
    found: list[KubevirtDocument] = []
    kinds = (*KUBEVIRT_VM_KINDS, *(KUBEVIRT_PREFERENCE_KINDS if preferences else ()))
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            continue
        api = document.get("apiVersion")
        kind = document.get("kind")
        if not isinstance(api, str) or not api.startswith(_GROUPS) or kind not in kinds:
            continue
        assert isinstance(kind, str)
        metadata = _mapping(document.get("metadata")) or {}
        name = metadata.get("name") if isinstance(metadata.get("name"), str) else ""
        spec = _mapping(document.get("spec")) or {}
        if kind == "VirtualMachine":
            base = "spec.template.spec.domain"
            domain = _mapping(_get(spec, ("template", "spec", "domain"))) or {}
        elif kind == "VirtualMachineInstance":
            base = "spec.domain"
            domain = _mapping(spec.get("domain")) or {}
        else:
            base = "spec (preferred)"
            domain = _preference_domain(spec)
        imported = read_domain(domain, base=base, source=source)
        if kind in KUBEVIRT_PREFERENCE_KINDS:
            imported = Imported(
                imported.config,
                problems=imported.problems,
                cpu_settings=imported.cpu_settings,
                hyperv_mode=imported.hyperv_mode,
                pinning="a preference: what VMs that name it get where they set nothing",
            )
        found.append(
            KubevirtDocument(
                kind,
                str(name or ""),
                index,
                Imported(
                    imported.config,
                    cpu_model=imported.cpu_model,
                    problems=imported.problems,
                    name=str(name or ""),
                    vcpus=imported.vcpus,
                    pinning=imported.pinning,
                    hyperv_mode=imported.hyperv_mode,
                    cpu_settings=imported.cpu_settings,
                ),
            )
        )
    if not found:
        what = ", ".join(kinds)
        raise KubevirtError(f"{source}: no KubeVirt {what} in it")
    return found


def parse_kubevirt_yaml(text: str, *, source: str = "<yaml>") -> Imported:
    """The first VM of ``text`` (hvtui's own export has it first)."""
    return parse_kubevirt_documents(text, source=source)[0].imported


def looks_like_kubevirt(text: str) -> bool:
    """True when some line names a KubeVirt ``apiVersion`` (YAML or JSON)."""
    return any(group in text for group in _GROUPS) and "apiVersion" in text


__all__ = [
    "KubevirtDocument",
    "KubevirtError",
    "looks_like_kubevirt",
    "parse_kubevirt_documents",
    "parse_kubevirt_yaml",
    "read_domain",
]
