"""Helpers for the wizard tests, screenshots and benchmark: the demo host they all show.

It is the shipped demo ``intel-tigerlake`` (``hvtui --demo intel-tigerlake``), never
this machine, so every test, snapshot and screenshot shows the same facts and a reader
can reproduce each picture.  The demo's directory is part of the package: read it in
place, and copy it (``demo_sysroot(directory)``) before changing anything in it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hvtui.demos import find_demo

REPO = Path(__file__).resolve().parents[2]

DEMO = "intel-tigerlake"
"""Intel i7-1165G7 laptop, Linux 6.12: APICv, nested KVM, every option including evmcs."""


def demo_sysroot(directory: Path | None = None, name: str = DEMO) -> Path:
    """The demo host's snapshot directory (read-only); with ``directory``, a private copy
    inside it that a test may change."""
    source = find_demo(name).path
    if directory is None:
        return source
    root = directory / name
    if not root.exists():
        shutil.copytree(source, root, symlinks=True)
    return root
