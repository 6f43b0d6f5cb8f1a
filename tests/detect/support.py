"""Helpers for the detection tests: real host snapshots copied into tmp dirs, file writers.

The snapshots in ``tests/data/hosts`` are read-only and shared; every test that
needs one copies it first and may then add files (KVM module parameters, which
no public capture has).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import HOSTS

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"

I7_1165G7 = "util-linux-x86_64-64cpu-linux6.2"
EPYC_7451 = "util-linux-x86_64-epyc_7451"
OPTERON_6328 = "util-linux-vmware_fpe"
XEON_X7550 = "util-linux-x86_64-64cpu"
ALL_HOSTS = (I7_1165G7, EPYC_7451, OPTERON_6328, XEON_X7550)


def copy_host(name: str, tmp_path: Path) -> Path:
    """A private, writable copy of a shared host snapshot."""
    source = HOSTS / name
    if not source.is_dir():
        raise FileNotFoundError(f"host snapshot {source} is missing")
    target = tmp_path / name
    shutil.copytree(source, target, symlinks=True)
    return target


def write(root: Path, path: str, content: str | bytes) -> Path:
    """Create ``root/path`` (host-style absolute path) with ``content``."""
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    return target


def module_params(root: Path, module: str, **params: str) -> None:
    """``/sys/module/<module>/parameters/<name>`` files, as the kernel writes them."""
    write(root, f"/sys/module/{module}/.keep", "")
    for name, value in params.items():
        write(root, f"/sys/module/{module}/parameters/{name}", value + "\n")


CPUINFO_INTEL_VM = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel Xeon Processor (Cascadelake)
stepping\t: 7
physical id\t: 0
siblings\t: 2
core id\t\t: 0
cpu cores\t: 2
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat lm \
constant_tsc nopl xtopology cpuid tsc_known_freq pni ssse3 x2apic hypervisor lahf_lm

processor\t: 1
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel Xeon Processor (Cascadelake)
stepping\t: 7
physical id\t: 0
siblings\t: 2
core id\t\t: 1
cpu cores\t: 2
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat lm \
constant_tsc nopl xtopology cpuid tsc_known_freq pni ssse3 x2apic hypervisor lahf_lm
"""


@pytest.fixture(autouse=True)
def strict_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Internal errors raise in tests instead of becoming an all-unknown report.

    Import it into a test module (``from .support import strict_detection``) to use it.
    """
    monkeypatch.setenv("HVTUI_DEBUG", "1")
