"""``audit --connect`` and ``detect``/``recommend --connect`` on the real ``qemu:///system``."""

from __future__ import annotations

import json

import pytest
from clirun import run_cli
from lvtools import URI, throwaway_domain

from hvtui.detect import HostReport
from hvtui.libvirt import Connection

pytestmark = pytest.mark.realtools


def test_audit_all_reads_every_defined_domain(conn: Connection) -> None:
    with throwaway_domain(conn) as name:
        result = run_cli(["audit", "--connect", URI, "--all", "--json"])
        named = run_cli(["audit", "--connect", URI, name])
    assert result.code in (0, 1), result.err
    document = json.loads(result.out)
    assert document["host"] == f"libvirt:{URI}"
    (vm,) = [v for v in document["vms"] if v["name"] == name]
    assert vm["kind"] == "libvirt-xml" and vm["source"] == f"{URI} {name}"
    assert vm["vcpus"] == 2 and vm["cpu_model"] == "host"
    assert named.code == 0 and f"== {name}: {URI} {name} (libvirt domain XML)" in named.out
    missing = run_cli(["audit", "--connect", URI, "hvtui-test-missing"])
    assert missing.code == 2 and missing.err.count("\n") == 1


def test_detect_connect_is_a_schema_1_report(conn: Connection) -> None:
    result = run_cli(["detect", "--connect", URI, "--json"])
    assert result.code == 0, result.err
    data = json.loads(result.out)
    report = HostReport.from_json(data)
    assert report.source == f"libvirt:{URI}"
    assert report.versions.libvirt.value == str(conn.lib_version())
    assert report.host.arch.known and report.cpu.vendor.known
    # Same schema as a local detect: the same keys everywhere.
    local = json.loads(run_cli(["detect", "--demo", "intel-tigerlake", "--json"]).out)
    assert set(data) == set(local)
    for section in ("host", "cpu", "kvm", "apic_virt", "tsc", "smt", "isolation", "versions"):
        assert set(data[section]) == set(local[section]), section
    assert all(data_value is None for key in data["unknown"] for data_value in [_at(data, key)])


def _at(data: dict[str, object], dotted: str) -> object:
    value: object = data
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
    return value


def test_recommend_a_fleet_of_connections() -> None:
    result = run_cli(["recommend", "--connect", URI, "--connect", URI, "--format", "json"])
    assert result.code == 0, result.err
    assert json.loads(result.out)["hosts"] == [f"libvirt:{URI}", f"libvirt:{URI}"]
    bad = run_cli(["detect", "--connect", "qemu+unix:///system?socket=/nonexistent"])
    assert bad.code == 2 and bad.err.count("\n") == 1 and bad.err.startswith("hvtui: ")
