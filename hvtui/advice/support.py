"""Whether a host can give the guest an option: one rule for the claim and the findings.

The wizard's option pane says "This host: ✓ / ⊘ / ?" and Review lists the findings;
both come from the predicates here (:func:`kvm_offers`, :func:`nested_missing`,
:func:`wrong_vendor`), which :mod:`hvtui.advice.advise` uses for its findings too.
So the pane can never say "yes" where a finding says the host refuses: passthrough
and enforce-cpuid, which KVM announces by a capability rather than CPUID bits, were
once "yes, QEMU sets it without asking KVM" on a KVM without them while Review
showed ``unsupported-by-host``.
"""

from __future__ import annotations

import enum

from hvtui.advice.host import HostView
from hvtui.catalog import Enlightenment, HostNeed, WithoutHyperV
from hvtui.model.codes import FindingCode
from hvtui.records import record


class SupportState(enum.StrEnum):
    """The answer to "can this host give the guest this option?"."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@record(frozen=True)
class HostSupport:
    """Whether this host can give the guest an option, and why (one line)."""

    state: SupportState
    reason: str


#: The findings that say the host cannot give an option; each names the option it is
#: about, exactly when :func:`host_support` answers :attr:`SupportState.NO` for it.
HOST_REFUSALS: frozenset[FindingCode] = frozenset(
    {
        FindingCode.WRONG_VENDOR,
        FindingCode.UNSUPPORTED_BY_HOST,
        FindingCode.IGNORED_BY_HOST,
        FindingCode.NEEDS_NESTED,
    }
)


def wrong_vendor(entry: Enlightenment, vendor: str | None) -> bool:
    """The option is tied to CPU vendors and this (known) vendor is not one of them
    (the model's ``wrong-vendor`` rule, :func:`hvtui.model.validate`)."""
    return entry.vendors is not None and vendor is not None and vendor not in entry.vendors


def kvm_offers(entry: Enlightenment, host: HostView) -> bool | None:
    """Whether this host's KVM lets the guest have ``entry`` (``None``: KVM's list unknown).

    A KVM with no Hyper-V at all gives nothing (QEMU drops every hv-* option there, or
    refuses to start); otherwise an option KVM must support (CPUID bits or a
    capability, :attr:`~hvtui.catalog.Enlightenment.needs_kvm_support`) must be on its
    list, and the others QEMU sets by itself.
    """
    if host.hyperv is None:
        return None
    if not host.hyperv:
        return False
    return not entry.needs_kvm_support or entry.name in host.hyperv


def nested_missing(entry: Enlightenment, host: HostView) -> bool:
    """The option needs KVM's nested virtualization, which is off on this host (for a
    vendor the option applies to: a wrong vendor is its own finding)."""
    return (
        HostNeed.NESTED_VIRT in entry.host_needs
        and host.nested is False
        and host.vendor in (entry.vendors or {host.vendor})
    )


def host_support(
    entry: Enlightenment, host: HostView | None, *, no_host: str = "no host facts"
) -> HostSupport:
    """Vendor limits first, then KVM's own list, then nested virtualization; unknown
    when detection could not tell (``no_host``: why there is no host view at all)."""
    vendor = host.vendor if host is not None else None
    if wrong_vendor(entry, vendor):
        allowed = ", ".join(sorted(entry.vendors or ()))
        return HostSupport(SupportState.NO, f"works on {allowed} hosts only; this host is {vendor}")
    if host is None or host.hyperv is None:
        if not entry.needs_kvm_support:
            return HostSupport(SupportState.YES, "QEMU sets it without asking KVM")
        reason = (host.hyperv_note if host is not None else no_host) or "KVM's list is not known"
        if reason.startswith("not-live"):
            reason = "KVM was not asked (a snapshot without live answers)"
        return HostSupport(SupportState.UNKNOWN, f"cannot tell: {reason}")
    if not host.hyperv:
        if entry.without_hyperv is WithoutHyperV.DROPPED:
            why = "QEMU drops it without a word"
        else:
            why = "QEMU will not start with it"
        return HostSupport(SupportState.NO, f"KVM on this host has no Hyper-V emulation: {why}")
    if not kvm_offers(entry, host):
        return HostSupport(SupportState.NO, "KVM on this host does not offer it")
    if nested_missing(entry, host):
        return HostSupport(
            SupportState.NO, "needs nested virtualization, which is off in KVM on this host"
        )
    if not entry.needs_kvm_support:
        return HostSupport(SupportState.YES, "QEMU sets it without asking KVM")
    return HostSupport(SupportState.YES, "KVM on this host offers it")


__all__ = [
    "HOST_REFUSALS",
    "HostSupport",
    "SupportState",
    "host_support",
    "kvm_offers",
    "nested_missing",
    "wrong_vendor",
]
