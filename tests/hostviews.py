"""Hand-made hosts for advice and audit tests (importable: ``pythonpath = ["tests"]``).

``INTEL`` is a well-equipped Intel host whose KVM supports every option that needs
support; tests derive other hosts from it with ``hvtui.records.replace``.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.advice import HostView

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
