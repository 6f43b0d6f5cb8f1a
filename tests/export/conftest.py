"""Fixtures of the export tests (the stack tests take ``embedded`` too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from export.tools import VIRT_INSTALL, EmbeddedQemuDriver, require
from hvtui.export import probe_features


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedQemuDriver]:
    """libvirt's real QEMU driver, one per test module."""
    driver = EmbeddedQemuDriver()
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def known_features() -> frozenset[str] | None:
    """The ``--features`` this host's virt-install knows (it must be installed)."""
    require(VIRT_INSTALL, "virtinst")
    return probe_features()
