"""What a given QEMU release refuses in a configuration: one rule for advice, check and exports.

An option newer than the target QEMU is an unknown property there, and QEMU
releases before 4.1 refuse spinlocks below 0xfff; both stop QEMU, so ``check``,
the advice engine and every export report the same errors from here.
"""

from __future__ import annotations

import functools

from hvtui import catalog
from hvtui.catalog import Severity
from hvtui.model.codes import FindingCode
from hvtui.model.config import Config
from hvtui.model.findings import Finding, Fix
from hvtui.versions import Version


def unknown_to(config: Config, qemu: Version) -> list[str]:
    """Options set in ``config`` (on or off) that QEMU ``qemu`` does not know yet."""
    newer = _newer_than(qemu)
    if not newer:  # a recent target knows every option
        return []
    return [name for name, _ in config if catalog.canonical_name(name) in newer]


@functools.lru_cache(maxsize=16)
def _newer_than(qemu: Version) -> frozenset[str | None]:
    """The catalog options QEMU ``qemu`` does not know (the catalog is fixed; advice asks
    once per configuration judged)."""
    return frozenset(e.name for e in catalog.ENTRIES if e.qemu_since > qemu)


#: The catalog options that QEMU releases before some version refuse below a minimum.
_OLD_MINIMUM = {
    e.name: e.old_qemu_minimum for e in catalog.ENTRIES if e.old_qemu_minimum is not None
}


def qemu_refusals(config: Config, qemu: Version | None) -> list[Finding]:
    """An error for every option that is on but unknown to ``qemu``, or whose value it
    refuses (spinlocks below 0xfff before QEMU 4.1).

    Explicit "off" values of unknown options are not errors: exports leave them out.
    """
    if qemu is None:
        return []
    findings: list[Finding] = []
    for name in unknown_to(config, qemu):
        entry = catalog.get(name)
        if not config.is_on(name):
            continue
        unverified = "" if entry.qemu_since_verified else " (first release inferred, not verified)"
        findings.append(
            Finding(
                Severity.ERROR,
                FindingCode.QEMU_TOO_OLD,
                (entry.name,),
                f"{entry.qemu_property} was added in QEMU {entry.qemu_since.short()}; "
                f"the target is QEMU {qemu.short()}",
                f"QEMU {qemu.short()} refuses the unknown property "
                f"{entry.qemu_property}{unverified}. Remove it or target a newer QEMU.",
                Fix(f"turn off {name}", ((name, None),)),
            )
        )
    for name, value in config:
        limit = _OLD_MINIMUM.get(name)  # only a catalog name has one
        if limit is None or qemu >= limit.until or type(value) is not int or value >= limit.minimum:
            continue
        findings.append(
            Finding(
                Severity.ERROR,
                FindingCode.QEMU_REFUSES_VALUE,
                (name,),
                f"QEMU {qemu.short()} refuses {name} below {limit.minimum:#x} "
                f"({limit.minimum}); QEMU {limit.until.short()} and newer take it",
                f"QEMU before {limit.until.short()} says: {limit.message}",
                Fix(f"set {name} to {limit.minimum:#x}", ((name, limit.minimum),)),
            )
        )
    return findings


__all__ = ["qemu_refusals", "unknown_to"]
