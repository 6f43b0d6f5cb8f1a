"""The real QEMU with KVM on this machine: what the guest sees.

On a KVM without Hyper-V (this project's development and CI hosts: PVM kernels built
without CONFIG_KVM_HYPERV) a preset with only hv-relaxed boots, the guest sees the
KVM signature and relaxed is missing as dropped; hv-vpindex makes QEMU refuse.  On a
host whose KVM has Hyper-V the guest must see relaxed instead.  The default machine
(q35) comes from a preset, i440fx from a command line.  How long verify takes ("under
5 s") is measured by benchmarks/bench_verify.py, not asserted here.
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

from hvtui.verify.runner import check_kvm
from verify.support import require_kvm

pytestmark = pytest.mark.realtools

RELAXED = "schema = 1\n[enlightenments]\nrelaxed = true\n"
VPINDEX = "schema = 1\n[enlightenments]\nvpindex = true\n"
I440FX = ("qemu-system-x86_64 -machine pc,accel=kvm -cpu host,hv_relaxed "
          "-m 4096 -drive file=/nonexistent.img\n")  # fmt: skip


@functools.cache
def _host_has_hyperv() -> bool:
    return check_kvm().hyperv


def _verify(*args: str) -> tuple[int, str, str]:
    require_kvm()
    require("qemu-system-x86_64", "qemu-system-x86")
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
    if _host_has_hyperv():
        assert code == 0, err
    else:
        assert code == 1 and doc["missing"][0]["reason"] == "dropped-no-hyperv"
