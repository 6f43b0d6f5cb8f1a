"""Judging a VM: findings for the host, the difference from the recommendation, and the
facts (pinning, running vCPUs, passthrough, host-model) that shape both."""

from __future__ import annotations

import pytest
from hostviews import ALL_HV, INTEL

from audit.support import DATA
from hvtui.audit import (
    INPUT_PROBLEM,
    REFUSED_SPELLING,
    RUNNING,
    AuditInput,
    SourceError,
    audit_vm,
    load_file,
    load_text,
    merged_domain_xml,
    running_vms,
)
from hvtui.model import Config, FindingCode
from hvtui.records import replace

AMD = replace(INTEL, label="amd-host", vendor="amd", hyperv=ALL_HV - {"evmcs"})
NO_HYPERV = replace(INTEL, label="bare", hyperv=frozenset(), hyperv_note="no Hyper-V in KVM")


def codes(audit: object) -> set[str]:
    return {f.code for f in getattr(audit, "findings")}  # noqa: B009


def test_a_vm_that_matches_the_recommendation_has_no_difference() -> None:
    first = audit_vm(load_text("-cpu host"), INTEL)
    recommended = first.recommendation.config
    text = "-cpu host," + ",".join(
        f"hv-{name}" + ("" if value is True else f"={value}") for name, value in recommended
    )
    second = audit_vm(load_text(text), INTEL)
    assert second.differences == ()
    assert second.ok


def test_differences_carry_the_recommendations_reason() -> None:
    audit = audit_vm(load_text("-cpu host,hv-relaxed,hv-evmcs,hv-spinlocks=0x2000"), AMD)
    by_option = {d.option: d for d in audit.differences}
    evmcs = by_option["evmcs"]
    assert (evmcs.current, evmcs.recommended) == (True, None)
    assert evmcs.reason == audit.recommendation.choice("evmcs").reason and "intel" in evmcs.reason
    assert (by_option["spinlocks"].current, by_option["spinlocks"].recommended) == (0x2000, 0x1FFF)
    assert by_option["vapic"].current is None and by_option["vapic"].recommended is True
    assert "relaxed" not in by_option  # same value on both sides
    assert {
        FindingCode.WRONG_VENDOR,
        FindingCode.UNSUPPORTED_BY_HOST,
        FindingCode.MISSING_DEPENDENCY,
    } <= codes(audit)
    assert not audit.ok


def test_off_and_absent_are_the_same() -> None:
    explicit_off = audit_vm(load_text("-cpu host,hv-relaxed=off,hv-evmcs=off"), NO_HYPERV)
    assert explicit_off.differences == ()
    assert explicit_off.ok


def test_this_kind_of_host_gives_unsupported_errors() -> None:
    audit = audit_vm(load_file(DATA / "libvirt-pinned.xml"), NO_HYPERV)
    assert FindingCode.UNSUPPORTED_BY_HOST in codes(audit)
    assert not audit.ok
    assert all(d.recommended is None for d in audit.differences)


def test_pinning_facts_decide_no_nonarch_coresharing() -> None:
    text = "-cpu host,hv-no-nonarch-coresharing=on"
    pinned = replace(load_text(text), imported=replace(load_text(text).imported, pinned=True))
    floating = replace(pinned, imported=replace(pinned.imported, pinned=False))
    assert FindingCode.CORE_SHARING_POSSIBLE not in codes(audit_vm(pinned, INTEL))
    assert audit_vm(pinned, INTEL).recommendation.config.get("no-nonarch-coresharing") == "on"
    assert FindingCode.CORE_SHARING_POSSIBLE in codes(audit_vm(floating, INTEL))
    rec = audit_vm(floating, INTEL).recommendation
    assert rec.config.get("no-nonarch-coresharing") is None
    # A libvirt domain's <cputune> is the same fact.
    assert (
        audit_vm(load_file(DATA / "libvirt-pinned.xml"), INTEL).recommendation.config.get(
            "no-nonarch-coresharing"
        )
        == "on"
    )


def test_spinlocks_follow_the_hosts_running_vcpus() -> None:
    busy = replace(INTEL, running_vcpus=20)
    vm = load_text("-smp 2 -cpu host,hv-spinlocks=0x1fff")
    audit = audit_vm(vm, busy)
    assert FindingCode.OVERCOMMITTED in codes(audit)
    assert audit.recommendation.config.get("spinlocks") == 0xFFF
    # A running VM's own vCPUs are already among the host's: not counted twice.
    host = replace(INTEL, running_vcpus=16)
    running = replace(vm, kind=RUNNING)
    assert FindingCode.OVERCOMMITTED not in codes(audit_vm(running, host))
    assert FindingCode.OVERCOMMITTED in codes(audit_vm(vm, host))
    assert FindingCode.OVERCOMMITTED not in codes(audit_vm(vm, host, already_running=True))


def test_passthrough_is_judged_as_what_the_host_supports() -> None:
    vm = load_file(DATA / "libvirt-hyperv-passthrough.xml")
    on_amd = audit_vm(vm, AMD)
    assert on_amd.effective.is_on("stimer") and not on_amd.effective.is_on("evmcs")
    assert "hv-passthrough" in on_amd.notes[0] and "amd-host" in on_amd.notes[0]
    assert FindingCode.MISSING_FOR_INTENT not in codes(on_amd)
    migratable = audit_vm(vm, AMD, intent="server-migratable")
    assert FindingCode.BLOCKS_MIGRATION in codes(migratable) and not migratable.ok
    unknown = audit_vm(vm, replace(AMD, hyperv=None))
    assert unknown.effective == Config.of(passthrough=True)
    assert "unknown here" in unknown.notes[0]


def test_host_model_is_judged_as_the_hosts_hyperv_elements() -> None:
    vm = load_file(DATA / "libvirt-hyperv-host-model.xml")
    audit = audit_vm(vm, INTEL)
    assert audit.effective.is_on("evmcs") and audit.effective.is_on("tlbflush-direct")
    assert not audit.effective.is_on("time")  # a <clock> timer, not a <hyperv> element
    assert not audit.effective.is_on("syndbg")  # no libvirt element
    assert audit_vm(vm, NO_HYPERV).effective == Config()


def test_input_problems_and_refused_spellings_become_findings() -> None:
    audit = audit_vm(load_file(DATA / "virsh-dumpxml-win11.xml"), INTEL)
    problem = next(f for f in audit.findings if f.code == INPUT_PROBLEM)
    assert "future_feature" in problem.message and problem.severity.value == "warning"
    refused = audit_vm(load_text("-cpu host,hv-relaxed=1"), INTEL)
    assert {f.severity.value for f in refused.findings if f.code == REFUSED_SPELLING} == {"warning"}
    running = replace(load_text("-cpu host,hv-relaxed=1"), kind=RUNNING)
    assert {f.severity.value for f in audit_vm(running, INTEL).findings
            if f.code == REFUSED_SPELLING} == {"info"}  # fmt: skip


def test_no_host_is_allowed() -> None:
    audit = audit_vm(load_file(DATA / "libvirt-hyperv-all.xml"), None)
    assert audit.host == "unknown host"
    assert audit.to_json()["enlightenments"]["vendor-id"] == "KVM Hv"


def test_json_of_one_vm() -> None:
    data = audit_vm(load_file(DATA / "libvirt-pinned.xml"), INTEL).to_json()
    assert set(data) == {
        "source", "kind", "name", "pid", "cpu_model", "hyperv_mode", "vcpus", "pinned",
        "pinning", "vcpu_threads", "cpu_settings", "enlightenments", "effective",
        "other_properties", "extra_args", "notes", "origins", "ok", "counts", "findings",
        "differences",
    }  # fmt: skip
    assert data["pinned"] is True and data["vcpus"] == 4 and data["kind"] == "libvirt-xml"
    assert all(
        set(d) == {"option", "current", "recommended", "reason"} for d in data["differences"]
    )
    assert all(d["reason"] for d in data["differences"])


def test_merged_domain_xml_for_the_wizard() -> None:
    source = load_file(DATA / "virsh-dumpxml-win11.xml")
    audit = audit_vm(source, INTEL)
    result = merged_domain_xml(source, audit.recommendation.config)
    again = load_text(result.text)
    assert again.config.is_on("evmcs") and again.name == "win11"
    assert "<seclabel" in result.text
    with pytest.raises(SourceError, match="no domain definition"):
        merged_domain_xml(load_text("-cpu host"), Config())


def test_audit_input_properties() -> None:
    source = AuditInput("x.cmd", "qemu-command", load_text("-cpu host").imported)
    assert source.name == "x.cmd" and source.kind_name == "QEMU command line"


def test_running_vm_without_thread_names() -> None:
    """Without ``debug-threads=on`` the vCPU threads cannot be told apart: pinning is
    unknown (and says why), the vCPU count comes from ``-smp``."""
    from hvtui.detect.report import known
    from hvtui.detect.vms import ProcessAnswer, ThreadAnswer, guest_processes

    answer = ProcessAnswer(
        77,
        "kvm",
        ["/usr/bin/kvm", "-id", "100", "-name", "pve-vm", "-smp", "3", "-cpu", "host,hv_ipi"],
        [ThreadAnswer(77, "kvm", [0, 1]), ThreadAnswer(78, "kvm", [0, 1])],
    )
    found = guest_processes(known([answer]))
    assert found.value is not None
    vm = running_vms(known([answer]))[0]
    assert (vm.label, vm.kind, vm.pid, vm.vcpus, vm.pinned) == (
        "pve-vm (pid 77)", RUNNING, 77, 3, None,
    )  # fmt: skip
    assert vm.config == Config.of(ipi=True)
    assert "debug-threads=on" in vm.imported.pinning
    assert vm.threads == ()
    audit = audit_vm(vm, INTEL)
    assert any("debug-threads=on" in note for note in audit.notes)


def test_vms_with_the_same_settings_are_judged_alike_each_with_its_own_source() -> None:
    """Judging is shared between VMs whose settings are the same (the engine keeps recent
    answers), never between hosts, nor between values equal in Python only (``1 == True``)."""
    from hvtui.audit import engine

    first = load_text("-name a -cpu host,hv-relaxed,hv-vapic,hv-evmcs -smp 4", label="a.cmd")
    second = load_text("-name b -cpu host,hv-relaxed,hv-vapic,hv-evmcs -smp 4", label="b.cmd")
    one, two = audit_vm(first, INTEL), audit_vm(second, INTEL)
    assert (one.source, two.source) == (first, second)
    assert two == replace(engine._judge(first, INTEL, "desktop", False), source=second)
    assert replace(one, source=second) == two
    assert audit_vm(second, AMD) == engine._judge(second, AMD, "desktop", False)
    assert audit_vm(second, AMD).findings != two.findings
    spinlocks = replace(first, imported=replace(first.imported, config=Config.of(spinlocks=1)))
    switch = replace(first, imported=replace(first.imported, config=Config.of(spinlocks=True)))
    assert audit_vm(spinlocks, INTEL) == engine._judge(spinlocks, INTEL, "desktop", False)
    assert audit_vm(switch, INTEL) == engine._judge(switch, INTEL, "desktop", False)
