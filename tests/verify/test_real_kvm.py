"""The real QEMU with KVM on this machine: what the guest sees.

On a KVM without Hyper-V (this project's development and CI hosts: PVM kernels built
without CONFIG_KVM_HYPERV) a preset with only hv-relaxed boots, the guest sees the
KVM signature and relaxed is missing as dropped; hv-vpindex makes QEMU refuse.  On a
host whose KVM has Hyper-V the guest must see relaxed instead.  The default machine
(q35) comes from a preset, i440fx from a command line.  How long verify takes ("under
5 s") is measured by benchmarks/bench_verify.py, not asserted here.

Where KVM refuses the IA32_ARCH_CAPABILITIES value of plain ``-cpu host`` (2026's CI
hosts: :mod:`hvtui.verify.hostmsr`), verify must run again with ``arch-capabilities=off``
and say so; where plain ``-cpu host`` starts it must not.  Which kind this host is
comes from starting QEMU directly (:func:`realqemu.host_cpu_suffix`), not from verify.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clirun import REPO, python_env
from export.tools import require
from realqemu import host_cpu_suffix

from hvtui.model import Config
from hvtui.verify import GuestView, VmSpec, decode, parse_serial
from hvtui.verify.runner import check_kvm, command, find_qemu, run_qemu
from verify.support import require_kvm

pytestmark = pytest.mark.realtools

RELAXED = "schema = 1\n[enlightenments]\nrelaxed = true\n"
VPINDEX = "schema = 1\n[enlightenments]\nvpindex = true\n"
I440FX = ("qemu-system-x86_64 -machine pc,accel=kvm -cpu host,hv_relaxed "
          "-m 4096 -drive file=/nonexistent.img\n")  # fmt: skip


@functools.cache
def _host_has_hyperv() -> bool:
    return check_kvm().hyperv


def _qemu() -> str:
    require_kvm()
    return require("qemu-system-x86_64", "qemu-system-x86")


def _needs_workaround() -> bool:
    """Plain ``-cpu host`` aborts on this host (KVM refuses MSR 0x10a)."""
    return host_cpu_suffix(_qemu()) != ""


def _workaround(doc: dict[str, Any]) -> str | None:
    """The workaround code a ``--json`` document reports, if any."""
    found = doc["host_workaround"]
    return None if found is None else str(found["code"])


def _verify(*args: str) -> tuple[int, str, str]:
    _qemu()
    done = subprocess.run(
        [sys.executable, "-m", "hvtui", "verify", *args],
        capture_output=True, text=True, env=python_env(), cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def test_relaxed_on_q35(tmp_path: Path) -> None:
    """(How long it takes is benchmarks/bench_verify.py's business, not a test's.)"""
    preset = tmp_path / "relaxed.toml"
    preset.write_text(RELAXED)
    code, out, err = _verify(str(preset))
    assert "What the guest sees" in out and "  40000000  " in out, "the proof, in hex"
    said = [line for line in out.splitlines() if line.startswith("  host workaround ")]
    assert len(said) == (1 if _needs_workaround() else 0), out
    if _host_has_hyperv():
        assert code == 0, out + err
        return
    assert code == 1 and err == ""
    assert "signature               'KVMKVMKVM' (max leaf 0x40000001)" in out
    assert "hv-relaxed              on          -           dropped-no-hyperv" in out
    assert out.endswith("Result: 1 asked option not seen\n")


def test_relaxed_on_i440fx_from_a_command_line(tmp_path: Path) -> None:
    cmdline = tmp_path / "vm.cmd"
    cmdline.write_text(I440FX)
    code, out, err = _verify("--cmdline", str(cmdline), "--json")
    doc: dict[str, Any] = json.loads(out)
    assert doc["probe_error"] is None and doc["qemu_error"] is None, err
    assert "-machine" in doc["command"] and "pc" in doc["command"]
    assert doc["hypervisor_bit"] is True and isinstance(doc["seconds"], float)
    assert _workaround(doc) == ("arch-capabilities-off" if _needs_workaround() else None)
    if _host_has_hyperv():
        assert code == 0 and doc["seen"].get("relaxed") is True, err
        return
    assert code == 1
    assert doc["signature"] == "KVMKVMKVM" and doc["max_leaf"] == 0x40000001
    assert doc["interface"] is None and doc["seen"] == {}
    (missing,) = doc["missing"]
    assert missing["option"] == "relaxed" and missing["reason"] == "dropped-no-hyperv"


def test_vpindex_is_refused_by_qemu_on_a_kvm_without_hyperv(tmp_path: Path) -> None:
    preset = tmp_path / "vpindex.toml"
    preset.write_text(VPINDEX)
    code, out, err = _verify(str(preset), "--json")
    if _host_has_hyperv():
        pytest.skip("this host's KVM has Hyper-V: QEMU accepts hv-vpindex here")
    doc = json.loads(out)
    assert code == 1
    assert doc["qemu_error"] == "kernel doesn't allow setting HyperV VP_INDEX"
    assert doc["missing"][0]["reason"] == "qemu-refused"
    assert err == (
        "hvtui: verify: QEMU refused the configuration: "
        "kernel doesn't allow setting HyperV VP_INDEX\n"
    )


def test_a_libvirt_domain_is_booted_as_libvirt_would_start_it() -> None:
    from lvtools import URI, domain_xml, open_libvirt, throwaway_domain

    conn = open_libvirt()
    try:
        features = "<hyperv mode='custom'><relaxed state='on'/></hyperv>"
        with throwaway_domain(conn, lambda n: domain_xml(n, extra_features=features)) as name:
            code, out, err = _verify("--domain", name, "--connect", URI, "--json")
    finally:
        conn.close()
    doc = json.loads(out)
    assert doc["source"] == f"domain {name}" and doc["asked"] == {"relaxed": True}, err
    assert "pc" in " ".join(doc["command"]), "the domain's machine type, as libvirt writes it"
    # libvirt's own -cpu (host-passthrough: host,migratable=on,...), the workaround last
    cpu = doc["command"][doc["command"].index("-cpu") + 1]
    assert cpu.startswith("host,migratable=on,")
    assert cpu.endswith(",arch-capabilities=off") == _needs_workaround(), cpu
    assert _workaround(doc) == ("arch-capabilities-off" if _needs_workaround() else None)
    if _host_has_hyperv():
        assert code == 0, err
    else:
        assert code == 1 and doc["missing"][0]["reason"] == "dropped-no-hyperv"


def _leaves(qemu: str, cpu: str) -> GuestView:
    """What a guest reads with ``-cpu CPU`` on this host (the verify VM, the real probe)."""
    run = run_qemu(command(find_qemu(qemu), VmSpec(Config.of({}), "leaves", cpu)))
    assert run.returncode is not None and not run.timed_out, run.stderr
    return decode(parse_serial(run.serial).leaves)


def _hypervisor_view(guest: GuestView) -> tuple[object, ...]:
    """Everything verify compares: the hypervisor bit and every leaf from 0x40000000."""
    return guest.hypervisor_bit, {f: r for f, r in guest.leaves.items() if f >= 0x40000000}


#: A named model that ``enforce`` lets start on any KVM host (this one's KVM has no SSE3):
#: with ``enforce`` QEMU stops rather than drop ``arch-capabilities=on``, so the guest
#: really gets the CPUID bit and the MSR (0: the model's own value).
NAMED = "qemu64,pni=off,enforce"


@pytest.mark.parametrize("hv", ["hv-passthrough", "hv-relaxed,hv-vendor-id=KVMKVM"])
def test_arch_capabilities_off_changes_nothing_verify_compares(hv: str) -> None:
    """The workaround must not change the verdict: with and without arch-capabilities the
    guest reads the same hypervisor bit and leaves from 0x40000000.  With ``-cpu host``
    (the host's own MSR value: the case itself) where plain host starts, and on every
    host with a named model given the feature and then not."""
    qemu = _qemu()
    pairs = [(f"{NAMED},{hv},arch-capabilities=on", f"{NAMED},{hv},arch-capabilities=off")]
    if not _needs_workaround():
        pairs.append((f"host,{hv}", f"host,{hv},arch-capabilities=off"))
    for with_it, without in pairs:
        seen = _hypervisor_view(_leaves(qemu, with_it))
        assert seen == _hypervisor_view(_leaves(qemu, without)), (with_it, without)
