"""On a KVM without Hyper-V, hvtui's verdict is what the real QEMU does there.

This machine's kernel is built without ``CONFIG_KVM_HYPERV``: QEMU starts with most
hv-* options and silently gives the guest none of them, and stops for the few whose
MSRs it writes anyway (vapic, time, synic, reenlightenment) or whose VP_INDEX it
checks (vpindex).  Each case runs the real ``qemu-system-x86_64 -accel kvm`` (it
quits at once through QMP when it got that far) and ``hvtui audit`` of the same
command line on this host, and the two must agree: an error exactly when QEMU stops,
the ``ignored-by-host`` warning for what it drops; when it stops, hvtui's error quotes
QEMU's exact reason.

Where plain ``-cpu host`` cannot start at all (KVM refusing IA32_ARCH_CAPABILITIES:
:mod:`realqemu`), every case, QEMU's run and the audited command line alike, carries the
same ``arch-capabilities=off``, which changes nothing about the hv-* options.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from typing import Any

import pytest
from clirun import run_cli
from realqemu import host_cpu_suffix, start_frozen

from hvtui.verify.runner import qemu_message

pytestmark = pytest.mark.realtools

CASES = [
    "hv-relaxed",
    "hv-relaxed,hv-spinlocks=0x1fff,hv-vendor-id=KVMKVM",
    "hv-crash,hv-reset,hv-frequencies,hv-runtime",
    "hv-passthrough",
    "hv-relaxed,hv-no-nonarch-coresharing=on,hv-version-id-build=1",
    "hv-vapic",
    "hv-time",
    "hv-reenlightenment",
    "hv-vpindex",
    "hv-vpindex,hv-synic",
    "hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-time",
]


@functools.cache
def _no_hyperv_kvm() -> str:
    """The QEMU binary, or skip when this host cannot show the behaviour."""
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("qemu-system-x86_64 is missing under CI=true (.ci/run installs it)")
        pytest.skip("qemu-system-x86_64 is not installed")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("no usable /dev/kvm on this machine")
    report = json.loads(run_cli(["detect", "--json"]).out)
    if report["kvm"]["hyperv"] != []:
        pytest.skip("this host's KVM has Hyper-V; the cases are about a KVM without it")
    return qemu


def _cpu(case: str) -> str:
    """The case's ``-cpu`` value on this host (with the host's workaround, if it needs one)."""
    return f"host,{case}{host_cpu_suffix(_no_hyperv_kvm())}"


def _qemu_starts(qemu: str, cpu: str) -> tuple[bool, str]:
    """Whether QEMU gets past creating the vCPU; else its one-line reason."""
    done = start_frozen(qemu, cpu)
    return done.returncode == 0, qemu_message(done.stderr, qemu)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case's VM as one ``hvtui audit`` run on this host reports it."""
    _no_hyperv_kvm()
    directory = tmp_path_factory.mktemp("cmdlines")
    files = []
    for i, cpu in enumerate(CASES):
        path = directory / f"case{i}.cmd"
        path.write_text(f"qemu-system-x86_64 -accel kvm -name case{i} -cpu {_cpu(cpu)} -m 16\n")
        files.append(str(path))
    result = run_cli(["audit", *files, "--json"])
    assert result.code in (0, 1), result.err
    vms = json.loads(result.out)["vms"]
    return {CASES[int(vm["name"].removeprefix("case"))]: vm for vm in vms}


@pytest.mark.parametrize("cpu", CASES)
def test_audit_agrees_with_the_real_qemu(cpu: str, audited: dict[str, dict[str, Any]]) -> None:
    starts, said = _qemu_starts(_no_hyperv_kvm(), _cpu(cpu))
    vm = audited[cpu]
    errors = [f for f in vm["findings"] if f["severity"] == "error"]
    codes = {f["code"] for f in vm["findings"]}
    if starts:
        assert errors == [], f"QEMU starts with {cpu}, but hvtui says: {errors}"
        assert "ignored-by-host" in codes, "the guest gets none of it: say so"
    else:
        assert errors, f"QEMU stops ({said}) but hvtui finds no error"
        messages = " ".join(f["message"] + " " + f["explanation"] for f in errors)
        # QEMU's own words (the MSR it failed on, or VP_INDEX): the reason, not a look-alike
        assert said in messages, f"QEMU stops with {said!r}; hvtui says: {messages}"
