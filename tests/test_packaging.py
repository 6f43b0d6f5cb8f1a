"""The wheel carries the shipped presets and the console script."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from clirun import REPO, SHIPPED, python_env


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory, testrun_uid: str) -> Path:
    """The wheel ``pip wheel`` builds from this checkout: built once per test run and
    shared by the xdist workers (a build costs ~1.5 s of CPU), under a lock in the
    directory all workers' temporary directories share."""
    shared = tmp_path_factory.getbasetemp().parent
    dist = shared / f"hvtui-wheel-{testrun_uid}"
    with (shared / f"hvtui-wheel-{testrun_uid}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not list(dist.glob("hvtui-*.whl")):
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "-q", "-w", str(dist), str(REPO)],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
    (built,) = dist.glob("hvtui-*.whl")
    return built


def test_wheel_ships_presets_and_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for preset in SHIPPED.glob("*.toml"):
        assert f"hvtui/_presets/{preset.name}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "hvtui = hvtui.__main__:main" in text
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]


def test_installed_wheel_runs_its_demos(wheel: Path, tmp_path: Path) -> None:
    """``pip install`` users get the demo hosts: run the installed package, not this checkout."""
    import json

    from hvtui.demos import DEMOS

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    env = python_env({"PYTHONPATH": str(site)})
    for demo in DEMOS:
        proc = subprocess.run(
            [sys.executable, "-m", "hvtui", "detect", "--demo", demo.name, "--json"],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["source"] == f"demo:{demo.name}"
    where = subprocess.run(
        [sys.executable, "-c", "import hvtui.demos as d; print(d.DATA_DIR)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(site))
