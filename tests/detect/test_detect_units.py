"""Small pieces: the Fact type, the JSON schema, cpu-lists, the command line,
``--version`` parsing, QEMU process recognition, the text report, py-cpuinfo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hvtui import records
from hvtui.detect import HostReport, ReportError, detect, load_report, pipeline
from hvtui.detect.deep import deep_info, run_deep
from hvtui.detect.render import render_text
from hvtui.detect.report import (
    FAILED,
    NOT_INSTALLED,
    NOT_LINUX,
    SCHEMA,
    TIMEOUT,
    UNPARSABLE,
    Fact,
    known,
    unknown,
)
from hvtui.detect.smt import isolcpus_list, kernel_args, last_param
from hvtui.detect.sysroot import Root
from hvtui.detect.versions import CommandAnswer, start_versions, versions_info
from hvtui.detect.vms import ProcessAnswer, ThreadAnswer, is_qemu, vms_info
from hvtui.formats.cpulist import CpuListError, format_cpulist, parse_cpulist
from hvtui.formats.qemu_argv import guest_name

from .support import EPYC_7451, I7_1165G7, copy_host, strict_detection  # noqa: F401

# --- Fact ------------------------------------------------------------------------------


def test_fact_is_never_truthy() -> None:
    with pytest.raises(TypeError):
        bool(known(True))
    with pytest.raises(TypeError):
        bool(unknown(FAILED, "x"))


def test_fact_states() -> None:
    yes = known(True)
    no = known(False)
    maybe: Fact[bool] = unknown("module-not-loaded", "kvm_intel is not loaded")
    assert yes.is_true() and not yes.is_false()
    assert no.is_false() and not no.is_true()
    assert not maybe.is_true() and not maybe.is_false()  # unknown is not false
    assert maybe.code == "module-not-loaded"
    assert maybe.get(True) is True
    assert maybe.describe() == "unknown (module-not-loaded: kvm_intel is not loaded)"
    assert known(3).map(lambda v: v * 2) == known(6)
    assert maybe.map(lambda v: not v) == maybe
    with pytest.raises(ValueError):
        Fact(None, None)
    with pytest.raises(ValueError):
        Fact(1, "both")


# --- JSON ------------------------------------------------------------------------------


def test_json_has_the_contract_keys(tmp_path: Path) -> None:
    data = detect(copy_host(EPYC_7451, tmp_path)).to_json()
    assert next(iter(data)) == "schema" and data["schema"] == SCHEMA == 1
    assert list(data)[-1] == "unknown"
    required = {
        "cpu": {"vendor", "model_name", "virt_extension", "in_vm"},
        "kvm": {"device", "module", "nested", "hyperv"},
        "apic_virt": {"hardware", "enabled", "x2avic"},
        "tsc": {"invariant", "scaling", "clocksource"},
        "smt": {"control", "active"},
        "isolation": {"cpus"},
        "versions": {"qemu", "libvirt"},
    }
    for section, keys in required.items():
        assert keys <= set(data[section]), section
    assert "vms" in data
    assert data["apic_virt"]["hardware"] is True  # the EPYC's avic flag
    assert data["kvm"]["nested"] is None
    assert data["unknown"]["kvm.nested"].startswith("missing:")


def test_json_round_trip_through_text(tmp_path: Path) -> None:
    report = detect(copy_host(I7_1165G7, tmp_path))
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report.to_json()))
    assert load_report(path) == report


def _vm_report(tmp_path: Path) -> HostReport:
    base = detect(copy_host(I7_1165G7, tmp_path))
    unnamed = ProcessAnswer(9999, "kvm", ["/usr/bin/kvm"], [ThreadAnswer(9999, "kvm", [0, 1])])
    vms = vms_info(known([_qemu_process(), unnamed]))
    return records.replace(base, vms=vms)


def test_json_round_trip_with_vms(tmp_path: Path) -> None:
    report = _vm_report(tmp_path)
    data = report.to_json()
    assert data["vms"][0]["vcpus"][1]["cpus"] == "0-7"
    assert data["vms"][1]["vcpus"] is None
    assert data["unknown"]["vms.1.vcpus"].startswith("not-applicable:")
    assert HostReport.from_json(json.loads(json.dumps(data))) == report


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema=2), "schema 2"),
        (lambda d: d.pop("schema"), "schema None"),
        (lambda d: d["cpu"].pop("vendor"), "cpu.vendor is missing"),
        (lambda d: d["cpu"].update(in_vm="no"), "cpu.in_vm must be true or false"),
        (lambda d: d["cpu"].update(family="6"), "cpu.family must be an integer"),
        (lambda d: d["cpu"].update(cores=True), "cpu.cores must be an integer"),
        (lambda d: d["unknown"].pop("kvm.nested"), "kvm.nested is null"),
        (lambda d: d.update(unknown=[]), "'unknown' must map"),
        (lambda d: d["kvm"].update(hyperv="relaxed"), "kvm.hyperv must be a list"),
    ],
)
def test_from_json_rejects_bad_documents(tmp_path: Path, mutate: Any, message: str) -> None:
    data = detect(copy_host(I7_1165G7, tmp_path)).to_json()
    mutate(data)
    with pytest.raises(ReportError, match=message):
        HostReport.from_json(data)


def test_load_report_rejects_non_json(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{")
    with pytest.raises(ReportError, match="not JSON"):
        load_report(path)


# --- fallbacks -------------------------------------------------------------------------


def test_internal_error_becomes_an_all_unknown_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HVTUI_DEBUG", raising=False)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(pipeline, "_detect", boom)
    report = detect(tmp_path)
    assert report.source == f"sysroot:{tmp_path}"
    assert report.cpu.vendor.code == FAILED
    assert "kaboom" in str(report.kvm.hyperv.reason)
    assert HostReport.from_json(report.to_json()) == report


def test_blocked_root_reports_not_linux() -> None:
    root = Root("/", blocked=f"{NOT_LINUX}: this is Darwin")
    assert root.read("/proc/cpuinfo").code == NOT_LINUX
    assert root.listdir("/sys/module").code == NOT_LINUX
    assert root.is_dir("/sys/module") is False


# --- cpu-lists and the command line ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cpus"),
    [
        ("", set()),
        ("(null)", set()),
        ("   (null)\n", set()),
        ("0", {0}),
        ("0-3,8", {0, 1, 2, 3, 8}),
        ("0-7:2/4", {0, 1, 4, 5}),
        ("2,N", {2, 7}),
    ],
)
def test_parse_cpulist(text: str, cpus: set[int]) -> None:
    assert parse_cpulist(text, last_cpu=7) == cpus


@pytest.mark.parametrize("text", ["a", "3-1", "1-", "0-7:0/4", "0-7:5/4", "N"])
def test_parse_cpulist_errors(text: str) -> None:
    with pytest.raises(CpuListError):
        parse_cpulist(text)


def test_format_cpulist() -> None:
    assert format_cpulist([]) == ""
    assert format_cpulist([3, 1, 2, 7, 9, 10]) == "1-3,7,9-10"


def test_kernel_args() -> None:
    line = 'BOOT_IMAGE=/vmlinuz root=UUID=1 title="my linux" isolcpus=2 -- isolcpus=9 single\n'
    args = kernel_args(line)
    assert args == ["BOOT_IMAGE=/vmlinuz", "root=UUID=1", "title=my linux", "isolcpus=2"]
    assert last_param(args, "isolcpus") == "2"
    assert last_param(kernel_args("isolcpus=1 isolcpus=3"), "isolcpus") == "3"
    assert last_param(args, "nohz_full") is None


def test_isolcpus_flags() -> None:
    assert isolcpus_list("nohz,domain,managed_irq,2-5") == "2-5"
    assert isolcpus_list("2-5") == "2-5"
    assert isolcpus_list("domain,N") == "N"


# --- versions ----------------------------------------------------------------------------


def _answers(**tools: CommandAnswer) -> Fact[dict[str, CommandAnswer]]:
    return known(dict(tools))


def test_versions_parsing() -> None:
    info = versions_info(
        _answers(
            qemu=CommandAnswer(
                "qemu",
                "/usr/bin/qemu-system-x86_64",
                "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n"
                "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n",
                returncode=0,
            ),
            libvirt=CommandAnswer("libvirt", "/usr/sbin/libvirtd", "libvirtd (libvirt) 9.0.0\n"),
        )
    )
    assert info.qemu.value == "7.2.22"
    assert info.qemu_binary.value == "/usr/bin/qemu-system-x86_64"
    assert info.libvirt.value == "9.0.0"


def test_versions_absent_timeout_and_garbage() -> None:
    info = versions_info(
        _answers(
            qemu=CommandAnswer("qemu"),
            libvirt=CommandAnswer("libvirt", "/usr/bin/virsh", error=f"{TIMEOUT}: took too long"),
        )
    )
    assert info.qemu.code == NOT_INSTALLED
    assert info.qemu_binary.code == NOT_INSTALLED
    assert info.libvirt.code == TIMEOUT
    assert info.libvirt_binary.value == "/usr/bin/virsh"
    info = versions_info(_answers(qemu=CommandAnswer("qemu", "/x/qemu", "segfault\n")))
    assert info.qemu.code == UNPARSABLE
    assert info.libvirt.code == NOT_INSTALLED


def test_start_versions_with_fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake-qemu"
    fake.write_text("#!/bin/sh\necho 'QEMU emulator version 9.1.0'\n")
    fake.chmod(0o755)
    slow = tmp_path / "slow-virsh"
    sleep = shutil.which("sleep") or "/bin/sleep"
    slow.write_text(f"#!/bin/sh\nexec {sleep} 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # not the user's cache
    monkeypatch.setattr("hvtui.detect.versions.TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr("hvtui.detect.versions.EXTRA_DIRS", ())
    pending = start_versions({"qemu": ("fake-qemu",), "libvirt": ("slow-virsh",)})
    answers = pending.finish()
    assert answers["qemu"].stdout.strip() == "QEMU emulator version 9.1.0"
    assert answers["libvirt"].error.startswith("timeout:")
    info = versions_info(known(answers))
    assert info.qemu.value == "9.1.0"
    assert info.libvirt.code == TIMEOUT


def _counting_tool(directory: Path, name: str, version: str) -> Path:
    """A fake binary that prints ``version`` and appends a line to ``NAME.runs``."""
    tool = directory / name
    tool.write_text(f"#!/bin/sh\necho run >> '{directory / (name + '.runs')}'\necho '{version}'\n")
    tool.chmod(0o755)
    return tool


def _runs(tool: Path) -> int:
    runs = tool.with_name(tool.name + ".runs")
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def test_version_answers_are_cached_per_unchanged_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hvtui.detect import versions

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = _counting_tool(bin_dir, "fake-qemu", "QEMU emulator version 9.1.0")
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(versions, "EXTRA_DIRS", ())
    tools = {"qemu": ("fake-qemu",)}

    first = start_versions(tools).finish()["qemu"]
    assert _runs(tool) == 1
    stored = json.loads((cache / "hvtui" / "versions.json").read_text())
    assert stored["schema"] == 1 and str(tool) in stored["binaries"]
    assert [p.name for p in (cache / "hvtui").iterdir()] == ["versions.json"]  # no temp left

    second = start_versions(tools).finish()["qemu"]
    assert _runs(tool) == 1, "an unchanged binary is not run again"
    assert second == first

    tool.write_text(tool.read_text().replace("9.1.0", "9.2.0"))  # a new QEMU
    third = start_versions(tools).finish()["qemu"]
    assert _runs(tool) == 2 and "9.2.0" in third.stdout

    assert start_versions(tools, cache=False).finish()["qemu"] == third
    assert _runs(tool) == 3


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b'{"schema": 99, "binaries": {}}', b'{"schema": 1, "binaries": []}', b"\xff"],
)
def test_a_corrupt_or_foreign_version_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    from hvtui.detect import versions

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = _counting_tool(bin_dir, "fake-qemu", "QEMU emulator version 9.1.0")
    cache_file = tmp_path / "cache" / "hvtui" / "versions.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(content)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(versions, "EXTRA_DIRS", ())
    answer = start_versions({"qemu": ("fake-qemu",)}).finish()["qemu"]
    assert _runs(tool) == 1 and "9.1.0" in answer.stdout
    assert json.loads(cache_file.read_text())["schema"] == 1  # rewritten whole


def test_a_stale_entry_or_a_failed_run_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hvtui.detect import versions

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = _counting_tool(bin_dir, "fake-qemu", "QEMU emulator version 9.1.0")
    cache_file = tmp_path / "cache" / "hvtui" / "versions.json"
    cache_file.parent.mkdir(parents=True)
    stale = {"identity": [1, 2], "stdout": "QEMU emulator version 1.0.0\n", "stderr": ""}
    cache_file.write_text(json.dumps({"schema": 1, "binaries": {str(tool): stale}}))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(versions, "EXTRA_DIRS", ())
    answer = start_versions({"qemu": ("fake-qemu",)}).finish()["qemu"]
    assert "9.1.0" in answer.stdout and _runs(tool) == 1

    broken = bin_dir / "broken-qemu"
    broken.write_text("#!/bin/sh\necho oops >&2\nexit 1\n")
    broken.chmod(0o755)
    start_versions({"qemu": ("broken-qemu",)}).finish()
    assert str(broken) not in json.loads(cache_file.read_text())["binaries"]


# --- QEMU processes -------------------------------------------------------------------


def _qemu_process() -> ProcessAnswer:
    return ProcessAnswer(
        4242,
        "qemu-system-x86_64",
        ["/usr/bin/qemu-system-x86_64", "-name", "guest=win11,debug-threads=on", "-smp", "2"],
        [
            ThreadAnswer(4242, "qemu-system-x86", list(range(8))),
            ThreadAnswer(4250, "CPU 0/KVM", [2]),
            ThreadAnswer(4251, "CPU 1/KVM", list(range(8))),
            ThreadAnswer(4252, "IO mon_iothread", list(range(8))),
        ],
    )


def test_vms_pinned_and_floating() -> None:
    vms = vms_info(known([_qemu_process()]))
    assert vms.value is not None
    (vm,) = vms.value
    assert (vm.pid, vm.process, vm.name) == (4242, "qemu-system-x86_64", "win11")
    assert vm.vcpus.value is not None
    first, second = vm.vcpus.value
    assert (first.index, first.tid, first.cpus.value, first.pinned.value) == (0, 4250, "2", True)
    assert (second.index, second.cpus.value, second.pinned.value) == (1, "0-7", False)
    assert vm.pinned.is_false()


def test_vm_all_pinned_needs_distinct_cpus() -> None:
    p = _qemu_process()
    p.threads[2] = ThreadAnswer(4251, "CPU 1/KVM", [3])
    vm = vms_info(known([p])).value
    assert vm is not None and vm[0].pinned.is_true()
    p.threads[2] = ThreadAnswer(4251, "CPU 1/KVM", [2])
    vm = vms_info(known([p])).value
    assert vm is not None and vm[0].pinned.is_false()


def test_vm_without_thread_names() -> None:
    p = ProcessAnswer(7, "kvm", ["/usr/bin/kvm", "-name", "pve-vm"],
                      [ThreadAnswer(7, "kvm", [0, 1]), ThreadAnswer(8, "kvm", [0, 1])])  # fmt: skip
    vm = vms_info(known([p])).value
    assert vm is not None
    assert vm[0].name == "pve-vm"
    assert vm[0].vcpus.code == "not-applicable"
    assert "debug-threads=on" in str(vm[0].vcpus.reason)


def test_is_qemu() -> None:
    assert is_qemu("qemu-system-x86_64", ["/usr/bin/qemu-system-x86_64"])
    assert is_qemu("qemu-system-x86", ["/usr/bin/qemu-system-x86_64", "-m", "1G"])
    assert is_qemu("qemu-kvm", ["/usr/libexec/qemu-kvm"])
    assert is_qemu("kvm", ["/usr/bin/kvm", "-id", "100"])
    assert not is_qemu("kvm", [])  # a kernel thread
    assert not is_qemu("kvm-pit/123", [])
    assert not is_qemu("bash", ["bash"])


def test_guest_name() -> None:
    assert guest_name(["q", "-name", "guest=a,,b,debug-threads=on"]) == "a,b"
    assert guest_name(["q", "-name", "plain"]) == "plain"
    assert guest_name(["q", "-name", "plain,process=x"]) == "plain"
    assert guest_name(["q", "-m", "1G"]) == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
def test_scan_finds_a_qemu_named_process(tmp_path: Path) -> None:
    """A fake ``qemu-system-x86_64`` (a renamed sleep) with a ``CPU 0/KVM`` thread name."""
    from hvtui.detect.vms import scan_processes

    script = (
        "import ctypes, os, sys, threading, time\n"
        "libc = ctypes.CDLL(None)\n"
        "named = threading.Event()\n"
        "def vcpu():\n"
        "    libc.prctl(15, b'CPU 0/KVM', 0, 0, 0)\n"
        "    os.sched_setaffinity(0, {0})\n"
        "    named.set()\n"
        "    time.sleep(30)\n"
        "threading.Thread(target=vcpu, daemon=True).start()\n"
        "libc.prctl(15, b'qemu-system-x86', 0, 0, 0)\n"
        "named.wait()  # ready only once the vCPU thread has its name (a busy machine)\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    fake = tmp_path / "qemu-system-x86_64"
    os.symlink(sys.executable, fake)
    proc = subprocess.Popen([str(fake), "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        found = scan_processes()
        assert found.value is not None
        mine = [p for p in found.value if p.pid == proc.pid]
        assert len(mine) == 1
        vms = vms_info(known(mine)).value
        assert vms is not None and vms[0].vcpus.value is not None
        (vcpu,) = vms[0].vcpus.value
        assert vcpu.cpus.value == "0" and vcpu.pinned.is_true()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
def test_proc_is_read_as_psutil_reads_it(tmp_path: Path) -> None:
    """The scan reads ``/proc`` itself; what it finds equals psutil's answer."""
    import psutil

    from hvtui.detect.vms import _read_process, _read_process_psutil

    fake = tmp_path / "qemu-system-x86_64-with-a-long-name"
    os.symlink(sys.executable, fake)
    script = (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    argv = [str(fake), "-c", script, "-name", "guest=win 11,debug-threads=on", "ü"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        ours = _read_process("/proc", proc.pid)
        theirs = _read_process_psutil("/proc", proc.pid)
        assert ours is not None and ours == theirs
        process = psutil.Process(proc.pid)
        assert (ours.name, ours.cmdline) == (process.name(), process.cmdline())
        assert [t.tid for t in ours.threads] == [t.id for t in process.threads()]
        assert len(ours.threads) == 2
    finally:
        proc.kill()
        proc.wait()
    assert _read_process("/proc", proc.pid) is None  # gone: skipped, as before


# --- the text report and py-cpuinfo ---------------------------------------------------


def test_render_text_shows_values_and_reasons(tmp_path: Path) -> None:
    text = render_text(_vm_report(tmp_path))
    assert "11th Gen Intel(R) Core(TM) i7-1165G7" in text
    assert "hardware capable    yes" in text
    assert "unknown (not-live:" in text
    assert "vCPU 0" in text and "pinned on 2" in text and "floating on 0-7" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_deep_probe_with_fake_cpuinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeCpuinfo:
        @staticmethod
        def get_cpu_info() -> dict[str, Any]:
            return {"brand_raw": "Fake CPU", "flags": ["vmx", "sse2"], "arch": "X86_64"}

    monkeypatch.setitem(sys.modules, "cpuinfo", FakeCpuinfo)
    raw = run_deep()
    info = deep_info(raw)
    assert info.value is not None
    assert info.value.brand.value == "Fake CPU"
    assert info.value.flags.value == ("sse2", "vmx")


def test_deep_probe_failure_is_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        @staticmethod
        def get_cpu_info() -> dict[str, Any]:
            raise OSError("no /proc")

    monkeypatch.setitem(sys.modules, "cpuinfo", Broken)
    assert run_deep().code == FAILED


def test_tool_version_for_exporters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hvtui.detect import versions

    fake = tmp_path / "virsh"
    fake.write_text("#!/bin/sh\necho 10.1.0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # not the user's cache
    monkeypatch.setattr(versions, "EXTRA_DIRS", ())
    assert str(versions.libvirt_version()) == "10.1.0"
    assert versions.qemu_version() is None  # not installed in this PATH
    assert versions.tool_version("nonsense") is None


def test_no_access_to_dev_kvm_tells_what_to_do(tmp_path: Path) -> None:
    from hvtui.detect.kvm import detect_kvm, kvm_module
    from hvtui.detect.kvm_ioctl import KvmAnswer

    root = Root(tmp_path)
    info, notes = detect_kvm(
        root, kvm_module(root), known(KvmAnswer("no-access", "EACCES")), is_x86=True
    )
    assert info.device.value == "no-access"
    assert info.hyperv.code == "no-access"
    assert any("run as root or join the kvm group" in n for n in notes)
    info, notes = detect_kvm(root, kvm_module(root), known(KvmAnswer("absent")), is_x86=True)
    assert info.device.value == "absent"
    assert info.hyperv.code == "kvm-unavailable"
    assert any("load kvm_intel or kvm_amd" in n for n in notes)


def test_legacy_kernel_reports_capabilities_only(tmp_path: Path) -> None:
    import errno

    from hvtui.detect.kvm import detect_kvm, kvm_module
    from hvtui.detect.kvm_ioctl import CAPABILITIES, KvmAnswer

    answer = KvmAnswer(
        "ok",
        api_version=12,
        caps={CAPABILITIES["HYPERV"]: 1, CAPABILITIES["HYPERV_TIME"]: 1},
        hv_errno=errno.EINVAL,
    )
    root = Root(tmp_path)
    info, _notes = detect_kvm(root, kvm_module(root), known(answer), is_x86=True)
    assert info.hyperv.code == "kernel-too-old"
    assert "KVM_CAP_HYPERV_TIME" in str(info.hyperv.reason)
    assert info.hyperv_source.value == "capabilities"
    assert info.capabilities.value == {"HYPERV": 1, "HYPERV_TIME": 1}
