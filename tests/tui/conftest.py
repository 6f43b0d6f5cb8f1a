"""Fixtures for the wizard tests: the demo host and a deterministic app (no slow probes, no
cursor blink, its notifications kept)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hvtui.tui.app import HvtuiApp

from .support import DEMO, RecordingApp, demo_sysroot


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Pilot is async; no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(scope="session")
def sysroot() -> Path:
    """The shipped demo host's snapshot (read in place: tests never write to it)."""
    return demo_sysroot()


@pytest.fixture
def make_app(sysroot: Path) -> Callable[..., HvtuiApp]:
    """An app on the demo host (named in its title, as ``hvtui --demo`` does) without the
    slow probes, so nothing varies between runs (a :class:`RecordingApp`: steady cursors,
    its notifications kept).  It builds each step pane on its first visit instead of
    preparing every pane after the first frame (``prepare_panes=False``: the same screens,
    up to a second of CPU less per test); ``test_panes.py`` tests the preparation."""

    def factory(**kwargs: Any) -> HvtuiApp:
        kwargs.setdefault("probe", False)
        kwargs.setdefault("demo", DEMO)
        kwargs.setdefault("prepare_panes", False)
        return RecordingApp(sysroot=sysroot, **kwargs)

    return factory
