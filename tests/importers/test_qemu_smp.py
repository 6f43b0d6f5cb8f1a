"""``-smp`` topologies as QEMU 7.2 makes them (:mod:`hvtui.formats.qemu_smp`): one table of
machine types and ``-smp`` values, each checked against the real ``qemu-system-x86_64``
(its refusal, or the topology QMP shows), and what hvtui reads and reports.

QEMU fills in cores before sockets on machine types since 6.2 (``pc-q35-7.2``, ``microvm``)
and sockets first on older ones (``pc-i440fx-6.1``), refuses a hierarchy whose product is
not ``maxcpus``, ``maxcpus`` below ``cpus``, dies where the machine has none (``microvm``),
clusters on x86, and more vCPUs than the machine type takes; its counts are C ``unsigned``.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass

import pytest
from export.tools import QEMU, qmp_answers, require

from hvtui.formats.qemu_opts import MachineOptions
from hvtui.formats.qemu_smp import (
    SMP_KEYS,
    UNCHECKED_LIMIT,
    SmpTopology,
    SmpTopologyError,
    machine_smp,
    parse_smp_config,
    read_smp,
)
from hvtui.importers import parse_qemu_args

Q35, OLD, MICRO = "pc-q35-7.2", "pc-i440fx-6.1", "microvm"
#: The product QEMU refuses, on a PC machine (dies) and on one without dies.
PRODUCT = "Invalid CPU topology: product of the hierarchy must match maxcpus: "


@dataclass(frozen=True)
class Case:
    """One ``-smp`` on one machine type: the topology QEMU makes, or its refusal."""

    name: str
    args: tuple[str, ...]
    """The options (``("-machine", Q35, "-smp", "8")``); no ``-machine``: QEMU's default."""
    topology: tuple[int, ...] | None
    """``(cpus, sockets, dies, clusters, cores, threads, maxcpus)``; ``None``: refused."""
    qemu_says: str = ""
    """QEMU's words: its refusal, which hvtui reports after "QEMU refuses it: ", or a
    warning it starts with (a zero count is deprecated)."""
    status: int = 1
    """QEMU's exit status when it refuses (``-8``: it dies of SIGFPE)."""


def _m(machine: str, smp: str) -> tuple[str, ...]:
    return ("-machine", machine, "-smp", smp)


CASES = [
    Case("cores-first-since-6.2", _m(Q35, "8"), (8, 1, 1, 1, 8, 1, 8)),
    Case("sockets-first-up-to-6.1", _m(OLD, "8"), (8, 8, 1, 1, 1, 1, 8)),
    Case("cores-first-on-microvm", _m(MICRO, "4"), (4, 1, 1, 1, 4, 1, 4)),
    Case("threads-given-cores-filled", _m(Q35, "8,threads=2"), (8, 1, 1, 1, 4, 2, 8)),
    Case("threads-given-sockets-filled", _m(OLD, "8,threads=2"), (8, 4, 1, 1, 1, 2, 8)),
    Case("sockets-first-on-4.0.1", _m("pc-q35-4.0.1", "4"), (4, 4, 1, 1, 1, 1, 4)),
    Case("sockets-given", _m(Q35, "8,sockets=2"), (8, 2, 1, 1, 4, 1, 8)),
    Case("cores-given", _m(Q35, "8,cores=2"), (8, 4, 1, 1, 2, 1, 8)),
    Case("threads-last", _m(Q35, "8,sockets=2,cores=2"), (8, 2, 1, 1, 2, 2, 8)),
    Case("product-alone", _m(Q35, "sockets=2,cores=3,threads=2"), (12, 2, 1, 1, 3, 2, 12)),
    Case("maxcpus-over-cpus", _m(Q35, "4,maxcpus=8"), (4, 1, 1, 1, 8, 1, 8)),
    Case("maxcpus-alone-fills", _m(Q35, "maxcpus=6,sockets=2"), (6, 2, 1, 1, 3, 1, 6)),
    Case("dies-on-pc", _m(Q35, "4,dies=2"), (4, 1, 2, 1, 2, 1, 4)),
    Case("clusters-of-one", _m(Q35, "2,clusters=1"), (2, 1, 1, 1, 2, 1, 2)),
    Case("machine-member", ("-machine", "q35,smp.cpus=4,smp.cores=2"), (4, 2, 1, 1, 2, 1, 4)),
    Case("machine-after-smp", ("-smp", "4", "-machine", OLD), (4, 4, 1, 1, 1, 1, 4)),
    Case("empty-is-one", ("-smp", ""), (1, 1, 1, 1, 1, 1, 1)),
    Case("zero-is-not-given", _m(Q35, "cpus=0,sockets=2"), (2, 2, 1, 1, 1, 1, 2),
         "Deprecated CPU topology (considered invalid)", status=0),
    Case("wraps-to-no-count", ("-smp", "4294967296"), (1, 1, 1, 1, 1, 1, 1)),
    Case("product-not-maxcpus", ("-smp", "3,cores=2"), None,
         PRODUCT + "sockets (1) * dies (1) * cores (2) * threads (1) != maxcpus (3)"),
    Case("product-not-maxcpus-no-dies", _m(MICRO, "3,cores=2"), None,
         PRODUCT + "sockets (1) * cores (2) * threads (1) != maxcpus (3)"),
    Case("product-rounded-down", _m(Q35, "7,sockets=2"), None,
         PRODUCT + "sockets (2) * dies (1) * cores (3) * threads (1) != maxcpus (7)"),
    Case("product-rounded-down-old", _m(OLD, "6,cores=4"), None,
         PRODUCT + "sockets (1) * dies (1) * cores (4) * threads (1) != maxcpus (6)"),
    Case("maxcpus-below-cpus", _m(Q35, "2,maxcpus=1"), None,
         "Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * "
         "dies (1) * cores (1) * threads (1) == maxcpus (1) < smp_cpus (2)"),
    Case("no-dies-on-microvm", _m(MICRO, "2,dies=2"), None,
         "dies not supported by this machine's CPU topology"),
    Case("no-clusters-on-x86", _m(Q35, "2,clusters=2"), None,
         "clusters not supported by this machine's CPU topology"),
    Case("over-q35-max", _m("q35", "289"), None,
         "Invalid SMP CPUs 289. The max CPUs supported by machine 'pc-q35-7.2' is 288"),
    Case("over-old-q35-max", _m("pc-q35-2.7", "256"), None,
         "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-q35-2.7' is 255"),
    Case("over-default-max", ("-smp", "256"), None,
         "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-i440fx-7.2' is 255"),
    Case("over-isapc-max", _m("isapc", "2"), None,
         "Invalid SMP CPUs 2. The max CPUs supported by machine 'isapc' is 1"),
    Case("negative-is-unsigned", ("-smp", "-1"), None,
         "Invalid SMP CPUs -1. The max CPUs supported by machine 'pc-i440fx-7.2' is 255"),
    Case("product-wraps-to-zero", ("-smp", "sockets=65536,cores=65536"), None,
         "Invalid SMP CPUs 0. The min CPUs supported by machine 'pc-i440fx-7.2' is 1"),
    Case("divisor-wraps-to-zero", ("-smp", "4,cores=65536,threads=65536"), None, status=-8),
    # Every -smp is merged into one (keyval_merge): a later one's keys win, the others stay,
    # as libvirt's own -smp and a <qemu:commandline> -smp after it are.
    Case("later-smp-keys-win", ("-smp", "4,sockets=4,cores=1,threads=1", "-smp", "8,sockets=8"),
         (8, 8, 1, 1, 1, 1, 8)),
    Case("earlier-smp-keys-stay", (*_m(Q35, "2,sockets=1,dies=1,cores=2,threads=1"),
                                   "-smp", "8,cores=4"), None,
         PRODUCT + "sockets (1) * dies (1) * cores (4) * threads (1) != maxcpus (8)"),
    Case("earlier-maxcpus-stays", ("-smp", "2,maxcpus=4,sockets=4,cores=1,threads=1",
                                   "-smp", "8,sockets=8"), None,
         PRODUCT + "sockets (8) * dies (1) * cores (1) * threads (1) != maxcpus (4)"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hvtui_reads_the_topology_qemu_makes(case: Case) -> None:
    found = parse_qemu_args(list(case.args))
    if case.topology is None:
        assert found.vcpus is None
        assert len(found.problems) == 1 and "\n" not in found.problems[0], found.problems
        assert found.problems[0].startswith("-smp: QEMU refuses it: ")
        if case.qemu_says:
            assert found.problems[0].endswith(f"QEMU refuses it: {case.qemu_says}")
        return
    assert found.problems == ()
    assert found.vcpus == case.topology[0]


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.topology], ids=lambda case: case.name
)
def test_topology_is_filled_in_as_qemu_fills_it(case: Case) -> None:
    machine = MachineOptions()
    for option, value in zip(case.args[::2], case.args[1::2], strict=True):
        (machine.add_smp if option == "-smp" else machine.add_machine)(value)
    smp = read_smp(machine.tree.get("smp"), machine.tree.get("type"))
    assert smp.topology == SmpTopology(*case.topology or ())


def test_types_no_source_describes_are_checked_only_where_every_type_agrees() -> None:
    """A type neither QEMU 7.2 nor a cited source has: the product is still QEMU's rule,
    and the vCPU limit is said to be unchecked (a note, not a problem)."""
    virt = parse_qemu_args(["-machine", "virt", "-smp", "3,cores=2"])
    assert "product of the hierarchy" in virt.problems[0]
    later = machine_smp("pc-q35-11.0")  # a PC machine, cores first; its max_cpus unknown
    assert (later.prefer_sockets, later.dies_supported, later.max_cpus) == (False, True, None)
    for machine in ("pc-q35-11.0", "pc-q35-rhel9.8.0", "virt"):
        found = parse_qemu_args(["-machine", machine, "-smp", "5000"])
        assert (found.vcpus, found.problems) == (5000, ()), machine
        assert found.notes == (f"-smp: machine type {machine!r}: {UNCHECKED_LIMIT}",)


def test_a_running_proxmox_guests_machine_type_is_read_as_proxmox_qemu_reads_it() -> None:
    """``-machine type=pc-i440fx-9.0+pve0`` (how qemu-server starts every guest, so how
    ``audit --running`` finds it in /proc) is a type only Proxmox's QEMU accepts: its
    ``pc-i440fx-9.0`` (255 vCPUs) is checked, not noted as a type without a source."""
    found = parse_qemu_args(["-machine", "type=pc-i440fx-9.0+pve0", "-smp", "300"])
    assert found.vcpus is None and found.notes == ()
    assert "The max CPUs supported by machine 'pc-i440fx-9.0' is 255" in found.problems[0]
    fits = parse_qemu_args(["-machine", "type=pc-q35-8.1+pve2", "-smp", "300"])
    assert (fits.vcpus, fits.problems, fits.notes) == (300, (), ())


@dataclass(frozen=True)
class Cited:
    """One ``-smp`` on a machine type QEMU 7.2 does not have, judged from its source."""

    machine: str
    smp: str
    topology: tuple[int, ...] | None
    """As :attr:`Case.topology`; ``None``: refused, with the largest count it takes."""
    source: str
    """Where the machine type's ``max_cpus`` or ``prefer_sockets`` is set."""


#: The qemu-kvm patches of RHEL (openela-main/qemu-kvm SOURCES/, cited at
#: :data:`hvtui.formats.qemu_smp._DOWNSTREAM`).
RHEL_8_2 = "qemu-kvm 8.2 (RHEL 9.4) 0010-Add-x86_64-machine-types.patch"
RHEL_10 = "qemu-kvm 10.0 (RHEL 10.0) 0013-Add-downstream-x86_64-versioned-pc-q35-machine-types"
CITED = [
    Cited("pc-q35-rhel9.2.0", "710", (710, 1, 1, 1, 710, 1, 710),
          f"{RHEL_8_2}: pc_q35_machine_rhel_options, m->max_cpus = 710"),
    Cited("pc-q35-rhel9.2.0", "711", None, f"{RHEL_8_2}, and {RHEL_10}: 'older RHEL machines "
          "continue to support 710 vcpus'"),
    Cited("pc-q35-rhel7.6.0", "711", None, RHEL_8_2),
    Cited("pc-q35-rhel9.6.0", "4096", (4096, 1, 1, 1, 4096, 1, 4096),
          f"{RHEL_10}: pc_q35_machine_options, m->max_cpus = 4096"),
    Cited("pc-q35-rhel10.0.0", "4097", None, RHEL_10),
    Cited("pc-i440fx-rhel7.6.0", "240", (240, 240, 1, 1, 1, 1, 240),
          f"{RHEL_8_2}: pc_machine_class_init '240: max CPU count for RHEL'; "
          "pc_machine_rhel7_options: prefer_sockets"),
    Cited("pc-i440fx-rhel7.6.0", "241", None, RHEL_8_2),
    Cited("pc-i440fx-rhel10.0.0", "241", None, RHEL_10),
    Cited("pc-q35-rhel8.5.0", "8", (8, 8, 1, 1, 1, 1, 8),
          f"{RHEL_8_2}: pc_q35_machine_rhel850_options, smp_props.prefer_sockets = true"),
    Cited("pc-q35-rhel8.6.0", "8", (8, 1, 1, 1, 8, 1, 8), f"{RHEL_8_2}: not for 8.6.0"),
    Cited("pc-q35-8.0", "289", None,
          "qemu-devel '[PATCH v6 2/2] pc: q35: Bump max_cpus to 1024': 288 for 8.0 and older"),
    Cited("pc-q35-8.1", "1024", (1024, 1, 1, 1, 1024, 1, 1024), "the same patch"),
    Cited("pc-q35-8.2", "1025", None,
          "qemu-devel 'pc_q35: Bump max_cpus to 4096 vcpus': 8.2 and older keep 1024"),
    Cited("pc-q35-10.1", "4097", None, f"the same patch; {RHEL_10}'s upstream context"),
    Cited("pc-i440fx-9.2", "256", None, "pc_machine_class_init: mc->max_cpus = 255"),
]  # fmt: skip


@pytest.mark.parametrize("case", CITED, ids=lambda case: f"{case.machine}-{case.smp}")
def test_types_qemu_7_2_lacks_are_checked_as_their_sources_say(case: Cited) -> None:
    found = parse_qemu_args(["-machine", case.machine, "-smp", case.smp])
    assert found.notes == ()  # the limit is checked
    if case.topology is None:
        limit = int(case.smp) - 1
        assert found.problems == (
            f"-smp: QEMU refuses it: Invalid SMP CPUs {case.smp}. The max CPUs supported by "
            f"machine {case.machine!r} is {limit}",
        ), case.source
        assert parse_qemu_args(["-machine", case.machine, "-smp", str(limit)]).problems == ()
        return
    assert (found.vcpus, found.problems) == (case.topology[0], ()), case.source
    machine = MachineOptions()
    machine.add_machine(case.machine)
    machine.add_smp(case.smp)
    smp = read_smp(machine.tree.get("smp"), machine.tree.get("type"))
    assert smp.topology == SmpTopology(*case.topology), case.source


#: Counts a topology is made of in the property test: small ones, and ones that wrap.
_SOME_COUNTS = [0, 1, 1, 2, 2, 3, 4, 6, 8, 255, 256, 289, 2**16, 2**31 + 1, 2**32, -1, -(2**63)]


def test_a_topology_read_is_one_qemu_keeps() -> None:
    """Whatever the counts (3,000 draws of a fixed seed, ~30 ms), QEMU's refusal (one
    line) or a topology whose parts multiply to ``maxcpus`` (in C's 32-bit arithmetic),
    with ``cpus`` within it and within the machine's limit, and every count given (not
    0 as an ``unsigned``) as given."""
    draw = random.Random(13)
    machines = [machine_smp(name) for name in (None, Q35, OLD, MICRO, "isapc", "virt")]
    kept = 0
    for _ in range(3000):
        keys = draw.sample(sorted(SMP_KEYS), draw.randint(0, len(SMP_KEYS)))
        counts = {key: draw.choice(_SOME_COUNTS) for key in keys}
        props = draw.choice(machines)
        try:
            got = parse_smp_config(counts, props)
        except SmpTopologyError as exc:
            assert "\n" not in str(exc)
            continue
        kept += 1
        parts = got.sockets * got.dies * got.clusters * got.cores * got.threads
        assert parts % 2**32 == got.maxcpus, (counts, props)
        assert props.min_cpus <= got.cpus <= got.maxcpus <= (props.max_cpus or 2**32 - 1)
        for key, count in counts.items():
            if count % 2**32:
                assert getattr(got, key) == count % 2**32, (key, counts, props)
    assert kept > 300  # the draws reach accepted topologies, not only refusals


# -- the same table, through QEMU 7.2 ---------------------------------------------------

FROZEN = ["-accel", "tcg", "-S", "-display", "none", "-nodefaults", "-qmp", "stdio"]
QMP = "".join(
    json.dumps({"execute": command}) + "\n"
    for command in ("qmp_capabilities", "query-cpus-fast", "query-hotpluggable-cpus", "quit")
)


def _shown(present: object, possible: object) -> tuple[int, ...]:
    """The topology QMP shows: the vCPUs started (``query-cpus-fast``) and, where the
    machine answers ``query-hotpluggable-cpus`` (not ``microvm``), every possible one,
    with each part's count as its largest id + 1 (x86 has no clusters)."""
    assert isinstance(present, list)
    cpus = present if not isinstance(possible, list) else possible
    ids = [cpu["props"] for cpu in cpus]
    parts = [max(p.get(f"{part}-id", 0) for p in ids) + 1 for part in ("socket", "die")]
    cores, threads = (max(p[f"{part}-id"] for p in ids) + 1 for part in ("core", "thread"))
    return (len(present), *parts, 1, cores, threads, len(cpus))


@pytest.mark.realtools
def test_real_qemu_makes_the_topology_the_table_says() -> None:
    """Every case in a frozen VM that quits at once (35-70 ms of CPU each, run together)."""
    qemu = require(QEMU, "qemu-system-x86")
    runs = [
        (case, subprocess.Popen([qemu, *case.args, *FROZEN], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for case in CASES
    ]  # fmt: skip
    for case, run in runs:
        out, err = run.communicate(QMP, timeout=60)
        if case.topology is None:
            assert run.returncode == case.status, (case.name, run.returncode, err)
            assert case.qemu_says in err, (case.name, err)
            continue
        assert run.returncode == 0, (case.name, err)
        assert case.qemu_says in err, (case.name, err)
        present, possible = qmp_answers(out, 2)
        assert _shown(present, possible) == case.topology, (case.name, out)
