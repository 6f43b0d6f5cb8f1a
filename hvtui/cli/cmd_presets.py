"""``hvtui presets list`` and ``hvtui presets show NAME``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hvtui.cli.errors import CliError, find_preset


def register(sub: Any) -> None:
    """Add the ``presets`` parser with its ``list`` and ``show`` actions."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "presets",
        help="list or show presets (shipped and your own)",
        description="Shipped presets come with hvtui; your own live in "
        "$XDG_CONFIG_HOME/hvtui/presets (default ~/.config/hvtui/presets). A user preset "
        "with the same name as a shipped one wins.",
    )
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    listing = actions.add_parser(
        "list", help="list presets", description="List shipped and user presets."
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(run=run_list)
    show = actions.add_parser(
        "show", help="print a preset", description="Print a preset file (by name or path)."
    )
    show.add_argument("name", metavar="NAME", help="preset name or path to a .toml file")
    show.add_argument("--json", action="store_true", help="print the parsed preset as JSON")
    show.set_defaults(run=run_show)


def run_list(args: argparse.Namespace) -> int:
    """Print the presets table (or JSON)."""
    from hvtui import presets

    infos = presets.list_presets()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "origin": i.origin,
                        "path": str(i.path),
                        "description": i.description,
                        "overrides": str(i.shadows) if i.shadows else None,
                        "error": i.error,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return 0
    if not infos:
        print("no presets found")
        return 0
    width = max(len(i.name) for i in infos) + 2
    for info in infos:
        text = f"error: {info.error}" if info.error else info.description
        if info.shadows is not None:
            text += " (overrides the shipped preset)"
        print(f"{info.name:<{width}}{info.origin:<9}{text}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the file as written (comments included), or the parsed preset as JSON."""
    from hvtui import presets

    preset = find_preset(args.name)
    if args.json:
        data = presets.to_document(preset)
        data["origin"] = preset.origin
        data["path"] = str(preset.source) if preset.source else None
        print(json.dumps(data, indent=2))
        return 0
    from hvtui.inputs import InputError, read_input

    assert preset.source is not None
    try:
        raw = read_input(preset.source, limit=presets.MAX_BYTES, what="a preset file")
    except InputError as exc:
        raise CliError(str(exc)) from exc
    print(raw.decode("utf-8", errors="replace"), end="")
    return 0
