"""Kernels before 5.0: Hyper-V support from KVM_CAP_HYPERV* and the MSR index list.

Such kernels have no KVM_GET_SUPPORTED_HV_CPUID (EINVAL). QEMU's
``get_supported_hv_cpuid_legacy`` then builds the answer from capabilities
(HYPERV, HYPERV_VAPIC, HYPERV_TIME, HYPERV_TLBFLUSH, HYPERV_SEND_IPI,
HYPERV_ENLIGHTENED_VMCS) and from the MSRs ``KVM_GET_MSR_INDEX_LIST`` reports
(VP_INDEX, VP_RUNTIME, SCONTROL, STIMER0_CONFIG, RESET, TSC_FREQUENCY, CRASH_CTL,
REENLIGHTENMENT_CONTROL). The recorded kernel below is a 4.19-like KVM: it has
every one of those except eVMCS (an AMD host) and the reenlightenment MSR.
"""

from __future__ import annotations

import errno
import struct
from pathlib import Path
from typing import Any

from hvtui.detect.kvm import detect_kvm, kvm_module
from hvtui.detect.kvm_ioctl import (
    CAPABILITIES,
    KVM_CHECK_EXTENSION,
    KVM_GET_API_VERSION,
    KVM_GET_MSR_INDEX_LIST,
    KVM_GET_SUPPORTED_HV_CPUID,
    KvmAnswer,
    decode_legacy,
    probe_kvm,
)
from hvtui.detect.report import known
from hvtui.detect.sysroot import Root

CAPS_419 = {
    CAPABILITIES[name]: 1
    for name in ("HYPERV", "HYPERV_VAPIC", "HYPERV_SPIN", "HYPERV_TIME", "HYPERV_SYNIC",
                 "HYPERV_SYNIC2", "HYPERV_VP_INDEX", "HYPERV_EVENTFD", "HYPERV_TLBFLUSH",
                 "HYPERV_SEND_IPI")
}  # fmt: skip
# A few ordinary MSRs, then the Hyper-V ones 4.19 lists (no 0x40000106).
MSRS_419 = [0x10, 0x1B, 0xC0000080, 0x40000000, 0x40000001, 0x40000002, 0x40000003,
            0x40000010, 0x40000020, 0x40000021, 0x40000022, 0x40000023, 0x40000073,
            0x40000080, 0x400000B0, 0x40000100, 0x40000105]  # fmt: skip
EXPECTED_419 = ("relaxed", "vapic", "vpindex", "runtime", "crash", "time", "synic", "stimer",
                "tlbflush", "ipi", "reset", "frequencies", "passthrough")  # fmt: skip


class Kernel419:
    """A scripted pre-5.0 /dev/kvm: no HV CPUID ioctl, E2BIG once on the MSR list."""

    def __init__(self, *, msr_errno: int | None = None) -> None:
        self.msr_calls = 0
        self.msr_errno = msr_errno

    def ioctl(self, fd: int, request: int, arg: Any) -> Any:
        if request == KVM_GET_API_VERSION:
            return 12
        if request == KVM_CHECK_EXTENSION:
            return CAPS_419.get(arg, 0)
        if request == KVM_GET_SUPPORTED_HV_CPUID:
            raise OSError(errno.EINVAL, "Invalid argument")
        if request == KVM_GET_MSR_INDEX_LIST:
            self.msr_calls += 1
            if self.msr_errno is not None:
                raise OSError(self.msr_errno, "fake")
            (asked,) = struct.unpack_from("=I", arg, 0)
            if self.msr_calls == 1:
                struct.pack_into("=I", arg, 0, len(MSRS_419))  # too small: say how many
                if asked < len(MSRS_419):
                    raise OSError(errno.E2BIG, "Argument list too long")
            struct.pack_into(f"=I{len(MSRS_419)}I", arg, 0, len(MSRS_419), *MSRS_419)
            return 0
        raise OSError(errno.ENOTTY, "unexpected ioctl")


def _probe(kernel: Kernel419) -> KvmAnswer:
    return probe_kvm(ioctl=kernel.ioctl, opener=lambda path, flags: 3, closer=lambda fd: None)


def test_decode_legacy_matches_qemus_rules() -> None:
    assert decode_legacy(CAPS_419, MSRS_419) == EXPECTED_419
    with_evmcs = {**CAPS_419, CAPABILITIES["HYPERV_ENLIGHTENED_VMCS"]: 1}
    assert "evmcs" in decode_legacy(with_evmcs, [*MSRS_419, 0x40000106])
    assert "reenlightenment" in decode_legacy(with_evmcs, [*MSRS_419, 0x40000106])
    assert decode_legacy({}, MSRS_419) == ("vpindex", "runtime", "crash", "stimer", "reset",
                                          "frequencies")  # fmt: skip


def test_legacy_rules_are_qemus() -> None:
    """QEMU's get_supported_hv_cpuid_legacy(): the vapic bit (HV_APIC_ACCESS_AVAILABLE) comes
    with KVM_CAP_HYPERV itself, not KVM_CAP_HYPERV_VAPIC; synic needs KVM_CAP_HYPERV_SYNIC2
    besides its MSRs; hv-passthrough copies the same legacy leaves (issue #12)."""
    only_hyperv = {CAPABILITIES["HYPERV"]: 1}
    assert decode_legacy(only_hyperv, []) == ("relaxed", "vapic", "passthrough")
    no_synic2 = {k: v for k, v in CAPS_419.items() if k != CAPABILITIES["HYPERV_SYNIC2"]}
    assert "synic" not in decode_legacy(no_synic2, MSRS_419)
    assert "synic" in decode_legacy(CAPS_419, MSRS_419)
    assert decode_legacy({CAPABILITIES["HYPERV_VAPIC"]: 1}, []) == ()


def test_probe_reads_the_msr_list_on_an_old_kernel() -> None:
    kernel = Kernel419()
    answer = _probe(kernel)
    assert answer.hv_form == "" and answer.hv_errno == errno.EINVAL
    assert answer.msrs == MSRS_419
    assert any("KVM_GET_MSR_INDEX_LIST" in step for step in answer.steps)


def test_old_kernel_report_lists_what_it_supports(tmp_path: Path) -> None:
    answer = _probe(Kernel419())
    root = Root(tmp_path)
    info, notes = detect_kvm(root, kvm_module(root), known(answer), is_x86=True)
    assert info.hyperv.value == EXPECTED_419
    assert info.hyperv_source.value == "capabilities"
    assert any("predates" in n for n in notes)


def test_msr_list_failure_leaves_support_unknown(tmp_path: Path) -> None:
    answer = _probe(Kernel419(msr_errno=errno.EFAULT))
    assert answer.msrs is None
    root = Root(tmp_path)
    info, _notes = detect_kvm(root, kvm_module(root), known(answer), is_x86=True)
    assert info.hyperv.code == "kernel-too-old"


def test_snapshot_json_keeps_the_msr_list() -> None:
    answer = _probe(Kernel419())
    again = KvmAnswer.from_json(answer.to_json())
    assert again.msrs == MSRS_419
    assert KvmAnswer.from_json({"device": "ok"}).msrs is None, "older snapshots still load"
