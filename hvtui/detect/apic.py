"""APIC virtualization: Intel APICv (and IPI virtualization), AMD AVIC and x2AVIC.

Two questions, kept apart: can the hardware do it (CPU flags), and has KVM
turned it on (module parameters).  KVM writes the effective value back into
its parameters (``enable_apicv = 0`` when the CPU lacks it; ``avic = avic &&
avic_hardware_setup()``), so ``Y`` means "on and usable".  A kernel without a
``vmx flags`` line says nothing about APICv hardware: that stays unknown.
"""

from __future__ import annotations

from hvtui.detect.kvm import module_param
from hvtui.detect.report import (
    KERNEL_TOO_OLD,
    MISSING,
    NOT_APPLICABLE,
    ApicVirt,
    CpuInfo,
    Fact,
    known,
    unknown,
)
from hvtui.detect.sysroot import Root, parse_bool


def apic_kind(cpu: CpuInfo, module: Fact[str]) -> Fact[str]:
    """``apicv`` for VMX/kvm_intel/Intel hosts, ``avic`` for SVM/kvm_amd/AMD/Hygon hosts."""
    if cpu.virt_extension.value is not None:
        return known("apicv" if cpu.virt_extension.value == "vmx" else "avic")
    if module.value in ("kvm_intel", "kvm_amd"):
        return known("apicv" if module.value == "kvm_intel" else "avic")
    if cpu.vendor.value in ("intel", "amd", "hygon"):
        return known("apicv" if cpu.vendor.value == "intel" else "avic")
    if cpu.vendor.value is None:
        return Fact(None, cpu.vendor.reason)
    return unknown(
        NOT_APPLICABLE, f"no APIC virtualization known for vendor {cpu.vendor_id.value!r}"
    )


def detect_apic_virt(
    root: Root, cpu: CpuInfo, module: Fact[str], kernel_major_minor: tuple[int, int] | None
) -> ApicVirt:
    """The APIC virtualization section."""
    kind = apic_kind(cpu, module)
    if kind.value is None:
        why: Fact[bool] = Fact(None, kind.reason)
        return ApicVirt(kind, why, why, why, why, why)
    if kind.value == "apicv":
        return _apicv(root, cpu, module, kind, kernel_major_minor)
    return _avic(root, cpu, module, kind)


def no_vmx_flags_line(kernel: tuple[int, int] | None) -> Fact[bool]:
    detail = (
        "/proc/cpuinfo has no 'vmx flags' line (Linux 5.8+ prints it), so the CPU's APICv, "
        "IPI virtualization and TSC scaling support cannot be read from it"
    )
    if kernel is not None and kernel >= (5, 8):
        return unknown(MISSING, detail)  # built without CONFIG_X86_VMX_FEATURE_NAMES
    return unknown(KERNEL_TOO_OLD, detail)


def _apicv(
    root: Root,
    cpu: CpuInfo,
    module: Fact[str],
    kind: Fact[str],
    kernel: tuple[int, int] | None,
) -> ApicVirt:
    apicv_param_path = "/sys/module/kvm_intel/parameters/enable_apicv"
    enable_apicv = parse_bool(
        module_param(root, module, "kvm_intel", "enable_apicv"), apicv_param_path
    )
    flags = cpu.flags.value
    vmx_flags = cpu.vmx_flags.value
    hardware: Fact[bool]
    ipi_hw: Fact[bool]
    if vmx_flags is not None:
        hardware = known("apicv" in vmx_flags)
        ipi_hw = known("ipi_virt" in vmx_flags)
    elif flags is not None and "vmx" not in flags:
        hardware = ipi_hw = known(False)
    elif enable_apicv.is_true():
        hardware = known(True)
        ipi_hw = no_vmx_flags_line(kernel) if flags is not None else Fact(None, cpu.flags.reason)
    elif flags is None:
        hardware = ipi_hw = Fact(None, cpu.flags.reason)
    else:
        hardware = ipi_hw = no_vmx_flags_line(kernel)

    enabled = known(False) if hardware.is_false() else enable_apicv
    ipi_enabled: Fact[bool]
    if ipi_hw.is_false() or enabled.is_false():
        ipi_enabled = known(False)
    else:
        raw = module_param(root, module, "kvm_intel", "enable_ipiv")
        if raw.code == MISSING and module.value == "kvm_intel":
            ipi_enabled = known(False)  # kvm_intel before 5.19 has no IPI virtualization
        else:
            ipi_enabled = parse_bool(raw, "/sys/module/kvm_intel/parameters/enable_ipiv")
    return ApicVirt(
        kind=kind,
        hardware=hardware,
        enabled=enabled,
        x2avic=known(False),
        ipi_virt_hardware=ipi_hw,
        ipi_virt_enabled=ipi_enabled,
    )


def _avic(root: Root, cpu: CpuInfo, module: Fact[str], kind: Fact[str]) -> ApicVirt:
    flags = cpu.flags.value
    hardware: Fact[bool] = Fact(None, cpu.flags.reason) if flags is None else known("avic" in flags)
    if hardware.is_false():
        enabled: Fact[bool] = known(False)
    else:
        enabled = parse_bool(
            module_param(root, module, "kvm_amd", "avic"), "/sys/module/kvm_amd/parameters/avic"
        )
    x2avic: Fact[bool]
    if flags is None:
        x2avic = Fact(None, cpu.flags.reason)
    elif "x2avic" not in flags:
        x2avic = known(False)
    else:
        x2avic = enabled
    return ApicVirt(
        kind=kind,
        hardware=hardware,
        enabled=enabled,
        x2avic=x2avic,
        ipi_virt_hardware=hardware,
        ipi_virt_enabled=enabled,
    )
