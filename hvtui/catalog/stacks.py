"""How stacks that are not libvirt XML or QEMU arguments spell the options.

Three stacks, each read from its own source (cited per fact below):

- **KubeVirt** (``--format kubevirt``, and ``hvtui audit`` of VirtualMachine /
  VirtualMachineInstance YAML): the ``kubevirt.io/v1`` API types in
  ``staging/src/kubevirt.io/api/core/v1/schema.go``, its defaults
  (``defaults.go``), the converter to libvirt XML and the admission webhook;
  ``VirtualMachinePreference`` from the ``instancetype.kubevirt.io`` API.
- **Terraform**, the ``dmacvicar/libvirt`` provider (``--format terraform``):
  its ``libvirt_domain`` schema, which since 0.9 maps libvirt's domain XML one
  to one as nested attributes (libvirt names in snake_case).
- **virt-xml** (``--format virt-xml``): virt-manager's tool to edit an existing
  domain, checked with the real virt-xml 4.1 (Debian 12).

The exporters (:mod:`hvtui.export.kubevirt`, :mod:`hvtui.export.terraform`,
:mod:`hvtui.export.virtxml`), the KubeVirt importer and ``hvtui explain`` read
these tables; nothing else states a KubeVirt field or a Terraform attribute.
"""

from __future__ import annotations

import enum

from hvtui.catalog.types import Enlightenment, FactKind, LibvirtKind, Source
from hvtui.records import record
from hvtui.versions import V, Version

# -- KubeVirt -------------------------------------------------------------------------

#: Where the KubeVirt facts were read (kubevirt/kubevirt and kubevirt/common-instancetypes).
KUBEVIRT_SOURCES: tuple[Source, ...] = (
    Source(
        FactKind.LIBVIRT,
        "kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/schema.go at commit 0154a7e4 "
        "(FeatureHyperv, FeatureSpinlocks, FeatureVendorID, SyNICTimer, TLBFlush, "
        "HyperVPassthrough, Timer/HypervTimer, PanicDevice, FeatureKVM, CPUFeature)",
    ),
    Source(
        FactKind.DEFAULTS,
        "kubevirt/kubevirt staging/src/kubevirt.io/api/core/v1/defaults.go: "
        "SetDefaults_FeatureState, SetDefaults_SyNICTimer, SetDefaults_FeatureVendorID, "
        "SetDefaults_HypervTimer set a missing enabled/present to true; "
        "SetDefaults_FeatureSpinlocks sets spinlocks 4096 when enabled without a value",
    ),
    Source(
        FactKind.LIBVIRT,
        "kubevirt/kubevirt pkg/virt-launcher/virtwrap/converter/compute/hypervisor_features.go "
        "(commit 127f8223): a present feature is state on unless enabled is false "
        "(boolToOnOff(enabled, true)); hypervPassthrough is read only with enabled true and "
        "only when features.hyperv is absent",
    ),
    Source(
        FactKind.DEPENDENCIES,
        "kubevirt/kubevirt pkg/virt-api/webhooks/hyperv.go: evmcs->vapic, ipi->vpindex, "
        "tlbflush->vpindex, synictimer->synic, synic->vpindex (an unset requirement is "
        "switched on, a disabled one refused); evmcs adds cpu feature vmx, policy require",
    ),
    Source(
        FactKind.QEMU_SINCE,
        "kubevirt/kubevirt pull request #16404 (tlbflush direct and extended, KubeVirt v1.8); "
        "#11500 (hypervPassthrough, v1.3.0, non-migratable)",
    ),
    Source(
        FactKind.DOCS,
        "kubevirt/common-instancetypes preferences/components/hyperv/hyperv.yaml and "
        "panic-model-hyperv: VirtualMachinePreference spec.features.preferredHyperv, "
        "spec.clock.preferredTimer, spec.devices.preferredPanicDeviceModel; "
        "instancetype API FeaturePreferences (preferredHyperv, preferredKvm)",
    ),
)

#: The API version the KubeVirt export is written for (tlbflush direct/extended need it).
KUBEVIRT_VERSION = V("1.8.0")
KUBEVIRT_API = "kubevirt.io/v1"
KUBEVIRT_PREFERENCE_API = "instancetype.kubevirt.io/v1beta1"
KUBEVIRT_VM_KINDS = ("VirtualMachine", "VirtualMachineInstance")
KUBEVIRT_PREFERENCE_KINDS = ("VirtualMachinePreference", "VirtualMachineClusterPreference")


class KubevirtKind(enum.Enum):
    """Where a KubeVirt field sits and how it is switched."""

    HYPERV = "hyperv"
    """``spec.domain.features.hyperv.<name>``: a FeatureState, on unless ``enabled: false``."""
    TIMER = "timer"
    """``spec.domain.clock.timer.hyperv``: on unless ``present: false``."""
    PASSTHROUGH = "passthrough"
    """``spec.domain.features.hypervPassthrough``: read only with ``enabled: true``."""
    PANIC = "panic"
    """``spec.domain.devices.panicDevices: [{model: hyperv}]``."""


@record(frozen=True)
class KubevirtField:
    """One option's KubeVirt field."""

    option: str
    kind: KubevirtKind
    path: tuple[str, ...]
    """From the VMI's ``spec.domain`` (a VM has it under ``spec.template.spec.domain``)."""
    switch: str = "enabled"
    """The key that turns it off (``enabled``; ``present`` for timers)."""
    value: str | None = None
    """The key of its value (``spinlocks``, ``vendorid``)."""
    preference: tuple[str, ...] = ()
    """Where a VirtualMachinePreference states it (from its ``spec``); ``()``: it cannot."""
    since: Version | None = None
    """First KubeVirt release with the field (``None``: in the API long before 1.0)."""
    minimum: int | None = None
    """Smallest value KubeVirt accepts (spinlocks: 4096, schema.go FeatureSpinlocks)."""
    max_length: int | None = None
    """Longest string (vendorid: twelve characters, schema.go FeatureVendorID)."""
    default_value: int | None = None
    """The value KubeVirt sets when the field is on without one (spinlocks 4096)."""


def _hv(
    option: str,
    *names: str,
    value: str | None = None,
    since: Version | None = None,
    minimum: int | None = None,
    max_length: int | None = None,
    default_value: int | None = None,
) -> KubevirtField:
    return KubevirtField(
        option,
        KubevirtKind.HYPERV,
        ("features", "hyperv", *names),
        value=value,
        preference=("features", "preferredHyperv", *names),
        since=since,
        minimum=minimum,
        max_length=max_length,
        default_value=default_value,
    )


KUBEVIRT_FIELDS: tuple[KubevirtField, ...] = (
    _hv("relaxed", "relaxed"),
    _hv("vapic", "vapic"),
    _hv("spinlocks", "spinlocks", value="spinlocks", minimum=4096, default_value=4096),
    _hv("vpindex", "vpindex"),
    _hv("runtime", "runtime"),
    KubevirtField(
        "time",
        KubevirtKind.TIMER,
        ("clock", "timer", "hyperv"),
        switch="present",
        preference=("clock", "preferredTimer", "hyperv"),
    ),
    _hv("synic", "synic"),
    _hv("stimer", "synictimer"),
    _hv("stimer-direct", "synictimer", "direct"),
    _hv("reset", "reset"),
    _hv("vendor-id", "vendorid", value="vendorid", max_length=12),
    _hv("frequencies", "frequencies"),
    _hv("reenlightenment", "reenlightenment"),
    _hv("tlbflush", "tlbflush"),
    _hv("tlbflush-direct", "tlbflush", "direct", since=V("1.8.0")),
    _hv("tlbflush-ext", "tlbflush", "extended", since=V("1.8.0")),
    _hv("ipi", "ipi"),
    _hv("evmcs", "evmcs"),
    KubevirtField(
        "passthrough",
        KubevirtKind.PASSTHROUGH,
        ("features", "hypervPassthrough"),
        since=V("1.3.0"),
    ),
    KubevirtField(
        "crash",
        KubevirtKind.PANIC,
        ("devices", "panicDevices"),
        switch="",
        value="model",
        preference=("devices", "preferredPanicDeviceModel"),
    ),
)
#: ``panicDevices[].model`` for the Hyper-V crash MSRs (schema.go PanicDeviceModel).
KUBEVIRT_PANIC_HYPERV = "hyperv"
#: What KubeVirt's admission webhook requires: (dependent, requirement), catalog names
#: (``pkg/virt-api/webhooks/hyperv.go``; the audit applies them as KubeVirt would).
KUBEVIRT_WEBHOOK_REQUIRES: tuple[tuple[str, str], ...] = (
    ("evmcs", "vapic"),
    ("ipi", "vpindex"),
    ("tlbflush", "vpindex"),
    ("stimer", "synic"),
    ("synic", "vpindex"),
)
#: ``spec.domain.features.kvm.hidden`` (schema.go FeatureKVM): QEMU's ``kvm=off``.
KUBEVIRT_KVM_HIDDEN = ("features", "kvm", "hidden")
#: ``spec.domain.cpu.features: [{name, policy}]`` (schema.go CPUFeature, policy default require).
KUBEVIRT_CPU_FEATURES = ("cpu", "features")
#: ``spec.domain.cpu.model``: ``host-passthrough`` is QEMU's ``-cpu host``.
KUBEVIRT_CPU_MODEL = ("cpu", "model")

_KUBEVIRT_BY_OPTION = {f.option: f for f in KUBEVIRT_FIELDS}


def kubevirt_field(option: str) -> KubevirtField | None:
    """The KubeVirt field of ``option`` (canonical name), or ``None``: KubeVirt has none."""
    return _KUBEVIRT_BY_OPTION.get(option)


def kubevirt_spelling(option: str) -> str:
    """``spec.domain.features.hyperv.synictimer.direct`` style text for ``explain``."""
    found = kubevirt_field(option)
    if found is None:
        return "no field: KubeVirt cannot express it"
    path = "spec.domain." + ".".join(found.path)
    if found.kind is KubevirtKind.PANIC:
        text = f"{path}: [{{model: {KUBEVIRT_PANIC_HYPERV}}}]"
    elif found.value is not None:
        text = f"{path}.{found.value}"
    else:
        text = f"{path} ({found.switch}: true is the default)"
        if found.kind is KubevirtKind.PASSTHROUGH:
            text = f"{path}.enabled: true (read only when set)"
    extra = []
    if found.minimum is not None:
        extra.append(f">= {found.minimum}")
    if found.max_length is not None:
        extra.append(f"at most {found.max_length} characters")
    if found.since is not None:
        extra.append(f"KubeVirt {found.since.short()}+")
    return text + (f" ({', '.join(extra)})" if extra else "")


# -- Terraform: dmacvicar/libvirt --------------------------------------------------------

TERRAFORM_PROVIDER = "dmacvicar/libvirt"
#: The provider releases the export is written for: the plugin-framework rewrite that maps
#: the domain XML as nested attributes (``features = { hyper_v = { ... } }``).
TERRAFORM_VERSION = ">= 0.9.0"
#: Where the provider's facts were read.
TERRAFORM_SOURCES: tuple[Source, ...] = (
    Source(
        FactKind.LIBVIRT,
        "dmacvicar/terraform-provider-libvirt docs/resources/domain.md at commit 1bc4dd5f "
        "(features.hyper_v, clock.timer, devices.panics, cpu.features, features.kvm.hidden) "
        "and docs/schema-mapping.md (nested attributes, snake_case libvirt names)",
    ),
    Source(
        FactKind.LIBVIRT,
        "libvirt.org/go/libvirtxml DomainFeatureHyperVSpinlocks, DomainFeatureHyperVVendorId, "
        "DomainFeatureHyperVSTimer, DomainFeatureHyperVTLBFlush embed DomainFeatureState "
        "(the state attribute); the provider's docs at 1bc4dd5f list no state for these four "
        "(a later provider fix, 6248a64a per the shared field notes, not verified here)",
        verified=False,
    ),
    Source(
        FactKind.DOCS,
        "example configurations citing dmacvicar/libvirt 0.9.8 and 0.9.9 docs "
        '(features = { hyper_v = { mode = "passthrough" } }); the provider has no '
        "<qemu:commandline> attribute, so -global fallbacks cannot be written",
    ),
)

#: libvirt element name -> the provider's attribute name (libvirtxml field, snake_case).
TERRAFORM_NAMES: dict[str, str] = {
    "relaxed": "relaxed",
    "vapic": "vapic",
    "spinlocks": "spinlocks",
    "vpindex": "vp_index",
    "runtime": "runtime",
    "synic": "synic",
    "stimer": "stimer",
    "reset": "reset",
    "vendor_id": "vendor_id",
    "frequencies": "frequencies",
    "reenlightenment": "re_enlightenment",
    "tlbflush": "tlb_flush",
    "ipi": "ipi",
    "evmcs": "evmcs",
    "avic": "avic",
    "emsr_bitmap": "emsr_bitmap",
    "xmm_input": "xmm_input",
    "direct": "direct",
    "extended": "extended",
    # libvirt attributes of those elements
    "state": "state",
    "retries": "retries",
    "value": "value",
}
TERRAFORM_HYPERV = ("features", "hyper_v")
TERRAFORM_MODE = "mode"
TERRAFORM_TIMERS = ("clock", "timer")
TERRAFORM_PANICS = ("devices", "panics")
TERRAFORM_CPU_FEATURES = ("cpu", "features")
TERRAFORM_KVM_HIDDEN = ("features", "kvm", "hidden")
#: Elements whose ``state`` the docs at 1bc4dd5f do not list (it comes from libvirtxml).
TERRAFORM_STATE_UNDOCUMENTED = frozenset({"spinlocks", "stimer", "tlbflush", "vendor_id"})


def terraform_spelling(entry: Enlightenment) -> str:
    """``features.hyper_v.vp_index.state = "on"`` style text for ``explain``."""
    lv = entry.libvirt
    if lv.kind is LibvirtKind.HYPERV or lv.kind is LibvirtKind.HYPERV_CHILD:
        names = [TERRAFORM_NAMES[part] for part in lv.element.split("/")]
        path = ".".join((*TERRAFORM_HYPERV, *names))
        value = f", {TERRAFORM_NAMES[lv.attribute]} = ..." if lv.attribute else ""
        return f'{path} = {{ state = "on"{value} }}'
    if lv.kind is LibvirtKind.CLOCK_TIMER:
        return f'{".".join(TERRAFORM_TIMERS)} = [{{ name = "{lv.element}", present = "yes" }}]'
    if lv.kind is LibvirtKind.PANIC:
        return f'{".".join(TERRAFORM_PANICS)} = [{{ model = "hyperv" }}]'
    if lv.kind is LibvirtKind.MODE:
        return f'{".".join(TERRAFORM_HYPERV)}.{TERRAFORM_MODE} = "{lv.element}"'
    return "no attribute: the provider cannot pass QEMU arguments"


# -- virt-xml ----------------------------------------------------------------------------

VIRT_XML_SOURCES: tuple[Source, ...] = (
    Source(
        FactKind.LIBVIRT,
        "virt-xml 4.1.0 (Debian 12), run here: one XML option kind per invocation "
        "('Only one change operation may be specified'); repeated --xml XPath edits apply in "
        "order; a [@attr='value'] step creates the element; --features=? lists only relaxed, "
        "reset, spinlocks, synic and vapic among hyperv.*; attribute values with & < > ' \" "
        "are escaped twice (virt-manager issue #838, fixed in 5.1)",
    ),
    Source(
        FactKind.LIBVIRT,
        "virt-manager virtinst/cli.py ParserXML (xpath.set/xpath.value/xpath.delete), "
        "ParserQemuCLI (--qemu-commandline appends arguments); virtinst/xmlapi.py _XPath",
    ),
)


def virt_xml_spelling(entry: Enlightenment) -> str:
    """The ``--xml`` edit ``--format virt-xml`` writes for ``entry``."""
    lv = entry.libvirt
    if lv.kind is LibvirtKind.HYPERV or lv.kind is LibvirtKind.HYPERV_CHILD:
        return f"--xml ./features/hyperv/{lv.element}/@state=on"
    if lv.kind is LibvirtKind.CLOCK_TIMER:
        return f"--xml \"./clock/timer[@name='{lv.element}']/@present=yes\""
    if lv.kind is LibvirtKind.PANIC:
        return "--xml \"./devices/panic[@model='hyperv']/@model=hyperv\""
    if lv.kind is LibvirtKind.MODE:
        return f"--xml ./features/hyperv/@mode={lv.element}"
    return "a second command: --edit --qemu-commandline='-global <cpu type>.hv-...'"


__all__ = [
    "KUBEVIRT_API",
    "KUBEVIRT_CPU_FEATURES",
    "KUBEVIRT_CPU_MODEL",
    "KUBEVIRT_FIELDS",
    "KUBEVIRT_KVM_HIDDEN",
    "KUBEVIRT_PANIC_HYPERV",
    "KUBEVIRT_PREFERENCE_API",
    "KUBEVIRT_PREFERENCE_KINDS",
    "KUBEVIRT_SOURCES",
    "KUBEVIRT_VERSION",
    "KUBEVIRT_VM_KINDS",
    "KUBEVIRT_WEBHOOK_REQUIRES",
    "TERRAFORM_CPU_FEATURES",
    "TERRAFORM_HYPERV",
    "TERRAFORM_KVM_HIDDEN",
    "TERRAFORM_MODE",
    "TERRAFORM_NAMES",
    "TERRAFORM_PANICS",
    "TERRAFORM_PROVIDER",
    "TERRAFORM_SOURCES",
    "TERRAFORM_STATE_UNDOCUMENTED",
    "TERRAFORM_TIMERS",
    "TERRAFORM_VERSION",
    "VIRT_XML_SOURCES",
    "KubevirtField",
    "KubevirtKind",
    "kubevirt_field",
    "kubevirt_spelling",
    "terraform_spelling",
    "virt_xml_spelling",
]
