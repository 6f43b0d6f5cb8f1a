"""``hvtui audit --running`` against a real QEMU process started by the test.

QEMU runs paused (``-S``) with named threads (``-name auditvm,debug-threads=on``),
KVM where it starts, else TCG; its vCPU threads are ``CPU n/KVM`` or
``CPU n/TCG``.  The test pins one of them, audits, pins the other, audits again,
and always kills QEMU.  Under TCG QEMU 7.2 refuses options that need KVM
(``hv-vpindex``: "kernel doesn't allow setting HyperV VP_INDEX"), so the ``-cpu``
string only uses options TCG takes.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from export.tools import QEMU, require

pytestmark = pytest.mark.realtools

CPU = "qemu64,hv-relaxed=on,hv_vapic,hv-spinlocks=0x1fff,hv-time=yes,hv-frequencies"
START_TIMEOUT = 15.0
SETTLE = 0.3


@dataclass
class Guest:
    """A running QEMU and its vCPU thread ids by index."""

    process: subprocess.Popen[bytes]
    accel: str
    vcpus: dict[int, int]


def _vcpu_threads(pid: int) -> dict[int, int]:
    found: dict[int, int] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
        except OSError:
            continue
        name, _, accel = comm.partition("/")
        if name.startswith("CPU ") and accel in ("KVM", "TCG"):
            found[int(name[4:])] = int(tid)
    return found


def _start(qemu: str, accel: str) -> Guest | str:
    """QEMU with both vCPU threads up, or why it did not start."""
    argv = [
        qemu, "-S", "-name", "auditvm,debug-threads=on", "-accel", accel, "-machine", "pc",
        "-smp", "2", "-m", "64", "-display", "none", "-nodefaults", "-monitor", "none",
        "-serial", "none", "-cpu", CPU,
    ]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT
    seen: dict[int, int] = {}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            return f"-accel {accel}: exited {process.returncode}: {err.strip()}"
        threads = _vcpu_threads(process.pid)
        # Up twice in a row, SETTLE apart: KVM creates the vCPU threads before it
        # refuses an option, and such a QEMU exits right after.
        if len(threads) == 2 and threads == seen:
            return Guest(process, accel, threads)
        seen = threads if len(threads) == 2 else {}
        time.sleep(SETTLE)
    _stop(process)
    return f"-accel {accel}: no CPU 0/CPU 1 threads after {START_TIMEOUT:.0f} s"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    try:
        process.wait(timeout=10)
    finally:
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture
def guest() -> Iterator[Guest]:
    qemu = require(QEMU, "qemu-system-x86")
    failures: list[str] = []
    accels = ["kvm", "tcg"] if os.access("/dev/kvm", os.R_OK | os.W_OK) else ["tcg"]
    for accel in accels:
        started = _start(qemu, accel)
        if isinstance(started, Guest):
            try:
                yield started
            finally:
                _stop(started.process)
            return
        failures.append(started)
    pytest.fail("QEMU did not start: " + "; ".join(failures))


def _audit_entry(pid: int) -> dict[str, Any]:
    result = run_cli(["audit", "--running", "--json"])
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    data = json.loads(result.out)
    mine = [vm for vm in data["vms"] if vm["pid"] == pid]
    assert len(mine) == 1, f"pid {pid} not among {[vm['pid'] for vm in data['vms']]}"
    entry: dict[str, Any] = mine[0]
    return entry


def test_running_qemu_is_audited_with_its_pinning(guest: Guest) -> None:
    allowed = sorted(os.sched_getaffinity(0))
    first, second = allowed[0], allowed[-1]
    os.sched_setaffinity(guest.vcpus[0], {first})

    vm = _audit_entry(guest.process.pid)
    assert (vm["name"], vm["kind"], vm["cpu_model"], vm["vcpus"]) == (
        "auditvm", "running", "qemu64", 2,
    )  # fmt: skip
    assert vm["source"] == f"auditvm (pid {guest.process.pid})"
    assert vm["enlightenments"] == {
        "relaxed": True, "vapic": True, "spinlocks": 0x1FFF, "time": True, "frequencies": True,
    }  # fmt: skip
    threads = {t["index"]: t for t in vm["vcpu_threads"]}
    assert threads[0]["tid"] == guest.vcpus[0]
    assert (threads[0]["cpus"], threads[0]["pinned"]) == (str(first), True)
    assert vm["pinned"] is False  # CPU 1 floats (or shares CPU 0's host CPU)

    if first == second:
        pytest.skip("one usable host CPU: two vCPUs cannot each have their own")
    os.sched_setaffinity(guest.vcpus[1], {second})
    vm = _audit_entry(guest.process.pid)
    assert vm["pinned"] is True
    assert [t["cpus"] for t in sorted(vm["vcpu_threads"], key=lambda t: t["index"])] == [
        str(first),
        str(second),
    ]
