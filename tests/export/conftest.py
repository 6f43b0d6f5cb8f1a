"""Fixtures of the export tests (the stack tests take ``embedded`` too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from export.tools import VIRT_INSTALL, EmbeddedQemuDriver, require
from hvtui.export import probe_features


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedQemuDriver]:
    """libvirt's real QEMU driver, one per test session (per xdist worker): its first
    use probes QEMU's capabilities (~0.3 s of CPU), which later uses read from its cache."""
    driver = EmbeddedQemuDriver()
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def known_features() -> frozenset[str] | None:
    """The ``--features`` this host's virt-install knows (it must be installed); asked
    once per session (``virt-install --features=?`` costs ~0.3 s of CPU)."""
    require(VIRT_INSTALL, "virtinst")
    return probe_features()
