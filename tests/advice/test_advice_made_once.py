"""The advice rules make each finding once per run and hand the same object out again
(``hvtui.advice.advise._MADE``, keyed by what the finding is made of): what they answer
from it is what they make afresh, whatever was judged before, on hosts that take every
rule down each of its paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostviews import HALF_AMD, INTEL, NO_HV

from hvtui import catalog
from hvtui.advice import HostView, advise, make_context
from hvtui.advice.advise import _MADE
from hvtui.catalog import ValueKind
from hvtui.model import Config, Finding
from hvtui.records import replace
from hvtui.versions import Version

#: Hosts for every rule's paths: none, nothing known, all supported, half supported on
#: an overcommitted in-VM AMD host with old QEMU/libvirt and nothing enabled, no Hyper-V.
HOSTS: tuple[HostView | None, ...] = (
    None,
    HostView(),
    replace(INTEL, libvirt=Version(10, 0, 0), qemu=Version(9, 0, 0)),
    HALF_AMD,
    NO_HV,
)


#: Intents for every path: neither migratable nor nested, migratable, nested.
_INTENTS = ("desktop", "server-migratable", "nested-hyperv")


def _configs() -> list[Config]:
    """Nothing on, each option alone (a number's value low and high, a tri-state's every
    value), every option on, and every other one."""
    configs = [Config()]
    for entry in catalog.ENTRIES:
        configs.append(Config().enable(entry.name).after)
        if entry.kind is ValueKind.TRISTATE:
            configs += [Config.of({entry.name: value}) for value in ("on", "auto", "off")]
        elif entry.overcommit_value is not None:
            configs += [Config.of({entry.name: value}) for value in (1, 0xFFFFFFFF)]
    every = {e.name: True for e in catalog.ENTRIES if e.kind is ValueKind.SWITCH}
    configs.append(Config.of(every))
    configs.append(Config.of(dict(sorted(every.items())[::2])))
    return configs


def _cases() -> list[tuple[Config, HostView | None, str, bool | None, int | None]]:
    cases: list[tuple[Config, HostView | None, str, bool | None, int | None]] = []
    for config in _configs():
        cases += [(config, host, "desktop", None, None) for host in HOSTS[:2]]
        for host in HOSTS[2:]:  # the hosts with facts: every intent
            cases += [(config, host, intent, None, None) for intent in _INTENTS]
        cases += [(config, HOSTS[3], "desktop", pinned, 8) for pinned in (True, False)]
    return cases


def _said(findings: list[Finding]) -> list[tuple[str, object]]:
    """Everything a finding says, ``extra`` included."""
    return [(repr(f), f.to_json()) for f in findings]


@pytest.fixture(autouse=True)
def _nothing_made() -> Iterator[None]:
    _MADE.clear()
    yield
    _MADE.clear()


def test_findings_made_once_are_what_the_rules_make_afresh() -> None:
    cases = _cases()
    fresh = []
    for config, host, intent, pinned, vcpus in cases:
        _MADE.clear()
        ctx = make_context(host, intent=intent, pinned=pinned, vcpus=vcpus)
        fresh.append(_said(advise(config, ctx)))
    # Every case again, backwards, with everything made for the others kept: an answer
    # kept under a key that left out something its finding is made of would show here.
    for index in reversed(range(len(cases))):
        config, host, intent, pinned, vcpus = cases[index]
        ctx = make_context(host, intent=intent, pinned=pinned, vcpus=vcpus)
        assert _said(advise(config, ctx)) == fresh[index], (config, host, intent, pinned)
    assert _MADE  # answers were kept (and handed out above)


def test_a_finding_made_before_is_the_same_object() -> None:
    host = HOSTS[4]  # no Hyper-V: every option on is dropped or stops QEMU
    config = Config().enable("relaxed").after
    first = advise(config, make_context(host))
    again = advise(config, make_context(host))
    assert first and all(a is b for a, b in zip(first, again, strict=True))
