"""How the wizard starts: detection beside the import of Textual.

``_build_app`` starts detection (:mod:`hvtui.tui.early_detection`) before importing
Textual and collects the host after: in a forked child process, which sends the host
back pickled, so that it runs on another core; in a thread where ``fork`` is refused
or ``HVTUI_DEBUG`` wants a detection bug raised on the main thread with its own
frames.  A child that fails costs only time (the host is detected again in the
wizard's process), and none is left behind.  (``test_first_frame`` holds detection's
own modules, and the thread pool's, off the wizard's process at the first frame.)
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hvtui import forked as forked_module
from hvtui import tui
from hvtui.tui import early_detection, services
from tui.support import DEMO, demo_sysroot


@pytest.fixture(autouse=True)
def no_child_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every child detection forked was reaped by the end of the test (no zombie, none
    still running); other tests' processes are not this one's business."""
    forked: list[int] = []
    fork_child = forked_module.fork_child

    def recording(produce: Callable[[], bytes]) -> tuple[int, int] | None:
        child = fork_child(produce)
        if child is not None:
            forked.append(child[0])
        return child

    monkeypatch.setattr(early_detection, "fork_child", recording)
    yield forked
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def detected_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make detection say which process it ran in (the pid is the host's ``error``: a
    child's memory is its own, so the answer has to travel back in the host)."""
    real = services.detect_host

    def detecting(sysroot: Path | None) -> services.Host:
        host = real(demo_sysroot())
        return services.Host(host.source, host.report, host.view, error=str(os.getpid()))

    monkeypatch.setattr(services, "detect_host", detecting)


def test_the_host_is_detected_in_a_child_and_arrives_whole(
    monkeypatch: pytest.MonkeyPatch, no_child_left: list[int]
) -> None:
    detected_in(monkeypatch)
    app = tui._build_app(demo_sysroot(), DEMO)
    assert len(no_child_left) == 1, "one child forked (and reaped: the fixture checks)"
    assert app.host.error is not None and int(app.host.error) != os.getpid(), "in a child"
    here = services.detect_host(demo_sysroot())
    assert app.host.source == f"demo:{DEMO}"
    assert app.host.report is not None and here.report is not None
    assert app.host.report.to_json() == here.report.to_json()
    assert app.host.view == here.view
    assert app.demo == DEMO and app.tuned_gc


def test_without_fork_a_thread_detects(monkeypatch: pytest.MonkeyPatch) -> None:
    detected_in(monkeypatch)
    threads: list[str] = []
    real = services.detect_host

    def detecting(sysroot: Path | None) -> services.Host:
        threads.append(threading.current_thread().name)
        return real(sysroot)

    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(services, "detect_host", detecting)
    monkeypatch.setattr(os, "fork", refused)
    app = tui._build_app(demo_sysroot(), DEMO)
    assert threads == ["hvtui-detect"], "detection ran once, on its thread"
    assert app.host.error == str(os.getpid())


def test_on_one_cpu_a_thread_detects(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child on the only CPU would take turns with the import: a thread does as well."""
    detected_in(monkeypatch)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    app = tui._build_app(demo_sysroot(), DEMO)
    assert app.host.error == str(os.getpid()), "detected in the wizard's process"


def test_a_child_that_dies_costs_only_time(monkeypatch: pytest.MonkeyPatch) -> None:
    detected_in(monkeypatch)
    wizard = os.getpid()
    real = services.detect_host

    def dying(sysroot: Path | None) -> services.Host:
        if os.getpid() != wizard:
            os._exit(3)  # the child ends before it writes anything
        return real(sysroot)

    monkeypatch.setattr(services, "detect_host", dying)
    app = tui._build_app(demo_sysroot(), DEMO)
    assert app.host.error == str(wizard), "detected again in the wizard's process"
    assert app.host.report is not None


def test_a_host_that_does_not_load_is_detected_again(monkeypatch: pytest.MonkeyPatch) -> None:
    detected_in(monkeypatch)
    monkeypatch.setattr(pickle, "loads", lambda data: 1 / 0)
    app = tui._build_app(demo_sysroot(), DEMO)
    assert app.host.error == str(os.getpid())


def test_a_detection_bug_is_raised_on_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(sysroot: Path | None) -> services.Host:
        raise RuntimeError("simulated detection bug")  # what HVTUI_DEBUG lets through

    monkeypatch.setenv("HVTUI_DEBUG", "1")
    monkeypatch.setattr(services, "detect_host", broken)
    with pytest.raises(RuntimeError, match="simulated detection bug"):
        tui._build_app(demo_sysroot(), DEMO)
    assert not [t for t in threading.enumerate() if t.name == "hvtui-detect"], "it was waited for"


def test_an_interrupted_start_ends_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while Textual is imported: the child is killed and reaped, not waited for."""
    wizard = os.getpid()

    def slow(sysroot: Path | None) -> services.Host:
        if os.getpid() != wizard:
            threading.Event().wait(60)  # a detection that would take a minute
        raise AssertionError("not reached in the wizard's process")

    monkeypatch.setattr(services, "detect_host", slow)
    started = early_detection.EarlyDetection.start(demo_sysroot())
    assert started.child is not None
    began = time.monotonic()
    started.abandon()
    assert started.child is None and time.monotonic() - began < 10, "killed, not waited for"
