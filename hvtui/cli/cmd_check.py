"""``hvtui check FILE``: validate a preset; exit 0 ok, 1 errors, 2 unreadable."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hvtui.cli.errors import find_preset


def register(sub: Any) -> None:
    """Add the ``check`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="validate a preset file",
        description="Validate a preset and print its findings. Exit 0 when there are no "
        "errors (warnings allowed), 1 when there are errors, 2 when the file cannot be "
        "read or parsed.",
    )
    parser.add_argument("file", metavar="FILE", help="preset file (or the name of a preset)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="explain each finding and show its fix"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, validate, print; the exit code says whether errors were found."""
    from hvtui import presets
    from hvtui.cli.render import format_counts, format_finding
    from hvtui.export.context import preset_findings
    from hvtui.model import count, has_errors

    preset = find_preset(args.file)
    findings = preset_findings(preset.config, preset.target, preset.cpu)
    source = str(preset.source) if preset.source else args.file
    if args.json:
        print(
            json.dumps(
                {
                    "file": source,
                    "preset": presets.to_document(preset),
                    "ok": not has_errors(findings),
                    "counts": {s.value: n for s, n in count(findings).items()},
                    "findings": [f.to_json() for f in findings],
                },
                indent=2,
            )
        )
    else:
        for finding in findings:
            print("\n".join(format_finding(source, finding, verbose=args.verbose)))
        print(f"{source}: {format_counts(findings)}")
    return 1 if has_errors(findings) else 0
