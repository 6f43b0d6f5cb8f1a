"""``hvtui compare PRESET``: our choices next to what other tools enable by default."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hvtui.cli.errors import find_preset


def register(sub: Any) -> None:
    """Add the ``compare`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "compare",
        help="compare a preset with the defaults of virt-install, Proxmox, ...",
        description="Show a preset's choice per option next to the Windows defaults of "
        "virt-install, Proxmox VE, OpenStack Nova, KubeVirt, quickemu, Incus/LXD, Apache "
        "CloudStack, OpenNebula, TrueNAS, Harvester and dockur/windows, with the reason a "
        "peer leaves an option out where it is known ('hvtui explain' cites each peer's "
        "source in hvtui/catalog/peers.py).",
    )
    parser.add_argument("preset", metavar="PRESET", help="preset name or path")
    parser.add_argument(
        "--all", action="store_true", help="list every option, not only those someone enables"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the comparison table."""
    from hvtui.catalog.peers import ALL_PEERS
    from hvtui.compare import compare

    preset = find_preset(args.preset)
    table = compare(preset.config, ALL_PEERS)
    if args.json:
        print(json.dumps(table.to_json(), indent=2))
        return 0
    rows = table.rows if args.all else [r for r in table.rows if r.interesting]
    headers = ["option", preset.name, *(p.name for p in table.peers)]
    cells = [[r.option, r.ours, *(d.short() for d in r.peers)] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    notes = [
        (r.option, p.name, d.note)
        for r in rows
        for p, d in zip(table.peers, r.peers, strict=True)
        if d.note
    ]
    if notes:
        print("\nNotes (conditions, and why a peer leaves an option out):")
        for option, peer, note in notes:
            print(f"  {option} / {peer}: {note}")
    print(
        "\non = enabled, cond. = only under a condition, opt = available but off, "
        "- = not offered, PT = via hv-passthrough"
    )
    return 0
