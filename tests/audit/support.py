"""Helpers for the audit tests: fixture paths and host snapshots with recorded VMs.

A snapshot here is a real host tree (``tests/data/hosts``) copied into a
temporary directory, with KVM module parameters added and, when asked, an
``hvtui-snapshot.json`` manifest that records a KVM Hyper-V answer (the kernel
6.12 Intel capture the detection tests use) and QEMU processes with their
threads, so ``--sysroot`` replays a host whose support list and VMs are known.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from clirun import HOSTS
from detect.support import I7_1165G7

from hvtui.detect import kvm_ioctl
from hvtui.detect.kvm_ioctl import CAPABILITIES

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REPO = HERE.parents[1]
INTEL_HOST = I7_1165G7
INTEL_PARAMS = {"kvm_intel": {"nested": "Y", "enable_apicv": "Y"}}
HV_CPUID_INTEL = REPO / "tests" / "detect" / "data" / "hv_cpuid-6.12-intel-nested.bin"


def thread(tid: int, comm: str, affinity: Sequence[int]) -> dict[str, Any]:
    """One recorded thread of a QEMU process."""
    return {"tid": tid, "comm": comm, "affinity": list(affinity), "error": ""}


def process(
    pid: int, cmdline: Sequence[str], vcpu_affinity: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """A recorded QEMU process with one ``CPU n/KVM`` thread per affinity given."""
    threads = [thread(pid, "qemu-system-x86", range(8))]
    threads += [thread(pid + 1 + i, f"CPU {i}/KVM", cpus) for i, cpus in enumerate(vcpu_affinity)]
    return {
        "pid": pid,
        "name": "qemu-system-x86_64",
        "cmdline": list(cmdline),
        "threads": threads,
        "error": "",
    }


def _kvm_answer() -> dict[str, Any]:
    """KVM on a 6.12 Intel host with nested virtualization: every Hyper-V option."""
    caps = {c: 1 for c in kvm_ioctl.LEGACY_HYPERV_CAPS}
    for name in ("HYPERV_ENLIGHTENED_VMCS", "SYS_HYPERV_CPUID", "TSC_CONTROL", "VM_TSC_CONTROL",
                 "GET_TSC_KHZ"):  # fmt: skip
        caps[CAPABILITIES[name]] = 1
    caps[CAPABILITIES["NESTED_STATE"]] = 8192
    return {
        "device": "ok",
        "api_version": 12,
        "caps": {str(k): v for k, v in caps.items()},
        "hv_form": "system",
        "hv_errno": None,
        "hv_raw": HV_CPUID_INTEL.read_bytes().hex(),
        "steps": [],
    }


def snapshot(
    tmp_path: Path,
    *,
    name: str = INTEL_HOST,
    params: Mapping[str, Mapping[str, str]] = INTEL_PARAMS,
    processes: Sequence[Mapping[str, Any]] | None = None,
    kvm: bool = True,
) -> Path:
    """A private snapshot directory; with ``processes`` or ``kvm`` it gets a manifest."""
    root = tmp_path / f"host-{name}"
    shutil.copytree(HOSTS / name, root, symlinks=True)
    for module, values in params.items():
        directory = root / "sys" / "module" / module / "parameters"
        directory.mkdir(parents=True, exist_ok=True)
        for key, value in values.items():
            (directory / key).write_text(value + "\n")
    if processes is None and not kvm:
        return root
    absent = {"reason": "not-live: recorded by the audit tests"}
    live = {
        "platform": absent,
        "kvm": {"value": _kvm_answer()} if kvm else absent,
        "raw_cpuid": absent,
        "processes": {"value": list(processes)} if processes is not None else absent,
        "commands": absent,
        "deep": absent,
    }
    manifest = {
        "format": "hvtui-snapshot",
        "schema": 1,
        "hvtui": "tests",
        "created": "",
        "source": "tests",
        "argv": [],
        "files": [],
        "failures": {},
        "live": live,
    }
    (root / "hvtui-snapshot.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def bench_domains(count: int) -> list[str]:
    """The first ``count`` domains ``benchmarks/bench_audit.py`` generates (its seed 7):
    the shapes the benchmark times, for tests that its fast paths answer as the plain
    ones do."""
    import random
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import bench_audit
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    rng = random.Random(7)
    return [bench_audit.domain_xml(rng, i) for i in range(count)]
