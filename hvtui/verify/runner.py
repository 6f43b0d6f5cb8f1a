"""Running the throw-away VM: is this machine able to, and QEMU itself, bounded.

The VM has 16 MiB, one vCPU, no disk, network, display or monitor; the probe
comes in as an option ROM and QEMU's only output is the serial port on its
standard output.  Nothing is written anywhere, so nothing is left behind.
``-no-reboot`` with SeaBIOS's ``reboot-timeout=0`` makes a guest whose probe never
ran end QEMU by itself (no bootable device, then a reset, which ``-no-reboot``
turns into an exit) instead of idling until the timeout.

The QEMU process is always reaped: on time-out, cancel, a flood of output, or an
exception in the caller's thread (``KeyboardInterrupt``) it is killed and waited for.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from hvtui.catalog.entries import KVM_CAP_HYPERV
from hvtui.detect.kvm_ioctl import (
    KvmAnswer,
    catalog_caps,
    decode_hyperv,
    decode_legacy,
    parse_cpuid2,
    probe_kvm,
)
from hvtui.records import record
from hvtui.textsafe import one_line
from hvtui.verify.codes import Unavailable
from hvtui.verify.probe import BANNER, EXIT_PORT, PROBE_PATH, PROBE_SIZE
from hvtui.verify.spec import VmSpec

QEMU_BINARY = "qemu-system-x86_64"
DEFAULT_TIMEOUT = 30.0
#: Guest memory: SeaBIOS needs a few MiB, the probe none.
MEMORY_MIB = 16
#: More serial output than this is not the probe (it prints under 1 KiB).
MAX_SERIAL = 64 * 1024
MAX_STDERR = 64 * 1024

Progress = Callable[[str], None]


class VerifyUnavailableError(Exception):
    """Verify cannot run on this machine (exit 2); ``str()`` says which part is missing."""

    def __init__(self, kind: Unavailable, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@record(frozen=True)
class HostKvm:
    """This host's KVM, as far as it explains what a guest sees."""

    hyperv: bool
    """KVM has Hyper-V emulation at all (``KVM_CAP_HYPERV``)."""
    offered: tuple[str, ...] | None
    """The enlightenments KVM offers (detection's decoding); ``None`` if unknown."""


def find_qemu(path: str | None = None) -> str:
    """The QEMU binary to run: ``path``, else ``qemu-system-x86_64`` on ``PATH``."""
    if path is None:
        found = shutil.which(QEMU_BINARY)
        if found is None:
            raise VerifyUnavailableError(
                Unavailable.NO_QEMU,
                f"no QEMU: {QEMU_BINARY} is not on PATH (install qemu-system-x86, or give "
                "--qemu PATH)",
            )
        return found
    if not Path(path).is_file():
        raise VerifyUnavailableError(Unavailable.NO_QEMU, f"no QEMU at {path}: no such file")
    if not os.access(path, os.X_OK):
        raise VerifyUnavailableError(
            Unavailable.QEMU_NOT_RUNNABLE, f"cannot run QEMU at {path}: permission denied"
        )
    return path


def check_kvm(answer: KvmAnswer | None = None) -> HostKvm:
    """``/dev/kvm`` must open read-write; what its KVM says about Hyper-V."""
    kvm = answer if answer is not None else probe_kvm(catalog_caps())
    if kvm.device == "absent":
        raise VerifyUnavailableError(
            Unavailable.NO_KVM,
            "no /dev/kvm: KVM is not available here (load kvm_intel or kvm_amd, or run on "
            "the hypervisor host)",
        )
    if kvm.device == "no-access":
        raise VerifyUnavailableError(
            Unavailable.KVM_NO_ACCESS,
            "no permission to open /dev/kvm read-write: run as root or join the kvm group",
        )
    if kvm.device != "ok":
        raise VerifyUnavailableError(
            Unavailable.NO_KVM, f"cannot open /dev/kvm: {kvm.device_error or kvm.device}"
        )
    offered: tuple[str, ...] | None = None
    if kvm.hv_form:
        try:
            offered = decode_hyperv(parse_cpuid2(kvm.hv_raw), kvm.caps)
        except ValueError:
            offered = None
    elif kvm.msrs is not None:
        offered = decode_legacy(kvm.caps, kvm.msrs)
    hyperv = kvm.caps.get(KVM_CAP_HYPERV, 0) > 0
    if not hyperv:
        offered = ()
    return HostKvm(hyperv, offered)


def check_probe(probe: Path = PROBE_PATH) -> Path:
    """The probe file, which a broken installation may lack."""
    try:
        size = probe.stat().st_size
    except OSError as exc:
        raise VerifyUnavailableError(
            Unavailable.NO_PROBE, f"the probe {probe} is missing: {exc.strerror}"
        ) from None
    if size != PROBE_SIZE:
        raise VerifyUnavailableError(
            Unavailable.NO_PROBE, f"the probe {probe} has {size} bytes, not {PROBE_SIZE}"
        )
    return probe


def _opts_path(path: Path) -> str:
    """A path as a QemuOpts value: a comma is written twice."""
    return os.fspath(path).replace(",", ",,")


def command(qemu: str, spec: VmSpec, probe: Path = PROBE_PATH) -> list[str]:
    """The whole QEMU command line of the throw-away VM."""
    return [
        qemu,
        "-nodefaults",
        "-no-user-config",
        *spec.qemu_args(),
        "-m", str(MEMORY_MIB),
        "-smp", "1",
        "-display", "none",
        "-monitor", "none",
        "-serial", "stdio",
        "-no-reboot",
        "-boot", "reboot-timeout=0",
        # kvmvapic's option ROM only patches Windows XP's TPR accesses; it costs up to a
        # second where guest exits are slow.
        "-global", "apic-common.vapic=off",
        "-device", f"isa-debug-exit,iobase={EXIT_PORT:#x},iosize=0x01",
        "-option-rom", _opts_path(probe),
    ]  # fmt: skip


@record(frozen=True)
class QemuRun:
    """How the QEMU process ended and what it printed."""

    argv: tuple[str, ...]
    returncode: int | None
    """The exit status (negative: a signal); ``None`` when hvtui killed it."""
    serial: bytes
    stderr: str
    seconds: float
    timed_out: bool = False
    cancelled: bool = False
    flooded: bool = False


def run_qemu(
    argv: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> QemuRun:
    """Run QEMU, collect its serial output and stderr, and reap it whatever happens."""
    say = progress or (lambda _text: None)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except OSError as exc:
        raise VerifyUnavailableError(
            Unavailable.QEMU_NOT_RUNNABLE, f"cannot run {argv[0]}: {exc.strerror or exc}"
        ) from None
    say("QEMU started; waiting for the guest")
    serial = bytearray()
    stderr = bytearray()
    timed_out = cancelled = flooded = False
    try:
        assert proc.stdout is not None and proc.stderr is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ, serial)
            selector.register(proc.stderr, selectors.EVENT_READ, stderr)
            announced = False
            while selector.get_map():
                left = started + timeout - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                for key, _ in selector.select(min(left, 0.1)):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        continue
                    key.data.extend(chunk)
                if not announced and BANNER.encode() in serial:
                    announced = True
                    say("the guest is reading CPUID")
                if len(serial) > MAX_SERIAL or len(stderr) > MAX_STDERR:
                    flooded = True
                    break
        if not (timed_out or cancelled or flooded):
            try:
                proc.wait(max(0.1, started + timeout - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    killed = timed_out or cancelled or flooded
    return QemuRun(
        tuple(argv),
        None if killed else proc.returncode,
        bytes(serial[:MAX_SERIAL]),
        stderr[:MAX_STDERR].decode("utf-8", "replace"),
        time.monotonic() - started,
        timed_out,
        cancelled,
        flooded,
    )


def _qemu_lines(stderr: str, binary: str) -> list[str]:
    """QEMU's stderr lines without the program name it starts each with (the basename
    of its argv[0]: ``qemu-system-x86_64: ``, ``qemu-kvm: ``)."""
    prefix = re.compile(rf"^(?:[^\s:]*qemu[^\s:]*|{re.escape(os.path.basename(binary))}): ")
    lines = (prefix.sub("", raw.strip(), count=1) for raw in stderr.splitlines())
    return [line for line in lines if line]


def _is_warning(line: str) -> bool:
    return line.lower().startswith("warning:")


def qemu_message(stderr: str, binary: str) -> str:
    """QEMU's reason in one line: its first line that is not a warning (an abort's
    ``error:`` line comes before its assertion), without the program name."""
    lines = _qemu_lines(stderr, binary)
    chosen = next((line for line in lines if not _is_warning(line)), lines[0] if lines else "")
    return one_line(chosen.removeprefix("error: ") or "QEMU stopped without a message")


def qemu_warnings(stderr: str, binary: str) -> tuple[str, ...]:
    """QEMU's warnings (``host doesn't support requested feature``), one line each."""
    warnings = [line for line in _qemu_lines(stderr, binary) if _is_warning(line)]
    return tuple(one_line(line[len("warning:") :].strip()) for line in warnings[:20])


__all__ = [
    "DEFAULT_TIMEOUT",
    "HostKvm",
    "QemuRun",
    "VerifyUnavailableError",
    "check_kvm",
    "check_probe",
    "command",
    "find_qemu",
    "qemu_message",
    "qemu_warnings",
    "run_qemu",
]
