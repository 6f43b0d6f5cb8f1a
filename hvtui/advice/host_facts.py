"""What each host fact means for the enlightenments, in one line each.

``hvtui detect`` prints these lines under its report and the wizard's Host step
shows them; both read them from :func:`explain_host`, computed from the typed
detection report (:class:`~hvtui.detect.HostReport`) and the advice view of it.
Unknown facts keep their reason, put in words for people.  The text is not
escaped here: each front end escapes what it prints.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hvtui import catalog
from hvtui.advice.host import HostView
from hvtui.records import record

if TYPE_CHECKING:
    from hvtui.detect.report import Fact, HostReport


class FactStatus(enum.StrEnum):
    """How a fact bears on the choice: it helps, it is a problem, it only informs, or it
    is unknown."""

    GOOD = "good"
    BAD = "bad"
    NEUTRAL = "neutral"
    UNKNOWN = "unknown"


@record(frozen=True)
class HostFact:
    """One fact and why it matters for the choice."""

    key: str
    """Dotted key in the detection JSON (``apic_virt.enabled``)."""
    label: str
    value: str | None
    """The value as text, or ``None`` when detection could not tell."""
    why: str
    """One line on what it means for the enlightenments (or why it is unknown)."""
    status: FactStatus = FactStatus.NEUTRAL


GOOD, BAD, NEUTRAL = FactStatus.GOOD, FactStatus.BAD, FactStatus.NEUTRAL

#: What each explanation gets: the fact's (known) value and the host it belongs to.
Explained = tuple[str, str, FactStatus]


@record(frozen=True)
class _Host:
    """The report and its advice view, as the explanations read them."""

    report: HostReport
    view: HostView

    @property
    def vendor(self) -> str | None:
        return self.view.vendor


def _yes(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else str(value)


def _cpu(value: Any, host: _Host) -> Explained:
    vendor = host.vendor or "unknown vendor"
    why = {
        "amd": "AMD: hv-evmcs does not exist here; hv-avic pairs with AVIC",
        "hygon": "Hygon (AMD design): hv-evmcs does not exist here",
    }.get(vendor, "vendor-specific options are judged by vendor")
    if vendor == "intel":
        why = _intel_evmcs(host.view)
    return f"{value} ({vendor})", why, NEUTRAL


def _intel_evmcs(view: HostView) -> str:
    """What an Intel CPU means for hv-evmcs on this host: it works only where KVM offers it."""
    if view.hyperv is not None and not view.hyperv:
        return "Intel, but this KVM has no Hyper-V emulation: no hv-* option works, evmcs neither"
    supported = view.supports("evmcs")
    if supported is True:
        return "Intel: hv-evmcs (nested Hyper-V) works here; hv-avic pairs with APICv"
    if supported is False:
        return "Intel, but KVM here does not offer hv-evmcs; hv-avic pairs with APICv"
    return "Intel: hv-evmcs (nested Hyper-V) only if KVM offers it; hv-avic pairs with APICv"


def _flag(yes: Explained, no: Explained) -> Callable[[Any, _Host], Explained]:
    """The explanation of a yes/no fact: one answer for true, the other for false."""
    return lambda value, _host: yes if value is True else no


_in_vm = _flag(
    ("yes", "this host is itself a VM: guests here are nested and slower", NEUTRAL),
    ("no", "bare metal: options work as KVM reports them", GOOD),
)
_nested = _flag(
    ("on", "Hyper-V, WSL2 or VBS inside the guest can use the nested options", GOOD),
    ("off", "the nested options (evmcs, tlbflush-direct...) will not help", NEUTRAL),
)
_tsc = _flag(
    ("yes", "stable TSC: hv-time's TSC page and hv-frequencies are reliable", GOOD),
    ("no", "unstable TSC: hv-time falls back to a slower clock", BAD),
)
_tsc_scaling = _flag(
    ("yes", "guests can migrate across TSC frequencies (hv-reenlightenment)", GOOD),
    ("no", "migration needs an equal TSC frequency on the destination", NEUTRAL),
)


def _virt(value: Any, host: _Host) -> Explained:
    names = {"vmx": "Intel VT-x (vmx)", "svm": "AMD-V (svm)"}
    return names.get(str(value), str(value)), "KVM can run guests on this CPU", GOOD


def _device(value: Any, host: _Host) -> Explained:
    if value == "ok":
        return "ok", "usable: KVM can be asked which options it supports", GOOD
    if value == "no-access":
        return value, "exists but not readable: run as root or join the kvm group", BAD
    return str(value), "KVM is not available: no guest can start here", BAD


def _module(value: Any, host: _Host) -> Explained:
    return str(value), "the KVM vendor module; its parameters decide nested and APIC virt", NEUTRAL


def _hyperv(value: Any, host: _Host) -> Explained:
    count = len(value) if isinstance(value, list | tuple) else 0
    total = len(catalog.ENTRIES)
    if count == 0:
        return "none", "this kernel offers no Hyper-V emulation", BAD
    return f"{count} of {total} options", "options KVM does not offer are marked ⊘", GOOD


def _apic(value: Any, host: _Host) -> Explained:
    kind = "APICv" if host.vendor == "intel" else "AVIC" if host.vendor else "APICv/AVIC"
    if value is True:
        return f"{kind} enabled", "hv-avic will help", GOOD
    if host.report.apic_virt.hardware.is_true():
        return f"{kind} present, disabled", "enable it in KVM, else leave hv-avic off", NEUTRAL
    return "not available", "leave hv-avic off: the hint would slow the guest", NEUTRAL


def _x2avic(value: Any, host: _Host) -> Explained:
    return _yes(value), "x2AVIC lets AVIC serve guests with more than 255 vCPUs", NEUTRAL


def _clocksource(value: Any, host: _Host) -> Explained:
    if value == "tsc":
        return "tsc", "KVM can publish the TSC page that hv-time uses", GOOD
    return str(value), "not tsc: hv-time cannot use the TSC page", BAD


def _smt(value: Any, host: _Host) -> Explained:
    if value in ("forceoff", "notsupported"):
        return str(value), "no core sharing: no-nonarch-coresharing=auto claims it", GOOD
    return str(value), "vCPUs may share cores: no-nonarch-coresharing=on needs pinning", NEUTRAL


def _isolation(value: Any, host: _Host) -> Explained:
    if not value:
        return "none", "no CPUs set aside: vCPUs float unless pinned", NEUTRAL
    return str(value), "candidates for pinned vCPUs (no-nonarch-coresharing)", GOOD


def _vms(value: Any, host: _Host) -> Explained:
    count = len(value) if isinstance(value, list | tuple) else 0
    why = "start from one on the Start step, or run 'hvtui audit --running'"
    return f"{count} running", why, NEUTRAL


def _qemu(value: Any, host: _Host) -> Explained:
    return str(value), "decides which options exist (each has a first QEMU version)", GOOD


def _libvirt(value: Any, host: _Host) -> Explained:
    return str(value), "decides which options libvirt XML can express", GOOD


#: Each fact: its dotted key, its label, where it is in the report, how it is explained.
_FACTS: tuple[
    tuple[str, str, Callable[[HostReport], Fact[Any]], Callable[[Any, _Host], Explained]], ...
] = (
    ("cpu.model_name", "CPU", lambda r: r.cpu.model_name, _cpu),
    ("cpu.virt_extension", "Virtualization", lambda r: r.cpu.virt_extension, _virt),
    ("cpu.in_vm", "Runs in a VM", lambda r: r.cpu.in_vm, _in_vm),
    ("kvm.device", "/dev/kvm", lambda r: r.kvm.device, _device),
    ("kvm.module", "KVM module", lambda r: r.kvm.module, _module),
    ("kvm.nested", "Nested virt", lambda r: r.kvm.nested, _nested),
    ("kvm.hyperv", "Hyper-V in KVM", lambda r: r.kvm.hyperv, _hyperv),
    ("apic_virt.enabled", "APIC virt", lambda r: r.apic_virt.enabled, _apic),
    ("apic_virt.x2avic", "x2AVIC", lambda r: r.apic_virt.x2avic, _x2avic),
    ("tsc.invariant", "Invariant TSC", lambda r: r.tsc.invariant, _tsc),
    ("tsc.scaling", "TSC scaling", lambda r: r.tsc.scaling, _tsc_scaling),
    ("tsc.clocksource", "Clocksource", lambda r: r.tsc.clocksource, _clocksource),
    ("smt.control", "SMT", lambda r: r.smt.control, _smt),
    ("isolation.cpus", "Isolated CPUs", lambda r: r.isolation.cpus, _isolation),
    ("vms", "QEMU VMs", lambda r: r.vms, _vms),
    ("versions.qemu", "QEMU", lambda r: r.versions.qemu, _qemu),
    ("versions.libvirt", "libvirt", lambda r: r.versions.libvirt, _libvirt),
)


def explain_host(report: HostReport, view: HostView | None = None) -> tuple[HostFact, ...]:
    """Every fact that bears on the choice, with one line on why (``view``: the advice
    view of ``report``, made here when not given)."""
    host = _Host(report, view if view is not None else HostView.from_report(report))
    facts: list[HostFact] = []
    for key, label, fact_of, explain in _FACTS:
        if key == "apic_virt.x2avic" and host.vendor == "intel":
            continue  # an AMD feature: always false on Intel
        fact = fact_of(report)
        if fact.value is None:
            reason = readable_reason(fact.reason or "not reported", report.source)
            facts.append(HostFact(key, label, None, reason, FactStatus.UNKNOWN))
            continue
        text, why, status = explain(fact.value, host)
        facts.append(HostFact(key, label, text, why, status))
    return tuple(facts)


def readable_reason(reason: str, source: str) -> str:
    """A detection reason for people: the long "not-live" story in a few words (``source``:
    the report's, ``live`` or a snapshot)."""
    if reason.startswith("not-live"):
        if source.startswith(("sysroot:", "demo:")):
            return "not recorded in this snapshot (only a live run asks KVM and the tools)"
        return "not probed yet"
    return reason


__all__ = ["FactStatus", "HostFact", "explain_host", "readable_reason"]
