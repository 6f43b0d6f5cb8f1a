"""Run the ``hvtui`` CLI in a subprocess, the way users and scripts do.

Importable from any test (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "presets"
DATA = Path(__file__).resolve().parent / "data"
#: The real host snapshots, kept in the repository (see ``tests/data/hosts/SOURCES.md``).
HOSTS = DATA / "hosts"


@dataclass
class Result:
    """What a CLI run printed and returned."""

    code: int
    out: str
    err: str


def run_cli(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> Result:
    """Run ``python -m hvtui ARGS``; the caller's environment plus ``env``."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "hvtui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input_text,
        cwd=cwd or REPO,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_python(code: str, *, timeout: float = 120) -> Result:
    """Run ``python -c CODE`` in the repository: a fresh interpreter, so what hvtui
    imports (or leaves out) can be seen in ``sys.modules``."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
