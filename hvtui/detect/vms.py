"""Running QEMU guests, their vCPU threads and where those threads may run.

QEMU names its KVM vCPU threads ``CPU n/KVM`` when thread names are on
(``-name guest=...,debug-threads=on``, which libvirt passes).  Each thread's
affinity tells whether the vCPU is pinned (exactly one host CPU) or floats.

Processes are read from ``/proc`` directly, the way psutil reads them (its
``name()``, ``cmdline()`` and ``threads()``), which spares psutil's ~20 ms import;
psutil is the fallback only when ``/proc`` refuses a read.
"""

from __future__ import annotations

import os
import sys

from hvtui.detect.report import (
    FAILED,
    NOT_APPLICABLE,
    Fact,
    Vcpu,
    VmInfo,
    known,
    unknown,
)
from hvtui.formats.cpulist import format_cpulist
from hvtui.formats.qemu_argv import guest_name, is_qemu_binary
from hvtui.inputs import read_regular
from hvtui.records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Collection, Mapping, Sequence
    from typing import Any

PROC = "/proc"
#: Most of a command line read (the kernel caps what it shows at a few pages anyway).
MAX_CMDLINE_BYTES = 1 << 20
#: The accelerators whose vCPU threads QEMU names ``CPU N/ACCEL`` (``debug-threads=on``).
_VCPU_ACCELS = ("KVM", "TCG", "HVF", "WHPX", "NVMM")


def is_qemu(name: str, cmdline: Sequence[str]) -> bool:
    """``qemu-system-*`` (comm truncates it to ``qemu-system-x86``), ``qemu-kvm`` or ``kvm``.

    Kernel threads (``kvm-pit/123``...) have no command line and never match.
    """
    if not cmdline:
        return False
    return is_qemu_binary(name) or is_qemu_binary(cmdline[0])


def _comm_looks_like_qemu(comm: str) -> bool:
    return is_qemu_binary(comm)


@record()
class ThreadAnswer:
    """One thread of a QEMU process."""

    tid: int
    comm: str
    affinity: list[int] | None
    error: str = ""


@record()
class ProcessAnswer:
    """A QEMU process as scanned, raw, as a snapshot stores it."""

    pid: int
    name: str
    cmdline: list[str]
    threads: list[ThreadAnswer] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the snapshot manifest."""
        return {
            "pid": self.pid,
            "name": self.name,
            "cmdline": list(self.cmdline),
            "threads": [
                {"tid": t.tid, "comm": t.comm, "affinity": t.affinity, "error": t.error}
                for t in self.threads
            ],
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProcessAnswer:
        """Inverse of :meth:`to_json`."""
        threads = [
            ThreadAnswer(
                int(t["tid"]),
                str(t.get("comm", "")),
                [int(c) for c in t["affinity"]] if t.get("affinity") is not None else None,
                str(t.get("error", "")),
            )
            for t in data.get("threads", [])
        ]
        return cls(
            int(data["pid"]),
            str(data.get("name", "")),
            [str(a) for a in data.get("cmdline", [])],
            threads,
            str(data.get("error", "")),
        )


def _read_small(path: str) -> str | None:
    """A process's ``comm`` (at most 4 KiB), read like every input: never blocking."""
    try:
        return read_regular(path, 4096)[:4096].decode("utf-8", errors="replace").strip()
    except OSError:
        return None


def _candidate_pids(proc: str) -> list[int]:
    pids: list[int] = []
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return pids
    for entry in entries:
        if not entry.name.isdigit():
            continue
        comm = _read_small(f"{proc}/{entry.name}/comm")
        if comm is not None and _comm_looks_like_qemu(comm):
            pids.append(int(entry.name))
    return pids


def scan_processes(proc: str = PROC, exclude: Collection[int] = ()) -> Fact[list[ProcessAnswer]]:
    """QEMU processes with their threads; never raises.

    ``exclude`` names processes to skip: hvtui's own ``qemu-system-x86_64
    --version`` child is running while the scan happens and is not a guest.
    """
    own = os.getpid()
    pids = [p for p in _candidate_pids(proc) if p != own and p not in exclude]
    if not pids:
        return known([])
    found: list[ProcessAnswer] = []
    for pid in pids:
        answer = _read_process(proc, pid)
        if answer is not None:
            found.append(answer)
    return known(found)


def _read_process(proc: str, pid: int) -> ProcessAnswer | None:
    """One process as psutil would report it, read from ``/proc`` directly (psutil's
    import costs ~20 ms); ``None`` when it exited meanwhile or is not QEMU.  psutil is
    only the fallback for a ``/proc`` that refuses a read psutil may still manage."""
    try:
        name, cmdline = _name_and_cmdline(proc, pid)
    except FileNotFoundError:
        return None  # exited meanwhile
    except OSError:
        return _read_process_psutil(proc, pid)
    if not is_qemu(name, cmdline):
        return None
    answer = ProcessAnswer(pid, name, cmdline)
    try:
        tids = [int(t) for t in sorted(os.listdir(f"{proc}/{pid}/task")) if t.isdigit()]
    except OSError as exc:
        answer.error = f"{FAILED}: threads of {pid}: {exc.strerror or exc}"
        tids = []
    _add_threads(answer, proc, tids)
    return answer


def _name_and_cmdline(proc: str, pid: int) -> tuple[str, list[str]]:
    """psutil's ``name()`` and ``cmdline()``: the ``stat`` name, extended from the
    command line when the kernel cut it at 15 characters; NUL-separated arguments (or
    spaces, for a process that rewrote its command line)."""
    encoding = sys.getfilesystemencoding()
    with open(f"{proc}/{pid}/stat", "rb") as handle:
        stat = handle.read(4096).decode(encoding, "surrogateescape")
    name = stat[stat.find("(") + 1 : stat.rfind(")")]
    with open(f"{proc}/{pid}/cmdline", "rb") as handle:
        data = handle.read(MAX_CMDLINE_BYTES).decode(encoding, "surrogateescape")
    cmdline: list[str] = []
    if data:
        sep = "\0" if data.endswith("\0") else " "
        if data.endswith(sep):
            data = data[:-1]
        cmdline = data.split(sep)
        if sep == "\0" and len(cmdline) == 1 and " " in data:
            cmdline = data.split(" ")
    if len(name) >= 15 and cmdline:
        extended = os.path.basename(cmdline[0])
        if extended.startswith(name):
            name = extended
    return name, cmdline


def _add_threads(answer: ProcessAnswer, proc: str, tids: list[int]) -> None:
    for tid in tids:
        comm = _read_small(f"{proc}/{answer.pid}/task/{tid}/comm") or ""
        try:
            affinity: list[int] | None = sorted(os.sched_getaffinity(tid))
            error = ""
        except OSError as exc:
            affinity, error = None, f"{FAILED}: sched_getaffinity({tid}): {exc.strerror}"
        answer.threads.append(ThreadAnswer(tid, comm, affinity, error))


def _read_process_psutil(proc: str, pid: int) -> ProcessAnswer | None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency
        return None
    try:
        process = psutil.Process(pid)
        name = process.name()
        cmdline = process.cmdline()
    except (psutil.Error, OSError):
        return None  # exited meanwhile, or a zombie
    if not is_qemu(name, cmdline):
        return None
    answer = ProcessAnswer(pid, name, cmdline)
    try:
        tids = [t.id for t in process.threads()]
    except (psutil.Error, OSError) as exc:
        answer.error = f"{FAILED}: threads of {pid}: {exc}"
        tids = []
    _add_threads(answer, proc, tids)
    return answer


def vms_info(processes: Fact[list[ProcessAnswer]]) -> Fact[tuple[VmInfo, ...]]:
    """The ``vms`` section from scanned (or recorded) processes."""
    if processes.value is None:
        return Fact(None, processes.reason)
    vms: list[VmInfo] = []
    for p in sorted(processes.value, key=lambda a: a.pid):
        vcpus: list[Vcpu] = []
        for t in p.threads:
            index = vcpu_index(t.comm)
            if index is None:
                continue
            if t.affinity is None:
                why = unknown(FAILED, t.error or "affinity not readable")
                vcpus.append(Vcpu(index, t.tid, why, why))
            else:
                vcpus.append(
                    Vcpu(
                        index,
                        t.tid,
                        known(format_cpulist(t.affinity)),
                        known(len(t.affinity) == 1),
                    )
                )
        vcpus.sort(key=lambda v: v.index)
        if p.error and not vcpus:
            vcpu_fact: Fact[tuple[Vcpu, ...]] = unknown(FAILED, p.error)
            pinned: Fact[bool] = Fact(None, vcpu_fact.reason)
        elif not vcpus:
            vcpu_fact = unknown(
                NOT_APPLICABLE,
                "QEMU runs without thread names (-name ...,debug-threads=on), so its vCPU "
                "threads cannot be told apart",
            )
            pinned = Fact(None, vcpu_fact.reason)
        else:
            vcpu_fact = known(tuple(vcpus))
            pinned = _all_pinned(vcpus)
        vms.append(VmInfo(p.pid, p.name, guest_name(p.cmdline), vcpu_fact, pinned))
    return known(tuple(vms))


def vcpu_index(comm: str) -> int | None:
    """N of a vCPU thread's name ``CPU N/KVM`` (``CPU (\\d+)/(KVM|TCG|...)``), else ``None``."""
    head, slash, accel = comm.partition("/")
    number = head.removeprefix("CPU ")
    if not slash or number == head or accel not in _VCPU_ACCELS or not number.isdecimal():
        return None
    return int(number)


def _all_pinned(vcpus: Sequence[Vcpu]) -> Fact[bool]:
    """Every vCPU on its own single host CPU."""
    if any(v.pinned.value is None for v in vcpus):
        return Fact(None, next(v.pinned.reason for v in vcpus if v.pinned.value is None))
    if not all(v.pinned.is_true() for v in vcpus):
        return known(False)
    return known(len({v.cpus.value for v in vcpus}) == len(vcpus))


@record(frozen=True)
class GuestProcess:
    """A running QEMU with both views of it: the raw process and its ``vms`` entry.

    ``hvtui audit --running`` needs the command line (to read the guest's
    enlightenments) next to the vCPU threads and pinning of :class:`VmInfo`;
    the detection report itself keeps no command lines (they can hold secrets).
    """

    process: ProcessAnswer
    info: VmInfo

    @property
    def pid(self) -> int:
        """The QEMU process id."""
        return self.process.pid

    @property
    def cmdline(self) -> list[str]:
        """The whole command line, the QEMU binary first."""
        return self.process.cmdline

    @property
    def name(self) -> str:
        """The guest name from ``-name`` (``""`` without one)."""
        return self.info.name


def guest_processes(processes: Fact[list[ProcessAnswer]]) -> Fact[tuple[GuestProcess, ...]]:
    """Each scanned (or recorded) QEMU process paired with its :func:`vms_info` entry."""
    infos = vms_info(processes)
    if processes.value is None or infos.value is None:
        return Fact(None, infos.reason or processes.reason)
    by_pid = {p.pid: p for p in processes.value}
    return known(tuple(GuestProcess(by_pid[vm.pid], vm) for vm in infos.value))
