""":func:`hvtui.audit.audit_vm` judges each distinct VM once per process (its memo,
keyed by what the judging reads): what it answers is what judging each VM on its
own (:func:`hvtui.audit.engine._judge`) gives, for every fixture, the benchmark's
domains and hosts of every kind; and two VMs that differ in any one thing the judging
reads are not answered from each other's entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostviews import HALF_AMD, NO_HV

from audit.support import DATA, bench_domains
from hvtui.advice import HostView
from hvtui.audit import VmAudit, audit_vm, engine, sources
from hvtui.audit.sources import AuditInput, load_text
from hvtui.catalog import ENTRIES
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import replace
from hvtui.versions import Version

#: Generated domains of the benchmark (``benchmarks/bench_audit.py``) judged here.
BENCH_DOMAINS = 8
_ALL = frozenset(e.name for e in ENTRIES)
#: Hosts that take the judging down each of its paths: no facts, KVM's list known
#: (all, half), a KVM without Hyper-V, an old QEMU and libvirt, overcommitted CPUs.
HOSTS = (
    None,
    HostView(),
    HostView(
        label="full",
        vendor="intel",
        hyperv=_ALL,
        nested=True,
        apic_virt_enabled=True,
        tsc_invariant=True,
        clocksource="tsc",
        smt_control="on",
        smt_active=True,
        logical_cpus=64,
        running_vcpus=10,
        qemu=Version(9, 0, 0),
        libvirt=Version(10, 0, 0),
    ),
    HALF_AMD,
    NO_HV,
)


def _inputs() -> list[AuditInput]:
    found = [sources.load_file(p) for p in sorted(DATA.iterdir())]
    found += [
        load_text(text, label=f"bench{i}.xml")
        for i, text in enumerate(bench_domains(BENCH_DOMAINS))
    ]
    return found


def _judgement(audit: VmAudit) -> tuple[object, ...]:
    """Everything a judgement says, with the types of the values (``True == 1``)."""
    return (
        audit.source,
        audit.host,
        audit.intent,
        audit.effective.values,
        tuple(type(v) for _, v in audit.effective.values),
        audit.findings,
        tuple(repr(f) for f in audit.findings),
        audit.differences,
        tuple(repr(d) for d in audit.differences),
        audit.recommendation,
        audit.notes,
        audit.ok,
    )


def _plain(source: AuditInput, host: HostView | None, intent: str, running: bool | None) -> VmAudit:
    already = source.kind == sources.RUNNING if running is None else running
    return engine._judge(source, host, intent, already)


@pytest.fixture(autouse=True)
def _empty_memo() -> Iterator[None]:
    engine._JUDGED.clear()
    yield
    engine._JUDGED.clear()


def test_memo_answers_what_judging_each_vm_gives() -> None:
    inputs = _inputs()
    cases: list[tuple[str, bool | None, HostView | None]] = [("desktop", None, h) for h in HOSTS]
    cases.append(("server-migratable", True, HOSTS[3]))
    for intent, running, host in cases:
        # Twice: the second round is answered from the memo.
        for _ in range(2):
            for source in inputs:
                fast = audit_vm(source, host, intent=intent, already_running=running)
                plain = _plain(source, host, intent, running)
                assert _judgement(fast) == _judgement(plain), source.label
    assert engine._JUDGED  # the memo was used


def _variants() -> Iterator[tuple[str, AuditInput, AuditInput, HostView | None, str]]:
    """Pairs of VMs that differ in one thing the judging reads, and judge differently."""
    base = sources.load_file(DATA / "libvirt-pinned.xml")
    imported = base.imported
    host = HOSTS[3]  # few CPUs, an old QEMU: VM facts change the findings
    full = HOSTS[2]

    def vm(**changes: object) -> AuditInput:
        return replace(base, imported=replace(imported, **changes))

    yield "cpu_model", vm(cpu_model="Skylake-Client"), vm(cpu_model="host"), host, "nested-hyperv"
    yield "vcpus", vm(vcpus=1), vm(vcpus=16), host, "desktop"
    yield "pinned", vm(pinned=True), vm(pinned=False), full, "desktop"
    yield "pinning", vm(pinning="each vCPU pinned"), vm(pinning=""), host, "desktop"
    spinlocks = dict(imported.config.values)
    yield (
        "config value",
        vm(config=Config.of({**spinlocks, "spinlocks": 8191})),
        vm(config=Config.of({**spinlocks, "spinlocks": 4095})),
        host,
        "desktop",
    )
    yield (
        "cpu settings",
        vm(cpu_settings=CpuSettings()),
        vm(cpu_settings=CpuSettings(hide_kvm=True)),
        host,
        "desktop",
    )
    yield "problems", vm(problems=()), vm(problems=("<x>: ignored",)), host, "desktop"
    yield "warnings", vm(warnings=()), vm(warnings=("HV-RELAXED: spelling",)), host, "desktop"
    yield "notes", vm(notes=()), vm(notes=("read as q35",)), host, "desktop"
    yield "hyperv_mode", vm(hyperv_mode="custom"), vm(hyperv_mode="host-model"), full, "desktop"
    yield "kind", vm(warnings=("w",)), replace(vm(warnings=("w",)), kind=sources.RUNNING), host, "x"


@pytest.mark.parametrize("case", list(_variants()), ids=lambda c: c[0])
def test_memo_key_holds_everything_the_judging_reads(
    case: tuple[str, AuditInput, AuditInput, HostView | None, str],
) -> None:
    _name, first, second, host, intent = case
    intent = "desktop" if intent == "x" else intent
    plain_first = _plain(first, host, intent, None)
    plain_second = _plain(second, host, intent, None)
    # The pair judges differently, so an entry answered for the wrong one would show.
    assert _judgement(plain_first)[1:] != _judgement(plain_second)[1:]
    audit_vm(first, host, intent=intent)
    assert _judgement(audit_vm(second, host, intent=intent)) == _judgement(plain_second)


def test_memo_key_holds_the_host_intent_and_running() -> None:
    source = sources.load_file(DATA / "libvirt-pinned.xml")
    few = replace(HOSTS[3], label="few")
    for host, intent, running in (
        (HOSTS[3], "desktop", False),
        (few, "desktop", False),  # another host object with other facts in its label
        (few, "server-migratable", False),
        (few, "server-migratable", True),
    ):
        fast = audit_vm(source, host, intent=intent, already_running=running)
        assert _judgement(fast) == _judgement(_plain(source, host, intent, running))
