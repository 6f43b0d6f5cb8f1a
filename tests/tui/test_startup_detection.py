"""How the wizard starts: detection in a thread of its own while Textual is imported.

``_build_app`` runs detection on a plain thread (not a ``ThreadPoolExecutor``,
whose module would load for that alone) during the import, then builds the app
with the host found; a detection bug that ``HVTUI_DEBUG`` lets through is raised on
the main thread as before.  (``test_first_frame`` holds the thread pool's module
off the first frame, with the clipboard rules, judged only when a snippet is exported.)
"""

from __future__ import annotations

import threading

import pytest

from hvtui import tui
from hvtui.tui import services
from tui.support import DEMO, demo_sysroot


def test_the_app_is_built_with_the_host_detected_on_another_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    detect_host = services.detect_host
    threads: list[str] = []

    def detecting(sysroot: object) -> services.Host:
        threads.append(threading.current_thread().name)
        return detect_host(demo_sysroot())

    monkeypatch.setattr(services, "detect_host", detecting)
    app = tui._build_app(demo_sysroot(), DEMO)
    assert threads == ["hvtui-detect"], "detection ran once, not on the main thread"
    assert app.host.source == f"demo:{DEMO}"
    assert app.demo == DEMO and app.tuned_gc


def test_a_detection_bug_is_raised_on_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(sysroot: object) -> services.Host:
        raise RuntimeError("simulated detection bug")  # what HVTUI_DEBUG lets through

    monkeypatch.setattr(services, "detect_host", broken)
    with pytest.raises(RuntimeError, match="simulated detection bug"):
        tui._build_app(demo_sysroot(), DEMO)
    assert not [t for t in threading.enumerate() if t.name == "hvtui-detect"], "it was waited for"
