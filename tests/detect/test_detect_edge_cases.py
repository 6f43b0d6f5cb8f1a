"""Hand-made sysroots for what real machines do to parsers.

Missing and unreadable files, garbage, ``(null)`` and empty ``nohz_full``,
Y/N versus 1/0, no ``smt`` directory, LXC's filtered ``/proc/cpuinfo``, a host
that is itself a VM, and the kernel command line's ``--``.  The rule checked
throughout: nothing raises, and every unknown fact carries a reason.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from hvtui.detect import HostReport, detect, sysroot
from hvtui.detect.report import (
    MISSING,
    MODULE_NOT_LOADED,
    NONE,
    NOT_X86,
    PERMISSION,
    REASON_CODES,
    UNPARSABLE,
    UNREADABLE,
)

from .support import (  # autouse fixture
    CPUINFO_INTEL_VM,
    I7_1165G7,
    copy_host,
    module_params,
    write,
)

CPU = "/sys/devices/system/cpu"


def _nulls(data: Any, path: str = "") -> list[str]:
    """Dotted paths of every null in a JSON document."""
    if data is None:
        return [path]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _nulls(v, f"{path}.{i}")]
    return []


def _check_invariants(report: HostReport) -> None:
    """Every null has a reason with a known code, and the JSON reads back equal."""
    data = report.to_json()
    unknowns = data["unknown"]
    body = {k: v for k, v in data.items() if k != "unknown"}
    assert sorted(_nulls(body)) == sorted(unknowns)
    for key, reason in unknowns.items():
        assert reason.split(":", 1)[0] in REASON_CODES, (key, reason)
    assert HostReport.from_json(data) == report


def test_empty_sysroot(tmp_path: Path) -> None:
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.vendor.code == MISSING
    assert report.cpu.vendor.reason == "missing: /proc/cpuinfo"
    assert report.smt.control.code == MISSING
    assert report.tsc.clocksource.code == MISSING
    assert report.kvm.module.code == MISSING


def test_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES (simulated: the suite may run as root, which ignores file modes)."""
    root = copy_host(I7_1165G7, tmp_path)
    module_params(root, "kvm_intel", nested="Y")
    denied = {str(root / "proc/cpuinfo"), str(root / "sys/module/kvm_intel/parameters/nested")}
    real_open = sysroot._open

    def fake_open(path: str, flags: int) -> int:
        if path in denied:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags)

    monkeypatch.setattr(sysroot, "_open", fake_open)
    report = detect(root)
    _check_invariants(report)
    assert report.cpu.model_name.code == PERMISSION
    assert report.cpu.flags.code == PERMISSION
    assert report.kvm.nested.reason == (
        "permission-denied: /sys/module/kvm_intel/parameters/nested"
    )
    assert report.smt.control.value == "on"  # the rest is still read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_modes(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    (root / "proc/cpuinfo").chmod(0)
    report = detect(root)
    assert report.cpu.vendor.code == PERMISSION


def test_directory_where_a_file_should_be(tmp_path: Path) -> None:
    (tmp_path / "proc/cpuinfo").mkdir(parents=True)
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.vendor.code == UNREADABLE


def test_garbage_content(tmp_path: Path) -> None:
    write(tmp_path, "/proc/cpuinfo", b"\x00\xff\xfe garbage \x80\n\nnot: really\n")
    write(tmp_path, f"{CPU}/online", "zero-seven\n")
    write(tmp_path, f"{CPU}/smt/control", "banana\n")
    write(tmp_path, f"{CPU}/smt/active", "2\n")
    write(tmp_path, f"{CPU}/isolated", "3-1\n")
    write(tmp_path, f"{CPU}/nohz_full", "x\n")
    module_params(tmp_path, "kvm_intel", nested="maybe")
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.vendor.code == UNPARSABLE
    assert report.cpu.logical_cpus.code == UNPARSABLE
    assert report.smt.control.code == UNPARSABLE
    assert report.smt.active.code == UNPARSABLE
    assert report.isolation.isolated.code == UNPARSABLE
    assert report.isolation.nohz_full.code == UNPARSABLE
    assert report.kvm.nested.code == UNPARSABLE
    assert "'maybe'" in str(report.kvm.nested.reason)


def test_garbage_numbers_in_cpuinfo(tmp_path: Path) -> None:
    text = CPUINFO_INTEL_VM.replace("cpu family\t: 6", "cpu family\t: six")
    write(tmp_path, "/proc/cpuinfo", text)
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.family.code == UNPARSABLE
    assert report.cpu.model.value == 85


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", ""),
        ("\n", ""),
        ("(null)\n", ""),
        ("                    (null)\n", ""),
        ("2-5,8\n", "2-5,8"),
        ("1,2,3,7\n", "1-3,7"),
    ],
)
def test_nohz_full_values(tmp_path: Path, content: str, expected: str) -> None:
    write(tmp_path, f"{CPU}/nohz_full", content)
    write(tmp_path, f"{CPU}/isolated", "\n")
    report = detect(tmp_path)
    assert report.isolation.nohz_full.value == expected
    assert report.isolation.cpus.value == expected


@pytest.mark.parametrize(
    ("module", "value", "expected"),
    [
        ("kvm_intel", "Y", True),
        ("kvm_intel", "N", False),
        ("kvm_intel", "y", True),
        ("kvm_amd", "1", True),
        ("kvm_amd", "0", False),
        ("kvm_amd", "Y", True),  # older kernels made it a bool
    ],
)
def test_nested_y_n_and_1_0(tmp_path: Path, module: str, value: str, expected: bool) -> None:
    module_params(tmp_path, module, nested=value)
    report = detect(tmp_path)
    assert report.kvm.module.value == module
    assert report.kvm.nested.value is expected


def test_no_module_loaded(tmp_path: Path) -> None:
    (tmp_path / "sys/module/usbcore").mkdir(parents=True)
    report = detect(tmp_path)
    assert report.kvm.module.code == MODULE_NOT_LOADED
    assert report.kvm.nested.code == MODULE_NOT_LOADED


def test_other_kvm_flavour(tmp_path: Path) -> None:
    """PVM and friends: a kvm_* module that is neither kvm_intel nor kvm_amd."""
    module_params(tmp_path, "kvm", halt_poll_ns="200000")
    module_params(tmp_path, "kvm_pvm", pvm_native="Y")
    report = detect(tmp_path)
    assert report.kvm.module.value == "kvm_pvm"
    assert report.kvm.nested.code == MODULE_NOT_LOADED
    assert "kvm_pvm" in str(report.kvm.nested.reason)


def test_no_smt_directory(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    for name in ("control", "active"):
        (root / f"sys/devices/system/cpu/smt/{name}").unlink()
    (root / "sys/devices/system/cpu/smt").rmdir()
    report = detect(root)
    assert report.smt.control.reason == "missing: /sys/devices/system/cpu/smt/control"
    assert report.smt.active.code == MISSING
    assert report.cpu.cores.value == 4  # topology does not need smt/


@pytest.mark.parametrize("control", ["forceoff", "notsupported", "off", "notimplemented", "2"])
def test_smt_control_values(tmp_path: Path, control: str) -> None:
    write(tmp_path, f"{CPU}/smt/control", control + "\n")
    write(tmp_path, f"{CPU}/smt/active", "0\n")
    report = detect(tmp_path)
    assert report.smt.control.value == control
    assert report.smt.active.is_false()


def test_lxc_style_cpuinfo(tmp_path: Path) -> None:
    """LXCFS shows 2 processors while ``siblings``/``cpu cores`` still describe the host."""
    text = CPUINFO_INTEL_VM.replace("siblings\t: 2", "siblings\t: 32").replace(
        "cpu cores\t: 2", "cpu cores\t: 16"
    )
    text = text.replace(" hypervisor", "").replace("lahf_lm", "lahf_lm vmx")
    write(tmp_path, "/proc/cpuinfo", text)
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.logical_cpus.value == 2
    assert report.cpu.cores.value == 2
    assert report.cpu.sockets.value == 1
    assert report.cpu.in_vm.is_false()
    assert report.cpu.virt_extension.value == "vmx"


def test_host_running_inside_a_vm(tmp_path: Path) -> None:
    write(tmp_path, "/proc/cpuinfo", CPUINFO_INTEL_VM)
    write(
        tmp_path, "/sys/devices/system/clocksource/clocksource0/current_clocksource", "kvm-clock\n"
    )
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.in_vm.is_true()
    assert report.cpu.virt_extension.value is None
    assert report.cpu.virt_extension.code == NONE
    assert "VM" in str(report.cpu.virt_extension.reason)
    assert report.apic_virt.hardware.is_false()  # no VMX at all
    assert report.tsc.invariant.is_false()  # constant_tsc but no nonstop_tsc
    assert report.tsc.clocksource.value == "kvm-clock"
    assert report.tsc.scaling.is_false()
    assert any("virtual machine" in n for n in report.notes)


def test_non_x86_cpuinfo(tmp_path: Path) -> None:
    write(
        tmp_path,
        "/proc/cpuinfo",
        "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n",
    )
    report = detect(tmp_path)
    _check_invariants(report)
    assert report.cpu.vendor.code == NOT_X86
    assert report.cpu.flags.code == NOT_X86
    assert report.apic_virt.kind.code == NOT_X86
    assert report.cpu.logical_cpus.value == 1


def test_cmdline_isolation_ignores_init_arguments(tmp_path: Path) -> None:
    write(
        tmp_path,
        "/proc/cmdline",
        'root=/dev/sda1 isolcpus=nohz,domain,managed_irq,2-5 quiet foo="a b" '
        "-- isolcpus=7 nohz_full=7\n",
    )
    write(tmp_path, f"{CPU}/isolated", "2-5\n")
    write(tmp_path, f"{CPU}/possible", "0-7\n")
    report = detect(tmp_path)
    iso = report.isolation
    assert iso.isolcpus.value == "2-5"
    assert iso.nohz_full.value == ""  # no sysfs file; the kernel's own args have none
    assert iso.cpus.value == "2-5"


def test_cmdline_nohz_full_and_isolcpus_union(tmp_path: Path) -> None:
    write(tmp_path, "/proc/cmdline", "isolcpus=managed_irq,6-7 nohz_full=1-3,N\n")
    write(tmp_path, f"{CPU}/isolated", "\n")  # managed_irq alone does not show here
    write(tmp_path, f"{CPU}/possible", "0-7\n")
    report = detect(tmp_path)
    assert report.isolation.isolated.value == ""
    assert report.isolation.isolcpus.value == "6-7"
    assert report.isolation.nohz_full.value == "1-3,7"
    assert report.isolation.cpus.value == "1-3,6-7"


def test_numa_nodes(tmp_path: Path) -> None:
    write(tmp_path, "/sys/devices/system/node/online", "0-1\n")
    assert detect(tmp_path).cpu.numa_nodes.value == 2
    (tmp_path / "sys/devices/system/node/online").unlink()
    for n in range(4):
        (tmp_path / f"sys/devices/system/node/node{n}").mkdir(parents=True)
    assert detect(tmp_path).cpu.numa_nodes.value == 4


def test_firmware_disabled_vmx_from_raw_cpuid(tmp_path: Path) -> None:
    """The kernel hides vmx when the BIOS disabled it; a snapshot's raw CPUID shows it."""
    from hvtui.detect.cpu import virt_extension
    from hvtui.detect.report import BIOS_DISABLED, known

    flags = known(("fpu", "lm", "constant_tsc"))
    raw = known({0x1: (0, 0, 1 << 5, 0), 0x80000001: (0, 0, 0, 0)})
    ext, bios = virt_extension(flags, raw, known(()))
    assert ext.code == BIOS_DISABLED
    assert bios.is_true()
    ext, bios = virt_extension(flags, known({0x1: (0, 0, 0, 0)}), known(()))
    assert ext.code == NONE
    assert bios.is_false()
    deep_flags = known(("svm", "fpu"))
    ext, bios = virt_extension(flags, known({}), deep_flags)
    assert bios.is_false()  # raw CPUID wins when both are there
    from hvtui.detect.report import unknown

    ext, bios = virt_extension(flags, unknown(MISSING, "x"), deep_flags)
    assert ext.code == BIOS_DISABLED and "AMD-V" in str(ext.reason)
