"""``hvtui verify`` as scripts use it, with a stand-in QEMU: exit codes, one-line errors,
the JSON document, and the probe failing loudly when the guest prints nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

from hvtui.detect.kvm_ioctl import KvmAnswer
from hvtui.model import Config
from hvtui.verify import ProbeFailure, Unavailable, VerifyUnavailableError, from_config, run_verify
from hvtui.verify.probe import format_report
from verify.support import NO_HYPERV_LEAVES, fake_qemu, require_kvm

RELAXED = 'schema = 1\nname = "relaxed-only"\n[enlightenments]\nrelaxed = true\n'


@pytest.fixture
def relaxed_preset(tmp_path: Path) -> Path:
    path = tmp_path / "relaxed-only.toml"
    path.write_text(RELAXED)
    return path


def test_json_document_of_a_recorded_guest(tmp_path: Path, relaxed_preset: Path) -> None:
    require_kvm()
    qemu = fake_qemu(tmp_path, stdout=format_report(NO_HYPERV_LEAVES))
    result = run_cli(["verify", str(relaxed_preset), "--qemu", qemu, "--json"])
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert doc["signature"] == "KVMKVMKVM" and doc["max_leaf"] == 0x40000001
    assert doc["leaves"]["0x40000000"] == {"eax": 0x40000001, "ebx": 0x4B4D564B,
                                           "ecx": 0x564B4D56, "edx": 0x4D}  # fmt: skip
    assert doc["asked"] == {"relaxed": True}
    assert [m["option"] for m in doc["missing"]] == ["relaxed"]
    assert doc["qemu_error"] is None and isinstance(doc["seconds"], float)
    assert set(doc) >= {"signature", "max_leaf", "leaves", "asked", "seen", "missing",
                        "unexpected", "qemu_error", "seconds"}  # fmt: skip


def test_the_guest_printing_nothing_fails_loudly(tmp_path: Path, relaxed_preset: Path) -> None:
    require_kvm()
    qemu = fake_qemu(tmp_path, stdout=b"", status=0)
    result = run_cli(["verify", str(relaxed_preset), "--qemu", qemu])
    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith("hvtui: verify: the guest printed nothing; serial output: ''")


def test_garbage_on_the_serial_port_is_quoted(tmp_path: Path, relaxed_preset: Path) -> None:
    require_kvm()
    qemu = fake_qemu(tmp_path, stdout=b"\x1b[2Jboot failed\r\n", status=33)
    result = run_cli(["verify", str(relaxed_preset), "--qemu", qemu, "--json"])
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["probe_failure"] == "garbled" and "boot failed" in doc["serial"]
    assert "\x1b" not in result.err and len(result.err.splitlines()) == 1


def test_qemu_refusal_is_one_line_with_qemu_words(tmp_path: Path, relaxed_preset: Path) -> None:
    require_kvm()
    err = ("qemu-system-x86_64: warning: host doesn't support requested feature\n"
           "qemu-system-x86_64: kernel doesn't allow setting HyperV VP_INDEX\n")  # fmt: skip
    qemu = fake_qemu(tmp_path, stderr=err, status=1)
    result = run_cli(["verify", str(relaxed_preset), "--qemu", qemu, "--json"])
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["qemu_error"] == "kernel doesn't allow setting HyperV VP_INDEX"
    assert doc["qemu_warnings"] == ["host doesn't support requested feature"]
    assert result.err == (
        "hvtui: verify: QEMU refused the configuration: "
        "kernel doesn't allow setting HyperV VP_INDEX\n"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify"], "exactly one of"),
        (["verify", "minimal", "--cmdline", "x"], "exactly one of"),
        (["verify", "no-such-preset"], "no preset with this name"),
        (["verify", "--cmdline", "/nonexistent/cmd"], "no such file"),
        (["verify", "--cmdline", "/dev/null"], "not a QEMU command line"),
        (["verify", "--connect", "qemu:///system", "minimal"], "--connect only goes with"),
        (["verify", "minimal", "--qemu", "/nonexistent/qemu"], "no QEMU at /nonexistent/qemu"),
        (["verify", "minimal", "--timeout", "-1"], "between 0 and 3600"),
    ],
)
def test_unusable_input_is_exit_2_with_one_line(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hvtui.cli import main

    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == "" and len(err.splitlines()) == 1
    assert words in err and "Traceback" not in err


def test_an_unreadable_command_line_file_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "vm.cmd"
    path.write_text("qemu-system-x86_64 -cpu 'host,hv-relaxed\n")
    result = run_cli(["verify", "--cmdline", str(path)])
    assert result.code == 2 and "cannot split" in result.err


@pytest.mark.parametrize(
    ("device", "kind"),
    [("absent", Unavailable.NO_KVM), ("no-access", Unavailable.KVM_NO_ACCESS)],
)
def test_no_usable_kvm_says_which(tmp_path: Path, device: str, kind: Unavailable) -> None:
    qemu = fake_qemu(tmp_path, stdout=format_report(NO_HYPERV_LEAVES))
    spec = from_config(Config.of(relaxed=True))
    with pytest.raises(VerifyUnavailableError) as caught:
        run_verify(spec, qemu=qemu, kvm=KvmAnswer(device))
    assert caught.value.kind is kind and "/dev/kvm" in str(caught.value)


def test_a_guest_that_never_answers_is_killed_at_the_timeout(tmp_path: Path) -> None:
    script = tmp_path / "hang"
    script.write_text("#!/bin/sh\nprintf 'HVTUI-PROBE 1\\r\\n'\nexec sleep 60\n")
    script.chmod(0o755)
    progress: list[str] = []
    spec = from_config(Config.of(relaxed=True))
    result = run_verify(spec, qemu=str(script), timeout=0.5, kvm=KvmAnswer("ok"),
                        progress=progress.append)  # fmt: skip
    assert result.probe_failure is ProbeFailure.TIMEOUT and result.exit_code == 1
    assert result.seconds < 5
    assert "the guest is reading CPUID" in progress


def test_a_command_line_keeps_only_what_decides_cpuid() -> None:
    from hvtui.verify import from_command_text

    text = (
        "LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=win11,debug-threads=on -S "
        "-machine pc-q35-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram,"
        "kernel_irqchip=split -accel kvm -cpu host,migratable=on,hv-time=on,hv-relaxed=on "
        "-global host-x86_64-cpu.hv-vendor-id=KVMKVM -global kvm-pit.lost_tick_policy=delay "
        "-device vmbus-bridge,irq=15 -device virtio-net-pci,netdev=n0 -m 4096 "
        "-drive file=/var/lib/libvirt/images/win11.qcow2,if=virtio\n"
    )
    spec = from_command_text(text, source="command line x")
    assert spec.qemu_args() == [
        "-accel", "kvm", "-machine", "pc-q35-7.2,kernel-irqchip=split",
        "-cpu", "host,migratable=on,hv-time=on,hv-relaxed=on",
        "-global", "host-x86_64-cpu.hv-vendor-id=KVMKVM", "-device", "vmbus-bridge,irq=15",
    ]  # fmt: skip
    assert spec.asked.as_dict() == {"relaxed": True, "time": True, "vendor-id": "KVMKVM"}
