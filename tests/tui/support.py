"""Helpers for the wizard tests: a demo host, an app factory, a few Pilot moves.

The host is a copy of a real machine snapshot from ``tests/data/hosts`` (never
this machine), with the KVM module parameters and clocksource that public
captures lack, so every test, snapshot and screenshot shows the same facts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from clirun import HOSTS

REPO = Path(__file__).resolve().parents[2]

DEMO_HOST = "util-linux-x86_64-64cpu-linux6.2"
"""Intel i7-1165G7 laptop, Linux 6.2: APICv, TSC scaling, SMT on."""


def demo_sysroot(directory: Path, name: str = DEMO_HOST) -> Path:
    """A private copy of a host snapshot with KVM loaded (nested and APICv on, tsc clock)."""
    source = HOSTS / name
    if not source.is_dir():
        raise FileNotFoundError(f"host snapshot {source} is missing")
    root = directory / name
    if root.exists():
        return root
    shutil.copytree(source, root, symlinks=True)
    files = {
        "sys/module/kvm/parameters/halt_poll_ns": "200000",
        "sys/module/kvm_intel/parameters/nested": "Y",
        "sys/module/kvm_intel/parameters/enable_apicv": "Y",
        "sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc",
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content + "\n")
    return root
