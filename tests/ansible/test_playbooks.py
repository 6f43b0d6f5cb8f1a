"""``ansible/fleet.yml`` and ``ansible/apply.yml`` with the real ansible-core, on localhost.

As CI runs them: ``ansible-playbook -i localhost, -c local``, with this checkout's
hvtui as ``hvtui_command`` and a throw-away domain of the real libvirtd.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import REPO, python_env
from lvtools import in_ci, secure_xml, throwaway_domain

from hvtui.detect import HostReport
from hvtui.libvirt import Connection

pytestmark = pytest.mark.realtools

HVTUI = f"{sys.executable} -m hvtui"


def playbook(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("ansible-playbook")
    if tool is None:
        message = "ansible-playbook is not installed (Debian package ansible-core)"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires it (.ci/run installs it)")
        pytest.skip(message)
    env = python_env({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0"})
    return subprocess.run(
        [
            tool,
            "-i",
            "localhost,",
            "-c",
            "local",
            str(REPO / "ansible" / name),
            "-e",
            json.dumps({"hvtui_command": HVTUI}),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=240,
        check=False,
    )


@pytest.mark.long
def test_fleet_collects_reports_and_recommends(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    done = playbook("fleet.yml", "-e", json.dumps({"hvtui_fleet_dir": str(fleet)}))
    assert done.returncode == 0, done.stdout + done.stderr
    HostReport.from_json(json.loads((fleet / "localhost.json").read_text()))
    recommendation = json.loads((fleet / "fleet.json").read_text())
    assert recommendation["schema"] == 1 and recommendation["hosts"] == ["localhost"]
    assert (fleet / "fleet.toml").read_text().count("schema = 1") == 1


def test_apply_check_mode_is_the_dry_run_then_applies(conn: Connection, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    with throwaway_domain(conn) as name:
        before = secure_xml(conn, name)
        common = {"hvtui_domains": [name], "hvtui_backup_dir": str(backups)}
        check = playbook(
            "apply.yml", "--check", "-e", json.dumps({**common, "hvtui_preset": "minimal"})
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "changed=1" in check.stdout and "hyperv" in check.stdout
        assert secure_xml(conn, name) == before and not backups.exists()

        real = playbook("apply.yml", "-e", json.dumps({**common, "hvtui_preset": "minimal"}))
        assert real.returncode == 0, real.stdout + real.stderr
        assert "changed=1" in real.stdout
        assert secure_xml(conn, name) != before and len(list(backups.iterdir())) == 1
