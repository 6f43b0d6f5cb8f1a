"""Benchmark: ``hvtui detect --json`` against py-cpuinfo's ``get_cpu_info()``.

Runs both as fresh processes, alternately (so background noise hits both
alike), several times, and prints both medians and their ratio.  Targets from
issue #13: hvtui's median at most 60 ms on a 2-core machine and at least 15
times faster than py-cpuinfo.  hvtui runs as users run it, through the ``hvtui``
console script beside this Python (``python -m hvtui`` when there is none), with
its ``--version`` cache warm (the second run on a host and every one after it).
The load average and the time of a fixed Python loop are printed too: on a busy
machine every figure grows, and they say by how much.

Bytecode: an installed hvtui has compiled ``.pyc`` files.  When the environment
disables writing them (``PYTHONDONTWRITEBYTECODE``), every run would recompile
hvtui from source, which measures the compiler rather than detection; so by
default the children get a private ``PYTHONPYCACHEPREFIX`` in a temporary
directory and one warm-up run each.  ``--as-is`` keeps the environment untouched.

Usage::

    .venv/bin/python benchmarks/bench_detect.py            # 7 rounds
    .venv/bin/python benchmarks/bench_detect.py --runs 15 --as-is
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HVTUI_TARGET_MS = 60.0
RATIO_TARGET = 15.0


def hvtui_command() -> list[str]:
    """``hvtui`` as installed (the console script), else ``python -m hvtui``."""
    script = Path(sys.executable).with_name("hvtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hvtui"]


def cpu_speed_ms() -> float:
    """Milliseconds for a fixed loop of a million additions (about 40 on an idle CPU)."""
    start = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.perf_counter() - start) * 1000.0


def _time_once(argv: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock milliseconds of one run; fails loudly if the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        list(argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
        check=False,
    )
    elapsed = (time.perf_counter() - start) * 1000.0
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}"
        )
    return elapsed


def run_benchmark(runs: int, as_is: bool) -> tuple[list[float], list[float], list[float]]:
    """Alternate the commands ``runs`` times; returns (hvtui, py-cpuinfo, CLI floor) timings.

    The floor, ``hvtui --version``, is what any hvtui command pays before doing
    anything (interpreter and CLI start-up); detection's own cost is the difference.
    """
    hvtui = [*hvtui_command(), "detect", "--json"]
    cpuinfo = [sys.executable, "-c", "import cpuinfo; cpuinfo.get_cpu_info()"]
    floor = [*hvtui_command(), "--version"]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="hvtui-bench-pyc-") as cache:
        if not as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            _time_once(hvtui, env)  # warm-up: compiles and caches bytecode
            _time_once(cpuinfo, env)
        hv_times: list[float] = []
        ci_times: list[float] = []
        floor_times: list[float] = []
        for _ in range(runs):
            hv_times.append(_time_once(hvtui, env))
            ci_times.append(_time_once(cpuinfo, env))
            floor_times.append(_time_once(floor, env))
    return hv_times, ci_times, floor_times


def main(argv: Sequence[str] | None = None) -> int:
    """Print the medians and the ratio; exit 0 whatever the result (it is a benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds of both commands (7)")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="do not give the children a bytecode cache (measures cold compiles too)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    hv_times, ci_times, floor_times = run_benchmark(args.runs, args.as_is)
    hv_median = statistics.median(hv_times)
    ci_median = statistics.median(ci_times)
    ratio = ci_median / hv_median if hv_median > 0 else float("inf")
    cpus = os.cpu_count() or 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {cpus} CPUs, Python {sys.version.split()[0]}, {args.runs} rounds; "
        f"load average {load}; 1M-addition loop {cpu_speed_ms():.0f} ms"
    )
    print(f"hvtui detect --json     median {hv_median:8.1f} ms  (runs: {_fmt(hv_times)})")
    print(f"py-cpuinfo get_cpu_info median {ci_median:8.1f} ms  (runs: {_fmt(ci_times)})")
    floor_median = statistics.median(floor_times)
    print(f"hvtui --version (floor)  median {floor_median:8.1f} ms  (runs: {_fmt(floor_times)})")
    print(
        f"ratio (py-cpuinfo / hvtui): {ratio:.1f}x; detection above the CLI floor: "
        f"{hv_median - floor_median:.1f} ms"
    )
    verdict_speed = "met" if hv_median <= HVTUI_TARGET_MS else "NOT met"
    verdict_ratio = "met" if ratio >= RATIO_TARGET else "NOT met"
    print(
        f"target <= {HVTUI_TARGET_MS:.0f} ms: {verdict_speed}; target >= {RATIO_TARGET:.0f}x: "
        f"{verdict_ratio}"
    )
    return 0


def _fmt(times: Sequence[float]) -> str:
    return " ".join(f"{t:.0f}" for t in times)


if __name__ == "__main__":
    sys.exit(main())
