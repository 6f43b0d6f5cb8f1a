"""Shared fixtures: an isolated user config directory for every test.

Every test gets its own ``XDG_CONFIG_HOME`` so a developer's real presets can
never leak into (or be written by) the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point XDG_CONFIG_HOME at an empty directory for the test's duration."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    yield home


@pytest.fixture
def user_presets(isolated_config: Path) -> Path:
    """The (created) user preset directory inside the isolated config home."""
    directory = isolated_config / "hvtui" / "presets"
    directory.mkdir(parents=True)
    return directory
