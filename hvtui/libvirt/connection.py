"""One libvirt connection: domains, their XML, define, capabilities, native arguments.

A thin layer over the binding (:mod:`hvtui.libvirt.binding`): every libvirt error
becomes a :class:`LibvirtError` whose text is one line naming the connection
(and domain), which the CLI prints with exit 2.  Connection URIs are libvirt's
own (``qemu:///system``, ``qemu+ssh://host/system`` ...).  Connections are
opened without an authentication callback, so nothing ever prompts: a URI that
needs credentials fails with libvirt's own message (ssh may still ask on the
terminal, as it does for ``virsh``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from hvtui.libvirt import binding
from hvtui.records import record
from hvtui.textsafe import one_line
from hvtui.versions import Version

#: ``--connect``'s default, as for ``virsh`` run as root.
DEFAULT_URI = "qemu:///system"

T = TypeVar("T")


class LibvirtError(Exception):
    """A connection or domain that cannot be used; ``str()`` is one line for the user."""


def _message(exc: BaseException) -> str:
    """libvirt's own words for an error, on one line."""
    getter = getattr(exc, "get_error_message", None)
    text = getter() if callable(getter) else None
    return one_line(str(text or exc).strip())


def version_of(number: int) -> Version:
    """libvirt's encoded version (``9000000``, ``7002022``) as a :class:`Version`."""
    return Version(number // 1_000_000, number // 1000 % 1000, number % 1000)


@record(frozen=True)
class VcpuPin:
    """Where one vCPU of a running domain may run."""

    index: int
    cpus: frozenset[int]


class Domain:
    """One domain of a connection (looked up by name)."""

    def __init__(self, connection: Connection, handle: Any) -> None:
        self._connection = connection
        self._handle = handle
        self.name: str = handle.name()

    def _call(self, what: str, func: Callable[..., T], *args: Any) -> T:
        return self._connection.call(f"domain {self.name!r}: {what}", func, *args)

    @property
    def uuid(self) -> str:
        """The domain's UUID (the same in every definition of it)."""
        return str(self._call("UUID", self._handle.UUIDString))

    def is_active(self) -> bool:
        """Running (or paused) now."""
        return bool(self._call("state", self._handle.isActive))

    def is_persistent(self) -> bool:
        """Has a persistent definition (a transient domain has only the live one)."""
        return bool(self._call("state", self._handle.isPersistent))

    def xml(self, *, inactive: bool = True, secure: bool = False) -> str:
        """The definition: the persistent (inactive) one by default, else the live one.

        ``secure`` includes secrets (graphics passwords): needed to define a domain
        again without losing them, never for display.
        """
        lv = self._connection.lv
        flags = 0
        if inactive and self.is_persistent():
            flags |= lv.VIR_DOMAIN_XML_INACTIVE
        if secure:
            flags |= lv.VIR_DOMAIN_XML_SECURE
        text: str = self._call("XML", self._handle.XMLDesc, flags)
        return text

    def vcpu_pins(self) -> list[VcpuPin]:
        """Each vCPU's allowed host CPUs while the domain runs (libvirt's vcpuinfo)."""
        _info, maps = self._call("vCPU information", self._handle.vcpus)
        return [
            VcpuPin(index, frozenset(cpu for cpu, ok in enumerate(cpumap) if ok))
            for index, cpumap in enumerate(maps)
        ]


class Connection:
    """An open connection to one libvirt URI; use it as a context manager."""

    def __init__(self, uri: str = DEFAULT_URI) -> None:
        self.uri = uri
        self.lv = binding.load()
        try:
            self._conn = self.lv.open(uri)
        except self.lv.libvirtError as exc:
            raise LibvirtError(f"--connect {uri}: {_message(exc)}") from None
        if self._conn is None:  # very old bindings returned None instead of raising
            raise LibvirtError(f"--connect {uri}: cannot connect")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (errors on close do not matter)."""
        with suppress(self.lv.libvirtError):
            self._conn.close()

    @property
    def label(self) -> str:
        """``libvirt:URI``: what reports and messages call the host behind it."""
        return f"libvirt:{self.uri}"

    def call(self, what: str, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` with a libvirt error turned into :class:`LibvirtError`."""
        try:
            return func(*args)
        except self.lv.libvirtError as exc:
            raise LibvirtError(f"{self.uri}: {what}: {_message(exc)}") from None

    # -- facts --------------------------------------------------------------------

    def lib_version(self) -> Version:
        """The libvirt version of the daemon behind the URI."""
        return version_of(self.call("libvirt version", self._conn.getLibVersion))

    def hypervisor_version(self) -> Version | None:
        """The QEMU version the driver uses (``None`` when it does not say)."""
        number = self.call("hypervisor version", self._conn.getVersion)
        return version_of(number) if number else None

    def capabilities(self) -> str:
        """``virsh capabilities``: the host's CPU, topology and guest types."""
        text: str = self.call("capabilities", self._conn.getCapabilities)
        return text

    def domain_capabilities(self, virttype: str = "kvm", arch: str | None = None) -> str:
        """``virsh domcapabilities``: what this hypervisor offers a domain."""
        text: str = self.call(
            f"domain capabilities ({virttype})",
            self._conn.getDomainCapabilities,
            None,
            arch,
            None,
            virttype,
            0,
        )
        return text

    # -- domains ------------------------------------------------------------------

    def domain(self, name: str) -> Domain:
        """The domain called ``name``; an unknown one is libvirt's error, one line."""
        try:
            handle = self._conn.lookupByName(name)
        except self.lv.libvirtError as exc:
            raise LibvirtError(f"{self.uri}: {_message(exc)}") from None
        return Domain(self, handle)

    def find_domain(self, name: str) -> Domain | None:
        """The domain called ``name``, or ``None`` when the connection has none."""
        try:
            handle = self._conn.lookupByName(name)
        except self.lv.libvirtError as exc:
            if exc.get_error_code() == self.lv.VIR_ERR_NO_DOMAIN:
                return None
            raise LibvirtError(f"{self.uri}: {_message(exc)}") from None
        return Domain(self, handle)

    def domains(self, *, running_only: bool = False) -> list[Domain]:
        """Every domain (defined or running), or only the running ones; by name."""
        flags = self.lv.VIR_CONNECT_LIST_DOMAINS_ACTIVE if running_only else 0
        handles = self.call("list domains", self._conn.listAllDomains, flags)
        return sorted((Domain(self, h) for h in handles), key=lambda d: d.name)

    def define(self, xml: str) -> Domain:
        """Define (or redefine) a domain, with libvirt's schema validation."""
        flags = getattr(self.lv, "VIR_DOMAIN_DEFINE_VALIDATE", 0)
        define_flags = getattr(self._conn, "defineXMLFlags", None)
        if define_flags is not None:
            handle = self.call("define", define_flags, xml, flags)
        else:  # pragma: no cover - bindings before libvirt 1.2.12
            handle = self.call("define", self._conn.defineXML, xml)
        return Domain(self, handle)

    def undefine(self, name: str) -> None:
        """Remove a domain's persistent definition (tests' throw-away domains)."""
        domain = self.find_domain(name)
        if domain is not None:
            self.call(f"undefine {name!r}", domain._handle.undefine)

    def native_argv(self, xml: str) -> list[str]:
        """The QEMU command line libvirt builds for ``xml`` (``domxml-to-native qemu-argv``)."""
        from hvtui.importers.qemu_cmdline import split_command

        text: str = self.call(
            "domxml-to-native qemu-argv", self._conn.domainXMLToNative, "qemu-argv", xml, 0
        )
        return split_command(text)


def domain_name(xml: str) -> str | None:
    """The ``<name>`` of a domain definition hvtui wrote or libvirt gave (trusted text)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    return root.findtext("name")


@contextmanager
def connect(uri: str = DEFAULT_URI) -> Iterator[Connection]:
    """``with connect(uri) as conn:``; raises :class:`LibvirtError` or ``BindingError``."""
    conn = Connection(uri)
    try:
        yield conn
    finally:
        conn.close()


__all__ = [
    "DEFAULT_URI",
    "Connection",
    "Domain",
    "LibvirtError",
    "VcpuPin",
    "connect",
    "domain_name",
    "version_of",
]
