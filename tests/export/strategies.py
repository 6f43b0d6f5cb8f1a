"""Hypothesis strategies for valid configurations, built from the catalog alone."""

from __future__ import annotations

import string

from hypothesis import assume
from hypothesis import strategies as st

from hvtui import catalog
from hvtui.catalog import Enlightenment, Value, ValueKind
from hvtui.model import Config, has_errors, validate
from hvtui.model.config import off_value
from hvtui.versions import Version

#: What the model allows in a string: printable ASCII without a comma.
SAFE_TEXT = "".join(c for c in string.printable if " " <= c <= "~" and c != ",")


def values_for(entry: Enlightenment) -> st.SearchStrategy[Value]:
    """Any value the model accepts for ``entry`` when turning it on."""
    if entry.kind is ValueKind.SWITCH:
        return st.just(True)
    if entry.kind is ValueKind.UINT:
        return st.integers(0, entry.maximum)
    if entry.kind is ValueKind.STRING:
        return st.text(SAFE_TEXT, min_size=1, max_size=entry.max_length)
    return st.sampled_from([c for c in entry.choices if c != "off"])


@st.composite
def valid_configs(draw: st.DrawFn, *, allow_passthrough: bool = True) -> Config:
    """A configuration validation accepts (no errors): requirements pulled in,
    some other options explicitly off."""
    pool = [e for e in catalog.ENTRIES if allow_passthrough or not e.overrides_list]
    chosen = draw(st.lists(st.sampled_from(pool), unique_by=lambda e: e.name, max_size=12))
    config = Config()
    for entry in chosen:
        config = config.enable(entry.name, draw(values_for(entry))).after
    needed = {r for n in config.enabled() for r in catalog.all_requirements(n)}
    offs = draw(st.lists(st.sampled_from(catalog.ENTRIES), unique_by=lambda e: e.name, max_size=4))
    for entry in offs:
        value = off_value(entry)
        if value is not None and entry.name not in needed and not config.is_on(entry.name):
            config = config.with_value(entry.name, value)
    assume(not has_errors(validate(config)))
    return config


def libvirt_versions() -> st.SearchStrategy[Version]:
    """Every version at which some element appears, one below each, and far ahead."""
    points: set[Version] = set()
    for entry in catalog.ENTRIES:
        since = entry.libvirt.since
        if since is not None:
            points.add(since)
            below = (
                Version(since.major, since.minor, since.micro - 1)
                if since.micro
                else (
                    Version(since.major - 1, 99, 0)
                    if since.minor == 0
                    else Version(since.major, since.minor - 1, 99)
                )
            )
            points.add(below)
    points.add(Version(99, 0, 0))
    return st.sampled_from(sorted(points))
