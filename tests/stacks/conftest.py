"""The export tests' ``embedded`` fixture (libvirt's real QEMU driver), for virt-xml."""

from __future__ import annotations

from export.conftest import embedded as embedded
