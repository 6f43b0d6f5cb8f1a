"""The wheel carries the shipped presets and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from clirun import REPO, SHIPPED


def test_wheel_ships_presets_and_entry_point(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("hvtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for preset in SHIPPED.glob("*.toml"):
        assert f"hvtui/_presets/{preset.name}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "hvtui = hvtui.__main__:main" in text
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]


def test_installed_wheel_runs_its_demos(tmp_path: Path) -> None:
    """``pip install`` users get the demo hosts: run the installed package, not this checkout."""
    import json
    import os

    from hvtui.demos import DEMOS

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("hvtui-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(site))
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
