"""Host-aware advice: findings with fixes, recommendations per intent, fleets, badges.

Plain Python (no Textual): the CLI (`recommend`, `compare`, `audit`) and the TUI
call the same functions.
"""

from __future__ import annotations

from hvtui.advice.advise import Context, advise, advise_cpu, make_context
from hvtui.advice.host import HostView
from hvtui.advice.recommend import Choice, Recommendation, recommend, recommend_fleet
from hvtui.advice.support import HOST_REFUSALS, HostSupport, SupportState, host_support
from hvtui.intents import DEFAULT_INTENT, INTENTS, Intent, get_intent
from hvtui.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hvtui.advice.host_facts import FactStatus, HostFact, explain_host
    from hvtui.advice.migration import Badge, migration_safety

#: Names imported the first time they are asked for, and their modules: ``hvtui audit``
#: judges and recommends but never explains a host or rates a fleet's migration.
#: (``advise`` and ``recommend`` stay above: each is also the name of its module,
#: which importing the module would otherwise leave in their place.)
_LATER = {
    "FactStatus": "hvtui.advice.host_facts",
    "HostFact": "hvtui.advice.host_facts",
    "explain_host": "hvtui.advice.host_facts",
    "Badge": "hvtui.advice.migration",
    "migration_safety": "hvtui.advice.migration",
}


if not TYPE_CHECKING:  # hidden from type checkers, which would type every unknown name Any
    __getattr__, __dir__ = exports(__name__, _LATER, globals())


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
