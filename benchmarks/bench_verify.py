"""Benchmark: ``hvtui verify`` beside QEMU running the same probe by itself.

Issue #16's target: ``hvtui verify`` of a preset finishes in under 5 s on this
project's 2-core machine.  Almost all of that is QEMU and KVM starting a guest
that runs hvtui's 512-byte probe, so the comparison is that very QEMU command
(``--json`` gives it as ``command``), started directly: the ratio is what hvtui
adds around the boot (reading the preset, building the command, reading the
serial port, comparing).  Both run in turn, several times; medians of the wall
clock are printed with their ratio and the load average, which matters here
because a busy machine makes every boot slower.

Two machines, as the tests use them: q35 from a preset (``relaxed = true``) and
i440fx from a QEMU command line (``--cmdline``).

Needs ``/dev/kvm`` and ``qemu-system-x86_64``; exits 2 with one line without them.

Usage::

    .venv/bin/python benchmarks/bench_verify.py            # 5 rounds
    .venv/bin/python benchmarks/bench_verify.py --runs 9
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 5.0
PRESET = "schema = 1\n[enlightenments]\nrelaxed = true\n"
CMDLINE = "qemu-system-x86_64 -machine pc,accel=kvm -cpu host,hv_relaxed -m 64\n"


def _run(argv: Sequence[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Seconds of wall clock for one run, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), capture_output=True, text=True, cwd=REPO, check=False)
    return time.perf_counter() - start, done


def _verify_argv(kind: str, directory: Path) -> list[str]:
    if kind == "q35":
        preset = directory / "relaxed.toml"
        preset.write_text(PRESET)
        return [sys.executable, "-m", "hvtui", "verify", str(preset)]
    cmdline = directory / "vm.cmd"
    cmdline.write_text(CMDLINE)
    return [sys.executable, "-m", "hvtui", "verify", "--cmdline", str(cmdline)]


def _qemu_argv(verify: list[str]) -> list[str]:
    """The QEMU command ``hvtui verify`` runs, from its ``--json`` answer."""
    _, done = _run([*verify, "--json"])
    try:
        command: list[str] = json.loads(done.stdout)["command"]
    except (ValueError, KeyError, TypeError):
        raise SystemExit(
            f"bench_verify: hvtui verify --json gave no command: {done.stderr}"
        ) from None
    return command


def main(argv: Sequence[str] | None = None) -> int:
    """Print the medians and ratios; exit 0 whatever the result (it is a benchmark)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of every command (5)")
    args = parser.parse_args(argv)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not shutil.which("qemu-system-x86_64"):
        print("bench_verify: needs read-write /dev/kvm and qemu-system-x86_64", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="hvtui-bench-verify-") as tmp:
        for kind in ("q35", "i440fx"):
            verify = _verify_argv(kind, Path(tmp))
            qemu = _qemu_argv(verify)
            ours: list[float] = []
            alone: list[float] = []
            for _ in range(args.runs):
                ours.append(_run(verify)[0])
                alone.append(_run(qemu)[0])
            rows.append((kind, statistics.median(ours), statistics.median(alone)))
    load_after = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {args.runs} rounds; load average "
        f"{' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} after"
    )
    print(f"{'':28}{'hvtui verify':>14}{'QEMU alone':>14}{'ratio':>9}")
    for kind, ours_s, alone_s in rows:
        print(f"{kind:28}{ours_s:>12.2f} s{alone_s:>12.2f} s{ours_s / alone_s:>8.2f}x")
    worst = max(ours_s for _, ours_s, _ in rows)
    verdict = "met" if worst < TARGET_S else "NOT met"
    print(f"target < {TARGET_S:.0f} s for every machine: {verdict} (slowest median {worst:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
