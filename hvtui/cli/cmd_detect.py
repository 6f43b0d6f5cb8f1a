"""``hvtui detect``: placeholder until host detection lands (issue 3)."""

from __future__ import annotations

import argparse
from typing import Any

from hvtui.cli.errors import CliError


def register(sub: Any) -> None:
    """Add the ``detect`` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "detect", help="probe this host (CPU, KVM, Hyper-V support, TSC, SMT, VMs)",
        description="Probe this host for what matters to Hyper-V enlightenments.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Not implemented yet."""
    raise CliError("detect is not implemented yet")
