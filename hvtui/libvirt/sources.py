"""Domains read from libvirt as audit inputs (``hvtui audit --connect``).

Each domain becomes one :class:`~hvtui.audit.AuditInput`, read exactly as a
``virsh dumpxml`` file is (:func:`hvtui.audit.load_text`): the persistent
definition for ``--all`` and named domains (what the next boot gets; a transient
domain has only its live one), the live definition for ``--running`` (what runs
now, with libvirt's actual vCPU pinning in ``<cputune>``).  The label is
``URI NAME``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvtui.audit import AuditInput, SourceError, load_text
from hvtui.libvirt.connection import Connection, Domain, LibvirtError


def label(conn: Connection, name: str) -> str:
    """What audit output calls a domain: ``qemu:///system win11``."""
    return f"{conn.uri} {name}"


def domain_input(conn: Connection, domain: Domain, *, live: bool = False) -> AuditInput:
    """One domain's definition, parsed; raises :class:`LibvirtError` or ``SourceError``."""
    xml = domain.xml(inactive=not live)
    return load_text(xml, label=label(conn, domain.name))


def domain_inputs(
    conn: Connection,
    names: Sequence[str],
    *,
    every: bool = False,
    running_only: bool = False,
) -> tuple[list[AuditInput], list[tuple[str, Exception]]]:
    """The named domains (or every one, or the running ones), and per-domain failures.

    Listing the domains failing is the caller's error (:class:`LibvirtError`); one
    domain that cannot be read is a failure of its own and the others are read.
    """
    inputs: list[AuditInput] = []
    failures: list[tuple[str, Exception]] = []
    if every or running_only:
        targets: list[tuple[str, Domain | None]] = [
            (d.name, d) for d in conn.domains(running_only=running_only)
        ]
    else:
        targets = [(name, None) for name in names]
    for name, found in targets:
        try:
            domain = found if found is not None else conn.domain(name)
            inputs.append(domain_input(conn, domain, live=running_only))
        except (LibvirtError, SourceError) as exc:
            failures.append((label(conn, name), exc))
    return inputs, failures


__all__ = ["domain_input", "domain_inputs", "label"]
