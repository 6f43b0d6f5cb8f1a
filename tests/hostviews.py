"""Hand-made hosts for advice and audit tests (importable: ``pythonpath = ["tests"]``).

``INTEL`` is a well-equipped Intel host whose KVM supports every option that needs
support; tests derive other hosts from it with ``hvtui.records.replace``.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.advice import HostView
from hvtui.versions import Version

#: Every option KVM must support (all of them, on this made-up host).
ALL_HV = frozenset(e.name for e in catalog.ENTRIES if e.needs_kvm_support)

INTEL = HostView(
    "intel-host",
    vendor="intel",
    in_vm=False,
    kvm_usable=True,
    nested=True,
    hyperv=ALL_HV,
    apic_virt_hardware=True,
    apic_virt_enabled=True,
    tsc_invariant=True,
    tsc_scaling=True,
    clocksource="tsc",
    smt_control="on",
    smt_active=True,
    logical_cpus=16,
    running_vcpus=0,
)

#: An overcommitted AMD host inside a VM, with half the options supported, old QEMU and
#: libvirt, no APIC virtualization, no usable TSC, SMT on: the "no" path of most rules.
HALF_AMD = HostView(
    label="half",
    vendor="amd",
    hyperv=frozenset(sorted(ALL_HV)[::2]),
    nested=False,
    apic_virt_hardware=False,
    apic_virt_enabled=False,
    tsc_invariant=False,
    tsc_scaling=False,
    clocksource="hpet",
    smt_control="on",
    smt_active=True,
    logical_cpus=4,
    running_vcpus=6,
    qemu=Version(3, 0, 0),
    libvirt=Version(5, 0, 0),
    kvm_usable=False,
    in_vm=True,
)

#: A host whose KVM has no Hyper-V support at all.
NO_HV = HostView(label="no-hv", hyperv=frozenset(), hyperv_note="no Hyper-V", logical_cpus=2)
