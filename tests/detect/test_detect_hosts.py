"""Detection on the real machine snapshots in tests/data/hosts (copied into tmp dirs).

The snapshots hold ``/proc/cpuinfo`` and ``/sys/devices/system/cpu`` only; where a
case needs KVM module parameters, the test adds them the way the kernel writes
them (kvm_intel bools read ``Y``/``N``, kvm_amd's ``nested`` is an int: ``1``/``0``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hvtui.detect import HostReport, detect
from hvtui.detect.report import (
    KERNEL_TOO_OLD,
    MISSING,
    MODULE_NOT_LOADED,
    NOT_LIVE,
)

from .support import (  # strict_detection is an autouse fixture
    ALL_HOSTS,
    EPYC_7451,
    I7_1165G7,
    OPTERON_6328,
    XEON_X7550,
    copy_host,
    module_params,
    write,
)


def _detect(root: Path) -> HostReport:
    return detect(root)


@pytest.mark.parametrize("name", ALL_HOSTS)
def test_every_snapshot_detects_without_live_probes(name: str, tmp_path: Path) -> None:
    report = _detect(copy_host(name, tmp_path))
    assert report.source == f"sysroot:{tmp_path / name}"
    assert report.cpu.vendor.value in ("intel", "amd")
    assert report.cpu.in_vm.is_false()
    assert report.cpu.virt_extension.value in ("vmx", "svm")
    # Live-only probes are unknown, and say so, with --sysroot and no manifest.
    for fact in (report.kvm.device, report.kvm.hyperv, report.vms, report.versions.qemu):
        assert fact.code == NOT_LIVE
    data = report.to_json()
    assert data["schema"] == 1
    assert HostReport.from_json(data) == report


def test_i7_1165g7_linux_6_2(tmp_path: Path) -> None:
    report = _detect(copy_host(I7_1165G7, tmp_path))
    cpu = report.cpu
    assert cpu.vendor.value == "intel"
    assert cpu.model_name.value == "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz"
    assert (cpu.family.value, cpu.model.value, cpu.stepping.value) == (6, 140, 1)
    assert cpu.virt_extension.value == "vmx"
    assert (cpu.logical_cpus.value, cpu.cores.value, cpu.sockets.value) == (8, 4, 1)
    assert cpu.vmx_flags.value is not None and "posted_intr" in cpu.vmx_flags.value
    # vmx flags: apicv and tsc_scaling present, ipi_virt absent (Tiger Lake has none).
    assert report.apic_virt.kind.value == "apicv"
    assert report.apic_virt.hardware.is_true()
    assert report.apic_virt.ipi_virt_hardware.is_false()
    assert report.apic_virt.ipi_virt_enabled.is_false()
    assert report.apic_virt.x2avic.is_false()
    assert report.tsc.scaling.is_true()
    assert report.tsc.scaling_source.value == "vmx flags"
    assert report.tsc.invariant.is_true()
    assert report.smt.control.value == "on"
    assert report.smt.active.is_true()
    # nohz_full is an empty file here: known and empty, not unknown.
    assert report.isolation.nohz_full.value == ""
    assert report.isolation.isolated.value == ""
    assert report.isolation.cpus.value == ""
    # No /sys/module in the capture: the module facts are unknown, not "disabled".
    assert report.kvm.module.code == MISSING
    assert report.apic_virt.enabled.value is None
    assert report.kvm.nested.value is None


def test_i7_1165g7_with_kvm_intel_loaded(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    module_params(root, "kvm_intel", nested="Y", enable_apicv="Y", enable_ipiv="Y")
    report = _detect(root)
    assert report.kvm.module.value == "kvm_intel"
    assert report.kvm.nested.is_true()
    assert report.apic_virt.enabled.is_true()
    # The CPU has no IPI virtualization, so the parameter cannot make it "enabled".
    assert report.apic_virt.ipi_virt_enabled.is_false()


def test_i7_1165g7_with_apicv_and_nested_off(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    module_params(root, "kvm_intel", nested="N", enable_apicv="N")
    report = _detect(root)
    assert report.kvm.nested.is_false()
    assert report.apic_virt.hardware.is_true()
    assert report.apic_virt.enabled.is_false()


def test_epyc_7451(tmp_path: Path) -> None:
    report = _detect(copy_host(EPYC_7451, tmp_path))
    cpu = report.cpu
    assert cpu.vendor.value == "amd"
    assert cpu.model_name.value == "AMD EPYC 7451 24-Core Processor"
    assert (cpu.family.value, cpu.model.value, cpu.stepping.value) == (23, 1, 2)
    assert cpu.virt_extension.value == "svm"
    assert (cpu.logical_cpus.value, cpu.cores.value, cpu.sockets.value) == (96, 48, 2)
    assert cpu.vmx_flags.value is None
    # The avic flag: hardware capable; enabled needs kvm_amd's parameter.
    assert report.apic_virt.kind.value == "avic"
    assert report.apic_virt.hardware.is_true()
    assert report.apic_virt.enabled.value is None
    assert report.apic_virt.x2avic.is_false()  # Zen 1 has no x2avic flag
    assert report.tsc.scaling.is_true()  # tsc_scale flag
    assert report.tsc.scaling_source.value == "cpu flags"
    # "(null)" padded with spaces: an unset nohz_full on an old kernel.
    raw = (tmp_path / EPYC_7451 / "sys/devices/system/cpu/nohz_full").read_text()
    assert raw.strip() == "(null)" and raw.startswith(" ")
    assert report.isolation.nohz_full.value == ""
    assert report.isolation.cpus.value == ""


def test_epyc_7451_with_kvm_amd_loaded(tmp_path: Path) -> None:
    root = copy_host(EPYC_7451, tmp_path)
    module_params(root, "kvm_amd", nested="1", avic="N", tsc_scaling="1")
    report = _detect(root)
    assert report.kvm.module.value == "kvm_amd"
    assert report.kvm.nested.is_true()  # kvm_amd's nested is an int: 1
    assert report.apic_virt.hardware.is_true()
    assert report.apic_virt.enabled.is_false()  # avic defaults to N in 6.12
    assert report.apic_virt.ipi_virt_enabled.is_false()
    assert report.tsc.scaling.is_true()
    assert report.tsc.scaling_source.value == "kvm_amd.tsc_scaling"


def test_epyc_7451_with_avic_on_and_nested_off(tmp_path: Path) -> None:
    root = copy_host(EPYC_7451, tmp_path)
    module_params(root, "kvm_amd", nested="0", avic="Y", tsc_scaling="0")
    report = _detect(root)
    assert report.kvm.nested.is_false()
    assert report.apic_virt.enabled.is_true()
    assert report.apic_virt.x2avic.is_false()  # enabled, but the CPU has no x2avic
    assert report.tsc.scaling.is_false()  # KVM wrote tsc_scaling back to 0


def test_x2avic_needs_flag_and_avic(tmp_path: Path) -> None:
    root = copy_host(EPYC_7451, tmp_path)
    cpuinfo = root / "proc/cpuinfo"
    cpuinfo.write_text(cpuinfo.read_text().replace(" avic ", " avic x2avic "))
    module_params(root, "kvm_amd", nested="1", avic="Y")
    assert _detect(root).apic_virt.x2avic.is_true()
    module_params(root, "kvm_amd", avic="N")
    assert _detect(root).apic_virt.x2avic.is_false()


def test_opteron_6328_has_svm_but_no_avic(tmp_path: Path) -> None:
    report = _detect(copy_host(OPTERON_6328, tmp_path))
    assert report.cpu.model_name.value == "AMD Opteron(tm) Processor 6328"
    assert report.cpu.virt_extension.value == "svm"
    assert report.cpu.logical_cpus.value == 16  # online 0-15 of possible 0-31
    assert report.apic_virt.hardware.is_false()
    assert report.apic_virt.enabled.is_false()  # cannot be on without the hardware
    assert report.tsc.scaling.is_true()
    # No nohz_full file and no /proc/cmdline in the capture: unknown, with the reason.
    assert report.isolation.nohz_full.code == MISSING
    assert report.isolation.isolcpus.code == MISSING
    assert report.isolation.isolated.value == ""


def test_xeon_x7550_old_kernel_says_nothing_about_apicv(tmp_path: Path) -> None:
    """No ``vmx flags`` line: APICv and TSC scaling are unknown, not false."""
    report = _detect(copy_host(XEON_X7550, tmp_path))
    cpu = report.cpu
    assert cpu.virt_extension.value == "vmx"
    assert (cpu.logical_cpus.value, cpu.cores.value, cpu.sockets.value) == (64, 32, 4)
    assert report.apic_virt.hardware.value is None
    assert report.apic_virt.hardware.code == KERNEL_TOO_OLD
    assert report.tsc.scaling.value is None
    assert report.tsc.scaling.code == KERNEL_TOO_OLD
    # No smt/ directory and no isolated file on this kernel.
    assert report.smt.control.code == MISSING
    assert report.smt.active.code == MISSING
    assert report.isolation.cpus.code == MISSING
    data = report.to_json()
    assert data["apic_virt"]["hardware"] is None
    assert "vmx flags" in data["unknown"]["apic_virt.hardware"]


def test_xeon_x7550_with_kvm_intel_apicv_y_means_capable(tmp_path: Path) -> None:
    """KVM writes enable_apicv back to N when the CPU lacks APICv, so Y proves the hardware."""
    root = copy_host(XEON_X7550, tmp_path)
    module_params(root, "kvm_intel", nested="Y", enable_apicv="Y")
    report = _detect(root)
    assert report.apic_virt.hardware.is_true()
    assert report.apic_virt.enabled.is_true()
    # Before 5.19 kvm_intel has no enable_ipiv: no IPI virtualization.
    assert report.apic_virt.ipi_virt_enabled.is_false()


def test_module_loaded_but_vendor_module_missing(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    module_params(root, "kvm", halt_poll_ns="200000")
    report = _detect(root)
    assert report.kvm.module.code == MODULE_NOT_LOADED
    assert report.kvm.nested.code == MODULE_NOT_LOADED
    assert report.apic_virt.enabled.code == MODULE_NOT_LOADED


def test_kernel_release_is_read_from_the_sysroot(tmp_path: Path) -> None:
    root = copy_host(XEON_X7550, tmp_path)
    write(root, "/proc/sys/kernel/osrelease", "5.4.0-42-generic\n")
    report = _detect(root)
    assert report.host.kernel.value == "5.4.0-42-generic"
    assert report.apic_virt.hardware.code == KERNEL_TOO_OLD
    write(root, "/proc/sys/kernel/osrelease", "6.1.0\n")
    # A 6.1 kernel without the line was built without CONFIG_X86_VMX_FEATURE_NAMES.
    assert _detect(root).apic_virt.hardware.code == MISSING
