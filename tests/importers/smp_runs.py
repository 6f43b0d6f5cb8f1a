"""QEMU 7.2 runs that show what it makes of a command line's ``-smp``: the vCPUs it starts, or
its refusal.  Shared by the tables that check hvtui's merged ``-smp`` against QEMU (libvirt's
``<qemu:commandline>``, Proxmox's ``args:``)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from export.tools import qmp_answers

from .test_qemu_smp import FROZEN, QMP

#: QEMU's answer when ``-smp`` was taken and only the accelerator failed: under TCG
#: (nothing here has KVM) more than 255 vCPUs need KVM's irqchip.
NEEDS_KVM = "current -smp configuration requires kernel irqchip and X2APIC API support"


def frozen_runs(argvs: Sequence[Sequence[str]]) -> list[tuple[int, str, str]]:
    """``(exit status, stdout, stderr)`` of each ``argv`` started frozen under TCG (``FROZEN``
    appended) and answering QMP ``query-cpus-fast``; all started at once (~0.1 s of CPU each)."""
    runs = [
        subprocess.Popen([*argv, *FROZEN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for argv in argvs
    ]  # fmt: skip
    done = [run.communicate(QMP, timeout=60) for run in runs]
    return [(run.returncode, out, err) for run, (out, err) in zip(runs, done, strict=True)]


def assert_outcome(
    name: str, outcome: tuple[int, str, str], vcpus: int | None, refusal: str
) -> None:
    """QEMU refused with ``refusal`` (``vcpus`` is ``None``), or started ``vcpus`` (more than
    255 only fail for want of KVM)."""
    status, out, err = outcome
    if vcpus is None:
        assert status == 1 and refusal in err, (name, err)
    elif NEEDS_KVM in err:
        assert vcpus > 255, (name, err)
    else:
        assert status == 0, (name, err)
        present, _possible = qmp_answers(out, 2)
        assert isinstance(present, list) and len(present) == vcpus, (name, out)
