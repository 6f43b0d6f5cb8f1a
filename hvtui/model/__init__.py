"""The configuration model: plain Python, no Textual, shared by every front end."""

from hvtui.model.codes import FindingCode
from hvtui.model.config import Change, ChangeItem, Config
from hvtui.model.findings import Finding, Fix, count, has_errors, sort_findings
from hvtui.model.validate import describe_config, validate

__all__ = [
    "Change",
    "ChangeItem",
    "Config",
    "Finding",
    "FindingCode",
    "Fix",
    "count",
    "describe_config",
    "has_errors",
    "sort_findings",
    "validate",
]
