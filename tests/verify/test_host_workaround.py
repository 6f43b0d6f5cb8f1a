"""A host whose KVM refuses MSR 0x10a: verify runs again with arch-capabilities=off, says so
in one line, and the verdict is the one about the Hyper-V options.

The stand-in QEMU behaves as this project's 2026 CI hosts do (nested KVM on AMD EPYC,
kernel 6.18, QEMU 7.2): with a ``-cpu`` that does not end with ``arch-capabilities=off``
it prints QEMU's two lines (recorded there) and aborts; otherwise it prints what a
guest on a KVM without Hyper-V reads.  Every start is logged, so the tests see how many
runs there were and with which ``-cpu``.
"""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

from hvtui.detect.kvm_ioctl import KvmAnswer
from hvtui.model import Config
from hvtui.verify import Reason, VerifyResult, from_config, from_qemu_args, run_verify
from hvtui.verify.codes import HostWorkaround
from hvtui.verify.hostmsr import RefusedMsr, refused_msr, with_workaround
from hvtui.verify.probe import EXIT_STATUS, format_report
from hvtui.verify.render import render
from verify.support import NO_HYPERV_LEAVES, require_kvm

#: What QEMU 7.2 printed on the CI host for ``-cpu host`` (then SIGABRT).
ARCH_CAPS_ABORT = (
    "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
    "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion "
    "`ret == cpu->kvm_msr_buf->nmsrs' failed.\n"
)
#: And for ``-cpu host,hv-vapic,arch-capabilities=off`` on a KVM without Hyper-V.
VAPIC_ABORT = ARCH_CAPS_ABORT.replace("0x10a to 0x69", "0x40000073 to 0x0")


def host_like_qemu(directory: Path, *, after_workaround: str = "") -> tuple[str, Path]:
    """A QEMU standing in for the refusing host; ``after_workaround`` is what it prints (and
    then aborts) when the -cpu has arch-capabilities=off; empty: the guest runs."""
    (directory / "serial.bin").write_bytes(format_report(NO_HYPERV_LEAVES))
    (directory / "abort.txt").write_text(ARCH_CAPS_ABORT)
    (directory / "after.txt").write_text(after_workaround)
    log = directory / "cpus.log"
    then = (
        f"cat '{directory}/after.txt' >&2; kill -ABRT $$"
        if after_workaround
        else f"cat '{directory}/serial.bin'; exit {EXIT_STATUS}"
    )
    script = directory / "qemu-system-x86_64"
    script.write_text(
        "#!/bin/sh\n"
        'cpu=""\n'
        'while [ $# -gt 0 ]; do [ "$1" = -cpu ] && cpu="$2"; shift; done\n'
        f"echo \"$cpu\" >> '{log}'\n"
        'case "$cpu" in\n'
        f"  *,arch-capabilities=off) {then} ;;\n"
        f"  *) cat '{directory}/abort.txt' >&2; kill -ABRT $$ ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    return str(script), log


def verify_relaxed(qemu: str) -> VerifyResult:
    spec = from_config(Config.of(relaxed=True))
    return run_verify(spec, qemu=qemu, kvm=KvmAnswer("ok"))


def test_the_refusal_is_read_from_qemus_exact_words() -> None:
    assert refused_msr("failed to set MSR 0x10a to 0x69 (QEMU aborted: signal 6)") == RefusedMsr(
        0x10A, 0x69
    )
    assert refused_msr("failed to set MSR 0x10a to 0x69") == RefusedMsr(0x10A, 0x69)
    for other in (
        None,
        "kernel doesn't allow setting HyperV VP_INDEX",
        "failed to set MSR 0x10a to 0x69x",
        "failed to get MSR 0x10a",
        "warning: failed to set MSR 0x10a to 0x69",
    ):
        assert refused_msr(other) is None, other
    assert RefusedMsr(0x10A, 0x69).workaround is HostWorkaround.ARCH_CAPABILITIES_OFF
    assert RefusedMsr(0x40000073, 0).workaround is None
    assert RefusedMsr(0x40000073, 0).hyperv_options() == ("hv-vapic",)
    assert RefusedMsr(0x40000021, 0).hyperv_options() == ("hv-time",)
    assert RefusedMsr(0x1A0, 0).hyperv_options() == ()


def test_the_workaround_goes_last_on_the_cpu_and_only_once() -> None:
    off = HostWorkaround.ARCH_CAPABILITIES_OFF
    assert with_workaround("host,hv-relaxed=on", off) == "host,hv-relaxed=on,arch-capabilities=off"
    assert with_workaround("host,arch-capabilities=on", off) == (
        "host,arch-capabilities=on,arch-capabilities=off"
    )
    assert with_workaround("host,hv-relaxed=on,arch-capabilities=off", off) is None


def test_verify_runs_again_with_arch_capabilities_off_and_says_so(tmp_path: Path) -> None:
    qemu, log = host_like_qemu(tmp_path)
    result = verify_relaxed(qemu)
    assert log.read_text().splitlines() == [
        "host,hv-relaxed=on",
        "host,hv-relaxed=on,arch-capabilities=off",
    ]
    assert result.host_workaround is HostWorkaround.ARCH_CAPABILITIES_OFF
    assert result.host_refusal == "failed to set MSR 0x10a to 0x69 (QEMU aborted: signal 6)"
    # the verdict is the Hyper-V one of a host where -cpu host starts: relaxed is dropped
    assert result.qemu_error is None and result.guest is not None
    assert [(d.option, d.reason) for d in result.missing] == [("relaxed", Reason.DROPPED_NO_HYPERV)]
    assert result.spec.cpu == "host,hv-relaxed=on,arch-capabilities=off"
    assert result.command[result.command.index("-cpu") + 1] == result.spec.cpu
    text = render(result)
    (line,) = [
        line for line in text.splitlines() if "arch-capabilities" in line and "qemu " not in line
    ]
    assert line.startswith(
        "  host workaround arch-capabilities-off: QEMU said 'failed to set MSR 0x10a"
    )
    assert "IA32_ARCH_CAPABILITIES" in line and "not of the configuration" in line
    assert "QEMU refused" not in text
    doc = result.to_json()
    assert doc["host_workaround"] == {
        "code": "arch-capabilities-off",
        "cpu_property": "arch-capabilities=off",
        "qemu_error": "failed to set MSR 0x10a to 0x69 (QEMU aborted: signal 6)",
        "text": line.strip(),
    }
    assert doc["qemu_error"] is None and doc["qemu_error_why"] is None


def test_a_hyperv_refusal_after_the_workaround_is_the_verdict(tmp_path: Path) -> None:
    """hv-vapic on a KVM without Hyper-V: behind the host's refusal QEMU refuses the
    configuration's own MSR; that refusal, named, is what verify reports."""
    qemu, log = host_like_qemu(tmp_path, after_workaround=VAPIC_ABORT)
    spec = from_config(Config.of(vapic=True))
    result = run_verify(spec, qemu=qemu, kvm=KvmAnswer("ok"))
    assert len(log.read_text().splitlines()) == 2
    assert result.host_workaround is HostWorkaround.ARCH_CAPABILITIES_OFF
    assert result.qemu_error == "failed to set MSR 0x40000073 to 0x0 (QEMU aborted: signal 6)"
    assert result.qemu_error_why == (
        "MSR 0x40000073 is the register of hv-vapic, which this host's KVM refuses: it has no "
        "Hyper-V (no KVM_CAP_HYPERV)"
    )
    assert [(d.option, d.reason) for d in result.missing] == [("vapic", Reason.QEMU_REFUSED)]


def test_a_refusal_the_workaround_does_not_cure_is_reported_as_such(tmp_path: Path) -> None:
    qemu, log = host_like_qemu(tmp_path, after_workaround=ARCH_CAPS_ABORT)
    result = verify_relaxed(qemu)
    assert len(log.read_text().splitlines()) == 2, "one retry, not a loop"
    assert result.qemu_error == "failed to set MSR 0x10a to 0x69 (QEMU aborted: signal 6)"
    assert result.qemu_error_why is not None
    assert result.qemu_error_why.endswith(
        "not of the configuration; verify added arch-capabilities=off to -cpu and QEMU still "
        "refused it"
    )
    assert result.exit_code == 1


def test_no_retry_for_another_msr_or_a_cpu_that_has_it(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    qemu, log = host_like_qemu(other)
    (other / "abort.txt").write_text(ARCH_CAPS_ABORT.replace("0x10a to 0x69", "0x1a0 to 0x1"))
    result = verify_relaxed(qemu)
    assert len(log.read_text().splitlines()) == 1
    assert result.host_workaround is None
    assert result.qemu_error_why == (
        "this host's KVM refused MSR 0x1a0 while QEMU created the vCPU: a limit of this host"
    )
    # a -cpu that already ends with the workaround is not run again
    again = tmp_path / "again"
    again.mkdir()
    qemu, log = host_like_qemu(again, after_workaround=ARCH_CAPS_ABORT)
    spec = from_qemu_args(
        ["qemu-system-x86_64", "-cpu", "host,hv-relaxed,arch-capabilities=off"], source="x"
    )
    result = run_verify(spec, qemu=qemu, kvm=KvmAnswer("ok"))
    assert len(log.read_text().splitlines()) == 1 and result.host_workaround is None
    assert result.qemu_error_why is not None
    assert result.qemu_error_why.endswith("QEMU starts with arch-capabilities=off added to -cpu")


def test_the_cli_json_names_the_workaround(tmp_path: Path) -> None:
    require_kvm()  # the CLI checks the real /dev/kvm before it runs the stand-in
    qemu, _ = host_like_qemu(tmp_path)
    preset = tmp_path / "relaxed.toml"
    preset.write_text("schema = 1\n[enlightenments]\nrelaxed = true\n")
    done = run_cli(["verify", str(preset), "--qemu", qemu, "--json"])
    assert done.code == 1 and done.err == "", done.err
    doc = json.loads(done.out)
    assert doc["host_workaround"]["code"] == HostWorkaround.ARCH_CAPABILITIES_OFF.value
    assert doc["missing"][0]["reason"] == Reason.DROPPED_NO_HYPERV.value
