"""Decoding what a guest sees, and judging it against what was asked, on recorded leaves.

The Hyper-V-capable hosts are the demo hosts: their recorded KVM_GET_SUPPORTED_HV_CPUID
answer (``hv_raw``) is what a guest with hv-passthrough reads there, since QEMU copies
KVM's answer into the guest's leaves.  The same catalog decoder must then find what
detection finds.
"""

from __future__ import annotations

import pytest

from hvtui import presets
from hvtui.model import Config
from hvtui.verify import HostKvm, Reason, Registers, decode
from hvtui.verify.compare import compare
from verify.support import NO_HYPERV_LEAVES, demo_hyperv, demo_leaves

NO_HYPERV_HOST = HostKvm(hyperv=False, offered=())


@pytest.mark.parametrize("demo", ["intel-tigerlake", "amd-epyc"])
def test_recorded_hyperv_leaves_decode_as_detection_decodes_them(demo: str) -> None:
    guest = decode(demo_leaves(demo))
    assert guest.hyperv and guest.hypervisor_bit
    assert guest.signature == "Linux KVM Hv"
    switches = [name for name, value in guest.seen.items() if value is True]
    assert switches == [n for n in demo_hyperv(demo) if n not in ("passthrough", "enforce-cpuid")]
    assert guest.seen["spinlocks"] == 0xFFF
    assert guest.version["build"] == 0x3839 and guest.version["major"] == 10


def test_passthrough_becomes_an_explicit_preset_that_loads_back() -> None:
    leaves = demo_leaves("intel-tigerlake")
    guest = decode(leaves)
    offered = tuple(demo_hyperv("intel-tigerlake"))
    result = compare(Config.of(passthrough=True), guest, HostKvm(True, offered), None)
    assert result.missing == () and result.unexpected == ()
    assert result.expanded is not None
    assert result.expanded["relaxed"] is True and result.expanded["evmcs"] is True
    assert result.expanded["vendor-id"] == "Linux KVM Hv"
    assert "no-nonarch-coresharing" not in result.expanded
    assert any("reenlightenment" in note for note in result.expanded_notes)
    from hvtui.verify.result import VerifyResult
    from hvtui.verify.spec import from_config

    spec = from_config(Config.of(passthrough=True), source="preset pt")
    verified = VerifyResult(spec, (), HostKvm(True, offered), guest, result)
    toml = verified.explicit_toml()
    assert toml is not None
    loaded = presets.loads(toml)
    assert loaded.config.as_dict() == result.expanded
    assert loaded.name == "pt-explicit"
    assert verified.to_json()["passthrough"]["expanded"] == result.expanded


def test_a_kvm_signature_shows_no_hyperv_and_nothing_beyond_its_max_leaf() -> None:
    leaves = dict(NO_HYPERV_LEAVES)
    # An Intel CPU answers leaves beyond the maximum with its highest basic leaf: bits
    # there must not count as enlightenments.
    leaves[0x40000003] = Registers(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    guest = decode(leaves)
    assert guest.signature == "KVMKVMKVM" and guest.max_leaf == 0x40000001
    assert not guest.hyperv and guest.seen == {}
    assert guest.kvm_leaves_at == 0x40000000
    assert 0x40000003 not in guest.trusted()


def test_relaxed_on_a_kvm_without_hyperv_is_missing_as_dropped() -> None:
    result = compare(Config.of(relaxed=True), decode(NO_HYPERV_LEAVES), NO_HYPERV_HOST, None)
    (missing,) = result.missing
    assert missing.option == "relaxed" and missing.reason is Reason.DROPPED_NO_HYPERV
    assert "KVMKVMKVM" in missing.detail


def test_qemu_refusal_is_the_reason_for_everything_asked() -> None:
    asked = Config.of(relaxed=True, vpindex=True, stimer=False)
    error = "kernel doesn't allow setting HyperV VP_INDEX"
    result = compare(asked, None, NO_HYPERV_HOST, error)
    assert [d.option for d in result.missing] == ["relaxed", "vpindex"]
    assert {d.reason for d in result.missing} == {Reason.QEMU_REFUSED}
    assert all(error in d.detail for d in result.missing)


def test_differences_on_a_hyperv_host_get_their_own_reasons() -> None:
    guest = decode(demo_leaves("amd-epyc"))
    offered = tuple(demo_hyperv("amd-epyc"))
    asked = Config.of(relaxed=True, evmcs=True, spinlocks=0x1FFF, stimer=False, crash=True)
    result = compare(asked, guest, HostKvm(True, offered), None)
    reasons = {d.option: d.reason for d in result.missing}
    assert reasons == {"evmcs": Reason.NOT_OFFERED, "spinlocks": Reason.DIFFERENT_VALUE}
    unexpected = {d.option: d.reason for d in result.unexpected}
    assert unexpected["stimer"] is Reason.DIFFERENT_VALUE  # asked off, seen on
    assert unexpected["vapic"] is Reason.NOT_ASKED
    assert unexpected["vendor-id"] is Reason.NOT_ASKED  # "Linux KVM Hv", not QEMU's own
    assert "relaxed" not in reasons and "crash" not in reasons


def test_enforce_cpuid_is_not_judged_by_cpuid() -> None:
    result = compare(Config.of(**{"enforce-cpuid": True}), decode(NO_HYPERV_LEAVES),
                     NO_HYPERV_HOST, None)  # fmt: skip
    assert result.missing == ()
    assert [d.reason for d in result.unjudged] == [Reason.NOT_IN_CPUID]


def test_syndbg_subrange_is_read_only_when_its_first_leaf_names_its_last() -> None:
    # QEMU's guest view with hv-syndbg: the block ends at 0x4000000A and the SynDbg
    # leaves name their own last leaf (KVM's raw answer instead covers them by its
    # 0x40000000.EAX = 0x40000082 and leaves 0x40000080.EAX zero).
    leaves = dict(demo_leaves("intel-tigerlake"))
    top, syndbg = leaves[0x40000000], leaves[0x40000080]
    leaves[0x40000000] = top._replace(eax=0x4000000A)
    leaves[0x40000080] = syndbg._replace(eax=0x40000082)
    guest = decode(leaves)
    assert guest.subranges == {0x40000080: "Linux KVM Hv"}
    assert 0x40000082 in guest.trusted() and 0x4000000A in guest.trusted()
    assert 0x40000082 in decode(demo_leaves("intel-tigerlake")).trusted()
    assert decode(NO_HYPERV_LEAVES).subranges == {}
