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


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a Python child of a test: the caller's, plus ``extra``, with
    bytecode caching on.

    With ``PYTHONDONTWRITEBYTECODE`` set (some CI and sandbox environments set it), every
    child compiled each hvtui module it imported from source again: on a clean checkout
    ~0.13 s of CPU per ``python -m hvtui`` run, of which the suite starts hundreds.  The
    children now write ``__pycache__`` (git ignores it) and read it on the next start; what
    they run and print is the same.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def run_cli(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> Result:
    """Run ``python -m hvtui ARGS``; the caller's environment plus ``env`` (see
    :func:`python_env`)."""
    proc = subprocess.run(
        [sys.executable, "-m", "hvtui", *args],
        capture_output=True,
        text=True,
        env=python_env(env),
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
        env=python_env(),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
