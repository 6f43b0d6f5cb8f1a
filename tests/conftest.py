"""Shared fixtures: an isolated user config and cache directory for every test.

Every test gets its own ``XDG_CONFIG_HOME`` so a developer's real presets can
never leak into (or be written by) the suite, and its own ``XDG_CACHE_HOME`` so
remembered ``--version`` answers neither leak in nor out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point XDG_CONFIG_HOME (and XDG_CACHE_HOME) at empty directories for the test."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    yield home


@pytest.fixture
def user_presets(isolated_config: Path) -> Path:
    """The (created) user preset directory inside the isolated config home."""
    directory = isolated_config / "hvtui" / "presets"
    directory.mkdir(parents=True)
    return directory
