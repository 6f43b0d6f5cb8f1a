"""The host facts advice needs, as plain optional values.

The detection report (:mod:`hvtui.detect.report`) is rich and carries a reason
for every unknown; advice only needs a dozen answers, each "yes", "no" or
"unknown" (``None``).  :class:`HostView` is that narrow view: tests build one by
hand for each case, and :meth:`HostView.from_report` fills it from a real report.
"""

from __future__ import annotations

from hvtui.catalog.types import HostNeed
from hvtui.records import field, record
from hvtui.versions import Version, find_version

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time: ``audit`` imports this (issue #13)
    from typing import TypeVar

    from hvtui.detect.report import Fact, HostReport

    T = TypeVar("T")


#: SMT states in which KVM reports that cores are never shared (QEMU's ``auto``).
SMT_IMPOSSIBLE = ("forceoff", "notsupported")


def _v(fact: Fact[T]) -> T | None:
    return fact.value if fact.known else None


@record(frozen=True)
class HostView:
    """What advice knows about one host; ``None`` everywhere means unknown."""

    label: str = "this host"
    vendor: str | None = None
    """``intel``, ``amd``, ``hygon`` or ``other``."""
    in_vm: bool | None = None
    kvm_usable: bool | None = None
    nested: bool | None = None
    hyperv: frozenset[str] | None = None
    """Options this host's KVM supports (catalog names); ``None`` when unknown."""
    hyperv_note: str = ""
    """Why ``hyperv`` is unknown or empty, for messages."""
    apic_virt_hardware: bool | None = None
    apic_virt_enabled: bool | None = None
    tsc_invariant: bool | None = None
    tsc_scaling: bool | None = None
    clocksource: str | None = None
    smt_control: str | None = None
    smt_active: bool | None = None
    isolated_cpus: str | None = None
    logical_cpus: int | None = None
    running_vcpus: int | None = None
    """vCPUs of the QEMU processes running now (known ones only)."""
    vms_pinned: bool | None = None
    """All running VMs have every vCPU pinned (``None`` with no VMs or unknown)."""
    qemu: Version | None = None
    libvirt: Version | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def smt_impossible(self) -> bool | None:
        """SMT forced off or unsupported: KVM then sets the no-core-sharing bit."""
        if self.smt_control is None:
            return None
        return self.smt_control in SMT_IMPOSSIBLE

    @property
    def stable_tsc(self) -> bool | None:
        """Invariant TSC and the ``tsc`` clocksource (KVM can publish the TSC page).

        ``None`` when either is unknown: recommendations must not claim it then.
        """
        if self.tsc_invariant is False or self.clocksource not in (None, "tsc"):
            return False
        if self.tsc_invariant is True and self.clocksource == "tsc":
            return True
        return None

    @property
    def unstable_tsc_reason(self) -> str:
        """Why :attr:`stable_tsc` is not True, in words (``""`` when it is)."""
        if self.tsc_invariant is False:
            return "the TSC is not invariant"
        if self.clocksource not in (None, "tsc"):
            return f"the host clocksource is {self.clocksource}, not tsc"
        if self.tsc_invariant is None:
            return "whether the TSC is invariant is unknown"
        if self.clocksource is None:
            return "the host clocksource is unknown"
        return ""

    def has(self, need: HostNeed) -> bool | None:
        """Whether this host meets ``need`` (``None``: unknown, or not a host property).

        One answer for the advice (findings) and the recommendation (reasons), so
        a reason never claims what a finding doubts.
        """
        if need is HostNeed.INTEL:
            return None if self.vendor is None else self.vendor == "intel"
        if need is HostNeed.NESTED_VIRT:
            return self.nested
        if need is HostNeed.APIC_VIRT:
            return self.apic_virt_enabled
        if need is HostNeed.TSC_SCALING:
            return self.tsc_scaling
        if need is HostNeed.STABLE_TSC:
            return self.stable_tsc
        return None  # PINNED_VCPUS depends on the VM, not the host

    def supports(self, option: str) -> bool | None:
        """Whether this host's KVM supports ``option`` (None when unknown)."""
        if self.hyperv is None:
            return None
        return option in self.hyperv

    @classmethod
    def from_report(cls, report: HostReport, label: str | None = None) -> HostView:
        """The view of a detection report (live, snapshot or ``--report`` JSON)."""
        vms = _v(report.vms)
        running: int | None = None
        pinned: bool | None = None
        if vms is not None:
            counts = [len(v) for vm in vms if (v := _v(vm.vcpus)) is not None]
            running = sum(counts) if len(counts) == len(vms) else None
            pins = [_v(vm.pinned) for vm in vms]
            if vms and all(p is not None for p in pins):
                pinned = all(bool(p) for p in pins)
        hyperv = _v(report.kvm.hyperv)
        device = _v(report.kvm.device)
        qemu = _v(report.versions.qemu)
        libvirt = _v(report.versions.libvirt)
        return cls(
            label=label or report.source,
            vendor=_v(report.cpu.vendor),
            in_vm=_v(report.cpu.in_vm),
            kvm_usable=None if device is None else device == "ok",
            nested=_v(report.kvm.nested),
            hyperv=frozenset(hyperv) if hyperv is not None else None,
            hyperv_note=report.kvm.hyperv.reason or "",
            apic_virt_hardware=_v(report.apic_virt.hardware),
            apic_virt_enabled=_v(report.apic_virt.enabled),
            tsc_invariant=_v(report.tsc.invariant),
            tsc_scaling=_v(report.tsc.scaling),
            clocksource=_v(report.tsc.clocksource),
            smt_control=_v(report.smt.control),
            smt_active=_v(report.smt.active),
            isolated_cpus=_v(report.isolation.cpus),
            logical_cpus=_v(report.cpu.logical_cpus),
            running_vcpus=running,
            vms_pinned=pinned,
            qemu=find_version(qemu) if qemu else None,
            libvirt=find_version(libvirt) if libvirt else None,
            notes=report.notes,
        )
