"""Host-aware advice: findings with fixes, recommendations per intent, fleets, badges.

Plain Python (no Textual): the CLI (`recommend`, `compare`, `audit`) and the TUI
call the same functions.
"""

from __future__ import annotations

from hvtui.advice.advise import Context, advise, advise_cpu, make_context
from hvtui.advice.host import HostView
from hvtui.advice.migration import Badge, migration_safety
from hvtui.advice.recommend import Choice, Recommendation, recommend, recommend_fleet
from hvtui.intents import DEFAULT_INTENT, INTENTS, Intent, get_intent

__all__ = [
    "DEFAULT_INTENT",
    "INTENTS",
    "Badge",
    "Choice",
    "Context",
    "HostView",
    "Intent",
    "Recommendation",
    "advise",
    "advise_cpu",
    "get_intent",
    "make_context",
    "migration_safety",
    "recommend",
    "recommend_fleet",
]
