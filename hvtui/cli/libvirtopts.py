"""``--connect URI``: a libvirt connection for ``apply``, ``audit``, ``detect``, ``recommend``.

The binding and libvirt are imported only when the option is used, and every
failure (binding missing, bad URI, auth, unreachable, no such domain) becomes
one line and exit 2 through :class:`~hvtui.cli.errors.CliError`.
"""

from __future__ import annotations

from contextlib import contextmanager

from hvtui.cli.errors import CliError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and argparse stay unloaded at run time (issue #13)
    import argparse
    from collections.abc import Iterator
    from typing import Any

    from hvtui.libvirt import Connection

#: libvirt's URI for the system QEMU driver (``virsh``'s default as root).
DEFAULT_URI = "qemu:///system"


def add_connect_option(target: Any, *, default: str | None = None, many: bool = False) -> None:
    """Add ``--connect URI`` (once, or repeatable with ``many``)."""
    what = "repeat for several hosts" if many else f"default {default}" if default else ""
    target.add_argument(
        "--connect",
        metavar="URI",
        default=default,
        action="append" if many else "store",
        help="a libvirt connection URI (qemu:///system, qemu+ssh://HOST/system ...)"
        + (f"; {what}" if what else ""),
    )


@contextmanager
def libvirt_errors() -> Iterator[None]:
    """Turn the binding's absence and libvirt's errors into one line, exit 2."""
    from hvtui.libvirt import BindingError, LibvirtError

    try:
        yield
    except (BindingError, LibvirtError) as exc:
        raise CliError(str(exc)) from None


@contextmanager
def connection(uri: str) -> Iterator[Connection]:
    """An open connection to ``uri``; errors as :func:`libvirt_errors`."""
    with libvirt_errors():
        from hvtui.libvirt import Connection

        conn = Connection(uri)
    try:
        with libvirt_errors():
            yield conn
    finally:
        conn.close()


def no_host_options(args: argparse.Namespace, command: str) -> None:
    """``--connect`` reads the host through libvirt: ``--sysroot``/``--demo`` conflict."""
    for option in ("sysroot", "demo"):
        if getattr(args, option, None) is not None:
            raise CliError(f"{command}: --connect and --{option} exclude each other")


# -- audit --connect ------------------------------------------------------------------


def audit_connection(args: argparse.Namespace) -> int:
    """``hvtui audit --connect URI (--all | --running | DOMAIN...)``: definitions read
    straight from libvirt, judged against the connected host; the same output and
    JSON as file audits.  Exit 0, 1 (a VM has an error) or 2 (a domain could not be
    read; the others are still audited)."""
    import json
    import sys

    from hvtui.advice import HostView
    from hvtui.audit import audit_vm
    from hvtui.cli.cmd_audit import SCHEMA, render_text
    from hvtui.cli.errors import print_error
    from hvtui.libvirt import host_report
    from hvtui.libvirt.sources import domain_inputs

    no_host_options(args, "audit")
    if args.all and (args.files or args.running):
        raise CliError("audit: --all audits every domain; give no DOMAIN and no --running")
    if not (args.all or args.running or args.files):
        raise CliError("audit: nothing to audit: give DOMAIN..., --all or --running")
    if "-" in args.files:
        raise CliError("audit: with --connect the arguments are domain names, not files")
    with connection(args.connect) as conn:
        view = HostView.from_report(host_report(conn), label=conn.label)
        running = {d.name for d in conn.domains(running_only=True)}
        inputs, failures = domain_inputs(
            conn, args.files, every=args.all, running_only=args.running
        )
    errors: list[dict[str, str]] = []
    for name, exc in failures:
        message = str(exc)
        print_error(message)
        errors.append({"source": name, "error": message})
    audits = [
        audit_vm(source, view, intent=args.intent, already_running=source.name in running)
        for source in inputs
    ]
    if args.json:
        document = {
            "schema": SCHEMA,
            "host": view.label,
            "intent": args.intent,
            "ok": not errors and all(a.ok for a in audits),
            "vms": [a.to_json() for a in audits],
            "errors": errors,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif audits:
        sys.stdout.write(render_text(audits, args, found_any=True))
    elif not errors:
        which = "running domains" if args.running else "domains"
        sys.stdout.write(f"No {which} on {args.connect}.\n")
    if errors:
        return 2
    return 0 if all(a.ok for a in audits) else 1


__all__ = [
    "DEFAULT_URI",
    "add_connect_option",
    "audit_connection",
    "connection",
    "libvirt_errors",
    "no_host_options",
]
