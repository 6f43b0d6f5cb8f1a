"""``run_verify``: check the machine, boot the probe, read and judge what the guest saw.

The one entry point the CLI, the wizard's "Verify on this host" worker and
``apply --verify`` share.  It raises :class:`VerifyUnavailableError` when this machine
cannot run it at all (no ``/dev/kvm``, no QEMU, no permission: exit 2) and
otherwise always returns a :class:`VerifyResult`, also when QEMU refused the
configuration or the guest printed nothing (exit 1).
"""

from __future__ import annotations

import threading
from pathlib import Path

from hvtui.detect.kvm_ioctl import KvmAnswer
from hvtui.records import replace
from hvtui.verify.codes import ProbeFailure
from hvtui.verify.compare import Comparison, compare
from hvtui.verify.guest import GuestView, decode
from hvtui.verify.hostmsr import refused_msr, with_workaround
from hvtui.verify.probe import EXIT_STATUS, PROBE_PATH, ProbeError, parse_serial, serial_text
from hvtui.verify.result import VerifyResult
from hvtui.verify.runner import (
    DEFAULT_TIMEOUT,
    HostKvm,
    Progress,
    QemuRun,
    check_kvm,
    check_probe,
    command,
    find_qemu,
    qemu_message,
    qemu_warnings,
    run_qemu,
)
from hvtui.verify.spec import VmSpec


def run_verify(
    spec: VmSpec,
    *,
    qemu: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    probe: Path = PROBE_PATH,
    kvm: KvmAnswer | None = None,
) -> VerifyResult:
    """Boot ``spec`` with the probe on this host's KVM and compare.

    ``progress`` gets a few words at each stage (for a worker's progress line);
    setting ``cancel`` kills QEMU at once.  ``kvm`` replaces the ``/dev/kvm``
    probe (tests).
    """
    say = progress or (lambda _text: None)
    say("checking /dev/kvm and QEMU")
    binary = find_qemu(qemu)
    check_probe(probe)
    host = check_kvm(kvm)
    argv = command(binary, spec, probe)
    say("starting QEMU")
    run = run_qemu(argv, timeout=timeout, progress=say, cancel=cancel)
    say("reading the guest's CPUID")
    result = judge(spec, run, host_kvm=host, binary=binary, timeout=timeout)
    refused = refused_msr(result.qemu_error)
    workaround = refused.workaround if refused is not None else None
    cpu = with_workaround(spec.cpu, workaround) if workaround and spec.cpu else None
    if refused is None or workaround is None or cpu is None:
        return result
    # This host's KVM, not the input, stopped QEMU (hvtui.verify.hostmsr): once more
    # with the one -cpu item that avoids it, so the Hyper-V verdict is still real.
    say(f"this host's KVM refused MSR {refused.index:#x}: starting QEMU again with "
        f"{refused.cpu_property}")  # fmt: skip
    retried = replace(spec, cpu=cpu)
    run = run_qemu(command(binary, retried, probe), timeout=timeout, progress=say, cancel=cancel)
    again = judge(retried, run, host_kvm=host, binary=binary, timeout=timeout)
    return replace(
        again,
        host_workaround=workaround,
        host_refusal=result.qemu_error,
        seconds=result.seconds + again.seconds,
    )


def judge(
    spec: VmSpec,
    run: QemuRun,
    *,
    host_kvm: HostKvm,
    binary: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> VerifyResult:
    """Turn a finished QEMU run into a result (separate so tests can feed recorded runs)."""
    guest: GuestView | None = None
    qemu_error: str | None = None
    failure: ProbeFailure | None = None
    problem: str | None = None
    serial = serial_text(run.serial)
    try:
        guest = decode(parse_serial(run.serial).leaves)
    except ProbeError as exc:
        failure, problem = exc.failure, str(exc)
    notes = list(spec.notes)
    if guest is None:
        status = run.returncode
        if run.cancelled:
            failure, problem = ProbeFailure.CANCELLED, "cancelled"
        elif run.flooded:
            failure = ProbeFailure.FLOODED
            problem = f"the guest printed too much ({len(run.serial)} bytes); {problem}"
        elif run.timed_out:
            failure = ProbeFailure.TIMEOUT
            problem = f"no complete report within {timeout:g} s; {problem}"
        elif status not in (0, EXIT_STATUS) and run.stderr.strip():
            qemu_error = qemu_message(run.stderr, binary)
            if status is not None and status < 0:
                qemu_error += f" (QEMU aborted: signal {-status})"
            failure = problem = None
        else:
            problem = f"{problem} (QEMU exited with status {status})"
    elif run.returncode != EXIT_STATUS:
        notes.append(f"QEMU exited with status {run.returncode}, not {EXIT_STATUS}")
    comparison = (
        compare(spec.asked, guest, host_kvm, qemu_error)
        if guest is not None or qemu_error is not None
        else Comparison((), (), (), None)
    )
    return VerifyResult(
        spec=spec,
        command=run.argv,
        host=host_kvm,
        guest=guest,
        comparison=comparison,
        qemu_error=qemu_error,
        qemu_warnings=qemu_warnings(run.stderr, binary),
        probe_failure=failure,
        probe_error=problem,
        serial=serial,
        seconds=run.seconds,
        notes=tuple(notes),
    )


__all__ = ["judge", "run_verify"]
