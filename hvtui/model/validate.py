"""Validation of a configuration against the catalog alone (no host knowledge).

Errors are what QEMU would refuse (missing hard dependency, bad value) or what
hvtui cannot interpret (unknown option).  Warnings are the rules and advice of
QEMU's document that QEMU does not enforce.  Info marks things worth knowing.
Host-aware advice builds on this in :mod:`hvtui.advice` (a later layer).
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.catalog import Enlightenment, Severity, ValueKind
from hvtui.limits import MAX_LISTED_ERRORS
from hvtui.model.codes import FindingCode
from hvtui.model.config import Config
from hvtui.model.findings import Finding, Fix, sort_findings
from hvtui.model.values import PLAIN_TYPES, format_value, value_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def validate(config: Config, *, vendor: str | None = None) -> list[Finding]:
    """Every finding for ``config``, worst first.

    ``vendor`` (``"intel"``, ``"amd"``...) sharpens vendor-specific rules: when
    it is unknown they are reported as info, when it does not match they are
    skipped, when it matches they are warnings.
    """
    return sort_findings(unsorted_findings(config, vendor=vendor))


def unsorted_findings(config: Config, *, vendor: str | None = None) -> list[Finding]:
    """:func:`validate`'s findings in the order the checks make them.

    For a caller that sorts them together with others (the advice engine, once per VM
    audited): ``sort_findings`` is stable, so sorting these with the others gives what
    sorting :func:`validate`'s list with them gives (findings of equal keys keep the
    order they were made in, both ways).
    """
    findings: list[Finding] = []
    unknown: list[str] = []
    on = config.on_names()
    for name, value in config:
        entry = _ENTRY.get(name)  # only a catalog name, spelled as in presets, has one
        if entry is None:
            if len(unknown) < MAX_LISTED_ERRORS:
                findings.append(_unknown(name, value))
            unknown.append(name)
            continue
        # A switch's bool is always allowed (nearly every value an audit sees).
        switch_bool = entry.kind is ValueKind.SWITCH and type(value) is bool
        problem = None if switch_bool else value_problem(entry, value)
        if problem is not None:
            findings.append(
                Finding(
                    Severity.ERROR,
                    FindingCode.INVALID_VALUE,
                    (entry.name,),
                    f"{entry.name}: {problem}",
                    f"QEMU's {entry.qemu_property} takes {entry.describe_range()}.",
                    Fix(f"reset {entry.name} to QEMU's default", ((entry.name, None),)),
                )
            )
            continue
        if name in on:  # ``config.is_on`` of a catalog name
            findings.extend(_enabled_findings(config, entry, vendor, on))
    if len(unknown) > MAX_LISTED_ERRORS:
        findings.append(_more_unknown(unknown[MAX_LISTED_ERRORS:]))
    findings.extend(_passthrough_findings(config))
    findings.extend(_identity_alone(config))
    return findings


def _more_unknown(names: list[str]) -> Finding:
    """One finding for the unknown names past the first few: a file with 50,000 of
    them gets 21 findings, not 50,000 (each with its own "did you mean" search)."""
    shown = ", ".join(repr(n) for n in names[:3])
    return Finding(
        Severity.ERROR,
        FindingCode.UNKNOWN_OPTION,
        tuple(names),
        f"{len(names)} more unknown enlightenments ({shown}{', ...' if len(names) > 3 else ''})",
        "Allowed names are the QEMU hv-* properties without the hv- prefix; "
        "see `hvtui explain --list`.",
        Fix(f"remove the {len(names)} unknown names", tuple((n, None) for n in names)),
    )


def _unknown(name: str, value: object) -> Finding:
    suggestions = catalog.suggest(name)
    hint = f"; did you mean {suggestions[0]!r}?" if suggestions else ""
    fix = None
    if suggestions and isinstance(value, bool | int | str):
        fix = Fix(
            f"rename {name} to {suggestions[0]}",
            ((name, None), (suggestions[0], value)),
        )
    return Finding(
        Severity.ERROR,
        FindingCode.UNKNOWN_OPTION,
        (name,),
        f"unknown enlightenment {name!r}{hint}",
        "Allowed names are the QEMU hv-* properties without the hv- prefix; "
        "see `hvtui explain --list`.",
        fix,
        extra={"suggestions": suggestions},
    )


#: :func:`_findings_for_enabled`'s answers, by what they depend on (see :func:`_enabled_findings`).
_ENABLED_FINDINGS: dict[tuple[object, ...], tuple[Finding, ...]] = {}
#: At most this many answers are kept; past that the cache starts again.
_ENABLED_LIMIT = 4096
#: Per option, the options whose state its findings depend on (requires, documented rules),
#: and whether all of them are catalog names (whose state is a set lookup).
_DEPENDS_ON: dict[str, tuple[tuple[str, ...], bool]] = {}
#: The catalog's entries by canonical name (validation looks up every option of every VM
#: audited: a dict lookup, not a call of :func:`hvtui.catalog.get`).
_ENTRY = catalog.BY_NAME
#: The options that identify (vendor, version) rather than enlighten.
_IDENTITY_ONLY = frozenset(e.name for e in catalog.ENTRIES if not e.enlightenment)


def _enabled_findings(
    config: Config, entry: Enlightenment, vendor: str | None, on: frozenset[str] | None = None
) -> Sequence[Finding]:
    """:func:`_findings_for_enabled`, worked out once per distinct answer: it depends only
    on the option, its value (and type: ``True == 1``), the vendor and whether each option
    its dependencies and documented rules name is on. A fleet repeats these (a thousand
    domains: 8,514 options on, a few hundred distinct answers); findings are immutable.
    ``on``: ``config.on_names()``, when the caller holds it already."""
    found_depends = _DEPENDS_ON.get(entry.name)
    if found_depends is None:
        names = (
            *entry.requires,
            *(option for rule in entry.doc_rules for option in rule.options),
        )
        found_depends = _DEPENDS_ON[entry.name] = (names, all(n in _ENTRY for n in names))
    depends, canonical = found_depends
    value = config.get(entry.name)
    if type(value) not in PLAIN_TYPES:  # not a value the catalog's kinds take: no cache
        return _findings_for_enabled(config, entry, vendor)
    # ``config.is_on`` of a catalog name is whether it is among ``on_names``.
    is_on: Callable[[str], bool] = (
        (config.on_names() if on is None else on).__contains__ if canonical else config.is_on
    )
    key = (entry.name, type(value), value, vendor, *map(is_on, depends))
    found = _ENABLED_FINDINGS.get(key)
    if found is None:
        if len(_ENABLED_FINDINGS) >= _ENABLED_LIMIT:
            _ENABLED_FINDINGS.clear()
        found = _ENABLED_FINDINGS[key] = tuple(_findings_for_enabled(config, entry, vendor))
    return found


def _findings_for_enabled(
    config: Config, entry: Enlightenment, vendor: str | None
) -> list[Finding]:
    findings: list[Finding] = []
    missing = [r for r in entry.requires if not config.is_on(r)]
    for required in missing:
        findings.append(
            Finding(
                Severity.ERROR,
                FindingCode.MISSING_DEPENDENCY,
                (entry.name, required),
                f"{entry.name} needs {required}, which is off",
                f"QEMU checks this dependency and refuses to start a VM with "
                f"{entry.qemu_property} but without hv-{required}.",
                Fix(f"turn on {required}", ((required, True),)),
            )
        )
    for rule in entry.doc_rules:
        wanted = [o for o in rule.options if not config.is_on(o)]
        if not wanted:
            continue
        if rule.vendor is not None and vendor is not None and vendor != rule.vendor:
            continue
        severity = Severity.INFO if rule.vendor is not None and vendor is None else Severity.WARNING
        message = rule.message
        if rule.vendor is not None and vendor is None:
            message = f"on {rule.vendor.capitalize()} hosts, {message}"
        findings.append(
            Finding(
                severity,
                FindingCode.DOC_REQUIREMENT,
                (entry.name, *wanted),
                message,
                rule.explanation,
                Fix("turn on " + ", ".join(wanted), tuple((o, True) for o in wanted)),
            )
        )
    if not entry.production:
        findings.append(
            Finding(
                Severity.WARNING,
                FindingCode.NOT_FOR_PRODUCTION,
                (entry.name,),
                f"{entry.name} is a debugging/development feature, not for production",
                "QEMU's recommendations: hv-syndbg, hv-passthrough and hv-enforce-cpuid "
                "should not be enabled in production configurations.",
                Fix(f"turn off {entry.name}", ((entry.name, False),)),
            )
        )
    value = config.get(entry.name)
    for caution in entry.cautions:
        if caution.when is not None and value != caution.when:
            continue
        if caution.below is not None and not (isinstance(value, int) and value < caution.below):
            continue
        findings.append(
            Finding(
                caution.severity,
                FindingCode(caution.code),
                (entry.name,),
                caution.message,
                caution.explanation,
            )
        )
    if entry.vendors is not None and vendor is not None and vendor not in entry.vendors:
        allowed = ", ".join(sorted(entry.vendors))
        findings.append(
            Finding(
                Severity.ERROR,
                FindingCode.WRONG_VENDOR,
                (entry.name,),
                f"{entry.name} works on {allowed} hosts only; this host is {vendor}",
                "The guest will not boot with it on this CPU vendor.",
                Fix(f"turn off {entry.name}", ((entry.name, False),)),
            )
        )
    return findings


def _passthrough_findings(config: Config) -> list[Finding]:
    ignored = config.overridden_by_passthrough()
    if not ignored:
        return []
    switches = [n for n in config.enabled() if catalog.get(n).overrides_list]
    listed = ", ".join(ignored)
    return [
        Finding(
            Severity.WARNING,
            FindingCode.PASSTHROUGH_OVERRIDES,
            (*switches, *ignored),
            f"{switches[0]} overrides the explicit list; ignored: {listed}",
            "With hv-passthrough QEMU enables everything KVM supports and copies KVM's "
            "spinlocks, vendor and version values; only syndbg, enforce-cpuid and "
            "no-nonarch-coresharing still take effect (and no-nonarch-coresharing=auto still "
            "blocks migration).",
            Fix(f"turn off {switches[0]}", ((switches[0], False),)),
        )
    ]


def _identity_alone(config: Config) -> list[Finding]:
    enabled = config.enabled()
    if not enabled or not _IDENTITY_ONLY.issuperset(enabled):  # an enlightenment is on
        return []
    identity = list(enabled)
    return [
        Finding(
            Severity.INFO,
            FindingCode.IDENTITY_ALONE,
            tuple(identity),
            f"{', '.join(identity)} has no effect without an enlightenment",
            "Vendor and version identification only reach the guest once at least one "
            "Hyper-V enlightenment is on.",
        )
    ]


def describe_config(config: Config) -> list[str]:
    """``relaxed=on``, ``spinlocks=0x1fff``...: a compact listing of explicit values."""
    parts: list[str] = []
    for name, value in config:
        if not catalog.is_canonical(name) or value_problem(catalog.get(name), value):
            parts.append(f"{name}={value!r}")
        else:
            parts.append(f"{name}={format_value(catalog.get(name), value)}")
    return parts


__all__ = ["describe_config", "unsorted_findings", "validate"]
