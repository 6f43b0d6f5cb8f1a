"""Rebuild the demo hosts shipped in ``hvtui/demos/data/`` from the real snapshots.

Each demo starts from a real machine's ``/proc`` and ``/sys`` capture in
``tests/data/hosts`` (see its ``SOURCES.md``).  Public captures hold no KVM
answers, so this script adds them, consistent with that CPU and the modelled
kernel, and says so in ``hvtui/demos/__init__.py``'s descriptions:

- the kernel release, the KVM module parameters and the clocksource (files);
- the live answers a real ``hvtui detect --save-snapshot`` records in
  ``hvtui-snapshot.json``: the ``/dev/kvm`` capabilities, the raw
  ``KVM_GET_SUPPORTED_HV_CPUID`` buffer (the recorded Linux 6.12 answers in
  ``tests/detect/data``, built from a reading of ``kvm_get_hv_cpuid()``), the
  QEMU/libvirt versions and a running Windows VM.

Then detection runs on that tree and the demo is written with the very
function ``--save-snapshot`` uses, so it holds only what detection reads and
replays exactly like a snapshot a user sends in.

Usage::

    .venv/bin/python scripts/build_demos.py          # rewrite hvtui/demos/data/*
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hvtui.detect import detect_traced
from hvtui.detect.kvm_ioctl import CAPABILITIES, LEGACY_HYPERV_CAPS
from hvtui.detect.snapshot import MANIFEST, save_snapshot

REPO = Path(__file__).resolve().parent.parent
HOSTS = REPO / "tests" / "data" / "hosts"
HV_CPUID = REPO / "tests" / "detect" / "data"
OUT = REPO / "hvtui" / "demos" / "data"

#: Debian 13's QEMU and libvirt, as ``--version`` prints them.
QEMU_VERSION = "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2)\n"
LIBVIRT_VERSION = "11.3.0\n"


@dataclass(frozen=True)
class DemoSpec:
    """How one demo is made from a real capture."""

    name: str
    source: str
    release: str
    numa: str
    files: Mapping[str, str]
    kvm: Mapping[str, Any]
    processes: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def _caps(*names: str, nested_state: int = 0) -> dict[str, int]:
    caps = {str(v): 0 for v in CAPABILITIES.values()}
    for name in names:
        caps[str(CAPABILITIES[name])] = 1
    if nested_state:
        caps[str(CAPABILITIES["NESTED_STATE"])] = nested_state
    return caps


def _hyperv_kvm(recorded: str, *extra: str, nested_state: int = 0) -> dict[str, Any]:
    """KVM with every Hyper-V capability and the recorded HV CPUID answer."""
    legacy = [k for k, v in CAPABILITIES.items() if v in LEGACY_HYPERV_CAPS]
    return {
        "device": "ok",
        "device_error": "",
        "api_version": 12,
        "caps": _caps(
            *legacy, "SYS_HYPERV_CPUID", "GET_TSC_KHZ", *extra, nested_state=nested_state
        ),
        "hv_form": "system",
        "hv_errno": None,
        "hv_errno_name": "",
        "hv_raw": (HV_CPUID / f"hv_cpuid-6.12-{recorded}.bin").read_bytes().hex(),
        "steps": [],
        "msrs": None,
    }


#: KVM built without CONFIG_KVM_HYPERV (Linux 6.8+): no Hyper-V capability, and
#: KVM_GET_SUPPORTED_HV_CPUID fails with EINVAL, exactly as on the machine that
#: developed hvtui.
NO_HYPERV_KVM: dict[str, Any] = {
    "device": "ok",
    "device_error": "",
    "api_version": 12,
    "caps": _caps("GET_TSC_KHZ", "TSC_CONTROL", "VM_TSC_CONTROL", nested_state=0),
    "hv_form": "",
    "hv_errno": 22,
    "hv_errno_name": "EINVAL",
    "hv_raw": "",
    "steps": ["KVM_GET_SUPPORTED_HV_CPUID on /dev/kvm: EINVAL"],
    "msrs": None,
}


def _vm(pid: int, name: str, cpu: str, vcpu_affinity: Sequence[Sequence[int]]) -> dict[str, Any]:
    """A QEMU process as libvirt starts it, with one ``CPU n/KVM`` thread per vCPU."""
    cmdline = [
        "/usr/bin/qemu-system-x86_64", "-name", f"guest={name},debug-threads=on", "-S",
        "-machine", "pc-q35-10.0,usb=off,vmport=off,smm=on,dump-guest-core=off",
        "-accel", "kvm", "-cpu", cpu, "-m", "size=8388608k",
        "-smp", f"{len(vcpu_affinity)},sockets=1,dies=1,cores={len(vcpu_affinity)},threads=1",
        "-uuid", "6f1c2a0e-3b8d-4c61-9d55-5b1f0c7e2a10", "-no-user-config", "-nodefaults",
        "-rtc", "base=localtime,driftfix=slew", "-global", "kvm-pit.lost_tick_policy=delay",
        "-no-hpet", "-boot", "strict=on",
    ]  # fmt: skip
    threads = [{"tid": pid, "comm": "qemu-system-x86", "affinity": [], "error": ""}]
    threads += [
        {"tid": pid + 1 + i, "comm": f"CPU {i}/KVM", "affinity": list(cpus), "error": ""}
        for i, cpus in enumerate(vcpu_affinity)
    ]
    return {
        "pid": pid,
        "name": "qemu-system-x86_64",
        "cmdline": cmdline,
        "threads": threads,
        "error": "",
    }


DEMOS: tuple[DemoSpec, ...] = (
    DemoSpec(
        name="intel-tigerlake",
        source="util-linux-x86_64-64cpu-linux6.2",
        release="6.12.38-amd64",
        numa="0",
        files={
            "sys/module/kvm/parameters/halt_poll_ns": "200000",
            "sys/module/kvm_intel/parameters/nested": "Y",
            "sys/module/kvm_intel/parameters/enable_apicv": "Y",
            "sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc",
        },
        kvm=_hyperv_kvm(
            "intel-nested",
            "HYPERV_ENLIGHTENED_VMCS",
            "TSC_CONTROL",
            "VM_TSC_CONTROL",
            nested_state=8192,
        ),
        processes=(
            _vm(
                4242,
                "win11",
                "host,migratable=on,hv-time=on,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff",
                [[2], [3], [6], [7]],
            ),
        ),
    ),
    DemoSpec(
        name="amd-epyc",
        source="util-linux-x86_64-epyc_7451",
        release="6.12.38-amd64",
        numa="0-7",
        files={
            "sys/module/kvm/parameters/halt_poll_ns": "200000",
            "sys/module/kvm_amd/parameters/nested": "1",
            "sys/module/kvm_amd/parameters/avic": "1",
            "sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc",
        },
        kvm=_hyperv_kvm("amd", "TSC_CONTROL", "VM_TSC_CONTROL", nested_state=8192),
        processes=(
            _vm(
                5151,
                "win2022-sql",
                "EPYC,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-synic,hv-time",
                [list(range(96))] * 8,
            ),
        ),
    ),
    DemoSpec(
        name="no-hyperv",
        source="util-linux-vmware_fpe",
        release="6.12.38-cloud-amd64",
        numa="0-3",
        files={
            "sys/module/kvm/parameters/halt_poll_ns": "200000",
            "sys/module/kvm_amd/parameters/nested": "1",
            "sys/module/kvm_amd/parameters/avic": "0",
            "sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc",
        },
        kvm=NO_HYPERV_KVM,
    ),
)


def _manifest_live(spec: DemoSpec) -> dict[str, Any]:
    def command(tool: str, path: str, stdout: str) -> dict[str, Any]:
        return {
            "tool": tool,
            "path": path,
            "argv": [path, "--version"],
            "stdout": stdout,
            "stderr": "",
            "returncode": 0,
            "error": "",
        }

    return {
        "platform": {"value": {"system": "Linux", "machine": "x86_64", "release": spec.release}},
        "kvm": {"value": dict(spec.kvm)},
        "raw_cpuid": {"reason": "not-live: a demo host; raw CPUID was not recorded"},
        "processes": {"value": [dict(p) for p in spec.processes]},
        "commands": {
            "value": {
                "qemu": command("qemu", "/usr/bin/qemu-system-x86_64", QEMU_VERSION),
                "libvirt": command("libvirt", "/usr/bin/virsh", LIBVIRT_VERSION),
            }
        },
        "deep": {"reason": "not-requested: run with --deep (py-cpuinfo, about a second)"},
    }


def build(spec: DemoSpec, work: Path, out: Path = OUT) -> Path:
    """The demo's snapshot directory, written under ``out``."""
    tree = work / spec.name
    shutil.copytree(HOSTS / spec.source, tree, symlinks=True)
    files = {
        "proc/sys/kernel/osrelease": spec.release,
        "proc/cmdline": f"BOOT_IMAGE=/boot/vmlinuz-{spec.release} root=/dev/vda1 ro quiet",
        "sys/devices/system/node/online": spec.numa,
        **spec.files,
    }
    for relative, content in files.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content + "\n", encoding="utf-8")
    manifest = {
        "format": "hvtui-snapshot",
        "schema": 1,
        "hvtui": "demo",
        "created": "",
        "source": f"demo:{spec.name}",
        "argv": [],
        "files": [],
        "failures": {},
        "live": _manifest_live(spec),
    }
    (tree / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    detection = detect_traced(tree)
    target = out / spec.name
    if target.exists():
        shutil.rmtree(target)
    save_snapshot(
        target,
        detection.root.trace,
        detection.live,
        source=f"demo:{spec.name} (from {spec.source})",
    )
    # The manifest's date would change on every rebuild; a demo has none.
    written = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    written["created"] = ""
    written["hvtui"] = "demo"
    (target / MANIFEST).write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    return target


def build_all(out: Path = OUT) -> list[Path]:
    """Rebuild every demo under ``out``; returns their directories."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        return [build(spec, Path(tmp), out) for spec in DEMOS]


def main() -> int:
    """Rebuild every demo in the package."""
    for target in build_all():
        count = sum(1 for p in target.rglob("*") if p.is_file())
        print(f"{target.name}: {count} files in {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
