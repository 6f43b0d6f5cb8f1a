"""``hvtui audit FILE... | --running``: what deployed VMs have, and what to change.

Exit 0 when no VM has an error, 1 when any has, 2 when an input could not be
read at all (that wins: the audit is incomplete).  A bad input gets its own
one-line error on stderr and the others are still audited.
"""

from __future__ import annotations

import sys

from hvtui.cli.errors import CliError, print_error
from hvtui.cli.hostsource import path_arg, resolve_host
from hvtui.cli.plainargs import PlainArgs, read_plain
from hvtui.textsafe import printable

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and argparse stay unloaded at run time (issue #13)
    import argparse
    from collections.abc import Iterator, Sequence
    from typing import Any

    from hvtui.audit import AuditInput, HostScan, VmAudit
    from hvtui.audit.parallel import Result as Judged
    from hvtui.audit.sources import Unreadable
    from hvtui.catalog import Value
    from hvtui.model import Config
    from hvtui.model.cpu import CpuSettings

#: Version of the ``--json`` document (the README documents it).
SCHEMA = 1


#: ``audit``'s options that take no value, and those that take one, by destination
#: (:func:`plain_args` reads them as :func:`register` declares them).
_FLAGS = {
    "--json": "json",
    "-v": "verbose",
    "--verbose": "verbose",
    "--running": "running",
    "--all": "all",
}
_VALUED = {"--sysroot": "sysroot", "--demo": "demo", "--connect": "connect", "--for": "intent"}


def register(sub: Any) -> None:
    """Add the ``audit`` parser (:func:`plain_args` reads the plain cases the same way)."""
    from hvtui.cli.hostsource import add_host_options
    from hvtui.cli.libvirtopts import add_connect_option
    from hvtui.cli.render import add_intent_option

    parser: argparse.ArgumentParser = sub.add_parser(
        "audit",
        help="audit the Hyper-V settings of existing VMs (files or running QEMU)",
        description="Read what VMs already run - libvirt domain XML (virsh dumpxml), QEMU "
        "command lines (also Proxmox args: lines, qemu-kvm and kvm binaries, virt-install "
        "commands) or the QEMU processes running now - and print, per VM, the configuration "
        "found, the advice engine's findings for this host (or the --sysroot snapshot) and "
        "the difference from hvtui's recommendation with the reason per option.",
        epilog="Exit 0 when no VM has an error, 1 when any has, 2 when an input could not be "
        "read at all (the others are still audited).",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="domain XML, QEMU command line or Proxmox VM .conf (with "
        "/etc/pve/virtual-guest/cpu-models.conf for its custom CPU models); - reads stdin",
    )
    parser.add_argument(
        "--running",
        action="store_true",
        help="audit the QEMU processes running now (their command line, name and vCPU "
        "pinning); with --sysroot, the ones a snapshot recorded",
    )
    add_host_options(
        parser, "judge against a host snapshot directory (see 'detect') instead of this host"
    )
    add_connect_option(parser)
    parser.add_argument(
        "--all",
        action="store_true",
        help="with --connect: every defined domain, running or not (arguments are domain names)",
    )
    add_intent_option(parser, "the VMs are")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="explain each finding and show its fix"
    )
    parser.set_defaults(run=run)


def plain_args(words: Sequence[str]) -> PlainArgs | None:
    """What ``hvtui audit WORDS`` parses to when ``words`` are plainly valid, read without
    argparse (importing it and building the parser is ~25 ms of a run that has to be
    done before any file is judged, on one CPU).

    Plain means: options by their full names, each valued one followed by its value
    (``--opt VALUE`` or ``--opt=VALUE``; a value that is empty or starts with ``-``,
    or an intent that is not one, is argparse's to judge), ``--sysroot`` and
    ``--demo`` not both, and the files (``-`` among them) in one run, options before
    and after it.  ``None`` for anything else (help, an abbreviation, ``-vv``, an
    unknown word, ``--``, files on both sides of an option): the parser reads those,
    so every message and exit code stays argparse's.  ``tests/audit`` checks the
    namespaces against the parser's over many command lines."""
    from hvtui.intents import DEFAULT_INTENT, INTENTS

    files: list[str] = []
    values = read_plain(words, _FLAGS, _VALUED, choices={"--for": INTENTS}, files=files)
    if values is None:
        return None
    if values["intent"] is None:
        values["intent"] = DEFAULT_INTENT
    if values["sysroot"] is not None:
        values["sysroot"] = path_arg(values["sysroot"])
    return PlainArgs(command="audit", files=files, run=run, **values)


def run(args: argparse.Namespace) -> int:
    """Read every input, audit each VM, print; the exit code is the worst outcome.

    Each VM is judged and its result printed (or, for ``--json``, encoded) before
    the next file is parsed: what is held at the end is text, not a thousand
    parsed domains for the collector to walk again and again.  Many files are
    judged by one process per CPU (:mod:`hvtui.audit.parallel`), each on its own
    range of them; their results are printed in the order of the files, as one
    process prints them.
    """
    import gc

    if args.connect is not None:
        from hvtui.cli.libvirtopts import audit_connection

        return audit_connection(args)
    # Nothing made before the files are judged (modules, the host scan) is garbage, and
    # it is kept to the end: the collector's passes over it, while it is made and after,
    # would find nothing (on one CPU, while the other waits for the fork).  Frozen, the
    # collector skips it; it collects what the judging makes.
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = _start(args)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    try:
        return _finish(args, started)
    finally:
        if collecting:
            gc.unfreeze()


def _finish(args: argparse.Namespace, started: int | tuple[HostScan, Iterator[Judged]]) -> int:
    """:func:`run` from the judging on: every VM's result written, the exit code."""
    from hvtui.audit import jsontext

    if isinstance(started, int):
        return started
    scan, outcomes = started
    errors: list[dict[str, str]] = []
    vms: list[str] = []
    audited = bad = 0
    for path, text, ok in outcomes:
        if path is not None:
            print_error(text)
            errors.append({"source": "<stdin>" if path == "-" else path, "error": text})
            continue
        if args.json:
            vms.append(text)
        else:
            _write_escaped("\n" + text if audited else text)
        audited += 1
        bad += not ok
    if args.json:
        document = {
            "schema": SCHEMA,
            "host": scan.view.label,
            "intent": args.intent,
            "ok": not errors and not bad,
            "vms": [jsontext.Encoded(_HOLE)] if vms else [],
            "errors": errors,
        }
        _write_escaped(_document_text(jsontext.dumps(document), vms))
    elif audited > 1:
        sys.stdout.write(f"\n{_summary(audited, bad)}")
    if errors:
        return 2
    return 1 if bad else 0


def _start(args: argparse.Namespace) -> int | tuple[HostScan, Iterator[Judged]]:
    """:func:`run` up to the judging: the checks of the arguments, the host scan, and the
    results to come (each VM is judged when its result is asked for); or the exit code
    when there is nothing to judge (no running VM)."""
    from hvtui.audit import RUNNING, SourceError, audit_vm, jsontext, parallel, scan_host
    from hvtui.audit.sources import FileBatch, Unreadable, with_cpu_models

    if args.all:
        raise CliError("audit: --all needs --connect URI (every domain of that connection)")
    if args.running and args.files:
        raise CliError("audit: give FILE... or --running, not both")
    if not args.running and not args.files:
        raise CliError("audit: nothing to audit: give FILE... (- for stdin) or --running")
    if args.files.count("-") > 1:
        raise CliError("audit: - (stdin) can only be given once")
    host = resolve_host(args)
    scan = scan_host(host.path, label=host.label)
    running = scan.running_names
    memo = jsontext.Memo(level=4)  # a VM's findings: document > vms > VM > findings > item

    def judged(sources: Iterator[AuditInput | Unreadable]) -> Iterator[Judged]:
        """Each input's result: ``(path, error, False)`` for a file that could not be read,
        ``(None, text, ok)`` for a VM (its JSON entry or its text section, escaped with
        :func:`printable` here, in the process that judged it, so the one that writes it
        does not scan it again).

        A JSON entry needs no escaping at all: json's escaper writes every string of it
        (every character outside printable ASCII as ``\\uXXXX``), the rest is numbers,
        literals, punctuation, spaces and newlines, so :func:`printable` would return it
        unchanged (``tests/audit`` checks it on hostile input) after a scan of its ~8 KB."""
        for source in sources:
            if isinstance(source, Unreadable):
                yield source.path, str(source.error), False
                continue
            audit = audit_vm(
                source,
                scan.view,
                intent=args.intent,
                already_running=source.kind == RUNNING or bool(source.imported.name in running),
            )
            if args.json:
                yield None, audit.json_text(memo), audit.ok
            else:
                yield None, printable(_vm_text(audit, verbose=args.verbose)), audit.ok

    if args.running:
        try:
            found = with_cpu_models(scan.running())
        except SourceError as exc:
            raise CliError(printable(str(exc))) from exc
        if not found and not args.json:
            sys.stdout.write(_no_running_vms(args))
            return 0
        return scan, judged(_each(found))
    else:

        def files(start: int, stop: int) -> Iterator[Judged]:
            return judged(batch.items(start, stop))

        batch = FileBatch(args.files)
        return scan, parallel.in_order(len(batch.paths), files, before_fork=_load_importers)


def _load_importers() -> None:
    """The QEMU command-line importer, loaded before the files are split between
    processes: a domain with ``<qemu:commandline>`` needs it, one audit of a single file
    without one does not (libvirt_xml imports it on first use), and among many files some
    usually have one, so it is loaded once in the parent, not again in each child."""
    import hvtui.importers.qemu_cmdline  # noqa: F401


#: Stands for the VMs' entries in the ``--json`` document while the rest is encoded: a
#: NUL is escaped in every JSON string, so the encoded document holds no other.
_HOLE = "\x00"
#: Between two VMs' entries (the ``vms`` list is two levels deep).
_BETWEEN_VMS = ",\n    "


def _document_text(document: str, vms: list[str]) -> str:
    """``document`` (encoded with one :data:`_HOLE` for the ``vms``, or none) with every
    VM's entry there, and a newline: what ``jsontext.dumps`` gives with all of them,
    joined once (the entries are 8 MB for a thousand domains, and each level of an
    encoder that nests them would copy them again).  Escaped with :func:`printable`:
    the entries were already (``judged``), the rest of the document is here."""
    if not vms:
        return printable(document + "\n")
    head, tail = document.split(_HOLE)
    parts = vms.copy()
    parts[0] = printable(head) + parts[0]
    parts[-1] += printable(tail + "\n")
    return _BETWEEN_VMS.join(parts)


def _write_escaped(text: str) -> None:
    """Write ``text``, which :func:`printable` returned already: past the guarded stdout's
    own escaping when stdout is one (:meth:`~hvtui.cli.streams.GuardedStream.write_escaped`),
    else with a plain ``write``."""
    stream: Any = sys.stdout
    write = getattr(stream, "write_escaped", None)
    if write is None:
        stream.write(text)
    else:
        write(text)


def _each(sources: list[AuditInput]) -> Iterator[AuditInput]:
    """The items of ``sources``, each let go of by the list once handed out."""
    sources.reverse()
    while sources:
        yield sources.pop()


# -- text -----------------------------------------------------------------------------


def render_text(audits: list[VmAudit], args: argparse.Namespace, *, found_any: bool) -> str:
    """Every VM's section, then one summary line when there are several (what ``run``
    prints a section at a time)."""
    if not found_any:
        return _no_running_vms(args)
    blocks = [_vm_text(a, verbose=args.verbose) for a in audits]
    if len(audits) > 1:
        blocks.append(_summary(len(audits), sum(1 for a in audits if not a.ok)))
    return printable("\n".join(blocks))


def _no_running_vms(args: argparse.Namespace) -> str:
    host = resolve_host(args)
    if host.is_live:
        where = "on this host"
    elif host.demo is not None:
        where = f"on {host.label}"
    else:
        where = "in the snapshot"
    return f"No running QEMU VMs {where}.\n"


def _summary(audited: int, bad: int) -> str:
    return f"Audited {audited} VMs: {bad} with errors.\n"


def _value(option: str, value: Value | None, *, missing: str) -> str:
    from hvtui import catalog
    from hvtui.model.values import format_value

    return missing if value is None else format_value(catalog.get(option), value)


def config_text(config: Config) -> str:
    """``hv-relaxed=on hv-spinlocks=0x1fff ...``; ``none`` for an empty configuration."""
    from hvtui import catalog

    words = [
        f"{catalog.get(name).qemu_property}={_value(name, value, missing='')}"
        for name, value in config
        if catalog.is_canonical(name)
    ]
    return " ".join(words) if words else "none"


def cpu_settings_text(settings: CpuSettings) -> str:
    """``nested-virt=true tsc-frequency=2800000000``: the ``[cpu]`` keys found, as a preset
    would write them."""
    return " ".join(
        f"{key.value}={str(value).lower() if isinstance(value, bool) else value}"
        for key, value in settings.items()
    )


def _vm_text(audit: VmAudit, *, verbose: bool) -> str:
    from hvtui import catalog
    from hvtui.audit import RUNNING
    from hvtui.cli.render import format_counts, format_finding

    src = audit.source
    imported = src.imported
    # A running VM's label already is "NAME (pid N)".
    named = f"{imported.name}: " if imported.name and src.kind != RUNNING else ""
    lines = [f"== {named}{src.label} ({src.kind_name})"]
    facts = [f"CPU model {imported.cpu_model or 'not set'}"]
    facts.append(f"{imported.vcpus} vCPUs" if imported.vcpus is not None else "vCPUs unknown")
    lines.append("Configuration found: " + ", ".join(facts))
    lines.append(f"  {config_text(imported.config)}")
    if not imported.cpu_settings.empty:
        lines.append(f"  CPU settings: {cpu_settings_text(imported.cpu_settings)}")
    if imported.other_properties:
        lines.append("  other -cpu properties: " + " ".join(imported.other_properties))
    if imported.origins:
        by_origin: dict[str, list[str]] = {}
        for option, where in imported.origins:
            by_origin.setdefault(where, []).append(catalog.get(option).qemu_property)
        lines.append("  where from:")
        lines += [f"    {where}: {' '.join(props)}" for where, props in by_origin.items()]
    for note in audit.notes:
        lines.append(f"  {note}")
    if audit.effective != imported.config:
        lines.append(f"  judged as: {config_text(audit.effective)}")
    for thread in src.threads:
        state = {True: "pinned", False: "floating", None: "unknown"}[thread.pinned]
        lines.append(f"  vCPU {thread.index} (thread {thread.tid}): {thread.cpus or '?'} {state}")
    lines.append(f"Findings for {audit.host} (intent {audit.intent}):")
    if audit.findings:
        for finding in audit.findings:
            lines += ["  " + line for line in format_finding(src.label, finding, verbose=verbose)]
    else:
        lines.append("  none")
    lines.append("Difference from hvtui's recommendation:")
    if not audit.differences:
        lines.append("  none: the VM matches the recommendation")
    else:
        rows = [
            (
                catalog.get(d.option).qemu_property,
                _value(d.option, d.current, missing="not set"),
                _value(d.option, d.recommended, missing="leave out"),
                d.reason,
            )
            for d in audit.differences
        ]
        header = ("option", "this VM", "recommended")
        widths = [max(len(row[i]) for row in [*rows, header]) for i in range(3)]
        lines.append(
            f"  {header[0]:<{widths[0]}}  {header[1]:>{widths[1]}}    {header[2]:<{widths[2]}}  why"
        )
        for prop, now, want, why in rows:
            lines.append(f"  {prop:<{widths[0]}}  {now:>{widths[1]}} -> {want:<{widths[2]}}  {why}")
    lines.append(f"Result: {format_counts(list(audit.findings))}")
    return "\n".join(lines) + "\n"
