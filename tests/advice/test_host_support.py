"""Whether a host can give an option, and the findings, follow one rule (issue #13).

Hand-made hosts cover each way a host refuses: a vendor, a KVM list without the
option (passthrough and enforce-cpuid are announced by a KVM capability, not CPUID
bits), a KVM without Hyper-V at all, nested virtualization off.  The wizard's side of
the same agreement, on every real and demo host, is ``tests/tui/test_host_claims.py``.
"""

from __future__ import annotations

import pytest
from hostviews import ALL_HV, INTEL

from hvtui import catalog
from hvtui.advice import (
    HOST_REFUSALS,
    HostSupport,
    HostView,
    SupportState,
    advise,
    host_support,
    make_context,
)
from hvtui.catalog import Enlightenment
from hvtui.model import Config
from hvtui.model.codes import FindingCode
from hvtui.model.config import on_value
from hvtui.records import replace

CAPABILITY_ONLY = ("passthrough", "enforce-cpuid")


def test_the_refusals_are_the_findings_that_say_the_host_cannot() -> None:
    """What both sides of the agreement (here and in the wizard's test) count as "no"."""
    assert {
        FindingCode.WRONG_VENDOR,
        FindingCode.UNSUPPORTED_BY_HOST,
        FindingCode.IGNORED_BY_HOST,
        FindingCode.NEEDS_NESTED,
    } == HOST_REFUSALS


HOSTS = {
    "intel": INTEL,
    "amd": replace(INTEL, label="amd-host", vendor="amd", hyperv=ALL_HV - {"evmcs"}),
    "no-capabilities": replace(INTEL, hyperv=ALL_HV - set(CAPABILITY_ONLY)),
    "no-hyperv": replace(INTEL, hyperv=frozenset(), hyperv_note="no Hyper-V in this KVM"),
    "nested-off": replace(INTEL, nested=False),
    "list-unknown": replace(INTEL, hyperv=None, hyperv_note="not-live: a snapshot"),
    "vendor-unknown": replace(INTEL, vendor=None),
}


def refused(entry: Enlightenment, host: HostView) -> bool:
    """Turning ``entry`` on makes a finding that says this host cannot give it."""
    config = Config.of({entry.name: on_value(entry)})
    found = advise(config, make_context(host))
    return any(f.code in HOST_REFUSALS and entry.name in f.options for f in found)


@pytest.mark.parametrize("host", sorted(HOSTS))
@pytest.mark.parametrize("entry", catalog.ENTRIES, ids=lambda e: e.name)
def test_the_support_claim_is_what_the_findings_say(entry: Enlightenment, host: str) -> None:
    view = HOSTS[host]
    support = host_support(entry, view)
    assert (support.state is SupportState.NO) == refused(entry, view), support


@pytest.mark.parametrize("name", CAPABILITY_ONLY)
def test_a_kvm_without_the_capability_cannot_give_it(name: str) -> None:
    """The confirmed bug: the pane said "QEMU sets it without asking KVM"."""
    support = host_support(catalog.get(name), HOSTS["no-capabilities"])
    assert support == HostSupport(SupportState.NO, "KVM on this host does not offer it")
    assert host_support(catalog.get(name), INTEL).state is SupportState.YES


def test_a_kvm_without_hyperv_gives_nothing_and_says_what_qemu_does() -> None:
    host = HOSTS["no-hyperv"]
    for entry in catalog.ENTRIES:
        assert host_support(entry, host).state is SupportState.NO, entry.name
    assert "drops it" in host_support(catalog.get("spinlocks"), host).reason
    assert "will not start" in host_support(catalog.get("vpindex"), host).reason


def test_vendor_limits_come_first() -> None:
    support = host_support(catalog.get("evmcs"), HOSTS["amd"])
    assert support.state is SupportState.NO and "intel" in support.reason
    assert "this host is amd" in support.reason


def test_unknown_is_never_no() -> None:
    host = HOSTS["list-unknown"]
    stimer = host_support(catalog.get("stimer"), host)
    assert stimer.state is SupportState.UNKNOWN
    assert stimer.reason == "cannot tell: KVM was not asked (a snapshot without live answers)"
    # QEMU sets these itself; nothing says the host refuses them.
    assert host_support(catalog.get("spinlocks"), host).state is SupportState.YES
    missing = host_support(catalog.get("stimer"), None, no_host="detection failed: boom")
    assert missing == HostSupport(SupportState.UNKNOWN, "cannot tell: detection failed: boom")
    assert host_support(catalog.get("evmcs"), None).state is SupportState.UNKNOWN


def test_nested_off_refuses_evmcs_only() -> None:
    host = HOSTS["nested-off"]
    refused_here = [e.name for e in catalog.ENTRIES if host_support(e, host).state == "no"]
    assert refused_here == ["evmcs"]
