"""The audit's differences from the recommendation answer each row of a recommendation's
table once per distinct value (``engine._differences``, the answers kept with the table):
what they give is what a fresh table gives, for every fixture and configuration value
seen before on the same table, on hosts that take the judging down each of its paths."""

from __future__ import annotations

from audit.test_audit_judged_memo import HOSTS, _inputs
from hvtui.advice import make_context
from hvtui.audit import engine
from hvtui.audit.engine import differences
from hvtui.model import Config


def test_differences_kept_with_the_table_are_what_a_fresh_table_gives() -> None:
    inputs = _inputs()
    # Values of every type an option takes, on the same rows, so that a kept answer
    # that did not hold the value's type (True == 1) or the value would show.
    configs = [source.config for source in inputs]
    configs += [
        Config.of({"spinlocks": 1}),
        Config.of({"spinlocks": True}),
        Config.of({"relaxed": 1}),
        Config.of({"relaxed": True}),
        Config.of({"relaxed": False}),
        Config.of({"no-nonarch-coresharing": "auto"}),
        Config.of({"no-nonarch-coresharing": "on"}),
        Config.of({"no-nonarch-coresharing": "off"}),
    ]
    kept = 0
    for host in (HOSTS[0], HOSTS[2], HOSTS[3]):  # no facts, all supported, half
        for intent in ("desktop", "server-migratable"):
            rec, table = engine._recommend_for(make_context(host, intent=intent))
            for config in configs:
                engine._differences(config, table)
            kept += len(table[3])
            # Backwards, answered from the table, against answers worked out afresh.
            fresh = engine._table(rec)
            for config in reversed(configs):
                fresh[3].clear()
                assert engine._differences(config, table) == engine._differences(config, fresh)
    assert differences(configs[0], rec) == engine._differences(configs[0], table)
    assert kept  # answers were kept, and handed out above
