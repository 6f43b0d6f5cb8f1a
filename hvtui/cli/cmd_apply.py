"""``hvtui apply DOMAIN...``: a preset or the recommendation, into libvirt domains.

Without ``--yes`` a dry run: the unified diff of each domain's persistent
definition, nothing changed.  With ``--yes``: a backup first, then define,
read back, check that libvirt gives QEMU exactly the preset's ``hv-*`` options
(``domxml-to-native``) and audit the result.  ``--undo`` restores the newest
backup under the same rule.  Exit 0 ok, 1 the preset has errors (nothing
changed) or the domain does not carry it afterwards, 2 a domain, connection or
file that cannot be used (that wins).  The work is :mod:`hvtui.libvirt.apply`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hvtui.cli.errors import CliError, find_preset, print_error
from hvtui.cli.libvirtopts import DEFAULT_URI, add_connect_option, connection
from hvtui.cli.render import add_intent_option

if TYPE_CHECKING:
    from hvtui.advice import HostView
    from hvtui.libvirt import ApplyPlan, ApplyResult, Connection
    from hvtui.model import Config
    from hvtui.presets import Preset

#: Version of the ``--json`` document (the README documents it).
SCHEMA = 1


def register(sub: Any) -> None:
    """Add the ``apply`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "apply",
        help="apply a preset or the recommendation to libvirt domains (dry run unless --yes)",
        description="Merge a preset's Hyper-V settings into each domain's persistent "
        "definition, exactly as 'export --into' does, and print the unified diff. With --yes, "
        "back the old definition up, define the new one, read it back and check that libvirt "
        "gives QEMU exactly the preset's hv-* options. --undo restores the newest backup.",
        epilog="Exit 0 ok (dry run, or the domain now carries exactly the preset), 1 the preset "
        "has errors (nothing changed) or the domain does not carry it, 2 a domain, connection "
        "or file that cannot be used.",
    )
    parser.add_argument("domains", nargs="+", metavar="DOMAIN", help="libvirt domain name")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--preset", metavar="NAME|FILE", help="a preset name or .toml file")
    what.add_argument(
        "--recommend",
        action="store_true",
        help="hvtui's recommendation for the connected host (see 'recommend --connect')",
    )
    what.add_argument(
        "--undo", action="store_true", help="restore the newest backup of each domain"
    )
    add_intent_option(parser, "the domains are")
    add_connect_option(parser, default=DEFAULT_URI)
    parser.add_argument(
        "--yes", action="store_true", help="change the domains (default: a dry run)"
    )
    parser.add_argument(
        "--backup-dir",
        metavar="DIR",
        type=Path,
        help="where backups are written and --undo finds them "
        "(default $XDG_STATE_HOME/hvtui/backups)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="with --yes: after defining, boot the domain's CPU configuration with "
        "'hvtui verify' and check what the guest really sees (needs /dev/kvm here)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Plan every domain, then (with --yes) apply; the exit code is the worst outcome."""
    from hvtui.libvirt import LibvirtError, host_report

    preset = find_preset(args.preset) if args.preset else None
    if args.verify and not args.yes:
        raise CliError("apply: --verify needs --yes (a dry run defines nothing to verify)")
    if len(set(args.domains)) != len(args.domains):
        raise CliError("apply: a DOMAIN is named twice")
    entries: list[dict[str, Any]] = []
    texts: list[str] = []
    worst = 0
    with connection(args.connect) as conn:
        view = _host_view(conn, host_report)
        for name in args.domains:
            try:
                code, entry, text = _one(conn, name, preset, view, args)
            except LibvirtError as exc:
                print_error(str(exc))
                code, entry, text = 2, {"domain": name, "error": str(exc)}, ""
            except CliError as exc:
                print_error(exc.message)
                code, entry, text = exc.code, {"domain": name, "error": exc.message}, ""
            worst = max(worst, code)
            entries.append(entry)
            texts.append(text)
    if args.json:
        document = {
            "schema": SCHEMA,
            "uri": args.connect,
            "dry_run": not args.yes,
            "ok": worst == 0,
            "domains": entries,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(t for t in texts if t))
    return worst


def _host_view(conn: Connection, host_report: Any) -> HostView:
    from hvtui.advice import HostView

    return HostView.from_report(host_report(conn), label=conn.label)


def _plan(
    conn: Connection, name: str, preset: Preset | None, view: HostView, args: argparse.Namespace
) -> ApplyPlan:
    from hvtui import export
    from hvtui.libvirt import plan_apply, plan_undo, recommended_preset

    if args.undo:
        return plan_undo(conn, name, args.backup_dir)
    what = ""
    if preset is None:
        preset = recommended_preset(conn, name, view, args.intent)
        what = f"the recommendation for {conn.label} ({args.intent})"
    try:
        return plan_apply(conn, name, preset, what=what)
    except export.ExportError as exc:
        raise CliError(str(exc), exc.code) from None


def _one(
    conn: Connection, name: str, preset: Preset | None, view: HostView, args: argparse.Namespace
) -> tuple[int, dict[str, Any], str]:
    """Plan (and with --yes execute) one domain: exit code, JSON entry, text."""
    from hvtui.cli.render import format_finding
    from hvtui.libvirt import execute

    plan = _plan(conn, name, preset, view, args)
    entry = _plan_json(plan)
    lines = [f"== {name} ({conn.uri}): {plan.what}"]
    lines += [f"note: {note}" for note in plan.notes]
    if plan.blocked:
        source = plan.preset.source if plan.preset and plan.preset.source else plan.what
        lines += [line for f in plan.findings for line in format_finding(str(source), f)]
        lines.append(f"Not applied: the preset has errors; {name} was not changed.")
        return 1, entry, "\n".join(lines) + "\n"
    lines.append(plan.diff.rstrip("\n") if plan.changed else "No change: the definition has it.")
    if not args.yes:
        if plan.changed:
            lines.append("Dry run: nothing changed. Run again with --yes to apply it.")
        return 0, entry, "\n".join(lines) + "\n"
    result = execute(conn, plan, backup_dir=args.backup_dir, host=view, intent=args.intent)
    entry.update(_result_json(result))
    lines += _result_text(result)
    code = 0 if result.verified else 1
    if args.verify and result.defined:
        verify_code, verify_json, verify_text = _verify(name, conn.uri)
        entry["verify"] = verify_json
        lines.append(verify_text.rstrip("\n"))
        code = max(code, verify_code)
    return code, entry, "\n".join(lines) + "\n"


def _verify(name: str, uri: str) -> tuple[int, dict[str, Any] | None, str]:
    """``hvtui verify --domain NAME`` on the definition just written: what the guest sees."""
    from hvtui.verify import SpecError, VerifyUnavailableError, from_domain, run_verify
    from hvtui.verify.render import render

    try:
        result = run_verify(from_domain(name, uri))
    except (SpecError, VerifyUnavailableError) as exc:
        return 2, None, f"Verify: cannot run here: {exc}"
    return result.exit_code, result.to_json(), "Verify:\n" + render(result)


def _config_text(config: Config | None) -> str:
    from hvtui.cli.cmd_audit import config_text

    return "unknown" if config is None else config_text(config)


def _result_text(result: ApplyResult) -> list[str]:
    from hvtui.cli.render import format_counts, format_finding

    plan = result.plan
    lines: list[str] = []
    if result.defined:
        if plan.action == "apply" and result.backup is not None:
            lines.append(f"Backup: {result.backup}")
        else:
            lines.append(f"Restored: {plan.what}")
        lines.append(f"Defined {plan.domain} on {plan.uri}.")
    lines += [f"note: {note}" for note in result.notes]
    lines.append(f"libvirt gives QEMU: {_config_text(result.qemu)}")
    if result.verified:
        lines.append(
            "Verified: exactly "
            + ("the preset" if plan.action == "apply" else "the backup")
            + "'s hv-* options (libvirt's domxml-to-native)."
        )
    else:
        lines.append(f"NOT what was expected: {_config_text(result.expected)}")
        if result.defined and plan.action == "apply":
            lines.append(f"Restore the old definition: hvtui apply --undo {plan.domain} --yes")
    if result.audit is not None:
        audit = result.audit
        lines.append(
            f"Audit for {audit.host} (intent {audit.intent}): "
            + format_counts(list(audit.findings))
        )
        lines += ["  " + line for f in audit.findings for line in format_finding(plan.domain, f)]
    if plan.running and result.defined:
        lines.append(
            f"{plan.domain} is running: the change takes effect at its next cold boot (shut it "
            "down, then start it; a reboot inside the guest keeps the running settings)."
        )
    return lines


def _plan_json(plan: ApplyPlan) -> dict[str, Any]:
    return {
        "domain": plan.domain,
        "action": plan.action,
        "what": plan.what,
        "changed": plan.changed,
        "diff": plan.diff,
        "running": plan.running,
        "notes": list(plan.notes),
        "findings": [f.to_json() for f in plan.findings],
        "expected": dict(plan.expected.values) if plan.expected is not None else None,
        "defined": False,
        "backup": str(plan.backup) if plan.backup else None,
        "qemu": None,
        "verified": None,
        "audit": None,
        "error": None,
    }


def _result_json(result: ApplyResult) -> dict[str, Any]:
    return {
        "defined": result.defined,
        "backup": str(result.backup) if result.backup else None,
        "notes": [*result.plan.notes, *result.notes],
        "expected": dict(result.expected.values) if result.expected is not None else None,
        "qemu": dict(result.qemu.values) if result.qemu is not None else None,
        "verified": result.verified,
        "audit": result.audit.to_json() if result.audit is not None else None,
    }
