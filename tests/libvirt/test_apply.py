"""``hvtui apply`` against the real libvirtd: dry run, --yes, verification, --undo, errors.

The domain's QEMU flags are checked through libvirt's own QEMU driver
(``domxml-to-native qemu-argv``), read independently of hvtui's apply code.
"""

from __future__ import annotations

import json
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import Result, run_cli
from lvtools import PASSWORD, URI, secure_xml, throwaway_domain
from realqemu import host_cpu_suffix

from hvtui import presets
from hvtui.importers import parse_qemu_args
from hvtui.libvirt import Connection
from hvtui.libvirt.apply import on_values

pytestmark = pytest.mark.realtools

PRESET = "windows-desktop"


@pytest.fixture
def domain(conn: Connection) -> Iterator[str]:
    with throwaway_domain(conn) as name:
        yield name


def apply(*args: str, backups: Path) -> Result:
    return run_cli(["apply", *args, "--connect", URI, "--backup-dir", str(backups)])


def one_error_line(result: Result) -> str:
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hvtui: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


def qemu_hv(conn: Connection, name: str) -> object:
    """The hv-* options libvirt's QEMU driver gives QEMU for the domain now."""
    return parse_qemu_args(conn.native_argv(secure_xml(conn, name))).config


def test_dry_run_yes_and_undo(conn: Connection, domain: str, tmp_path: Path) -> None:
    before = secure_xml(conn, domain)

    dry = apply(domain, "--preset", PRESET, backups=tmp_path)
    assert dry.code == 0, dry.err
    assert '+    <hyperv mode="custom">' in dry.out and "Dry run: nothing changed" in dry.out
    assert PASSWORD not in dry.out
    assert secure_xml(conn, domain) == before
    assert not tmp_path.exists() or not any(tmp_path.iterdir())

    done = apply(domain, "--preset", PRESET, "--yes", backups=tmp_path)
    assert done.code == 0, done.err
    assert "Verified: exactly the preset's hv-* options" in done.out
    (backup,) = tmp_path.iterdir()
    assert backup.read_text() == before  # the old definition, secrets and all
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    after = secure_xml(conn, domain)
    assert PASSWORD in after, "defining the merged XML lost the graphics password"
    assert qemu_hv(conn, domain) == on_values(presets.find(PRESET).config)

    again = apply(domain, "--preset", PRESET, "--yes", "--json", backups=tmp_path)
    assert again.code == 0, again.err
    (entry,) = json.loads(again.out)["domains"]
    assert entry["changed"] is False and entry["defined"] is False and entry["verified"]
    assert len(list(tmp_path.iterdir())) == 1  # nothing to change: no second backup

    undo_dry = apply(domain, "--undo", backups=tmp_path)
    assert undo_dry.code == 0 and '-    <hyperv mode="custom">' in undo_dry.out
    assert secure_xml(conn, domain) == after

    undone = apply(domain, "--undo", "--yes", backups=tmp_path)
    assert undone.code == 0, undone.err
    assert secure_xml(conn, domain) == before
    kinds = sorted(p.name.removesuffix(".xml").rsplit(".", 1)[-1] for p in tmp_path.iterdir())
    assert kinds == ["before-undo", "restored"], kinds
    nothing_left = apply(domain, "--undo", backups=tmp_path)
    assert nothing_left.code == 2 and "no backup of domain" in one_error_line(nothing_left)


def test_a_preset_with_errors_changes_nothing(
    conn: Connection, domain: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[enlightenments]\nstimer = true\n")  # needs synic and time
    before = secure_xml(conn, domain)
    result = apply(domain, "--preset", str(bad), "--yes", backups=tmp_path / "b")
    assert result.code == 1, result
    assert "Not applied: the preset has errors" in result.out
    assert secure_xml(conn, domain) == before
    assert not (tmp_path / "b").exists()


def test_unknown_domain_and_bad_uri_are_one_line(tmp_path: Path) -> None:
    unknown = apply("hvtui-test-no-such-domain", "--preset", PRESET, backups=tmp_path)
    assert unknown.code == 2
    assert "hvtui-test-no-such-domain" in one_error_line(unknown)
    bad_uri = run_cli(
        ["apply", "x", "--preset", PRESET, "--connect", "qemu+unix:///system?socket=/nonexistent"]
    )
    assert bad_uri.code == 2
    assert "--connect qemu+unix:///system?socket=/nonexistent" in one_error_line(bad_uri)


def test_recommend_dry_run_is_for_the_connected_host(domain: str, tmp_path: Path) -> None:
    result = apply(domain, "--recommend", "--for", "server-migratable", "--json", backups=tmp_path)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["dry_run"] is True
    (entry,) = document["domains"]
    assert entry["what"] == f"the recommendation for libvirt:{URI} (server-migratable)"


def test_verify_after_apply_shows_what_the_guest_sees(
    conn: Connection, domain: str, tmp_path: Path
) -> None:
    """``--yes --verify`` boots what libvirt now starts the domain with and reads the guest's
    CPUID: on this host's KVM (no Hyper-V) relaxed is dropped, so the guest sees KVM and the
    apply exits 1 although libvirt carries the preset.

    The domain stays as a user's would be (host-passthrough, nothing disabled): apply
    never adds CPU features to it.  Where KVM refuses the IA32_ARCH_CAPABILITIES value of
    plain ``-cpu host``, verify's own retry with arch-capabilities=off (said in its
    ``host_workaround``) is what still gives the Hyper-V verdict."""
    import os

    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("no usable /dev/kvm here")
    report = json.loads(run_cli(["detect", "--json"]).out)
    if report["kvm"]["hyperv"] != []:
        pytest.skip("this host's KVM has Hyper-V: relaxed would be seen")
    relaxed = tmp_path / "relaxed.toml"
    relaxed.write_text('schema = 1\nname = "relaxed"\n[enlightenments]\nrelaxed = true\n')
    done = apply(domain, "--preset", str(relaxed), "--yes", "--verify", "--json",
                 backups=tmp_path / "b")  # fmt: skip
    assert done.code == 1, done.err
    (entry,) = json.loads(done.out)["domains"]
    assert entry["verified"] is True, "libvirt carries exactly the preset"
    seen = entry["verify"]
    assert seen["signature"] == "KVMKVMKVM"
    assert [m["option"] for m in seen["missing"]] == ["relaxed"]
    qemu = shutil.which("qemu-system-x86_64")
    assert qemu is not None, "verify ran it"
    needed = host_cpu_suffix(qemu) != ""
    assert (seen["host_workaround"] or {}).get("code") == (
        "arch-capabilities-off" if needed else None
    )
    assert "arch-capabilities" not in secure_xml(conn, domain), "the domain is as applied"


def test_verify_needs_yes(domain: str, tmp_path: Path) -> None:
    result = apply(domain, "--preset", PRESET, "--verify", backups=tmp_path)
    assert result.code == 2 and "--verify needs --yes" in one_error_line(result)
