"""``hvtui demos``: the demo hosts shipped with hvtui, for ``--demo NAME``."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any


def register(sub: Any) -> None:
    """Add the ``demos`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "demos",
        help="list the demo hosts usable with --demo NAME",
        description="Demo hosts are real machines' /proc and /sys captures shipped with hvtui, "
        "with the KVM answers no public capture holds modelled to match. Use one wherever "
        "--sysroot works: 'hvtui --demo NAME' (the wizard), 'hvtui detect --demo NAME', "
        "'hvtui recommend --demo NAME', 'hvtui audit --running --demo NAME'.",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also say which parts of each are modelled"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print one line per demo (name, what it is), or JSON."""
    from hvtui.demos import DEMOS

    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": d.name,
                        "title": d.title,
                        "modelled": d.modelled,
                        "path": str(d.path),
                    }
                    for d in DEMOS
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(d.name) for d in DEMOS)
    for demo in DEMOS:
        print(f"{demo.name:<{width}}  {demo.title}")
        if args.verbose:
            text = f"modelled: {demo.modelled}"
            for line in textwrap.wrap(text, width=96 - width):
                print(f"{'':<{width}}    {line}")
    if not args.verbose:
        print(f"\nTry: hvtui --demo {DEMOS[0].name}   (-v says which parts are modelled)")
    return 0
