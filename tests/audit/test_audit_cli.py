"""``hvtui audit``: the command, its exit codes and its JSON, as users and scripts run it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run_cli

from audit.support import DATA, process, snapshot

QEMU_BIN = "/usr/bin/qemu-system-x86_64"


@pytest.fixture(scope="module")
def intel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Intel laptop snapshot whose KVM offers every Hyper-V option, no VMs recorded."""
    return snapshot(tmp_path_factory.mktemp("intel"), processes=[])


def audit(*args: str, input_text: str | None = None) -> Result:
    result = run_cli(["audit", *args], input_text=input_text)
    assert "Traceback" not in result.err, result.err
    return result


def document(result: Result) -> dict[str, Any]:
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def test_json_document(intel: Path) -> None:
    result = audit("--sysroot", str(intel), "--json", str(DATA / "libvirt-pinned.xml"))
    assert result.code == 0, result.err
    data = document(result)
    assert set(data) == {"schema", "host", "intent", "ok", "vms", "errors"}
    assert (data["schema"], data["host"], data["intent"], data["ok"]) == (
        1, str(intel), "desktop", True,
    )  # fmt: skip
    (vm,) = data["vms"]
    assert vm["name"] == "pinned-guest" and vm["pinned"] is True and vm["vcpus"] == 4
    assert vm["enlightenments"]["spinlocks"] == 8191
    assert vm["counts"] == {"error": 0, "warning": 0, "info": 0}
    recommended = {d["option"]: d["recommended"] for d in vm["differences"]}
    # Pinned vCPUs on a host that supports everything: QEMU's whole recommendation.
    assert recommended["no-nonarch-coresharing"] == "on" and recommended["evmcs"] is True
    assert all(d["current"] is None and d["reason"] for d in vm["differences"])


def test_exit_codes_and_one_bad_file(intel: Path, tmp_path: Path) -> None:
    good = str(DATA / "libvirt-pinned.xml")
    with_error = str(DATA / "libvirt-hyperv-all.xml")  # stimer without hv-time
    assert audit("--sysroot", str(intel), good).code == 0
    assert audit("--sysroot", str(intel), good, with_error).code == 1
    broken = tmp_path / "broken.xml"
    broken.write_text("<domain><features><hyperv>")
    missing = tmp_path / "missing.xml"
    result = audit("--sysroot", str(intel), str(broken), good, str(missing), with_error, "--json")
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"hvtui: {broken}: malformed XML")
    assert lines[1] == f"hvtui: {missing}: no such file"
    data = document(result)
    assert [vm["source"] for vm in data["vms"]] == [good, with_error]
    assert [e["source"] for e in data["errors"]] == [str(broken), str(missing)]
    assert data["ok"] is False
    text = audit("--sysroot", str(intel), str(broken), good)
    assert text.code == 2 and "== pinned-guest" in text.out


def test_text_report_sections(intel: Path) -> None:
    result = audit("--sysroot", str(intel), str(DATA / "rhel-qemu-kvm.cmd"), "-v")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("== legacy-win: ") and "(QEMU command line)" in out
    assert "Configuration found: CPU model host, 2 vCPUs" in out
    assert "hv-relaxed=on hv-vapic=on hv-spinlocks=0xfff" in out
    assert f"Findings for {intel} (intent desktop):" in out
    assert "[qemu-refuses-spelling]" in out and "hv_time" in out
    assert "Difference from hvtui's recommendation:" in out
    assert "hv-evmcs" in out and "not set -> on" in out
    assert "Result: 0 errors, 1 warning" in out


def test_stdin_and_intent(intel: Path) -> None:
    text = (DATA / "libvirt-hyperv-passthrough.xml").read_text()
    result = audit("--sysroot", str(intel), "--for", "server-migratable", "-", input_text=text)
    assert result.code == 1  # hv-passthrough blocks migration
    assert "<stdin>: error: passthrough blocks live migration" in result.out
    json_result = audit("--sysroot", str(intel), "--json", "-", input_text="-cpu host,hv-vapic")
    assert document(json_result)["vms"][0]["source"] == "<stdin>"


def test_every_fixture_is_audited_without_a_read_error(intel: Path) -> None:
    files = sorted(str(p) for p in DATA.iterdir())
    result = audit("--sysroot", str(intel), "--json", *files)
    assert result.code in (0, 1) and result.err == ""
    data = document(result)
    assert len(data["vms"]) == len(files)
    kinds = {vm["kind"] for vm in data["vms"]}
    assert kinds == {"libvirt-xml", "qemu-command", "proxmox", "virt-install"}


def test_running_vms_from_a_snapshot(tmp_path: Path) -> None:
    pinned = process(
        1000,
        [QEMU_BIN, "-name", "guest=pinned,debug-threads=on", "-smp", "2",
         "-cpu", "host,hv-relaxed,hv-no-nonarch-coresharing=on"],
        [[2], [3]],
    )  # fmt: skip
    floating = process(
        2000,
        ["/usr/libexec/qemu-kvm", "-name", "floating", "-smp", "2",
         "-cpu", "host,hv_relaxed,hv_spinlocks=0x1fff,hv-no-nonarch-coresharing=on"],
        [[4], range(8)],
    )  # fmt: skip
    root = snapshot(tmp_path, processes=[pinned, floating])
    result = audit("--running", "--sysroot", str(root), "--json")
    assert result.code == 0, result.err
    first, second = document(result)["vms"]
    assert (first["name"], first["pid"], first["kind"], first["pinned"]) == (
        "pinned", 1000, "running", True,
    )  # fmt: skip
    assert [t["cpus"] for t in first["vcpu_threads"]] == ["2", "3"]
    assert first["enlightenments"] == {"relaxed": True, "no-nonarch-coresharing": "on"}
    assert "core-sharing-possible" not in {f["code"] for f in first["findings"]}
    assert second["pinned"] is False and second["source"] == "floating (pid 2000)"
    assert "core-sharing-possible" in {f["code"] for f in second["findings"]}
    on_rec = {d["option"]: d["recommended"] for d in second["differences"]}
    assert on_rec["no-nonarch-coresharing"] is None


def test_running_vms_overcommit_the_host(tmp_path: Path) -> None:
    cmd = [QEMU_BIN, "-name", "big", "-smp", "6", "-cpu", "host,hv-spinlocks=0x1fff"]
    vms = [process(3000, cmd, [range(8)] * 6), process(4000, cmd, [range(8)] * 6)]
    root = snapshot(tmp_path, processes=vms)
    data = document(audit("--running", "--sysroot", str(root), "--json"))
    for vm in data["vms"]:
        assert "overcommitted" in {f["code"] for f in vm["findings"]}
        spin = next(d for d in vm["differences"] if d["option"] == "spinlocks")
        assert spin["recommended"] == 0xFFF and "overcommitted" in spin["reason"]


def test_running_without_vms_or_without_process_data(tmp_path: Path) -> None:
    empty = snapshot(tmp_path / "a", processes=[])
    result = audit("--running", "--sysroot", str(empty))
    assert (result.code, result.out) == (0, "No running QEMU VMs in the snapshot.\n")
    assert document(audit("--running", "--sysroot", str(empty), "--json"))["vms"] == []
    plain = snapshot(tmp_path / "b", kvm=False)  # a sysroot without a manifest
    result = audit("--running", "--sysroot", str(plain))
    assert result.code == 2 and result.err.startswith("hvtui: running VMs: not-live")
    assert result.err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to audit"),
        (["--running", "x.xml"], "not both"),
        (["-", "-"], "only be given once"),
        (["--sysroot", "/nonexistent", "x.xml"], "--sysroot /nonexistent: does not exist"),
        (["--for", "gaming", "x.xml"], "invalid choice"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = audit(*args)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1


def test_this_host_by_default() -> None:
    """Without --sysroot the audit is for this machine (whatever its KVM offers)."""
    result = audit(str(DATA / "virsh-dumpxml-win11.xml"), "--json")
    assert result.code in (0, 1), result.err
    data = document(result)
    assert data["host"] == "this host" and data["vms"][0]["name"] == "win11"
