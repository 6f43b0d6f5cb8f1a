"""A host reached only through libvirt, as a detection report (``hvtui detect --connect``).

The report has the same schema as a local ``hvtui detect``; ``source`` is
``libvirt:URI``.  It is filled from what libvirt itself tells:

- capabilities (``virsh capabilities``): CPU vendor, libvirt's CPU model (a note),
  family/model/stepping, the CPU features libvirt lists beyond the model
  (``hypervisor``, ``invtsc``), the TSC counter (frequency, ``scaling`` =
  KVM_CAP_TSC_CONTROL), NUMA cells and every CPU's socket/die/core and siblings;
- domain capabilities for KVM (``virsh domcapabilities --virttype kvm``): that
  KVM works for libvirt, the QEMU binary, whether its host-model CPU offers
  vmx/svm (nested virtualization), and ``<hyperv supported='yes'>``, which lists
  (since libvirt 9.0) the libvirt ``<hyperv>`` features QEMU/KVM support;
- the daemon's libvirt version and the driver's QEMU version;
- running domains and where each vCPU may run (vCPU pinning).

What libvirt does not tell is unknown with the reason: the kernel release,
``/proc/cpuinfo`` flags, APICv/AVIC, SMT control, isolation, the clocksource,
QEMU process ids.  KVM's Hyper-V list is known only when it is complete: libvirt
names only its ``<hyperv>`` elements (not hv-time, hv-crash, stimer-direct ...),
so when KVM has Hyper-V the list is unknown, and a note says what libvirt did
confirm; when libvirt lists none of the features KVM must provide, KVM has no
Hyper-V emulation and the list is ``[]`` (as a local detect says).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from hvtui import catalog
from hvtui.catalog import LibvirtKind
from hvtui.detect.cpu import VENDOR_IDS
from hvtui.detect.report import (
    FAILED,
    MISSING,
    NONE,
    NOT_APPLICABLE,
    ApicVirt,
    CpuInfo,
    Fact,
    HostInfo,
    HostReport,
    IsolationInfo,
    KvmInfo,
    SmtInfo,
    TscInfo,
    Vcpu,
    VersionsInfo,
    VmInfo,
    known,
    unknown,
)
from hvtui.formats.cpulist import format_cpulist
from hvtui.libvirt.connection import Connection, Domain, LibvirtError

#: libvirt's CPU vendor names (its cpu_map ``x86_vendors.xml``: Intel, AMD, Hygon) are
#: hvtui's vendor names in other case; the CPUID vendor ids come from detection's table.
_VENDOR_IDS_BY_NAME = {name: vendor_id for vendor_id, name in VENDOR_IDS.items()}
#: The first libvirt whose domain capabilities list Hyper-V features.
HYPERV_DOMCAPS_SINCE = "9.0.0"


def _untold(what: str) -> Fact[Any]:
    return unknown(NOT_APPLICABLE, f"libvirt does not report {what}")


def _parse(text: str, what: str) -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:  # libvirt writes these; a broken one is a daemon bug
        raise LibvirtError(f"{what}: not XML ({exc})") from None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _libvirt_hyperv_names() -> dict[str, str]:
    """libvirt domcaps feature name -> catalog name, for options KVM must provide."""
    names: dict[str, str] = {}
    for entry in catalog.ENTRIES:
        if entry.libvirt.kind in (LibvirtKind.HYPERV, LibvirtKind.HYPERV_CHILD):
            names[entry.libvirt.element.replace("/", "_")] = entry.name
    return names


def hyperv_from_domcaps(
    domcaps: ET.Element | None, libvirt: str, notes: list[str]
) -> tuple[Fact[tuple[str, ...]], Fact[str]]:
    """``kvm.hyperv`` and ``kvm.hyperv_source`` from ``<features><hyperv>``."""
    if domcaps is None:
        why = unknown(NONE, "libvirt offers no KVM domains on this host")
        return why, why
    hyperv = domcaps.find("features/hyperv")
    if hyperv is None:
        why = unknown(
            MISSING,
            f"libvirt {libvirt}'s domain capabilities list no Hyper-V features "
            f"(libvirt lists them since {HYPERV_DOMCAPS_SINCE})",
        )
        return why, why
    if hyperv.get("supported") != "yes":
        why = unknown(NONE, "libvirt's domain capabilities say <hyperv supported='no'>")
        return why, known("libvirt")
    names = _libvirt_hyperv_names()
    listed = [v.text or "" for v in hyperv.findall("enum[@name='features']/value")]
    listed += [c.tag for c in hyperv if c.get("supported") == "yes"]
    told = {names[n] for n in listed if n in names}
    provided = sorted(
        (n for n in told if catalog.get(n).needs_kvm_support),
        key=catalog.order_key,
    )
    if not provided:
        notes.append(
            "KVM offers no Hyper-V emulation on this host: libvirt's domain capabilities "
            "list none of the Hyper-V features KVM must provide; a Windows guest gets no "
            "enlightenments here."
        )
        return known(()), known("libvirt")
    kvm_options = [e for e in catalog.ENTRIES if e.needs_kvm_support]
    covered = {names[n] for n in names}
    untold = [e.name for e in kvm_options if e.name not in covered]
    absent = [e.name for e in kvm_options if e.name in covered and e.name not in told]
    confirmed = ", ".join(provided)
    notes.append(
        f"libvirt confirms KVM support for: {confirmed}"
        + (f"; not for: {', '.join(absent)}" if absent else "")
        + "."
    )
    return (
        unknown(
            MISSING,
            "libvirt's domain capabilities name only libvirt's <hyperv> elements; they do not "
            f"say whether KVM supports {', '.join(untold)} (run 'hvtui detect' on the host "
            "for the full list)",
        ),
        known("libvirt"),
    )


def _topology(caps: ET.Element) -> tuple[Fact[int], Fact[int], Fact[int], Fact[int], Fact[bool]]:
    """logical CPUs, cores, sockets, NUMA nodes and SMT active from ``<topology><cells>``."""
    cells = caps.findall("host/topology/cells/cell")
    if not cells:
        why = unknown(MISSING, "libvirt's capabilities have no <topology><cells>")
        return why, why, why, why, why
    cpus = [cpu for cell in cells for cpu in cell.findall("cpus/cpu")]
    logical: Fact[int] = known(len(cpus)) if cpus else unknown(MISSING, "no <cpu> in <cells>")
    cores_seen = {(c.get("socket_id"), c.get("die_id"), c.get("core_id")) for c in cpus}
    sockets_seen = {c.get("socket_id") for c in cpus}
    complete = cpus and all(c.get("socket_id") is not None for c in cpus)
    cores: Fact[int] = (
        known(len(cores_seen)) if complete else unknown(MISSING, "no socket/core ids in <cells>")
    )
    sockets: Fact[int] = (
        known(len(sockets_seen)) if complete else unknown(MISSING, "no socket ids in <cells>")
    )
    siblings = [c.get("siblings") for c in cpus]
    smt: Fact[bool] = (
        known(any("," in s or "-" in s for s in siblings if s))
        if cpus and all(siblings)
        else unknown(MISSING, "no siblings in <cells>")
    )
    return logical, cores, sockets, known(len(cells)), smt


def _cpu(caps: ET.Element, domcaps: ET.Element | None, notes: list[str]) -> CpuInfo:
    host_cpu = caps.find("host/cpu")
    vendor_name = host_cpu.findtext("vendor") if host_cpu is not None else None
    vendor: Fact[str]
    vendor_id: Fact[str]
    if vendor_name is None:
        vendor = vendor_id = unknown(MISSING, "libvirt's capabilities name no CPU vendor")
    elif vendor_name.lower() in _VENDOR_IDS_BY_NAME:
        name = vendor_name.lower()
        vendor, vendor_id = known(name), known(_VENDOR_IDS_BY_NAME[name])
    else:
        vendor, vendor_id = known("other"), _untold(f"the CPUID vendor id of {vendor_name}")
    model = host_cpu.findtext("model") if host_cpu is not None else None
    if model:
        notes.append(f"libvirt's CPU model for this host: {model}.")
    signature = host_cpu.find("signature") if host_cpu is not None else None

    def sig(key: str) -> Fact[int]:
        value = _int(signature.get(key)) if signature is not None else None
        return known(value) if value is not None else unknown(MISSING, "no CPU <signature>")

    features = (
        {f.get("name") for f in host_cpu.findall("feature")} if host_cpu is not None else set()
    )
    extension: Fact[str] = unknown(
        MISSING, "libvirt lists no vmx or svm feature beyond the host's CPU model"
    )
    for name in ("vmx", "svm"):
        if name in features:
            extension = known(name)
    in_vm: Fact[bool] = (
        known(True)
        if "hypervisor" in features
        else unknown(MISSING, "libvirt lists no 'hypervisor' feature (it may be in the model)")
    )
    logical, cores, sockets, nodes, _smt = _topology(caps)
    return CpuInfo(
        vendor=vendor,
        vendor_id=vendor_id,
        model_name=_untold("/proc/cpuinfo's model name (see the note for libvirt's CPU model)"),
        family=sig("family"),
        model=sig("model"),
        stepping=sig("stepping"),
        virt_extension=extension,
        virt_bios_disabled=_untold("whether the firmware disabled VMX/SVM"),
        in_vm=in_vm,
        logical_cpus=logical,
        cores=cores,
        sockets=sockets,
        numa_nodes=nodes,
        flags=_untold("/proc/cpuinfo flags (it names CPU features its own way)"),
        vmx_flags=_untold("the 'vmx flags' line"),
    )


def _nested(domcaps: ET.Element | None) -> Fact[bool]:
    """The host-model CPU libvirt offers a KVM guest has vmx/svm only with nesting on."""
    if domcaps is None:
        return unknown(NONE, "libvirt offers no KVM domains on this host")
    mode = domcaps.find("cpu/mode[@name='host-model']")
    if mode is None or mode.get("supported") != "yes":
        return _untold("a host-model CPU, from which nesting is read")
    wanted = {
        f.get("name") for f in mode.findall("feature") if f.get("policy") in ("require", None)
    }
    if wanted & {"vmx", "svm"}:
        return known(True)
    return unknown(
        MISSING, "libvirt's host-model CPU has no vmx/svm feature (nesting off, or in the model)"
    )


def _tsc(caps: ET.Element) -> TscInfo:
    counter = caps.find("host/cpu/counter[@name='tsc']")
    features = {f.get("name") for f in caps.findall("host/cpu/feature")}
    invariant: Fact[bool] = (
        known(True)
        if "invtsc" in features
        else unknown(MISSING, "libvirt lists no 'invtsc' feature for the host CPU")
    )
    scaling_text = counter.get("scaling") if counter is not None else None
    if scaling_text in ("yes", "no"):
        scaling: Fact[bool] = known(scaling_text == "yes")
        source: Fact[str] = known("KVM_CAP_TSC_CONTROL")
    else:
        scaling = source = unknown(MISSING, "libvirt's capabilities have no TSC <counter>")
    return TscInfo(invariant, scaling, source, _untold("the host's clocksource"))


def _vms(conn: Connection) -> Fact[tuple[VmInfo, ...]]:
    try:
        running = conn.domains(running_only=True)
        vms = [_vm(domain) for domain in running]
    except LibvirtError as exc:
        return unknown(FAILED, str(exc))
    return known(tuple(vms))


def _vm(domain: Domain) -> VmInfo:
    root = _parse(domain.xml(inactive=False), f"domain {domain.name!r}")
    emulator = root.findtext("devices/emulator") or "qemu"
    pins = domain.vcpu_pins()
    vcpus = tuple(
        Vcpu(pin.index, 0, known(format_cpulist(pin.cpus)), known(len(pin.cpus) == 1))
        for pin in pins
    )
    every = all(v.pinned.is_true() for v in vcpus)
    distinct = len({v.cpus.value for v in vcpus}) == len(vcpus)
    return VmInfo(
        pid=0,
        process=os.path.basename(emulator),
        name=domain.name,
        vcpus=known(vcpus),
        pinned=known(bool(vcpus) and every and distinct),
    )


def _apic_virt(caps: ET.Element) -> ApicVirt:
    """Only the kind follows from the vendor; libvirt says nothing about APICv/AVIC."""
    vendor = caps.findtext("host/cpu/vendor")
    kinds = {"Intel": "apicv", "AMD": "avic", "Hygon": "avic"}
    kind: Fact[str] = (
        known(kinds[vendor]) if vendor in kinds else _untold("the APIC virtualization kind")
    )
    untold = _untold("whether APICv/AVIC is there or enabled in KVM")
    return ApicVirt(kind, untold, untold, untold, untold, untold)


def _guest_os(caps: ET.Element) -> Fact[str]:
    domain_types = {d.get("type") for d in caps.findall("guest/arch/domain")}
    if "kvm" in domain_types:
        return known("Linux")  # KVM exists only in Linux
    return _untold("the host's operating system (there is no KVM guest type)")


def host_report(conn: Connection) -> HostReport:
    """The detection report of the host behind ``conn``; raises :class:`LibvirtError`
    only when the connection itself fails (every single fact may be unknown)."""
    notes: list[str] = []
    caps = _parse(conn.capabilities(), f"{conn.uri}: capabilities")
    arch = caps.findtext("host/cpu/arch")
    libvirt = conn.lib_version()
    qemu = conn.hypervisor_version()
    domcaps: ET.Element | None
    try:
        domcaps = _parse(conn.domain_capabilities("kvm", arch), f"{conn.uri}: domcapabilities")
    except LibvirtError as exc:
        domcaps = None
        notes.append(f"No KVM domain capabilities: {exc}")
    hyperv, hyperv_source = hyperv_from_domcaps(domcaps, str(libvirt), notes)
    device: Fact[str] = known("ok") if domcaps is not None else unknown(NONE, "no KVM in libvirt")
    untold_kvm = _untold("KVM's module, API version or raw CPUID answers")
    _l, _c, _s, _n, smt_active = _topology(caps)
    qemu_binary = domcaps.findtext("path") if domcaps is not None else None
    return HostReport(
        source=conn.label,
        host=HostInfo(
            os=_guest_os(caps),
            arch=known(arch) if arch else unknown(MISSING, "no host CPU <arch>"),
            kernel=_untold("the kernel release"),
        ),
        cpu=_cpu(caps, domcaps, notes),
        kvm=KvmInfo(
            module=untold_kvm,
            device=device,
            api_version=untold_kvm,
            nested=_nested(domcaps),
            hyperv=hyperv,
            hyperv_source=hyperv_source,
            hyperv_cpuid=untold_kvm,
            capabilities=untold_kvm,
        ),
        apic_virt=_apic_virt(caps),
        tsc=_tsc(caps),
        smt=SmtInfo(_untold("SMT control"), smt_active),
        isolation=IsolationInfo(*(_untold("isolated CPUs") for _ in range(4))),
        vms=_vms(conn),
        versions=VersionsInfo(
            qemu=known(str(qemu)) if qemu else _untold("the QEMU version"),
            qemu_binary=known(qemu_binary) if qemu_binary else _untold("the QEMU binary"),
            libvirt=known(str(libvirt)),
            libvirt_binary=unknown(NOT_APPLICABLE, f"the daemon behind {conn.uri} answered"),
        ),
        deep=unknown(NOT_APPLICABLE, "py-cpuinfo runs only on the host itself"),
        notes=tuple(notes),
    )


def host_reports(uris: Iterable[str]) -> list[HostReport]:
    """One report per URI (connections opened and closed in turn)."""
    reports: list[HostReport] = []
    for uri in uris:
        with Connection(uri) as conn:
            reports.append(host_report(conn))
    return reports


__all__ = ["HYPERV_DOMCAPS_SINCE", "host_report", "host_reports", "hyperv_from_domcaps"]
