"""A bug in libvirt detection never breaks an export, yet ``HVTUI_DEBUG`` shows it.

The same switch as everywhere else (:mod:`hvtui.bugs`): without it the export goes on
with "not detected", with it the bug is raised in full.
"""

from __future__ import annotations

import pytest

from hvtui.detect import versions
from hvtui.export import context


def _bug() -> None:
    raise RuntimeError("simulated bug in detection")


def test_a_detection_bug_means_not_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HVTUI_DEBUG", raising=False)
    monkeypatch.setattr(versions, "libvirt_version", _bug)
    assert context.detected_libvirt() is None


def test_hvtui_debug_lets_the_detection_bug_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HVTUI_DEBUG", "1")
    monkeypatch.setattr(versions, "libvirt_version", _bug)
    with pytest.raises(RuntimeError, match="simulated bug"):
        context.detected_libvirt()
