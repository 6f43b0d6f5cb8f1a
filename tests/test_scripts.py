"""``scripts/hvtui`` and ``scripts/test`` share one ``.venv`` and never reinstall needlessly.

The scripts run for real against a stand-in virtual environment (``HVTUI_VENV``)
whose ``python`` and ``hvtui`` only log how they were called, so the test sees
every pip install the scripts would have made without making any.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from clirun import REPO

STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


def _venv(tmp_path: Path, stamp: str | None) -> tuple[Path, Path]:
    venv = tmp_path / "venv"
    log = tmp_path / "calls.log"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "hvtui"):
        tool = venv / "bin" / name
        tool.write_text(STUB.format(log=log))
        tool.chmod(0o755)
    if stamp is not None:
        (venv / ".hvtui-installed").write_text(stamp + "\n")
    return venv, log


def _hash() -> str:
    return hashlib.sha256(
        b"".join((REPO / n).read_bytes() for n in ("pyproject.toml", "constraints.txt"))
    ).hexdigest()[:16]


def _run(script: str, venv: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HVTUI_VENV=str(venv))
    return subprocess.run(
        [str(REPO / "scripts" / script), "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _installs(log: Path) -> list[str]:
    calls = log.read_text().splitlines() if log.exists() else []
    return [c for c in calls if "pip install" in c and "--upgrade pip" not in c]


@pytest.mark.parametrize("order", [("hvtui", "test", "hvtui"), ("test", "hvtui", "test")])
def test_alternating_installs_once(tmp_path: Path, order: tuple[str, ...]) -> None:
    """Starting from an empty venv, one install with the test extras serves both scripts."""
    venv, log = _venv(tmp_path, stamp=None)
    for script in order:
        _run(script, venv)
    installs = _installs(log)
    assert all(f"-c {REPO / 'constraints.txt'} " in call for call in installs), installs
    first = order[0]
    if first == "test":
        assert len(installs) == 1 and "[test]" in installs[0]
    else:  # the plain install, then the test extras once; never again
        assert len(installs) == 2 and "[test]" in installs[1]
    assert (venv / ".hvtui-installed").read_text().strip() == f"{_hash()}-test"


def test_test_extras_satisfy_hvtui(tmp_path: Path) -> None:
    venv, log = _venv(tmp_path, stamp=f"{_hash()}-test")
    _run("hvtui", venv)
    assert _installs(log) == []
    assert "hvtui --version" in log.read_text()


def test_changed_dependencies_reinstall(tmp_path: Path) -> None:
    venv, log = _venv(tmp_path, stamp="0000000000000000-test")
    _run("hvtui", venv)
    assert len(_installs(log)) == 1
