"""Host-aware findings, one test per rule of the advice issue, on hand-made hosts."""

from __future__ import annotations

import pytest
from hostviews import ALL_HV, INTEL

from hvtui import catalog
from hvtui.advice import HostView, advise, make_context
from hvtui.catalog import Severity
from hvtui.model import Config, Finding, FindingCode
from hvtui.records import replace

AMD = replace(
    INTEL, label="amd-host", vendor="amd", hyperv=ALL_HV - {"evmcs"}, apic_virt_enabled=False
)


def found(config: Config, host: HostView | None, **kw: object) -> dict[str, Finding]:
    ctx = make_context(host, **kw)  # type: ignore[arg-type]
    return {f.code: f for f in advise(config, ctx)}


def on(*names: str, **values: object) -> Config:
    config = Config()
    for name in names:
        config = config.enable(name).after
    for name, value in values.items():
        config = config.set(name.replace("_", "-"), value).after  # type: ignore[arg-type]
    return config


def test_no_host_gives_the_models_findings_only() -> None:
    config = on("stimer")
    assert [f.code for f in advise(config)] == [f.code for f in advise(config, None)]
    assert FindingCode.UNSUPPORTED_BY_HOST not in found(config, None)


def test_evmcs_on_amd_is_an_error() -> None:
    result = found(on("evmcs"), AMD)
    assert result[FindingCode.WRONG_VENDOR].severity.value == "error"
    assert result[FindingCode.UNSUPPORTED_BY_HOST].options == ("evmcs",)


def test_evmcs_on_intel_with_nested_off_is_an_error() -> None:
    host = replace(INTEL, nested=False, hyperv=ALL_HV - {"evmcs"})
    result = found(on("evmcs"), host)
    assert result[FindingCode.NEEDS_NESTED].severity.value == "error"
    assert result[FindingCode.NEEDS_NESTED].fix is not None
    assert FindingCode.NEEDS_NESTED not in found(on("evmcs"), INTEL)


def test_evmcs_mentions_posted_interrupts() -> None:
    assert "posted interrupts" in found(on("evmcs"), INTEL)[FindingCode.INTEL_ONLY].message


def test_avic_without_apic_virtualization() -> None:
    result = found(on("avic"), AMD)
    assert result[FindingCode.APIC_VIRT_OFF].severity.value == "warning"
    assert "KVM has it disabled" in result[FindingCode.APIC_VIRT_OFF].message
    no_hw = replace(AMD, apic_virt_hardware=False)
    assert "hardware lacks it" in found(on("avic"), no_hw)[FindingCode.APIC_VIRT_OFF].message
    assert FindingCode.APIC_VIRT_OFF not in found(on("avic"), INTEL)
    assert FindingCode.NEEDS_APIC_VIRT not in found(on("avic"), INTEL), "host answered the caution"


def test_no_nonarch_coresharing_on_without_pinning_and_with_smt() -> None:
    config = on(no_nonarch_coresharing="on")
    result = found(config, INTEL)
    assert result[FindingCode.CORE_SHARING_POSSIBLE].severity.value == "warning"
    assert "SMT is on" in result[FindingCode.CORE_SHARING_POSSIBLE].message
    assert FindingCode.CORE_SHARING_POSSIBLE not in found(config, INTEL, pinned=True)
    smt_off = replace(INTEL, smt_control="forceoff", smt_active=False)
    assert FindingCode.CORE_SHARING_POSSIBLE not in found(config, smt_off)
    assert FindingCode.NEEDS_PINNING not in found(config, smt_off)


def test_no_nonarch_coresharing_auto_blocks_migration() -> None:
    config = on(no_nonarch_coresharing="auto")
    assert found(config, INTEL)[FindingCode.BLOCKS_MIGRATION].severity.value == "info"
    migr = found(config, INTEL, intent="server-migratable")
    assert migr[FindingCode.BLOCKS_MIGRATION].severity.value == "error"


def test_reenlightenment_without_tsc_scaling() -> None:
    host = replace(INTEL, tsc_scaling=False)
    result = found(on("reenlightenment"), host)
    assert result[FindingCode.NO_TSC_SCALING].severity.value == "warning"
    assert (
        found(on("reenlightenment"), host, intent="server-migratable")[
            FindingCode.NO_TSC_SCALING
        ].severity.value
        == "error"
    )


def test_reenlightenment_on_a_migratable_vm_needs_tsc_frequency() -> None:
    result = found(on("reenlightenment", "frequencies"), INTEL, intent="server-migratable")
    assert result[FindingCode.MIGRATION_NEEDS_TSC].severity.value == "warning"
    assert "tsc-frequency" in result[FindingCode.MIGRATION_NEEDS_TSC].message
    desktop = found(on("reenlightenment", "frequencies"), INTEL)
    assert desktop[FindingCode.MIGRATION_NEEDS_TSC].severity.value == "info"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"clocksource": "hpet"}, "clocksource is hpet"),
        ({"tsc_invariant": False}, "TSC is not invariant"),
    ],
)
def test_hv_time_on_an_unstable_tsc(change: dict[str, object], why: str) -> None:
    host = replace(INTEL, **change)
    result = found(on("time"), host)
    assert why in result[FindingCode.UNSTABLE_TSC].message
    assert FindingCode.UNSTABLE_TSC not in found(on("time"), INTEL)


def test_passthrough_blocks_migration_and_overrides() -> None:
    config = on("passthrough", "relaxed")
    result = found(config, INTEL)
    assert "turns on crash" in result[FindingCode.BLOCKS_MIGRATION].message
    assert FindingCode.PASSTHROUGH_OVERRIDES in result
    assert result[FindingCode.NOT_FOR_PRODUCTION].severity.value == "warning"
    migratable = found(config, INTEL, intent="server-migratable")
    assert migratable[FindingCode.BLOCKS_MIGRATION].severity.value == "error"


def test_syndbg_needs_the_vmbus_bridge_and_crash_blocks_dumps() -> None:
    assert "vmbus-bridge" in found(on("syndbg"), INTEL)[FindingCode.NEEDS_VMBUS_BRIDGE].message
    assert found(on("crash"), INTEL)[FindingCode.CRASH_BLOCKS_DUMPS].severity.value == "warning"


def test_spinlocks_follow_overcommit() -> None:
    busy = replace(INTEL, logical_cpus=8, running_vcpus=8)
    result = found(on(spinlocks=0x1FFF), busy, vcpus=4)
    fix = result[FindingCode.OVERCOMMITTED].fix
    assert fix is not None and fix.changes == (("spinlocks", 0xFFF),)
    assert FindingCode.OVERCOMMITTED not in found(on(spinlocks=0xFFF), busy, vcpus=4)
    assert FindingCode.OVERCOMMITTED not in found(on(spinlocks=0x1FFF), INTEL, vcpus=4)


def test_options_the_host_kvm_lacks_are_errors() -> None:
    host = replace(INTEL, hyperv=ALL_HV - {"xmm-input", "tlbflush-ext"})
    result = found(on("xmm-input", "tlbflush-ext"), host)
    assert result[FindingCode.UNSUPPORTED_BY_HOST].options == ("xmm-input", "tlbflush-ext")


def test_a_kvm_without_hyperv_drops_most_options_and_stops_for_a_few() -> None:
    """No KVM_CAP_HYPERV: QEMU drops hv-* silently (a warning) except vapic, time, synic,
    reenlightenment (MSR writes abort) and vpindex (refused), which are errors (issue #12)."""
    none = replace(INTEL, hyperv=frozenset(), hyperv_note="unsupported: EINVAL")
    relaxed = found(on("relaxed"), none)
    assert FindingCode.UNSUPPORTED_BY_HOST not in relaxed
    ignored = relaxed[FindingCode.IGNORED_BY_HOST]
    assert ignored.severity is Severity.WARNING and ignored.options == ("relaxed",)
    assert "offers no Hyper-V" in ignored.message and "will not get relaxed" in ignored.message
    both = found(on("relaxed", "vapic", "time", "spinlocks"), none)
    stop = both[FindingCode.UNSUPPORTED_BY_HOST]
    assert stop.severity is Severity.ERROR and stop.options == ("vapic", "time")
    assert "failed to set MSR 0x40000073" in stop.explanation
    assert both[FindingCode.IGNORED_BY_HOST].options == ("relaxed", "spinlocks")
    vpindex = found(on("vpindex"), none)[FindingCode.UNSUPPORTED_BY_HOST]
    assert "kernel doesn't allow setting HyperV VP_INDEX" in vpindex.explanation
    stopping = {e.name for e in catalog.ENTRIES if e.without_hyperv.value != "dropped"}
    assert stopping == {"vapic", "time", "synic", "reenlightenment", "vpindex"}


def test_unknown_host_support_is_not_an_error() -> None:
    assert FindingCode.UNSUPPORTED_BY_HOST not in found(on("relaxed"), replace(INTEL, hyperv=None))


def test_target_qemu_too_old_names_the_version() -> None:
    from hvtui.versions import Version

    result = found(on("xmm-input"), INTEL, qemu=Version(6, 2))
    assert result[FindingCode.QEMU_TOO_OLD].message == (
        "hv-xmm-input was added in QEMU 7.1; the target is QEMU 6.2"
    )
    assert FindingCode.QEMU_TOO_OLD not in found(on("xmm-input"), INTEL, qemu=Version(7, 2))


def test_target_libvirt_fallback_is_reported() -> None:
    from hvtui.versions import Version

    result = found(on("emsr-bitmap", "relaxed"), INTEL, libvirt=Version(9, 0, 0))
    assert result[FindingCode.LIBVIRT_FALLBACK].options == ("emsr-bitmap",)
    assert result[FindingCode.LIBVIRT_FALLBACK].severity.value == "info"
    assert FindingCode.LIBVIRT_FALLBACK not in found(
        on("emsr-bitmap"), INTEL, libvirt=Version(10, 7)
    )


def test_target_versions_default_to_the_hosts() -> None:
    from hvtui.versions import Version

    host = replace(INTEL, qemu=Version(6, 0), libvirt=Version(8, 0, 0))
    result = found(on("avic"), host)
    assert FindingCode.QEMU_TOO_OLD in result and FindingCode.LIBVIRT_FALLBACK in result


def test_stimer_missing_on_a_desktop() -> None:
    result = found(on("relaxed", "vapic"), INTEL)
    assert result[FindingCode.MISSING_FOR_INTENT].options == ("stimer",)
    assert "host CPU" in result[FindingCode.MISSING_FOR_INTENT].message


def test_stimer_direct_missing_for_nested_hyperv() -> None:
    config = on("stimer", "evmcs")
    result = [
        f
        for f in advise(config, make_context(INTEL, intent="nested-hyperv"))
        if f.code == FindingCode.MISSING_FOR_INTENT
    ]
    assert [f.options for f in result] == [("stimer-direct",)]
    amd = [
        f.options
        for f in advise(on("stimer"), make_context(AMD, intent="vbs"))
        if f.code == FindingCode.MISSING_FOR_INTENT
    ]
    assert amd == [("stimer-direct",)], "evmcs is not asked for on AMD"


def test_nested_intent_with_nested_off() -> None:
    host = replace(INTEL, nested=False)
    assert FindingCode.NESTED_OFF in found(on("stimer-direct"), host, intent="nested-hyperv")


def test_host_facts_findings() -> None:
    vm = replace(INTEL, in_vm=True, kvm_usable=False)
    result = found(on("relaxed"), vm)
    assert {FindingCode.HOST_IS_A_VM, FindingCode.KVM_UNUSABLE} <= set(result)


def test_fixes_apply_and_resolve_their_finding() -> None:
    busy = replace(INTEL, logical_cpus=4, running_vcpus=8)
    ctx = make_context(busy, intent="nested-hyperv")
    config = on("evmcs", spinlocks=0x1FFF)
    for finding in advise(config, ctx):
        if finding.fix is None:
            continue
        fixed = config.with_values(finding.fix.changes)
        still = [
            f for f in advise(fixed, ctx) if f.code == finding.code and f.options == finding.options
        ]
        assert still == [], finding.code
