"""The configuration model: dependency handling both ways, and validation findings."""

from __future__ import annotations

import pytest

from hvtui import catalog
from hvtui.catalog import Severity
from hvtui.model import Config, FindingCode, validate


def codes(config: Config, vendor: str | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.severity.value, f.code, f.options) for f in validate(config, vendor=vendor)]


def test_config_is_immutable_and_ordered() -> None:
    config = Config.of({"stimer": True, "relaxed": True})
    assert [name for name, _ in config] == ["relaxed", "stimer"]
    with pytest.raises(AttributeError):
        config.values = ()  # type: ignore[misc]
    assert config.with_value("vapic", True) != config
    assert config.get("vapic") is None


def test_aliases_fold_to_the_canonical_name() -> None:
    assert Config.of({"hv-apicv": True}).as_dict() == {"avic": True}
    assert Config.of(hv_stimer_direct=True).as_dict() == {"stimer-direct": True}


def test_enable_pulls_in_hard_dependencies_transitively_with_reasons() -> None:
    change = Config().enable("stimer-direct")
    assert change.after.enabled() == ("vpindex", "time", "synic", "stimer", "stimer-direct")
    assert [i.option for i in change.items] == [
        "stimer-direct",
        "stimer",
        "synic",
        "time",
        "vpindex",
    ]
    reasons = {i.option: i.reason for i in change.side_effects}
    assert reasons["synic"].startswith("stimer needs synic")
    assert reasons["vpindex"].startswith("synic needs vpindex")
    assert validate(change.after) == []


def test_enable_overrides_an_explicit_off_dependency() -> None:
    change = Config.of(vpindex=False).enable("ipi")
    assert change.after.get("vpindex") is True
    assert change.side_effects[0].before is False


def test_enable_does_not_touch_what_is_already_on() -> None:
    change = Config.of(vpindex=True).enable("synic")
    assert change.side_effects == ()


def test_enable_value_options_use_the_suggested_value() -> None:
    assert Config().enable("spinlocks").after.get("spinlocks") == 0x1FFF
    assert Config().enable("spinlocks", 0xFFF).after.get("spinlocks") == 0xFFF
    assert Config().enable("no-nonarch-coresharing").after.get("no-nonarch-coresharing") == "on"


def test_disable_reports_dependents_without_cascade() -> None:
    config = Config().enable("stimer-direct").after
    change = config.disable("synic")
    assert change.after.get("synic") is False
    assert change.still_needed_by == ("stimer", "stimer-direct")
    assert change.after.is_on("stimer")
    assert ("error", FindingCode.MISSING_DEPENDENCY, ("stimer", "synic")) in codes(change.after)


def test_disable_with_cascade_turns_dependents_off() -> None:
    config = Config().enable("stimer-direct").after
    change = config.disable("vpindex", cascade=True)
    off = {i.option: i.reason for i in change.side_effects}
    assert set(off) == {"synic", "stimer", "stimer-direct"}
    assert (
        off["stimer-direct"] == "stimer-direct needs stimer -> synic -> vpindex, which was "
        "turned off"
    )
    assert validate(change.after) == []
    assert change.after.enabled() == ("time",)


def test_disable_value_option_returns_to_default() -> None:
    change = Config.of(spinlocks=0x1FFF).disable("spinlocks")
    assert change.after.get("spinlocks") is None
    assert change.after.value("spinlocks") == 0xFFFFFFFF


def test_set_follows_dependencies_both_ways() -> None:
    assert Config().set("ipi", True).after.is_on("vpindex")
    change = Config().enable("ipi").after.set("vpindex", False)
    assert change.still_needed_by == ("ipi",)


def test_missing_hard_dependency_is_an_error_with_a_fix() -> None:
    findings = validate(Config.of(evmcs=True))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert [(f.code, f.options) for f in errors] == [
        (FindingCode.MISSING_DEPENDENCY, ("evmcs", "vapic"))
    ]
    assert errors[0].fix is not None and errors[0].fix.changes == (("vapic", True),)


def test_unknown_option_is_an_error_with_did_you_mean() -> None:
    finding = validate(Config.from_items({"relaxd": True}))[0]
    assert finding.code == FindingCode.UNKNOWN_OPTION and finding.severity is Severity.ERROR
    assert "did you mean 'relaxed'?" in finding.message
    assert finding.fix is not None
    assert finding.fix.changes == (("relaxd", None), ("relaxed", True))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("spinlocks", -1),
        ("spinlocks", 1 << 32),
        ("version-id-snumber", 1 << 24),
        ("version-id-sbranch", 256),
        ("vendor-id", "ABCDEFGHIJKLM"),
        ("vendor-id", "a,b"),
        ("vendor-id", ""),
        ("vendor-id", "caf\u00e9"),
        ("no-nonarch-coresharing", "yes"),
        ("relaxed", 1),
        ("spinlocks", True),
    ],
)
def test_bad_values_are_errors(name: str, value: object) -> None:
    findings = validate(Config.of({name: value}))  # type: ignore[dict-item]
    assert [(f.code, f.options) for f in findings if f.severity is Severity.ERROR] == [
        (FindingCode.INVALID_VALUE, (name,))
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("spinlocks", 0),
        ("spinlocks", 0xFFFFFFFF),
        ("version-id-snumber", (1 << 24) - 1),
        ("vendor-id", "ABCDEFGHIJKL"),
        ("vendor-id", "KVM Hv"),
        ("vendor-id", "<&'\">"),
        ("no-nonarch-coresharing", "auto"),
    ],
)
def test_edge_values_are_allowed(name: str, value: object) -> None:
    findings = validate(Config.of({name: value, "relaxed": True}))  # type: ignore[dict-item]
    assert not [f for f in findings if f.severity is Severity.ERROR]


def test_document_rules_are_warnings_not_errors() -> None:
    config = Config.of(reenlightenment=True)
    found = codes(config)
    assert ("warning", FindingCode.DOC_REQUIREMENT, ("reenlightenment", "frequencies")) in found
    assert not [c for c in found if c[0] == "error"]


def test_syndbg_gets_qemu_errors_and_document_warnings() -> None:
    found = codes(Config.of(syndbg=True))
    errors = {c[2] for c in found if c[0] == "error"}
    assert errors == {("syndbg", "synic"), ("syndbg", "relaxed")}
    doc = [c for c in found if c[1] == FindingCode.DOC_REQUIREMENT]
    assert doc == [
        (
            "warning",
            FindingCode.DOC_REQUIREMENT,
            ("syndbg", "time", "vapic", "vpindex", "runtime", "stimer"),
        )
    ]
    assert ("warning", FindingCode.NOT_FOR_PRODUCTION, ("syndbg",)) in found
    assert ("warning", FindingCode.NEEDS_VMBUS_BRIDGE, ("syndbg",)) in found


def test_vendor_specific_rules_depend_on_the_vendor() -> None:
    config = Config.of(vapic=True, **{"tlbflush-direct": True})
    unknown = [c for c in codes(config) if c[1] == FindingCode.DOC_REQUIREMENT]
    assert unknown == [("info", FindingCode.DOC_REQUIREMENT, ("tlbflush-direct", "evmcs"))]
    intel = [c for c in codes(config, "intel") if c[1] == FindingCode.DOC_REQUIREMENT]
    assert intel == [("warning", FindingCode.DOC_REQUIREMENT, ("tlbflush-direct", "evmcs"))]
    assert [c for c in codes(config, "amd") if c[1] == FindingCode.DOC_REQUIREMENT] == []


def test_evmcs_on_amd_is_an_error_when_the_vendor_is_known() -> None:
    config = Config().enable("evmcs").after
    assert ("error", FindingCode.WRONG_VENDOR, ("evmcs",)) in codes(config, "amd")
    assert not [c for c in codes(config, "intel") if c[0] == "error"]


@pytest.mark.parametrize("name", ["syndbg", "passthrough", "enforce-cpuid"])
def test_debug_features_are_not_for_production(name: str) -> None:
    config = Config().enable(name).after
    assert ("warning", FindingCode.NOT_FOR_PRODUCTION, (name,)) in codes(config)


def test_passthrough_overrides_the_explicit_list_and_says_so() -> None:
    config = Config.of(passthrough=True, relaxed=True, spinlocks=0x1FFF, syndbg=False)
    assert config.overridden_by_passthrough() == ("relaxed", "spinlocks")
    finding = next(f for f in validate(config) if f.code == FindingCode.PASSTHROUGH_OVERRIDES)
    assert finding.severity is Severity.WARNING
    assert "ignored: relaxed, spinlocks" in finding.message
    assert Config.of(relaxed=True).overridden_by_passthrough() == ()


def test_value_dependent_cautions() -> None:
    assert ("warning", FindingCode.NEEDS_PINNING, ("no-nonarch-coresharing",)) in codes(
        Config.of({"no-nonarch-coresharing": "on"})
    )
    assert ("info", FindingCode.BLOCKS_MIGRATION, ("no-nonarch-coresharing",)) in codes(
        Config.of({"no-nonarch-coresharing": "auto"})
    )
    assert codes(Config.of({"no-nonarch-coresharing": "off"})) == []
    low = codes(Config.of(spinlocks=0xFFE))
    assert ("warning", FindingCode.SPINLOCKS_BELOW_MINIMUM, ("spinlocks",)) in low
    assert codes(Config.of(spinlocks=0xFFF)) == []


def test_identity_alone_is_noted() -> None:
    assert codes(Config.of({"vendor-id": "KVMKVMKVM"}))[0][1] == FindingCode.IDENTITY_ALONE
    assert FindingCode.IDENTITY_ALONE not in [
        c[1] for c in codes(Config.of({"vendor-id": "KVMKVMKVM", "relaxed": True}))
    ]


def test_findings_are_sorted_worst_first() -> None:
    findings = validate(Config.of(stimer=True, syndbg=True, reset=True))
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)


def test_every_option_can_be_enabled_into_a_valid_config() -> None:
    for entry in catalog.ENTRIES:
        config = Config().enable(entry.name).after
        errors = [f for f in validate(config) if f.severity is Severity.ERROR]
        assert errors == [], entry.name


def test_every_catalog_caution_has_a_finding_code() -> None:
    """The catalog writes its cautions' codes as data; each is a :class:`FindingCode`."""
    from hvtui import catalog

    codes = {c.code for entry in catalog.ENTRIES for c in entry.cautions}
    assert codes and codes <= {code.value for code in FindingCode}


def test_finding_codes_are_the_json_strings() -> None:
    finding = validate(Config.of(evmcs=True))[0]
    assert isinstance(finding.code, FindingCode)
    assert type(finding.to_json()["code"]) is str
    assert finding.to_json()["code"] == finding.code.value
