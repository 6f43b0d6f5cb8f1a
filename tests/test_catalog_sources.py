"""Every catalog fact names its source; the corrected facts hold, on both sides of each boundary.

The version boundaries are checked the way a user meets them: an export (and
``hvtui check``'s advice) for the last QEMU release without an option is refused
naming the release, and the first release with it is accepted.  QEMU's machine
type defaults of the version ids are read from the real ``qemu-system-x86_64``.
"""

from __future__ import annotations

import json

import pytest
from export.tools import qom_get_cpu

from hvtui import catalog
from hvtui.advice import advise, make_context
from hvtui.catalog import FactKind, Severity
from hvtui.export.context import ExportTarget, qemu_findings
from hvtui.model import Config, FindingCode
from hvtui.versions import Version

#: The last minor release of each QEMU major (for "the release before X.0").
LAST_MINOR = {1: 7, 2: 12, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2}
#: First releases corrected by issue #12 (sources in the catalog).
CORRECTED = {"syndbg": "7.1", "version-id-build": "6.2", "no-nonarch-coresharing": "4.2",
             "relaxed": "1.1", "vapic": "1.1", "spinlocks": "1.1"}  # fmt: skip


def _before(version: Version) -> Version:
    if version.minor > 0:
        return Version(version.major, version.minor - 1)
    return Version(version.major - 1, LAST_MINOR[version.major - 1])


def _alone(name: str) -> Config:
    config = Config()
    for need in catalog.all_requirements(name):
        config = config.enable(need).after
    return config.enable(name).after


def _target(qemu: Version) -> ExportTarget:
    return ExportTarget("host", qemu, Version(9, 0), "cli", "cli", "cli")


def test_every_entry_cites_its_first_qemu_release() -> None:
    for entry in catalog.ENTRIES:
        kinds = {s.fact for s in entry.sources}
        assert FactKind.QEMU_SINCE in kinds, entry.name
        assert {s.fact for s in catalog.sources_of(entry)} >= set(FactKind) - {FactKind.DEFAULTS}
    unverified = {e.name for e in catalog.ENTRIES if not e.qemu_since_verified}
    assert unverified == {"time", "crash", "enforce-cpuid"}


@pytest.mark.parametrize(("name", "since"), sorted(CORRECTED.items()))
def test_corrected_first_releases(name: str, since: str) -> None:
    assert catalog.get(name).qemu_since.short() == since


@pytest.mark.parametrize("name", [e.name for e in catalog.ENTRIES])
def test_export_boundary_on_both_sides(name: str) -> None:
    entry = catalog.get(name)
    config = _alone(name)
    first = entry.qemu_since
    refused = qemu_findings(config, _target(_before(first)))
    assert [f.code for f in refused if name in f.options] == [FindingCode.QEMU_TOO_OLD]
    assert f"added in QEMU {first.short()}" in next(f for f in refused if name in f.options).message
    assert not [f for f in qemu_findings(config, _target(first)) if name in f.options]


def test_old_qemu_refuses_low_spinlocks() -> None:
    low = Config().set("spinlocks", 0x800).after
    at_40 = {f.code: f for f in advise(low, make_context(qemu=Version(4, 0)))}
    assert at_40[FindingCode.QEMU_REFUSES_VALUE].severity is Severity.ERROR
    assert "QEMU 4.0 refuses spinlocks below 0xfff" in at_40[FindingCode.QEMU_REFUSES_VALUE].message
    assert FindingCode.QEMU_REFUSES_VALUE not in {
        f.code for f in advise(low, make_context(qemu=Version(4, 1)))
    }
    enough = Config().set("spinlocks", 0xFFF).after
    assert FindingCode.QEMU_REFUSES_VALUE not in {
        f.code for f in advise(enough, make_context(qemu=Version(4, 0)))
    }


def test_no_specification_minimum_is_claimed() -> None:
    text = json.dumps(catalog.to_json(catalog.get("spinlocks")))
    assert "specification's minimum" not in text
    assert "Windows Server 2008 R2" in " ".join(catalog.get("spinlocks").doc.split())


def test_passthrough_keeps_what_qemu_still_applies() -> None:
    config = Config().enable("passthrough").after
    config = config.set("no-nonarch-coresharing", "auto").after.set("spinlocks", 0x1FFF).after
    ignored = config.overridden_by_passthrough()
    assert "no-nonarch-coresharing" not in ignored and "spinlocks" in ignored
    codes = {f.code for f in advise(config, make_context())}
    assert FindingCode.BLOCKS_MIGRATION in codes, "auto still blocks migration under passthrough"


def _qom_defaults(machine: str) -> dict[str, int]:
    props = ["hv-version-id-build", "hv-version-id-major", "hv-version-id-minor"]
    real = qom_get_cpu(props, ["-machine", machine, "-cpu", "qemu64"])
    return {p.removeprefix("hv-"): int(str(v)) for p, v in real.items()}


@pytest.mark.realtools
@pytest.mark.parametrize("machine", ["pc-q35-6.1", "pc-i440fx-6.1", "pc-q35-6.2"])
def test_version_id_defaults_follow_the_machine_type(machine: str) -> None:
    real = _qom_defaults(machine)
    old = machine.endswith("6.1")
    for name, value in real.items():
        entry = catalog.get(name)
        older = entry.older_machine_default
        assert older is not None and older.up_to == Version(6, 1)
        assert value == (older.value if old else entry.default), (machine, name)
