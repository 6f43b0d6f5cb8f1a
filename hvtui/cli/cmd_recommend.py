"""``hvtui recommend``: QEMU's recommendation applied to this host (or saved reports)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hvtui.cli.errors import CliError
from hvtui.cli.hostsource import add_host_options, resolve_host
from hvtui.cli.libvirtopts import add_connect_option
from hvtui.cli.render import add_intent_option

if TYPE_CHECKING:
    from hvtui.advice import HostView, Recommendation

#: Formats recommend writes itself; every other ``--format`` is the export format table's.
_OWN_FORMATS = ("text", "toml", "json")


def formats() -> tuple[str, ...]:
    """The ``--format`` choices: the readable table, the commented preset, each export
    format as ``hvtui export`` writes it, and the recommendation as JSON."""
    from hvtui.export import registry

    exported = tuple(name for name in registry.names() if name not in _OWN_FORMATS)
    return ("text", "toml", *exported, "json")


def register(sub: Any) -> None:
    """Add the ``recommend`` parser."""
    from hvtui.intents import INTENTS

    intents = "; ".join(f"{name}: {i.summary}" for name, i in INTENTS.items())
    parser: argparse.ArgumentParser = sub.add_parser(
        "recommend",
        help="recommend enlightenments for this host (or a snapshot, or a fleet)",
        description="Recommend a configuration: every option the host supports that QEMU's "
        "document recommends, shaped by the intent, with a reason per option. Without "
        "--sysroot or --report it probes this host. Several --report files give one "
        "configuration all those hosts support, migration-safe between them.",
        epilog=f"Intents - {intents}",
    )
    source = parser.add_mutually_exclusive_group()
    add_host_options(source, "read the host from a snapshot directory (see 'detect')")
    source.add_argument(
        "--report",
        metavar="FILE.json",
        type=Path,
        action="append",
        help="a report from 'hvtui detect --json'; repeat for a fleet",
    )
    add_connect_option(source, many=True)
    add_intent_option(parser, "the VM is")
    parser.add_argument(
        "--vcpus",
        type=int,
        metavar="N",
        help="vCPUs of the VM (counts towards host CPU overcommit)",
    )
    parser.add_argument(
        "--pinned",
        action="store_true",
        help="this VM's vCPUs will be pinned one-to-one to host cores",
    )
    parser.add_argument(
        "--format",
        default="text",
        choices=formats(),
        help="output format (default: a readable table with reasons)",
    )
    parser.add_argument("--libvirt-version", metavar="V", help="target libvirt version")
    parser.add_argument("--qemu-version", metavar="V", help="target QEMU version")
    parser.add_argument("--name", default=None, help="preset name for toml output")
    parser.set_defaults(run=run)


def load_hosts(args: argparse.Namespace) -> list[HostView]:
    """Host views from --report files, --sysroot, or a live probe of this host."""
    from hvtui.advice import HostView
    from hvtui.detect import REPORT_FILE, detect
    from hvtui.detect.report import HostReport, ReportError
    from hvtui.inputs import InputError, read_input
    from hvtui.limits import MAX_JSON_BYTES
    from hvtui.untrusted import UntrustedError, load_json

    if args.connect:
        from hvtui.cli.libvirtopts import libvirt_errors
        from hvtui.libvirt import host_reports

        with libvirt_errors():
            reports = host_reports(args.connect)
        return [HostView.from_report(r, label=r.source) for r in reports]
    if args.report:
        hosts: list[HostView] = []
        for path in args.report:
            try:
                data = load_json(read_input(path, limit=MAX_JSON_BYTES, what=REPORT_FILE))
                report = HostReport.from_json(data)
            except InputError as exc:
                raise CliError(str(exc)) from exc
            except UntrustedError as exc:
                raise CliError(f"{path}: not a JSON host report ({exc})") from exc
            except ReportError as exc:
                raise CliError(f"{path}: {exc}") from exc
            hosts.append(HostView.from_report(report, label=Path(path).stem))
        return hosts
    host = resolve_host(args)
    if not host.is_live:
        return [HostView.from_report(detect(host.path), label=host.label)]
    return [HostView.from_report(detect(), label="this host")]


def _version(text: str | None, flag: str) -> Any:
    from hvtui.versions import VersionError, parse_version

    if text is None:
        return None
    try:
        return parse_version(text)
    except VersionError as exc:
        raise CliError(f"{flag}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    """Recommend, then print in the chosen format."""
    from hvtui.advice import make_context, recommend, recommend_fleet

    if args.vcpus is not None and args.vcpus < 1:
        raise CliError("--vcpus: expected a positive number of vCPUs")
    qemu = _version(args.qemu_version, "--qemu-version")
    libvirt = _version(args.libvirt_version, "--libvirt-version")
    hosts = load_hosts(args)
    ctx = make_context(
        hosts[0] if len(hosts) == 1 else None,
        intent=args.intent,
        qemu=qemu,
        libvirt=libvirt,
        vcpus=args.vcpus,
        pinned=True if args.pinned else None,
    )
    rec = recommend_fleet(hosts, ctx) if len(hosts) > 1 else recommend(ctx)
    print(render(rec, args.format, args, hosts), end="")
    return 0


def _preset(rec: Recommendation, args: argparse.Namespace) -> Any:
    from hvtui.presets import Preset, Target

    name = args.name or f"recommended-{rec.intent}"
    description = f"hvtui recommendation for {', '.join(rec.hosts)} ({rec.intent})"
    target = Target(
        None,
        _version(args.qemu_version, "--qemu-version"),
        _version(args.libvirt_version, "--libvirt-version"),
    )
    return Preset(name, rec.config, description, target, cpu=rec.cpu)


def render(
    rec: Recommendation, fmt: str, args: argparse.Namespace, hosts: list[HostView] | None = None
) -> str:
    """The recommendation as text, TOML (with reasons as comments), JSON or a snippet."""
    from hvtui import presets

    hosts = hosts or []
    if fmt == "json":
        return json.dumps(to_json(rec), indent=2) + "\n"
    if fmt == "text":
        return _text(rec)
    preset = _preset(rec, args)
    if fmt == "toml":
        why = [f"#   {c.option}: {c.reason}" for c in rec.choices if c.chosen]
        cpu_why = [f"#   {key.value}: {reason}" for key, reason in rec.cpu_reasons]
        head = [
            f"# Recommended by hvtui for {', '.join(rec.hosts)}, intent {rec.intent}.",
            "# Why each option is on:",
            *why,
            *(["# CPU settings ([cpu]):", *cpu_why] if cpu_why else []),
        ]
        return "\n".join(head) + "\n" + presets.dumps(preset)
    from hvtui.cli.snippets import render_snippet

    # The XML must work on every host it was recommended for: the oldest libvirt.
    versions = [h.libvirt for h in hosts if h.libvirt is not None]
    live = not (args.report or args.sysroot or args.demo or args.connect)
    return render_snippet(
        preset, fmt, host_libvirt=min(versions) if versions else None, live_host=live
    )


def to_json(rec: Recommendation) -> dict[str, Any]:
    """Every choice with its reason, the configuration, findings and the fleet table."""
    return {
        "schema": 1,
        "intent": rec.intent,
        "hosts": list(rec.hosts),
        "enlightenments": dict(rec.config.values),
        "choices": [
            {"option": c.option, "chosen": c.chosen, "value": c.value, "reason": c.reason}
            for c in rec.choices
        ],
        "cpu": {key.value: value for key, value in rec.cpu.items()},
        "cpu_reasons": {key.value: reason for key, reason in rec.cpu_reasons},
        "findings": [f.to_json() for f in rec.findings],
        "left_out_by_host": {
            host: [{"option": c.option, "reason": c.reason} for c in items]
            for host, items in rec.left_out_by_host.items()
        },
    }


def _text(rec: Recommendation) -> str:
    from hvtui import catalog
    from hvtui.model.values import format_value

    lines = [f"Recommendation for {', '.join(rec.hosts)} (intent: {rec.intent})", ""]
    chosen = [c for c in rec.choices if c.chosen]
    width = max((len(catalog.get(c.option).qemu_property) for c in rec.choices), default=10)
    for c in chosen:
        assert c.value is not None
        entry = catalog.get(c.option)
        lines.append(
            f"  {entry.qemu_property:<{width}}  {format_value(entry, c.value):<10}  {c.reason}"
        )
    if not chosen:
        lines.append(
            "  nothing: no enlightenment can help here (see why below). To see what hvtui "
            "recommends on a Hyper-V capable host, try a demo: hvtui demos"
        )
    lines += ["", "Left out:"]
    for c in rec.choices:
        if not c.chosen:
            lines.append(f"  {catalog.get(c.option).qemu_property:<{width}}  {c.reason}")
    if rec.cpu_reasons:
        lines += ["", "CPU settings ([cpu] in a preset):"]
        for key, reason in rec.cpu_reasons:
            value = rec.cpu.get(key)
            shown = "" if value is None else str(value).lower()
            lines.append(f"  {key.value:<{width}}  {shown:<10}  {reason}")
    if rec.left_out_by_host:
        lines += ["", "Per host, what each one kept out of the common set:"]
        for host, items in rec.left_out_by_host.items():
            if not items:
                lines.append(f"  {host}: nothing")
            for c in items:
                lines.append(f"  {host}: {c.option}: {c.reason}")
    if rec.findings:
        lines += ["", "Findings:"]
        lines += [f"  {f.severity.value}: {f.message}" for f in rec.findings]
    return "\n".join(lines) + "\n"
