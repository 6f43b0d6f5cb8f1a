"""The live probe on this machine, the snapshot round trip, and the CLI contract.

These run against whatever machine runs the suite, so they compare the report
with facts read independently here rather than with fixed values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clirun import python_env

from hvtui.detect import HostReport, detect, detect_traced
from hvtui.detect.report import NOT_LIVE, NOT_REQUESTED
from hvtui.detect.snapshot import MANIFEST, save_snapshot

from .support import I7_1165G7, REPO, copy_host  # autouse fixture

LINUX = sys.platform.startswith("linux")
needs_linux = pytest.mark.skipif(not LINUX, reason="the live probe reads /proc and /sys")


def _hvtui(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hvtui", *args],
        capture_output=True,
        text=True,
        env=python_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A report's JSON without the field that names where it came from."""
    return {k: v for k, v in data.items() if k != "source"}


@needs_linux
def test_live_probe_reports_this_machine() -> None:
    report = detect()
    assert report.source == "live"
    assert report.host.os.value == "Linux"
    assert report.host.arch.value == os.uname().machine
    cpuinfo = Path("/proc/cpuinfo").read_text()
    flags = next(line for line in cpuinfo.splitlines() if line.startswith("flags")).split()
    assert report.cpu.in_vm.value is ("hypervisor" in flags)
    assert report.cpu.logical_cpus.value == os.cpu_count()
    # /dev/kvm: the device state must match what opening it says.
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except FileNotFoundError:
        assert report.kvm.device.value == "absent"
    except PermissionError:
        assert report.kvm.device.value == "no-access"
        assert any("kvm group" in n for n in report.notes)
    else:
        os.close(fd)
        assert report.kvm.device.value == "ok"
        assert report.kvm.api_version.value == 12
        # Either a decoded list (possibly empty: no Hyper-V in this kernel) or a reason.
        assert report.kvm.hyperv.known or report.kvm.hyperv.reason
    modules = os.listdir("/sys/module")
    if "kvm_intel" in modules or "kvm_amd" in modules:
        assert report.kvm.module.value in ("kvm_intel", "kvm_amd")
        assert report.kvm.nested.known
    assert report.deep.code == NOT_REQUESTED
    assert report.vms.known  # a list, possibly empty


@needs_linux
@pytest.mark.skipif(
    not (os.path.exists("/sys/module/kvm_pvm") and os.geteuid() == 0),
    reason="specific to the PVM development machine (kvm_pvm, root)",
)
def test_live_probe_on_the_pvm_machine() -> None:
    """This machine: PVM KVM, no Hyper-V ioctl (EINVAL), the host is itself a KVM guest."""
    report = detect()
    assert report.kvm.module.value == "kvm_pvm"
    assert report.kvm.device.value == "ok"
    assert report.kvm.hyperv.value == ()
    assert report.kvm.hyperv_source.value == "none"
    assert report.kvm.nested.value is None
    assert report.cpu.in_vm.is_true()
    assert report.cpu.virt_extension.value is None
    assert report.tsc.scaling.is_false()  # KVM_CAP_TSC_CONTROL is 0 here
    assert report.tsc.scaling_source.value == "KVM_CAP_TSC_CONTROL"
    assert any("no Hyper-V emulation" in n for n in report.notes)


@needs_linux
def test_live_probe_can_be_turned_off() -> None:
    report = detect(live=False)
    assert report.kvm.device.code == NOT_LIVE
    assert report.versions.qemu.code == NOT_LIVE
    assert report.cpu.vendor.known or report.cpu.vendor.reason


@needs_linux
def test_snapshot_round_trip_on_this_machine(tmp_path: Path) -> None:
    """save-snapshot then --sysroot gives the same report (the issue's acceptance test)."""
    detection = detect_traced()
    snap = tmp_path / "snap"
    count = save_snapshot(snap, detection.root.trace, detection.live, source="live")
    assert count > 0
    assert (snap / MANIFEST).is_file()
    assert (snap / "proc/cpuinfo").read_bytes() == Path("/proc/cpuinfo").read_bytes()
    manifest = json.loads((snap / MANIFEST).read_text())
    assert manifest["format"] == "hvtui-snapshot"
    assert manifest["live"]["kvm"]  # raw ioctl answers (or the reason there are none)
    replay = detect(snap)
    assert replay.source == f"sysroot:{snap}"
    assert _comparable(replay.to_json()) == _comparable(detection.report.to_json())


def test_snapshot_round_trip_keeps_failures(tmp_path: Path) -> None:
    """A replay answers "missing" even if a stale file appears later, and keeps reasons."""
    root = copy_host(I7_1165G7, tmp_path)
    detection = detect_traced(root)
    snap = tmp_path / "snap"
    save_snapshot(snap, detection.root.trace, detection.live, source=detection.report.source)
    (snap / "sys/devices/system/cpu/nohz_full").unlink()
    stale = snap / "sys/module/kvm_intel/parameters/nested"
    stale.parent.mkdir(parents=True)
    stale.write_text("Y\n")
    replay = detect(snap)
    assert replay.kvm.module.code == detection.report.kvm.module.code
    assert replay.isolation.nohz_full.code == "missing"  # the file is gone now
    assert replay.cpu == detection.report.cpu


def test_damaged_manifest_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    (root / MANIFEST).write_text("{not json")
    report = detect(root)
    assert report.kvm.device.code == "unparsable"
    assert report.cpu.vendor.value == "intel"


# --- the CLI ---------------------------------------------------------------------------


@needs_linux
def test_cli_detect_json() -> None:
    result = _hvtui("detect", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == 1
    for section, keys in {
        "cpu": ("vendor", "model_name", "virt_extension", "in_vm"),
        "kvm": ("device", "module", "nested", "hyperv"),
        "apic_virt": ("hardware", "enabled", "x2avic"),
        "tsc": ("invariant", "scaling", "clocksource"),
        "smt": ("control", "active"),
        "isolation": ("cpus",),
        "versions": ("qemu", "libvirt"),
    }.items():
        for key in keys:
            assert key in data[section], f"{section}.{key}"
            if data[section][key] is None:
                assert f"{section}.{key}" in data["unknown"]
    assert isinstance(data["vms"], list) or "vms" in data["unknown"]
    assert data["cpu"]["vendor"] in ("intel", "amd", "hygon", "other", None)
    assert data["kvm"]["device"] in ("ok", "absent", "no-access", None)
    assert HostReport.from_json(data).source == "live"


@needs_linux
def test_cli_detect_text() -> None:
    result = _hvtui("detect")
    assert result.returncode == 0, result.stderr
    for heading in ("CPU", "KVM", "Hyper-V support", "APIC virtualization", "TSC",
                    "SMT and isolation", "Running VMs", "Installed"):  # fmt: skip
        assert f"\n{heading}" in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_detect_does_not_import_textual_or_heavy_probes() -> None:
    """The CLI must start fast: no Textual ever, no py-cpuinfo without --deep."""
    code = (
        "import sys, io, contextlib\n"
        "from hvtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['detect', '--json'])\n"
        "assert rc == 0, rc\n"
        "bad = [m for m in ('textual', 'cpuinfo', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "print('clean')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_cli_help_does_not_import_detection() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from hvtui.cli import build_parser\n"
        "build_parser()\n"
        "loaded = [m for m in sys.modules if m.startswith('hvtui.detect') or m == 'psutil']\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_cli_sysroot_snapshot_json(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    result = _hvtui("detect", "--json", "--sysroot", str(root))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == f"sysroot:{root}"
    assert data["cpu"]["model_name"] == "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz"
    assert data["apic_virt"]["hardware"] is True
    assert data["tsc"]["scaling"] is True
    assert data["kvm"]["hyperv"] is None
    assert data["unknown"]["kvm.hyperv"].startswith("not-live:")


def test_cli_missing_sysroot_is_a_usage_error(tmp_path: Path) -> None:
    result = _hvtui("detect", "--sysroot", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.startswith("hvtui: --sysroot")
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    not_dir = tmp_path / "file"
    not_dir.write_text("x")
    result = _hvtui("detect", "--sysroot", str(not_dir))
    assert result.returncode == 2
    assert "not a directory" in result.stderr


def test_cli_save_snapshot_refuses_non_empty_dir(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    target = tmp_path / "out"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    result = _hvtui("detect", "--sysroot", str(root), "--save-snapshot", str(target))
    assert result.returncode == 2
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert not (target / MANIFEST).exists()
    result = _hvtui("detect", "--sysroot", str(root), "--save-snapshot", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert (target / MANIFEST).is_file()
    assert (target / "precious.txt").read_text() == "keep me"
    result = _hvtui("detect", "--force")
    assert result.returncode == 2
    assert "--save-snapshot" in result.stderr


def test_cli_save_snapshot_then_replay(tmp_path: Path) -> None:
    root = copy_host(I7_1165G7, tmp_path)
    snap = tmp_path / "snap"
    first = _hvtui("detect", "--json", "--sysroot", str(root), "--save-snapshot", str(snap))
    assert first.returncode == 0, first.stderr
    assert "snapshot of" in first.stderr
    second = _hvtui("detect", "--json", "--sysroot", str(snap))
    assert second.returncode == 0, second.stderr
    assert _comparable(json.loads(first.stdout)) == _comparable(json.loads(second.stdout))


def test_snapshot_of_a_snapshot_keeps_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hvtui.detect import sysroot

    root = copy_host(I7_1165G7, tmp_path)
    denied = str(root / "sys/devices/system/cpu/smt/control")
    real_open = sysroot._open

    def fake_open(path: str, flags: int) -> int:
        if path == denied:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags)

    monkeypatch.setattr(sysroot, "_open", fake_open)
    first = detect_traced(root)
    monkeypatch.setattr(sysroot, "_open", real_open)
    assert first.report.smt.control.code == "permission-denied"
    snap1, snap2 = tmp_path / "s1", tmp_path / "s2"
    save_snapshot(snap1, first.root.trace, first.live, source="x")
    second = detect_traced(snap1)
    assert second.report.smt.control.code == "permission-denied"
    save_snapshot(snap2, second.root.trace, second.live, source="x")
    third = detect(snap2)
    assert _comparable(third.to_json()) == _comparable(first.report.to_json())
