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
