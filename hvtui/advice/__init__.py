"""Host-aware advice: findings with fixes, recommendations per intent, fleets, badges.

Plain Python (no Textual): the CLI (`recommend`, `compare`, `audit`) and the TUI
call the same functions.
"""

from __future__ import annotations

from hvtui.advice.advise import Context, advise, advise_cpu, make_context
from hvtui.advice.host import HostView
from hvtui.advice.host_facts import FactStatus, HostFact, explain_host
from hvtui.advice.migration import Badge, migration_safety
from hvtui.advice.recommend import Choice, Recommendation, recommend, recommend_fleet
from hvtui.advice.support import HOST_REFUSALS, HostSupport, SupportState, host_support
from hvtui.intents import DEFAULT_INTENT, INTENTS, Intent, get_intent

__all__ = [
    "DEFAULT_INTENT",
    "HOST_REFUSALS",
    "INTENTS",
    "Badge",
    "Choice",
    "Context",
    "FactStatus",
    "HostFact",
    "HostSupport",
    "HostView",
    "Intent",
    "Recommendation",
    "SupportState",
    "advise",
    "advise_cpu",
    "explain_host",
    "get_intent",
    "host_support",
    "make_context",
    "migration_safety",
    "recommend",
    "recommend_fleet",
]
