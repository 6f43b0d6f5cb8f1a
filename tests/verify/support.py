"""Shared helpers of the verify tests: recorded guest leaves, fake QEMUs, real-tool gates."""

from __future__ import annotations

import functools
import json
import os
import stat
from pathlib import Path

import pytest

from hvtui.demos import find_demo
from hvtui.detect.kvm_ioctl import parse_cpuid2
from hvtui.verify.probe import Registers

#: Where the shipped probe comes from (the tests re-assemble it).
KVM = "/dev/kvm"


def require_kvm() -> None:
    """Skip, with the reason, only when this machine has no usable /dev/kvm."""
    if not os.path.exists(KVM):
        pytest.skip("no /dev/kvm on this machine: verify needs KVM")
    if not os.access(KVM, os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is not readable and writable for this user")


@functools.cache
def demo_leaves(name: str) -> dict[int, Registers]:
    """A demo host's recorded KVM_GET_SUPPORTED_HV_CPUID answer as guest leaves: what a
    guest with hv-passthrough reads there (QEMU copies KVM's answer)."""
    manifest = json.loads((find_demo(name).path / "hvtui-snapshot.json").read_text())
    raw = bytes.fromhex(manifest["live"]["kvm"]["value"]["hv_raw"])
    leaves = {1: Registers(0x000A0678, 0x800, 0x80000000, 0)}
    for entry in sorted(parse_cpuid2(raw), key=lambda e: e.function):
        leaves[entry.function] = Registers(entry.eax, entry.ebx, entry.ecx, entry.edx)
    return leaves


def demo_hyperv(name: str) -> list[str]:
    """What detection says the demo host's KVM offers."""
    manifest = json.loads((find_demo(name).path / "hvtui-snapshot.json").read_text())
    from hvtui.detect.kvm_ioctl import KvmAnswer, decode_hyperv

    kvm = KvmAnswer.from_json(manifest["live"]["kvm"]["value"])
    return list(decode_hyperv(parse_cpuid2(kvm.hv_raw), kvm.caps))


#: What a guest on a KVM without Hyper-V reads (recorded on this project's PVM host).
NO_HYPERV_LEAVES: dict[int, Registers] = {
    1: Registers(0x000A0678, 0x00000800, 0xF7F83203, 0x1F8BFBFF),
    0x40000000: Registers(0x40000001, 0x4B4D564B, 0x564B4D56, 0x0000004D),
    0x40000001: Registers(0x01007AFB, 0, 0, 0),
    **{f: Registers(0, 0, 0, 0) for f in range(0x40000002, 0x4000000B)},
    0x40000080: Registers(0, 0, 0, 0),
    0x40000100: Registers(0, 0, 0, 0),
}


def fake_qemu(directory: Path, *, stdout: bytes = b"", stderr: str = "", status: int = 33) -> str:
    """An executable standing in for QEMU: prints ``stdout``/``stderr``, exits ``status``."""
    (directory / "serial.bin").write_bytes(stdout)
    (directory / "stderr.txt").write_text(stderr)
    script = directory / "fake-qemu"
    script.write_text(
        "#!/bin/sh\n"
        f"cat '{directory}/serial.bin'\n"
        f"cat '{directory}/stderr.txt' >&2\n"
        f"exit {status}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)
