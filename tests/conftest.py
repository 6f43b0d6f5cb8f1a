"""Shared fixtures: an isolated user config directory for every test, and the
connection to the real libvirtd for the tests that use one; subprocesses cache bytecode;
the longest tests start first.

Every test gets its own ``XDG_CONFIG_HOME`` so a developer's real presets can
never leak into (or be written by) the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hvtui.libvirt import Connection

# The Python processes the tests start (``python -m hvtui``, the tools' scripts) cache
# their bytecode as users' do: with this set, each start compiled hvtui again (~0.13 s).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the tests marked ``long`` first, in their order, then the rest in theirs.

    pytest-xdist (``--dist worksteal``, in pyproject.toml) gives each worker a share of
    the tests in collection order, and a worker that runs dry takes tests from the end
    of the other's queue.  A 30-second walk of the wizard started last would keep the
    run going half a minute after the other worker is done; started first, the long
    ones overlap with everything else.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


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


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    """One connection to the real libvirtd per test module (skipped, or failed under
    CI, when there is none: see :func:`lvtools.open_libvirt`)."""
    from lvtools import open_libvirt

    connection = open_libvirt()
    yield connection
    connection.close()
