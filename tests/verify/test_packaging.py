"""The wheel ships the probe and its source (hatch's own file selection, no build)."""

from __future__ import annotations

from clirun import REPO


def test_wheel_includes_the_probe_and_its_source() -> None:
    from hatchling.builders.wheel import WheelBuilder

    names = {f.distribution_path for f in WheelBuilder(str(REPO)).recurse_included_files()}
    assert {"hvtui/verify/probe.bin", "hvtui/verify/probe.asm"} <= names
