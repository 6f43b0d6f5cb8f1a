"""Findings: what validation and advice say about a configuration.

A finding is data, not text: the CLI prints it, the TUI lists it with its fix,
and ``--json`` consumers read the same fields.
"""

from __future__ import annotations

from hvtui.catalog import PLACE, Severity, Value
from hvtui.model.codes import FindingCode
from hvtui.records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time: ``audit`` imports this (issue #13)
    from collections.abc import Iterable
    from typing import Any


@record(frozen=True)
class Fix:
    """Changes that resolve a finding, applied together in one step.

    Each change is ``(option, value)``; a value of ``None`` removes the option
    (back to QEMU's default).
    """

    label: str
    """What applying it does, in words (``turn on synic``)."""
    changes: tuple[tuple[str, Value | None], ...]

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "label": self.label,
            "changes": [{"option": o, "value": v} for o, v in self.changes],
        }


@record(frozen=True)
class Finding:
    """One thing worth telling the user about a configuration."""

    severity: Severity
    code: FindingCode
    """Stable identifier scripts can match on (``missing-dependency``)."""
    options: tuple[str, ...]
    """The options concerned, the one the finding is about first."""
    message: str
    """One line."""
    explanation: str = ""
    """Why, in a sentence or two."""
    fix: Fix | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Additional data for JSON consumers (e.g. suggestions)."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        data: dict[str, Any] = {
            "severity": self.severity.value,
            "code": self.code.value,
            "options": list(self.options),
            "message": self.message,
            "explanation": self.explanation,
            "fix": self.fix.to_json() if self.fix else None,
        }
        data.update(self.extra)
        return data


#: ``-severity.rank`` by the severity's value: looked up instead of worked out for every
#: finding sorted, by a string (an enum member's hash is a Python call).
_WORST_FIRST = {severity.value: -severity.rank for severity in Severity}
#: The severities in their order (iterating the enum class is a Python generator).
_SEVERITIES = tuple(Severity)
#: :func:`hvtui.catalog.order_key`'s number of an unknown name (last): the key reads
#: :data:`hvtui.catalog.PLACE` without a call of it for every finding sorted.
_UNKNOWN_PLACE = len(PLACE)


def _sort_key(f: Finding) -> tuple[int, int, FindingCode]:
    """:func:`sort_findings`' key: the audit sorts every VM's findings twice."""
    return (
        _WORST_FIRST[f.severity._value_],
        PLACE.get(f.options[0], _UNKNOWN_PLACE) if f.options else -1,
        f.code,
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then in catalog order of the option concerned."""
    return sorted(findings, key=_sort_key)


def count(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings of each severity."""
    totals = dict.fromkeys(_SEVERITIES, 0)
    for finding in findings:
        totals[finding.severity] += 1
    return totals


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)
