"""Benchmark: ``hvtui detect --json`` against py-cpuinfo's ``get_cpu_info()``.

Runs both as fresh processes, alternately (so background noise hits both
alike), several times, and prints both medians and their ratio.  Targets from
issue #13: hvtui's median at most 60 ms on a 2-core machine and at least 15
times faster than py-cpuinfo.  hvtui runs as users run it, through the ``hvtui``
console script beside this Python (``python -m hvtui`` when there is none), with
its ``--version`` cache warm (the second run on a host and every one after it).

Two figures per command: wall-clock time (what a user waits) and CPU time
(user + system of the process and its children, from ``wait4``).  On a machine
other people are using, wall time grows with their load while CPU time mostly
does not, so the CPU figures and their ratio are the ones to compare across runs;
the load average (before and after) and the time of a fixed Python loop are
printed to say how busy the machine was.

Bytecode: an installed hvtui has compiled ``.pyc`` files.  When the environment
disables writing them (``PYTHONDONTWRITEBYTECODE``), every run would recompile
hvtui from source, which measures the compiler rather than detection; so by
default the children get a private ``PYTHONPYCACHEPREFIX`` in a temporary
directory and one warm-up run each.  ``--as-is`` keeps the environment untouched.

``--baseline DIR`` also times the hvtui package found in the source tree ``DIR``
(``git archive REV hvtui | tar -x -C DIR``), started the same way and interleaved
with the others, to print before and after in one run.

Usage::

    .venv/bin/python benchmarks/bench_detect.py            # 11 rounds
    .venv/bin/python benchmarks/bench_detect.py --runs 15 --as-is
    .venv/bin/python benchmarks/bench_detect.py --baseline /tmp/hvtui-before
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
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
HVTUI_TARGET_MS = 60.0
RATIO_TARGET = 15.0


class Timing(NamedTuple):
    """One run: wall-clock and CPU milliseconds."""

    wall: float
    cpu: float


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


def _time_once(argv: Sequence[str], env: dict[str, str]) -> Timing:
    """Wall-clock and CPU milliseconds of one run; fails loudly if the command fails."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=REPO
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter() - start) * 1000.0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {message}")
    return Timing(wall, (usage.ru_utime + usage.ru_stime) * 1000.0)


class Command(NamedTuple):
    """A command the benchmark runs, with its label and environment."""

    label: str
    argv: list[str]
    env: dict[str, str]


def commands(env: dict[str, str], baseline: Path | None) -> list[Command]:
    """hvtui detect, py-cpuinfo, the CLI floor and (with ``baseline``) the old hvtui."""
    hvtui = hvtui_command()
    chosen = [
        Command("hvtui detect --json", [*hvtui, "detect", "--json"], env),
        Command(
            "py-cpuinfo get_cpu_info",
            [sys.executable, "-c", "import cpuinfo; cpuinfo.get_cpu_info()"],
            env,
        ),
        Command("hvtui --version (floor)", [*hvtui, "--version"], env),
    ]
    if baseline is not None:
        path = os.pathsep.join(p for p in (str(baseline), env.get("PYTHONPATH", "")) if p)
        chosen.append(
            Command(
                "baseline detect --json", [*hvtui, "detect", "--json"], {**env, "PYTHONPATH": path}
            )
        )
    return chosen


def run_benchmark(runs: int, as_is: bool, baseline: Path | None = None) -> dict[str, list[Timing]]:
    """Alternate the commands ``runs`` times; returns each one's timings by label.

    The floor, ``hvtui --version``, is what any hvtui command pays before doing
    anything (interpreter and CLI start-up); detection's own cost is the difference.
    """
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="hvtui-bench-pyc-") as cache:
        if not as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
        chosen = commands(env, baseline)
        if not as_is:
            for command in chosen:  # warm-up: compiles and caches bytecode
                _time_once(command.argv, command.env)
        timings: dict[str, list[Timing]] = {c.label: [] for c in chosen}
        for _ in range(runs):
            for command in chosen:
                timings[command.label].append(_time_once(command.argv, command.env))
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    """Print the medians and the ratios; exit 0 whatever the result (it is a benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="rounds of every command (11)")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="do not give the children a bytecode cache (measures cold compiles too)",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        type=Path,
        help="also time the hvtui package in the source tree DIR, interleaved",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.baseline is not None and not (args.baseline / "hvtui" / "__init__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no hvtui package there")
    load_before = _load()
    timings = run_benchmark(args.runs, args.as_is, args.baseline)
    print(
        f"machine: {os.cpu_count() or 0} CPUs, Python {sys.version.split()[0]}, "
        f"{args.runs} rounds; load average {load_before} before, {_load()} after; "
        f"1M-addition loop {cpu_speed_ms():.0f} ms"
    )
    print(f"{'':26} {'wall median':>12} {'CPU median':>11}   wall runs (ms)")
    for label, runs in timings.items():
        wall = statistics.median(t.wall for t in runs)
        cpu = statistics.median(t.cpu for t in runs)
        print(f"{label:26} {wall:9.1f} ms {cpu:8.1f} ms   {_fmt(runs)}")
    hv, ci = timings["hvtui detect --json"], timings["py-cpuinfo get_cpu_info"]
    floor = timings["hvtui --version (floor)"]
    hv_wall, ci_wall = _median(hv, "wall"), _median(ci, "wall")
    ratio = ci_wall / hv_wall if hv_wall > 0 else float("inf")
    cpu_ratio = _median(ci, "cpu") / max(_median(hv, "cpu"), 1e-9)
    print(
        f"ratio (py-cpuinfo / hvtui): {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU; "
        f"detection above the CLI floor: {hv_wall - _median(floor, 'wall'):.1f} ms wall"
    )
    if "baseline detect --json" in timings:
        old = timings["baseline detect --json"]
        print(
            f"baseline -> now: {_median(old, 'wall'):.1f} -> {hv_wall:.1f} ms wall, "
            f"{_median(old, 'cpu'):.1f} -> {_median(hv, 'cpu'):.1f} ms CPU"
        )
    verdict_speed = "met" if hv_wall <= HVTUI_TARGET_MS else "NOT met"
    verdict_ratio = "met" if ratio >= RATIO_TARGET else "NOT met"
    print(
        f"target <= {HVTUI_TARGET_MS:.0f} ms: {verdict_speed}; target >= {RATIO_TARGET:.0f}x: "
        f"{verdict_ratio} (wall-clock medians)"
    )
    return 0


def _median(runs: Sequence[Timing], field: str) -> float:
    return statistics.median(t.wall if field == "wall" else t.cpu for t in runs)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _fmt(times: Sequence[Timing]) -> str:
    return " ".join(f"{t.wall:.0f}" for t in times)


if __name__ == "__main__":
    sys.exit(main())
