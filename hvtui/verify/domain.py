"""``--domain NAME``: the QEMU arguments libvirt itself would start a domain with.

libvirt's own conversion (``domxml-to-native qemu-argv`` of the domain's
persistent definition, through hvtui's libvirt layer and its official binding)
decides the ``-machine``/``-cpu``/``-global`` words, so the VM verify boots is the
one libvirt would build, including what this libvirt makes of ``<hyperv>``.  The
argv then goes the way of a pasted command line
(:func:`~hvtui.verify.spec.from_qemu_args`).
"""

from __future__ import annotations

from hvtui.verify.spec import SpecError, VmSpec, from_qemu_args


def native_argv(name: str, uri: str | None = None) -> list[str]:
    """libvirt's QEMU argv for the persistent definition of domain ``name``.

    Every libvirt failure (no binding, no daemon, no such domain) is a
    :class:`SpecError`: one line, exit 2.
    """
    from hvtui.libvirt import DEFAULT_URI, BindingError, LibvirtError, connect

    try:
        with connect(uri or DEFAULT_URI) as conn:
            return conn.native_argv(conn.domain(name).xml(inactive=True))
    except (LibvirtError, BindingError) as exc:
        raise SpecError(f"domain {name}: {exc}") from exc


def from_domain(name: str, uri: str | None = None) -> VmSpec:
    """The VM libvirt would start for domain ``name`` (on connection ``uri``)."""
    return from_qemu_args(native_argv(name, uri), source=f"domain {name}")


__all__ = ["from_domain", "native_argv"]
