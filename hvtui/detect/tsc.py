"""The TSC: invariant or not, can KVM scale it, and which clocksource the host uses.

KVM only publishes the Hyper-V reference TSC page (hv-time's fast path) when the
host clocksource is TSC-based, and migrating a guest to a host of another TSC
frequency needs TSC scaling (hv-reenlightenment, hv-frequencies).  The
authoritative scaling answer is ``KVM_CHECK_EXTENSION(KVM_CAP_TSC_CONTROL)``;
without ``/dev/kvm`` the CPU's own flags stand in.
"""

from __future__ import annotations

from hvtui.detect.apic import no_vmx_flags_line
from hvtui.detect.kvm import module_param
from hvtui.detect.kvm_ioctl import CAP_TSC_CONTROL, KvmAnswer
from hvtui.detect.report import CpuInfo, Fact, TscInfo, known, unknown
from hvtui.detect.sysroot import Root, parse_int

CLOCKSOURCE = "/sys/devices/system/clocksource/clocksource0/current_clocksource"


def detect_tsc(
    root: Root,
    cpu: CpuInfo,
    module: Fact[str],
    kvm: Fact[KvmAnswer],
    kernel: tuple[int, int] | None,
) -> TscInfo:
    """The TSC section."""
    flags = cpu.flags
    invariant = flags.map(lambda f: "constant_tsc" in f and "nonstop_tsc" in f)
    scaling, source = _scaling(root, cpu, module, kvm, kernel)
    clock = root.read_line(CLOCKSOURCE)
    if clock.value == "":
        clock = unknown("unparsable", f"{CLOCKSOURCE} is empty")
    return TscInfo(invariant=invariant, scaling=scaling, scaling_source=source, clocksource=clock)


def _scaling(
    root: Root,
    cpu: CpuInfo,
    module: Fact[str],
    kvm: Fact[KvmAnswer],
    kernel: tuple[int, int] | None,
) -> tuple[Fact[bool], Fact[str]]:
    answer = kvm.value
    if answer is not None and answer.device == "ok" and CAP_TSC_CONTROL in answer.caps:
        return known(answer.caps[CAP_TSC_CONTROL] > 0), known("KVM_CAP_TSC_CONTROL")
    flags = cpu.flags.value
    if flags is None:
        return Fact(None, cpu.flags.reason), Fact(None, cpu.flags.reason)
    if "vmx" in flags:
        vmx_flags = cpu.vmx_flags.value
        if vmx_flags is not None:
            return known("tsc_scaling" in vmx_flags), known("vmx flags")
        why = no_vmx_flags_line(kernel)
        return why, Fact(None, why.reason)
    if "svm" in flags:
        param_path = "/sys/module/kvm_amd/parameters/tsc_scaling"
        param = parse_int(module_param(root, module, "kvm_amd", "tsc_scaling"), param_path)
        if param.value is not None:
            return known(param.value > 0), known("kvm_amd.tsc_scaling")
        return known("tsc_scale" in flags), known("cpu flags")
    # Neither extension: KVM cannot run a guest here, let alone scale its TSC.
    return known(False), known("cpu flags")
