"""Where each kind of catalog mapping lives in a libvirt domain definition.

The catalog says, per option, *which* element or attribute libvirt uses
(``spinlocks``/``retries``, ``stimer/direct``, ``hypervclock``); this module
says where each :class:`~hvtui.catalog.LibvirtKind` sits in the document
(``<features><hyperv>``, ``<clock><timer>``, ``<devices><panic>``,
``<qemu:commandline>``).  Exporters build from it and importers read with it,
so the two cannot drift apart.
"""

from __future__ import annotations

import functools

from hvtui import catalog
from hvtui.catalog import Enlightenment, LibvirtKind

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    import xml.etree.ElementTree as ET

#: libvirt's QEMU namespace for ``<qemu:commandline>`` (must be declared on use).
QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
QEMU_PREFIX = "qemu"
COMMANDLINE = f"{{{QEMU_NS}}}commandline"
ARG = f"{{{QEMU_NS}}}arg"
ARG_VALUE = "value"

DOMAIN = "domain"
#: ``<name>``: the domain's name.
NAME = "name"
FEATURES = "features"
HYPERV = "hyperv"
MODE = "mode"
CUSTOM_MODE = "custom"
#: ``<hyperv mode='host-model'>``: libvirt turns on, when the domain starts, the
#: Hyper-V features its domain capabilities report for the host, and writes them
#: into the live definition.
HYPERV_HOST_MODEL = "host-model"
#: ``<vcpu current='N'>M</vcpu>``: M vCPUs, N of them online at start; ``cpuset``
#: is where vCPUs without their own ``<vcpupin>`` run.
VCPU = "vcpu"
VCPU_CURRENT = "current"
VCPU_CPUSET = "cpuset"
#: ``<os><type machine='pc-q35-7.2'>``: the machine type libvirt gives QEMU's ``-machine``.
OS = "os"
OS_TYPE = "type"
OS_MACHINE = "machine"
#: ``<cpu><topology sockets= dies= cores= threads=>``, which libvirt writes into ``-smp``.
TOPOLOGY = "topology"
TOPOLOGY_COUNTS = ("sockets", "dies", "cores", "threads")
#: ``<cputune><vcpupin vcpu='0' cpuset='2'/>``: where one vCPU may run.
CPUTUNE = "cputune"
VCPUPIN = "vcpupin"
VCPUPIN_VCPU = "vcpu"
VCPUPIN_CPUSET = "cpuset"
STATE = "state"
CLOCK = "clock"
CLOCK_OFFSET = "offset"
#: libvirt's default offset: a new ``<clock>`` with it changes nothing else.
DEFAULT_CLOCK_OFFSET = "utc"
TIMER = "timer"
TIMER_NAME = "name"
TIMER_PRESENT = "present"
DEVICES = "devices"
PANIC_MODEL = "model"
#: ``<panic model='hyperv'/>`` is the Hyper-V crash MSR device.
PANIC_HYPERV = "hyperv"
CPU = "cpu"
CPU_MODE = "mode"
CPU_MODEL = "model"
#: ``<cpu mode='host-passthrough'/>`` is QEMU's ``-cpu host``.
HOST_PASSTHROUGH = "host-passthrough"
HOST_MODEL = "host-model"
MAXIMUM = "maximum"
CUSTOM_CPU = "custom"
#: ``<cpu mode='custom' match='exact'><model fallback='forbid'>`` pins the model exactly.
CPU_MATCH = "match"
CPU_MATCH_EXACT = "exact"
CPU_FALLBACK = "fallback"
CPU_FALLBACK_FORBID = "forbid"

#: ``<cpu><feature policy='require' name='vmx'/>``: a CPUID flag the guest must get.
CPU_FEATURE = "feature"
FEATURE_POLICY = "policy"
FEATURE_REQUIRE = "require"
FEATURE_DISABLE = "disable"
FEATURE_NAME = "name"
#: ``<clock><timer name='tsc' frequency='HZ'/>``: QEMU's ``tsc-frequency``.
TSC_TIMER = "tsc"
TIMER_FREQUENCY = "frequency"
#: ``<features><kvm><hidden state='on'/></kvm>``: QEMU's ``kvm=off``.
KVM = "kvm"
KVM_HIDDEN = "hidden"

#: QEMU's ``-cpu`` models that libvirt writes as a CPU mode, not a ``<model>``.
MODE_FOR_MODEL = {"host": HOST_PASSTHROUGH, "max": MAXIMUM}


def split_child(entry: Enlightenment) -> tuple[str, str]:
    """``("stimer", "direct")`` for a HYPERV_CHILD mapping ``stimer/direct``."""
    parent, _, child = entry.libvirt.element.partition("/")
    return parent, child


def hyperv_entry(element: str) -> Enlightenment | None:
    """The option written as ``<hyperv><ELEMENT>``, if any."""
    for entry in catalog.ENTRIES:
        if entry.libvirt.kind is LibvirtKind.HYPERV and entry.libvirt.element == element:
            return entry
    return None


def parent_entry(entry: Enlightenment) -> Enlightenment | None:
    """For a HYPERV_CHILD option, the option whose element contains it."""
    if entry.libvirt.kind is not LibvirtKind.HYPERV_CHILD:
        return None
    return hyperv_entry(split_child(entry)[0])


def children_of(parent: Enlightenment) -> tuple[Enlightenment, ...]:
    """HYPERV_CHILD options nested in ``parent``'s element, in catalog order."""
    return _children_of(parent.libvirt.element)


@functools.cache  # the catalog is fixed; the audit asks once per element per domain
def _children_of(element: str) -> tuple[Enlightenment, ...]:
    return tuple(
        e
        for e in catalog.ENTRIES
        if e.libvirt.kind is LibvirtKind.HYPERV_CHILD and split_child(e)[0] == element
    )


@functools.cache  # the catalog is fixed; the audit asks several times per domain
def entries_of(kind: LibvirtKind) -> tuple[Enlightenment, ...]:
    """Every option with this kind of mapping, in catalog order."""
    return tuple(e for e in catalog.ENTRIES if e.libvirt.kind is kind)


#: The virtualization extensions (``-cpu`` flags and libvirt ``<feature>`` names).
VIRT_FLAGS = ("vmx", "svm")
#: The invariant TSC (``-cpu ...,+invtsc``, ``<feature name='invtsc'/>``).
INVTSC = "invtsc"
#: libvirt ``<feature policy>`` values and whether the guest gets the feature.
FEATURE_POLICIES = {
    "force": True,
    "require": True,
    "optional": True,
    "disable": False,
    "forbid": False,
}


def find_all(element: ET.Element, *tags: str) -> list[ET.Element]:
    """``element.findall("A/B")`` for plain tag names ``A``, ``B``: the same elements in
    the same order, each step the C ``findall`` of one tag instead of
    :mod:`xml.etree.ElementPath`'s selectors in Python (the audit asks six such paths
    of every domain)."""
    found = element.findall(tags[0]) if tags else [element]
    for tag in tags[1:]:
        # Mostly one parent (a domain has one <features>, one <clock>): its children, as is.
        found = (
            found[0].findall(tag)
            if len(found) == 1
            else [child for parent in found for child in parent.findall(tag)]
        )
    return found


def cpu_model_of(domain: ET.Element) -> str | None:
    """The QEMU ``-cpu`` model a domain's ``<cpu>`` yields, when it is fixed by the XML.

    ``host-passthrough`` is ``host``, ``maximum`` is ``max``, a custom CPU is its
    ``<model>``.  ``None`` when libvirt picks the model at start (``host-model``,
    no ``<cpu>``, or a custom CPU without a model).
    """
    cpu = domain.find(CPU)
    if cpu is None:
        return None
    mode = cpu.get(CPU_MODE, CUSTOM_CPU)
    for model, libvirt_mode in MODE_FOR_MODEL.items():
        if mode == libvirt_mode:
            return model
    if mode == CUSTOM_CPU:
        model_el = cpu.find(CPU_MODEL)
        if model_el is not None and (model_el.text or "").strip():
            return (model_el.text or "").strip()
    return None


__all__ = [
    "ARG",
    "COMMANDLINE",
    "FEATURE_POLICIES",
    "INVTSC",
    "QEMU_NS",
    "QEMU_PREFIX",
    "VIRT_FLAGS",
    "children_of",
    "cpu_model_of",
    "describe_element",
    "entries_of",
    "find_all",
    "hyperv_entry",
    "panic_tag",
    "parent_entry",
    "split_child",
]


def panic_tag() -> str:
    """The device element of PANIC mappings (``panic``), from the catalog."""
    found = entries_of(LibvirtKind.PANIC)
    return found[0].libvirt.element if found else "panic"


def describe_element(entry: Enlightenment) -> str:
    """How an option's libvirt spelling reads in a message (``<stimer><direct>``)."""
    lv = entry.libvirt
    if lv.kind is LibvirtKind.HYPERV:
        return f"<{lv.element}>"
    if lv.kind is LibvirtKind.HYPERV_CHILD:
        parent, child = split_child(entry)
        return f"<{parent}><{child}>"
    if lv.kind is LibvirtKind.CLOCK_TIMER:
        return f"<{TIMER} {TIMER_NAME}='{lv.element}'>"
    if lv.kind is LibvirtKind.PANIC:
        return f"<{lv.element} {PANIC_MODEL}='{PANIC_HYPERV}'>"
    if lv.kind is LibvirtKind.MODE:
        return f"<{HYPERV} {MODE}='{lv.element}'>"
    return "(no element)"
