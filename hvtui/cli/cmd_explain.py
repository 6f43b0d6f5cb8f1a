"""``hvtui explain NAME``: everything the catalog knows about one option."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import TYPE_CHECKING, Any

from hvtui.cli.errors import CliError

if TYPE_CHECKING:
    from hvtui.catalog import Enlightenment


def register(sub: Any) -> None:
    """Add the ``explain`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "explain",
        help="explain one enlightenment (or --list them all)",
        description="Explain an enlightenment: what it does, its values, dependencies, "
        "vendor limits, migration effect, KVM CPUID bits, libvirt element and versions. "
        "NAME may be written hv-relaxed, relaxed or hv_relaxed.",
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="the option, e.g. stimer")
    parser.add_argument("--list", action="store_true", help="list every option, grouped")
    parser.add_argument("--json", action="store_true", help="print the catalog entry as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one entry, or the grouped list."""
    from hvtui import catalog

    if args.list or args.name is None:
        if args.name is not None:
            raise CliError("give either NAME or --list, not both")
        if args.json:
            print(json.dumps([catalog.to_json(e) for e in catalog.ENTRIES], indent=2))
        else:
            print(_listing())
        return 0
    try:
        entry = catalog.get(args.name)
    except catalog.UnknownOptionError as exc:
        raise CliError(f"{exc} (see 'hvtui explain --list')") from exc
    if args.json:
        print(json.dumps(catalog.to_json(entry), indent=2))
    else:
        print(describe(entry))
    return 0


def _listing() -> str:
    from hvtui import catalog

    lines: list[str] = []
    for group, members in catalog.by_group():
        lines.append(f"{group.value}:")
        for entry in members:
            lines.append(f"  {entry.qemu_property:<28} {entry.summary}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _names(items: tuple[str, ...]) -> str:
    return ", ".join(items) if items else "nothing"


def describe(entry: Enlightenment) -> str:
    """The full text ``explain`` prints for one entry."""
    from hvtui import catalog
    from hvtui.catalog import LibvirtKind, ValueKind
    from hvtui.catalog.entry_json import stack_spellings
    from hvtui.cli.render import plain
    from hvtui.model.values import format_value

    width = 78
    out: list[str] = [f"{entry.qemu_property}: {entry.summary}"]
    if entry.aliases:
        out.append(f"(also accepted as {', '.join('hv-' + a for a in entry.aliases)})")
    out.append("")
    for para in plain(entry.doc).strip().split("\n\n"):
        out.append(textwrap.fill(" ".join(para.split()), width))
        out.append("")

    facts: list[tuple[str, str]] = []
    default = format_value(entry, entry.default)
    if entry.kind is ValueKind.SWITCH:
        default = "off"
    older = entry.older_machine_default
    if older is not None:
        default += (
            f" on machine types 6.2 and newer; {format_value(entry, older.value)} on "
            f"{older.up_to.short()} and older"
        )
    facts.append(("Value", f"{entry.describe_range()} (QEMU default: {default})"))
    if entry.old_qemu_minimum is not None:
        limit = entry.old_qemu_minimum
        facts.append(
            (
                "Old QEMU",
                f"before {limit.until.short()}, values below {format_value(entry, limit.minimum)} "
                "are refused",
            )
        )
    facts.append(("Group", entry.group.value))
    hard = entry.requires
    all_hard = catalog.all_requirements(entry.name)
    needs = _names(hard)
    if len(all_hard) > len(hard):
        needs += f" (with theirs: {', '.join(all_hard)})"
    facts.append(("Needs", needs + (" - QEMU refuses to start without them" if hard else "")))
    needed_by = catalog.all_dependents(entry.name)
    facts.append(("Needed by", _names(needed_by)))
    for rule in entry.doc_rules:
        scope = f" (on {rule.vendor.capitalize()})" if rule.vendor else ""
        facts.append(("Document asks", f"{', '.join(rule.options)}{scope}: {rule.message}"))
    vendors = ", ".join(sorted(entry.vendors)) + " only" if entry.vendors else "any"
    facts.append(("CPU vendor", vendors))
    if entry.nested_only:
        facts.append(("Used by", "nested guests only (Hyper-V, WSL2, VBS inside the VM)"))
    if entry.host_needs:
        facts.append(("Host needs", ", ".join(n.value for n in entry.host_needs)))
    migration = entry.migration.value + (
        f": {entry.migration_note}" if entry.migration_note else ""
    )
    facts.append(("Migration", migration))
    facts.append(
        ("Production", "yes" if entry.production else "no - a debugging/development feature")
    )
    if entry.cpuid:
        bits = " and ".join(b.describe() for b in entry.cpuid)
        if entry.cpuid_means_auto:
            bits += " (KVM's answer for 'auto')"
        facts.append(("KVM support", bits))
    elif entry.kvm_cap is not None:
        facts.append(("KVM support", f"capability {entry.kvm_cap}"))
    if entry.guest_cpuid:
        facts.append(("Guest sees", entry.guest_cpuid))
    if entry.extra_qemu_args:
        facts.append(("Also needs", " ".join(entry.extra_qemu_args)))
    since = f"QEMU {entry.qemu_since.short()}"
    if not entry.qemu_since_verified:
        since += " (inferred, not verified)"
    facts.append(("QEMU", f"{entry.qemu_property}=..., since {since}"))
    facts.append(("libvirt", _libvirt_line(entry)))
    facts.extend((label, text) for _key, label, text in stack_spellings(entry))
    facts.append(("Peers", _peers_line(entry)))
    if entry.libvirt.note and entry.libvirt.kind is not LibvirtKind.NONE:
        facts.append(("", entry.libvirt.note))
    for i, source in enumerate(catalog.sources_of(entry)):
        mark = "" if source.verified else " (not verified)"
        facts.append(("Sources" if i == 0 else "", f"{source.fact.value}: {source.where}{mark}"))
    label_width = max(len(k) for k, _ in facts) + 2
    for key, value in facts:
        label = f"{key}:" if key else ""
        wrapped = textwrap.wrap(value, width - label_width) or [""]
        out.append(f"{label:<{label_width}}{wrapped[0]}")
        out.extend(" " * label_width + rest for rest in wrapped[1:])
    return "\n".join(out)


def _peers_line(entry: Enlightenment) -> str:
    """What other tools do with it by default (details: ``hvtui compare``)."""
    from hvtui.catalog.peers import ALL_PEERS

    return ", ".join(f"{p.name} {p.default(entry.name).short()}" for p in ALL_PEERS)


def _libvirt_line(entry: Enlightenment) -> str:
    from hvtui.catalog import LibvirtKind

    lv = entry.libvirt
    if lv.kind is LibvirtKind.NONE:
        return "no element; " + lv.note
    where = {
        LibvirtKind.HYPERV: "in <features><hyperv mode='custom'>",
        LibvirtKind.HYPERV_CHILD: "in <features><hyperv mode='custom'>",
        LibvirtKind.CLOCK_TIMER: "",
        LibvirtKind.PANIC: "",
        LibvirtKind.MODE: "in <features>",
    }[lv.kind]
    since = f"since libvirt {lv.since}" if lv.since else ""
    return " ".join(part for part in (lv.example, where, since) if part)
