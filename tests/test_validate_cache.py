"""validate's answers per enabled option are kept (issue #13): a kept answer must be the
one worked out afresh, whatever configuration filled the cache."""

from __future__ import annotations

import random

from hvtui import catalog
from hvtui.catalog import ValueKind
from hvtui.model import Config
from hvtui.model.validate import (
    _ENABLED_FINDINGS,
    _enabled_findings,
    _findings_for_enabled,
    validate,
)


def _some_value(entry: catalog.Enlightenment, rng: random.Random) -> object:
    if entry.kind is ValueKind.SWITCH:
        return rng.choice((True, False, True, 1))  # 1: the wrong type for a switch
    if entry.kind is ValueKind.UINT:
        return rng.choice((0, 1, 4095, 8191, entry.maximum, True))
    if entry.kind is ValueKind.TRISTATE:
        return rng.choice((*entry.choices, "off"))
    return rng.choice(("x", "abc"))


def test_kept_answers_are_the_fresh_ones() -> None:
    rng = random.Random(13)
    entries = list(catalog.ENTRIES)
    _ENABLED_FINDINGS.clear()
    for _ in range(3000):
        chosen = rng.sample(entries, rng.randint(0, len(entries)))
        config = Config.of({e.name: _some_value(e, rng) for e in chosen})  # type: ignore[misc]
        vendor = rng.choice((None, "intel", "amd"))
        for entry in chosen:
            if not config.is_on(entry.name):
                continue
            kept = _enabled_findings(config, entry, vendor)
            assert list(kept) == _findings_for_enabled(config, entry, vendor)
    assert _ENABLED_FINDINGS  # the cache was used, not bypassed


def test_validate_is_the_same_with_and_without_kept_answers() -> None:
    rng = random.Random(7)
    entries = list(catalog.ENTRIES)
    configs = [
        Config.of({e.name: _some_value(e, rng) for e in rng.sample(entries, rng.randint(0, 12))})  # type: ignore[misc]
        for _ in range(500)
    ]
    _ENABLED_FINDINGS.clear()
    fresh = [[validate(c, vendor=v) for v in (None, "intel")] for c in configs]
    again = [[validate(c, vendor=v) for v in (None, "intel")] for c in configs]
    assert fresh == again
