"""Text shared by CLI subcommands: findings, counts, Markdown for a terminal."""

from __future__ import annotations

from hvtui.catalog import Severity
from hvtui.lazyre import LazyPattern
from hvtui.model import Finding, count

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse stays unloaded by ``audit``'s text output (issue #13)
    import argparse
    from collections.abc import Sequence

#: Compiled on first use: ``audit --json`` loads this module and never writes Markdown.
_MD_EMPHASIS = LazyPattern(r"\*\*(.+?)\*\*|`([^`]+)`")


def plain(markdown: str) -> str:
    """Catalog Markdown for a plain terminal: drop ``**`` and backticks, keep the words."""
    return _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), markdown)


def format_finding(source: str, finding: Finding, *, verbose: bool = False) -> list[str]:
    """``FILE: error: message [code]``, then indented explanation and fix when verbose."""
    lines = [f"{source}: {finding.severity.value}: {finding.message} [{finding.code}]"]
    if verbose:
        if finding.explanation:
            lines.append(f"    {finding.explanation}")
        if finding.fix is not None:
            lines.append(f"    fix: {finding.fix.label}")
    return lines


def format_counts(findings: Sequence[Finding]) -> str:
    """``2 errors, 1 warning, 0 info``."""
    totals = count(findings)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 or word == "info" else "s")

    return ", ".join(
        plural(totals[s], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )


def add_intent_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--for INTENT``, shared by ``recommend`` and ``audit`` so both list the same intents."""
    from hvtui.intents import DEFAULT_INTENT, INTENTS

    parser.add_argument(
        "--for",
        dest="intent",
        default=DEFAULT_INTENT,
        choices=list(INTENTS),
        metavar="INTENT",
        help=f"what {what} for (default {DEFAULT_INTENT}): " + ", ".join(INTENTS),
    )
