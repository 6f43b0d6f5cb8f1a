"""Fixtures for the wizard tests: the demo host, a deterministic app, no cursor blink."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from hvtui.tui.app import HvtuiApp

from .support import DEMO, demo_sysroot


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
    slow probes, so nothing varies between runs."""

    def factory(**kwargs: Any) -> HvtuiApp:
        kwargs.setdefault("probe", False)
        kwargs.setdefault("demo", DEMO)
        return HvtuiApp(sysroot=sysroot, **kwargs)

    return factory


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A blinking cursor makes screenshots depend on timing: keep it steadily visible."""

    def steady(self: object) -> None:
        return None

    monkeypatch.setattr(Input, "_toggle_cursor", steady)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", steady)
    yield
