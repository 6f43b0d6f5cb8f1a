"""Benchmark: the wizard's first frame beside a one-widget Textual app, step switches, memory.

Targets from issue #13, on a 2-core machine: the first frame in a real
terminal at most 1.2 times that of a one-widget Textual app started the same
way (Textual's floor, ~250 ms here), switching a step at most 25 ms, peak
resident memory at most 150 MB.

- **First frame (real terminal).**  tmux starts ``hvtui --demo intel-tigerlake`` (the
  console script beside this Python, as ``scripts/hvtui`` and an installed hvtui start it:
  the Python runs a script file, as for the other app; ``--module`` starts ``python -m
  hvtui`` instead, which also loads :mod:`runpy`, ~4 ms), and in turn
  ``python ONE_WIDGET.py``: an ``App`` whose only
  widget is a ``Static`` with one line of text, run by the same Python with the
  same environment.  The clock runs from just before tmux is asked to spawn the
  process until ``capture-pane`` shows the text (polled every few milliseconds,
  so both figures overstate alike).  The two run as pairs, back to back, the
  one started first alternating from pair to pair, so background load (other
  work on a 2-core machine) hits both alike; the verdict is the median of the
  pairs' ratios (``--runs`` pairs, 15 by default), which a few disturbed pairs
  do not move, with the ratio of the two medians beside it.  Each app's CPU
  time until its first frame (``HVTUI_STARTUP_LOG``: what a busy machine
  inflates least; the process's own and its ended children's, which for hvtui
  is the detection it runs in a child beside Textual's import) is compared
  alike: the wall-time ratio shows what running that child on another core
  saves, the CPU ratio all the work done.  Every process started is waited for (or
  killed) before the next starts.
- **Step switch (real terminal).**  In ``--walks`` more runs (3 by default), ``n`` is sent for
  every step as soon as the first frame is there (the wizard is still preparing
  the step panes then) and the clock runs until the new step's title is on
  screen; then ``escape`` (Review keeps ``n`` and ``p`` for its findings) and
  ``p`` back through every step: revisits.
- **Step switch (in process).**  Once the wizard has prepared the step panes
  (``panes_prepared``: about a second after the first frame, less than anyone
  takes to read it), ``n`` is posted for every step (first visits), then
  ``escape`` and ``p`` back through every step (revisits).  A switch's cost is
  the process's CPU time from posting the key until the end of a window in
  which it is handled and drawn (``SETTLE_S``), less that of a key bound to
  nothing: no polling, no terminal, and none of Pilot's waits, which with a
  few hundred widgets cost more than the switch.  The target applies to both.
- **Peak memory.**  ``VmHWM`` of the process after it walked every step.

Bytecode: when the environment disables writing it (``PYTHONDONTWRITEBYTECODE``),
every run would recompile hvtui (Textual's site-packages come compiled), which
measures the compiler; so the children get a private ``PYTHONPYCACHEPREFIX`` and
one warm-up run each.  ``--as-is`` keeps the environment untouched.

Usage::

    .venv/bin/python benchmarks/bench_tui.py            # 15 first-frame pairs, 3 walks
    .venv/bin/python benchmarks/bench_tui.py --runs 25 --check   # exit 1 over a target
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from tui.support import DEMO, demo_sysroot  # noqa: E402

from hvtui import catalog  # noqa: E402
from hvtui.tui.steps import Step, all_steps  # noqa: E402

FIRST_FRAME_RATIO_TARGET = 1.2
SWITCH_TARGET_MS = 25.0
PEAK_TARGET_MB = 150.0
WIDTH, HEIGHT = 120, 36
#: Seconds the in-process measure gives each key to be handled and drawn (a switch takes
#: well under this; what is left of the window, the app spends idle).
SETTLE_S = 0.25
MARKER = f"Facts of the demo host {DEMO}"
#: How the wizard is started: its console script beside this Python (``--module``: ``-m``).
WIZARD_COMMAND = [str(Path(sys.executable).with_name("hvtui"))]

#: The comparison: Textual's floor, one widget showing one line, run as a script.
ONE_WIDGET_MARKER = "one widget, nothing else"
ONE_WIDGET_APP = f"""\
import os
import time

from textual.app import App, ComposeResult
from textual.widgets import Static


class OneWidget(App[None]):
    def compose(self) -> ComposeResult:
        yield Static({ONE_WIDGET_MARKER!r})

    def on_ready(self) -> None:
        with open(os.environ["HVTUI_STARTUP_LOG"], "a", encoding="utf-8") as log:
            log.write(f"- {{time.process_time() * 1000:.1f}}\\n")


OneWidget().run()
"""


@dataclass
class TerminalRun:
    """One tmux run: first frame, every step switch, peak memory."""

    first_frame_ms: float
    in_app_ms: float | None = None
    cpu_ms: float | None = None
    """CPU time of the process and its ended children until its first frame
    (``HVTUI_STARTUP_LOG``)."""
    switches_ms: list[float] = field(default_factory=list)
    revisits_ms: list[float] = field(default_factory=list)
    peak_mb: float | None = None


def _tmux(socket: str, *args: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=True)
    return done.stdout


def _wait(socket: str, needle: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in _tmux(socket, "capture-pane", "-p", "-t", "b"):
            return
        time.sleep(0.003)
    raise SystemExit(f"timed out waiting for {needle!r} on screen")


def _marker(step: str) -> str:
    """Text that is on screen only once ``step``'s pane is drawn."""
    if step == Step.HOST:
        return MARKER
    if step == Step.START:
        return "Current draft:"
    if step == Step.REVIEW:
        return "Findings:"
    entry = catalog.get(step)
    return f"{entry.qemu_property}  {entry.group.value}"


def _peak_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _spawn(socket: str, argv: list[str], env: dict[str, str], marker: str) -> float:
    """Start ``argv`` in a new tmux session with ``env``; milliseconds until ``marker``
    is on screen."""
    settings = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    command = f"exec env {settings} {shlex.join(argv)}"
    start = time.perf_counter()
    _tmux(
        socket, "-f", "/dev/null", "new-session", "-d", "-s", "b",
        "-x", str(WIDTH), "-y", str(HEIGHT), "sh", "-c", command,
    )  # fmt: skip
    _wait(socket, marker)
    return (time.perf_counter() - start) * 1000


def _startup_log(log: Path) -> tuple[float | None, float | None]:
    """What the app wrote to ``HVTUI_STARTUP_LOG``: ms from import to first frame (``-``:
    not measured) and the CPU ms of the process until then."""
    try:
        words = log.read_text(encoding="utf-8").split()
    except OSError:
        return None, None
    wall = float(words[0]) if words and words[0] != "-" else None
    return wall, (float(words[1]) if len(words) > 1 else None)  # older trees: no CPU


def _wait_for_file(path: Path, timeout: float = 10.0) -> None:
    """Until the app has written ``path`` (its log, just after the frame tmux saw)."""
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.003)


def _pane_pid(socket: str) -> int:
    """The process tmux started (``sh -c 'exec env ... python'``: the app itself)."""
    return int(_tmux(socket, "display-message", "-p", "-t", "b", "#{pane_pid}").strip())


def _alive(pid: int) -> bool:
    """The process is still running (a zombie that tmux has not reaped yet has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _end(socket: str, pid: int | None, quit_key: str, timeout: float = 5.0) -> None:
    """Quit the app with ``quit_key`` and wait for its process to end, then close the tmux
    server; a process still there after ``timeout`` is killed.  (Closing the server
    first, under a running app, hangs up its terminal: an app that outlived that would
    keep a core busy for the runs after it.)"""
    try:
        if pid is not None:
            _tmux(socket, "send-keys", "-t", "b", quit_key)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.01)
    except subprocess.CalledProcessError:
        pass  # the session has ended with the app
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
    if pid is not None and _alive(pid):
        print(f"bench_tui: pid {pid} outlived its terminal; killed", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)


def one_widget_run(script: Path, scratch: Path, env: dict[str, str], index: int) -> TerminalRun:
    """The one-widget app's first frame in tmux."""
    socket = f"hvtui-bench-{os.getpid()}-one-{index}"
    log = scratch / f"one-widget-{index}.log"
    env = {**env, "HVTUI_STARTUP_LOG": str(log)}
    pid = None
    try:
        first = _spawn(socket, [sys.executable, str(script)], env, ONE_WIDGET_MARKER)
        pid = _pane_pid(socket)
        _wait_for_file(log)
    finally:
        _end(socket, pid, "C-q")  # Textual's quit key
    return TerminalRun(first, cpu_ms=_startup_log(log)[1])


def terminal_run(scratch: Path, env: dict[str, str], index: str, walk: bool = True) -> TerminalRun:
    """Start the wizard in tmux, walk every step (unless not ``walk``), read the peak, quit."""
    socket = f"hvtui-bench-{os.getpid()}-{index}"
    log = scratch / f"startup-{index}.log"
    env = {**env, "HVTUI_STARTUP_LOG": str(log), "XDG_CONFIG_HOME": str(scratch)}
    pid = None
    try:
        first = _spawn(socket, [*WIZARD_COMMAND, "--demo", DEMO], env, MARKER)
        pid = _pane_pid(socket)
        _wait_for_file(log)
        steps = all_steps()
        switches = [_switch(socket, "n", step) for step in steps[1:]] if walk else []
        revisits = []
        if walk:
            _tmux(socket, "send-keys", "-t", "b", "Escape")  # Review's list keeps n and p
            time.sleep(0.5)  # a key right after escape would be read as alt+key
            revisits = [_switch(socket, "p", step) for step in reversed(steps[:-1])]
        peak = _peak_mb(pid)
    finally:
        _end(socket, pid, "q")  # nothing was changed: q quits without asking
    in_app, cpu = _startup_log(log)
    return TerminalRun(first, in_app, cpu, switches, revisits, peak)


def first_frame_pair(
    script: Path, scratch: Path, env: dict[str, str], index: int
) -> tuple[TerminalRun, TerminalRun]:
    """The one-widget app's first frame and the wizard's, back to back (which goes first
    alternates with ``index``, so neither always follows the other's exit): ``(one, hvtui)``."""
    if index % 2:
        hv = terminal_run(scratch, env, f"pair-{index}", walk=False)
        return one_widget_run(script, scratch, env, index), hv
    one = one_widget_run(script, scratch, env, index)
    return one, terminal_run(scratch, env, f"pair-{index}", walk=False)


def _switch(socket: str, key: str, step: str) -> float:
    """Milliseconds from sending ``key`` until ``step``'s pane is on screen."""
    begin = time.perf_counter()
    _tmux(socket, "send-keys", "-t", "b", key)
    _wait(socket, _marker(step))
    return (time.perf_counter() - begin) * 1000


def child_env(scratch: Path, as_is: bool) -> dict[str, str]:
    """What both children get beyond tmux's environment: the same ``PATH`` and a bytecode
    cache of their own (``as_is``: the caller's bytecode settings instead)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if as_is:
        for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env
    env["PYTHONDONTWRITEBYTECODE"] = ""
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


async def _pilot_switches(sysroot: Path) -> tuple[list[float], list[float], list[float]]:
    """CPU ms per step switch forward (first visits), back (revisits) and per no-op key,
    over every step, in process, once the panes are prepared."""
    from textual import events

    from hvtui.tui import pause_gc_for_startup
    from hvtui.tui.app import HvtuiApp

    pause_gc_for_startup()  # as run_app does; the app resumes it after its first frame
    app = HvtuiApp(sysroot=sysroot, probe=False, tuned_gc=True, demo=DEMO)
    switch_cpu: list[float] = []
    revisit_cpu: list[float] = []
    idle_cpu: list[float] = []

    async def cpu_of(key: str, character: str | None) -> float:
        """The key as the terminal driver posts it, then the app's CPU time over a window
        in which it finishes the switch and goes idle (Pilot's own waits are not in it)."""
        before = time.process_time()
        app.post_message(events.Key(key, character))
        await asyncio.sleep(SETTLE_S)
        return (time.process_time() - before) * 1000

    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        while not getattr(app.wizard, "panes_prepared", True):  # a second of reading
            await pilot.pause(0.05)
        await pilot.pause()
        for key, cpu in (("n", switch_cpu), ("p", revisit_cpu)):
            if key == "p":
                await pilot.press("escape")  # Review's list keeps n and p for its findings
                await pilot.pause()
            for _ in all_steps()[1:]:
                idle_cpu.append(await cpu_of("f12", None))
                cpu.append(await cpu_of(key, key))
    return switch_cpu, revisit_cpu, idle_cpu


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    median = statistics.median(values)
    return f"median {median:6.1f} ms, p90 {p90:6.1f} ms, max {max(values):6.1f} ms"


def _ratios(pairs: list[tuple[TerminalRun, TerminalRun]], name: str) -> list[float]:
    """Each pair's ``name`` (``first_frame_ms``, ``cpu_ms``): the second run's over the
    first's (pairs missing it are left out)."""
    ratios = []
    for first, second in pairs:
        below, above = getattr(first, name), getattr(second, name)
        if below and above is not None:
            ratios.append(above / below)
    return ratios


def _paired(pairs: list[tuple[TerminalRun, TerminalRun]], name: str) -> float | None:
    """The median of the pairs' ratios (``None``: none measured)."""
    ratios = _ratios(pairs, name)
    return statistics.median(ratios) if ratios else None


def _spread(pairs: list[tuple[TerminalRun, TerminalRun]], name: str) -> str:
    """The middle half of the pairs' ratios: how much one run says."""
    ratios = sorted(_ratios(pairs, name))
    if len(ratios) < 4:
        return "too few pairs for a spread"
    low, _median, high = statistics.quantiles(ratios, n=4)
    return f"middle half {low:.2f}-{high:.2f}x"


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def main(argv: list[str] | None = None) -> int:
    """Run everything and print a summary; ``--check`` exits 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=15,
        help="first-frame pairs: the one-widget app and the wizard (after one warm-up)",
    )
    parser.add_argument(
        "--walks", type=int, default=3, help="terminal runs that walk every step (1 or more)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--as-is", action="store_true", help="do not give the children a bytecode cache"
    )
    parser.add_argument(
        "--module",
        action="store_true",
        help="start the wizard as 'python -m hvtui' instead of its console script",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        type=Path,
        help="also time the first frame of the hvtui in this tree (an older checkout), "
        "interleaved in the same run",
    )
    args = parser.parse_args(argv)
    if args.module:
        WIZARD_COMMAND[:] = [sys.executable, "-m", "hvtui"]
    elif not Path(WIZARD_COMMAND[0]).is_file():
        print(f"bench_tui: no console script {WIZARD_COMMAND[0]}; try --module", file=sys.stderr)
        return 2
    if shutil.which("tmux") is None:
        print("bench_tui: tmux is needed (Debian package tmux)", file=sys.stderr)
        return 2
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, textual {version('textual')}, "
        f"{len(catalog.ENTRIES)} options; load average {load}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        script = scratch / "one_widget.py"
        script.write_text(ONE_WIDGET_APP, encoding="utf-8")
        env = child_env(scratch, args.as_is)
        base_env = {**env, "PYTHONPATH": str(args.baseline)} if args.baseline else None
        one_widget_run(script, scratch, env, -1)  # warm-up: bytecode and page cache
        terminal_run(scratch, env, "warm")
        if base_env is not None:
            terminal_run(scratch, base_env, "base-warm", walk=False)
        pairs: list[tuple[TerminalRun, TerminalRun]] = []
        base: list[tuple[TerminalRun, TerminalRun]] = []
        for index in range(args.runs):  # pairs: background load hits both alike
            pairs.append(first_frame_pair(script, scratch, env, index))
            if base_env is not None:
                then = terminal_run(scratch, base_env, f"base-{index}", walk=False)
                base.append((pairs[-1][0], then))
        walks = [terminal_run(scratch, env, f"walk-{index}") for index in range(max(1, args.walks))]
        switch_cpu, revisit_cpu, idle_cpu = asyncio.run(_pilot_switches(demo_sysroot()))

    runs = [hv for _one, hv in pairs]
    floor = [one for one, _hv in pairs]
    first = statistics.median(r.first_frame_ms for r in runs)
    one = statistics.median(r.first_frame_ms for r in floor)
    ratio = _paired(pairs, "first_frame_ms")
    assert ratio is not None
    in_app = [r.in_app_ms for r in runs if r.in_app_ms is not None]
    tmux_switches = [s for r in walks for s in r.switches_ms]
    tmux_revisits = [s for r in walks for s in r.revisits_ms]
    idle = statistics.median(idle_cpu)
    net_cpu = [max(0.0, s - idle) for s in switch_cpu]
    net_revisit = [max(0.0, s - idle) for s in revisit_cpu]
    peaks = [r.peak_mb for r in walks if r.peak_mb is not None]
    switch = max(statistics.median(net_cpu), statistics.median(net_revisit))
    peak = max(peaks) if peaks else float("nan")

    print(f"first frame (tmux, spawn to text)  median {first:6.1f} ms over {len(runs)} runs")
    if in_app:
        print(f"  of which import to first frame   median {statistics.median(in_app):6.1f} ms")
    print(f"one-widget Textual app, same way   median {one:6.1f} ms over {len(floor)} runs")
    print(
        f"first frame / one-widget app       {ratio:6.2f}x  "
        f"[{_verdict(ratio, FIRST_FRAME_RATIO_TARGET)}: target {FIRST_FRAME_RATIO_TARGET}x]"
        f"  (median of {len(pairs)} pairs' ratios; {_spread(pairs, 'first_frame_ms')}; "
        f"ratio of the medians {first / one:.2f}x)"
    )
    cpu_ratio = _paired(pairs, "cpu_ms")
    if cpu_ratio is not None:  # CPU time: what a busy machine inflates least
        cpu = statistics.median(r.cpu_ms for r in runs if r.cpu_ms is not None)
        one_cpu = statistics.median(r.cpu_ms for r in floor if r.cpu_ms is not None)
        print(
            f"CPU to first frame: hvtui {cpu:6.1f} ms, one-widget app {one_cpu:6.1f} ms: "
            f"{cpu_ratio:.2f}x  (median of the pairs' ratios; {_spread(pairs, 'cpu_ms')})"
        )
    if base:
        base_first = statistics.median(r.first_frame_ms for _one, r in base)
        then_cpu = _paired(base, "cpu_ms")
        cpu_note = f", CPU {then_cpu:.2f}x" if then_cpu is not None else ""
        print(
            f"baseline {args.baseline}: first frame median {base_first:6.1f} ms, "
            f"{_paired(base, 'first_frame_ms'):.2f}x the one-widget app{cpu_note}"
        )
    print(f"step switch (tmux, key to text)    {_ms(tmux_switches)}  (right after the first frame)")
    print(f"  back (tmux, revisits)            {_ms(tmux_revisits)}")
    print(
        f"step switch (in process, CPU)      {_ms(net_cpu)}"
        f"  [{_verdict(statistics.median(net_cpu), SWITCH_TARGET_MS)}: "
        f"target {SWITCH_TARGET_MS:.0f}]"
    )
    print(
        f"  back (in process, revisits)      {_ms(net_revisit)}"
        f"  [{_verdict(statistics.median(net_revisit), SWITCH_TARGET_MS)}: "
        f"target {SWITCH_TARGET_MS:.0f}]"
    )
    print(f"  a key bound to nothing (taken off both)  median {idle:6.1f} ms")
    from switch_floor import floor_ms  # Textual's floor: the wizard's screen, plain widgets

    plain_visit, plain_revisit = floor_ms(WIDTH, HEIGHT, SETTLE_S)
    print(
        f"  plain Textual, same screen (floor)  first visit {plain_visit:6.1f} ms, "
        f"revisit {plain_revisit:6.1f} ms (benchmarks/switch_floor.py)"
    )
    print(
        f"peak resident memory               {peak:6.1f} MB after walking every step"
        f"  [{_verdict(peak, PEAK_TARGET_MB)}: target {PEAK_TARGET_MB:.0f}]"
    )
    missed = ratio > FIRST_FRAME_RATIO_TARGET or switch > SWITCH_TARGET_MS or peak > PEAK_TARGET_MB
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
