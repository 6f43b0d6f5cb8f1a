"""The real ``qemu-system-x86_64 -accel kvm -cpu host`` on this machine, as tests start it.

On some hosts (nested KVM on AMD EPYC with kernel 6.18, GitHub's runners since early
2026) KVM refuses the IA32_ARCH_CAPABILITIES value QEMU copies for ``-cpu host``, and
every such QEMU aborts before the guest runs, Hyper-V or not
(:mod:`hvtui.verify.hostmsr`).  Tests that compare hvtui with what QEMU does to the
hv-* options then add the same ``-cpu`` item to every run: :func:`host_cpu_suffix`
finds out once per test process, by starting plain ``-cpu host``, whether this
host needs it.  On a host where plain ``-cpu host`` starts, nothing is added.
"""

from __future__ import annotations

import functools
import subprocess

import pytest

from hvtui.verify.hostmsr import refused_msr
from hvtui.verify.runner import qemu_message

#: QMP for a QEMU started frozen (``-S -qmp stdio``): quit once it listens.
QMP_QUIT = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'


def start_frozen(qemu: str, cpu: str) -> subprocess.CompletedProcess[str]:
    """``qemu -accel kvm -machine q35 -cpu CPU``, frozen, quit through QMP: it gets past
    creating the vCPU (where KVM refuses MSRs) or says why not."""
    return subprocess.run(
        [qemu, "-accel", "kvm", "-machine", "q35", "-cpu", cpu, "-m", "16",
         "-nodefaults", "-display", "none", "-S", "-qmp", "stdio"],
        input=QMP_QUIT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@functools.cache
def host_cpu_suffix(qemu: str) -> str:
    """What every ``-cpu host`` run of these tests ends with on this host: ``""`` when plain
    ``-cpu host`` starts, else ``",arch-capabilities=off"`` (hvtui verify's own workaround
    for the refusal it recognises).  Any other failure of plain ``-cpu host`` fails the
    test: this machine cannot show what the tests are about."""
    plain = start_frozen(qemu, "host")
    if plain.returncode == 0:
        return ""
    said = qemu_message(plain.stderr, qemu)
    refused = refused_msr(said)
    prop = refused.cpu_property if refused is not None else None
    if prop is None:
        pytest.fail(f"plain -cpu host does not start here, and not for a known reason: {said}")
    worked = start_frozen(qemu, f"host,{prop}")
    assert worked.returncode == 0, f"-cpu host,{prop} does not start either: {worked.stderr}"
    return f",{prop}"


__all__ = ["QMP_QUIT", "host_cpu_suffix", "start_frozen"]
