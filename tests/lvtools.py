"""A real libvirtd for tests: the connection, and throw-away domains.

Everything here talks to the libvirtd that ``.ci/run`` (or the developer) started,
at ``qemu:///system``, never to a mock.  When it cannot be reached the test is
skipped with the reason, except under ``CI=true``, where that is a failure.
Domains are called ``hvtui-test-<random>``, only defined (never started), and
undefined when the test ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from hvtui.libvirt import BindingError, Connection, LibvirtError

URI = "qemu:///system"
PREFIX = "hvtui-test-"
#: A graphics password: defining the merged domain must not lose it.
PASSWORD = "s3cr3tpw"


def in_ci() -> bool:
    """True under CI, where an unreachable libvirtd is an error, not a skip."""
    return os.environ.get("CI", "").lower() == "true"


def open_libvirt() -> Connection:
    """A connection to the real libvirtd; skip (fail under CI) when there is none."""
    try:
        return Connection(URI)
    except (BindingError, LibvirtError) as exc:
        message = f"libvirtd at {URI} is not usable: {exc}"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires it (.ci/run starts libvirtd)")
        pytest.skip(message)


def domain_xml(name: str, *, extra_features: str = "", cpu: str = "host-passthrough") -> str:
    """A KVM domain that only needs defining: no disks, a VNC password, no Hyper-V."""
    return (
        f"<domain type='kvm'>\n  <name>{name}</name>\n"
        "  <memory unit='MiB'>256</memory>\n  <vcpu>2</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        f"  <features><acpi/>{extra_features}</features>\n"
        f"  <cpu mode='{cpu}'/>\n"
        "  <clock offset='localtime'/>\n"
        f"  <devices><graphics type='vnc' passwd='{PASSWORD}'/></devices>\n"
        "</domain>\n"
    )


@contextmanager
def throwaway_domain(conn: Connection, xml_for_name: object = domain_xml) -> Iterator[str]:
    """Define a fresh ``hvtui-test-*`` domain; undefine it afterwards, whatever happened."""
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    assert callable(xml_for_name)
    conn.define(xml_for_name(name))
    try:
        yield name
    finally:
        conn.undefine(name)


def secure_xml(conn: Connection, name: str) -> str:
    """The persistent definition with its secrets, as libvirt stores it."""
    return conn.domain(name).xml(inactive=True, secure=True)
