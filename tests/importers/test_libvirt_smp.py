"""A ``<qemu:commandline>`` ``-smp`` as QEMU sees it: after libvirt's own ``-machine`` and
``-smp`` (:func:`hvtui.importers.libvirt_xml.qemu_machine_args`), merged with them.

libvirt writes ``-machine TYPE`` and a whole ``-smp`` (count, sockets, cores, threads) before
the domain's ``<qemu:commandline>`` arguments, and QEMU merges every ``-smp`` into one
(``keyval_merge``: a later key wins, the others stay).  So a ``-smp 8`` there keeps libvirt's
``sockets=4,cores=1,threads=1`` and QEMU refuses the product; and the limit is the domain's
machine type's, not QEMU's default's.  The table is checked against the running libvirtd
(``domxml-to-native qemu-argv`` of the defined domain: libvirt's own words) and QEMU 7.2
(the outcome of those words with the domain's).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from export.tools import QEMU, require

from hvtui.formats.qemu_smp import UNCHECKED_LIMIT
from hvtui.importers.libvirt_xml import LIBVIRT_OWN, parse_libvirt_xml, qemu_machine_args
from hvtui.libvirt import Connection

from .smp_runs import assert_outcome, frozen_runs
from .test_qemu_smp import PRODUCT

Q35, PC = "pc-q35-7.2", "pc-i440fx-7.2"


@dataclass(frozen=True)
class Domain:
    """A domain whose ``<qemu:commandline>`` has a ``-smp``, and what QEMU makes of it."""

    name: str
    vcpu: str
    """The ``<vcpu>`` element."""
    machine: str
    """``<os><type machine=...>``, as libvirt stores it (canonical)."""
    topology: str
    """``<cpu><topology .../>`` or ``""``."""
    commandline: tuple[str, ...]
    libvirt: tuple[str, ...]
    """libvirt's own ``-machine``/``-smp`` before the commandline (its ``-machine``'s
    further properties left out)."""
    vcpus: int | None
    """The vCPUs QEMU starts; ``None``: QEMU refuses the merged ``-smp`` with ``refusal``."""
    refusal: str = ""


DOMAINS = [
    Domain("topology-keys-stay", "<vcpu>2</vcpu>", Q35,
           "<topology sockets='1' cores='2' threads='1'/>", ("-smp", "8,cores=4"),
           ("-machine", Q35, "-smp", "2,sockets=1,dies=1,cores=2,threads=1"), None,
           PRODUCT + "sockets (1) * dies (1) * cores (4) * threads (1) != maxcpus (8)"),
    Domain("count-alone-is-refused", "<vcpu>4</vcpu>", PC, "", ("-smp", "8"),
           ("-machine", PC, "-smp", "4,sockets=4,cores=1,threads=1"), None,
           PRODUCT + "sockets (4) * dies (1) * cores (1) * threads (1) != maxcpus (8)"),
    Domain("whole-topology-replaces", "<vcpu current='2'>4</vcpu>", Q35, "",
           ("-smp", "4,sockets=2,cores=2"),
           ("-machine", Q35, "-smp", "2,maxcpus=4,sockets=4,cores=1,threads=1"), 4),
    Domain("maxcpus-stays", "<vcpu current='2'>4</vcpu>", Q35, "", ("-smp", "8,sockets=8"),
           ("-machine", Q35, "-smp", "2,maxcpus=4,sockets=4,cores=1,threads=1"), None,
           PRODUCT + "sockets (8) * dies (1) * cores (1) * threads (1) != maxcpus (4)"),
    Domain("q35-takes-256", "<vcpu>2</vcpu>", Q35, "", ("-smp", "256,sockets=256,maxcpus=256"),
           ("-machine", Q35, "-smp", "2,sockets=2,cores=1,threads=1"), 256),
    Domain("i440fx-does-not", "<vcpu>2</vcpu>", PC, "", ("-smp", "256,sockets=256,maxcpus=256"),
           ("-machine", PC, "-smp", "2,sockets=2,cores=1,threads=1"), None,
           "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-i440fx-7.2' is 255"),
]  # fmt: skip


def _xml(case: Domain, name: str = "hv", *, domain_type: str = "kvm") -> str:
    args = "".join(f"<qemu:arg value='{arg}'/>" for arg in case.commandline)
    return (
        f"<domain type='{domain_type}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
        f"<name>{name}</name><memory unit='MiB'>64</memory>{case.vcpu}"
        f"<os><type arch='x86_64' machine='{case.machine}'>hvm</type></os>"
        f"<cpu mode='custom'><model>qemu64</model>{case.topology}</cpu>"
        f"<qemu:commandline>{args}</qemu:commandline></domain>"
    )


@pytest.mark.parametrize("case", DOMAINS, ids=lambda case: case.name)
def test_libvirt_writes_its_own_machine_and_smp_first(case: Domain) -> None:
    assert qemu_machine_args(ET.fromstring(_xml(case))) == list(case.libvirt)


@pytest.mark.parametrize("case", DOMAINS, ids=lambda case: case.name)
def test_the_commandline_smp_is_judged_merged_on_the_domains_machine(case: Domain) -> None:
    found = parse_libvirt_xml(_xml(case))
    if case.vcpus is None:
        merged = f"(QEMU merges it with {LIBVIRT_OWN} {' '.join(case.libvirt)} before it)"
        assert found.problems == (f"-smp: QEMU refuses it: {case.refusal} {merged}",)
        return
    assert (found.vcpus, found.problems, found.notes) == (case.vcpus, (), ())
    # More vCPUs than libvirt brings online (2 here): the others are not libvirt's to pin.
    assert (found.pinned, found.pinning.split(" and ")[0]) == (False, "vCPU 2")


def test_fewer_vcpus_than_libvirt_brings_online_stop_the_domain() -> None:
    """libvirt 9.0 starting such a TCG domain (with virtlogd) stops it: "internal error:
    qemu didn't report thread id for vcpu '2'"; the definition's count stands."""
    case = Domain("fewer", "<vcpu>4</vcpu>", Q35,
                  "", ("-smp", "2,sockets=2"), (), 2)  # fmt: skip
    found = parse_libvirt_xml(_xml(case))
    assert found.vcpus == 4
    assert found.problems == (
        "<qemu:commandline>'s -smp starts 2 vCPUs, fewer than the 4 libvirt brings online "
        "(<vcpu>): libvirt does not start the domain (\"qemu didn't report thread id for "
        "vcpu '2'\")",
    )


def test_a_domain_without_commandline_smp_keeps_its_vcpu_count() -> None:
    """libvirt's own -smp is libvirt's to check (it refuses a topology that does not
    multiply out when the domain is defined): nothing is judged or noted without a
    ``-smp``/``-machine`` in ``<qemu:commandline>``, whatever the machine type."""
    case = Domain("cpu-only", "<vcpu>3</vcpu>", "pc-q35-rhel9.8.0", "", ("-cpu", "host"), (), 3)
    found = parse_libvirt_xml(_xml(case))
    assert (found.vcpus, found.notes) == (3, ())
    assert not any("-smp" in problem for problem in found.problems)


def test_the_vcpu_limit_of_an_unknown_machine_type_is_said_to_be_unchecked() -> None:
    case = Domain("unknown-type", "<vcpu>2</vcpu>", "pc-q35-rhel9.8.0", "",
                  ("-smp", "900,sockets=900"), (), 900)  # fmt: skip
    found = parse_libvirt_xml(_xml(case))
    assert (found.vcpus, found.problems) == (900, ())
    assert found.notes == (f"-smp: machine type 'pc-q35-rhel9.8.0': {UNCHECKED_LIMIT}",)


# -- the same table, through the running libvirtd and QEMU 7.2 ------------------------------


def _libvirt_words(argv: list[str]) -> tuple[list[str], list[str]]:
    """The ``-machine`` type and every ``-smp`` value of libvirt's QEMU command line."""
    machine = [argv[i + 1].split(",")[0] for i, word in enumerate(argv) if word == "-machine"]
    smp = [argv[i + 1] for i, word in enumerate(argv) if word == "-smp"]
    return machine, smp


@pytest.mark.realtools
def test_libvirt_and_qemu_agree_with_the_table(conn: Connection) -> None:
    """Each domain defined in qemu:///system (as TCG: nothing here has KVM), its definition
    read back as libvirt stores it, ``domxml-to-native qemu-argv`` of it, then QEMU 7.2 run
    with libvirt's -machine and -smp and the domain's (~0.1 s of CPU each, run together)."""
    from lvtools import throwaway_domain

    qemu = require(QEMU, "qemu-system-x86")
    argvs = []
    for case in DOMAINS:
        with throwaway_domain(conn, lambda name, c=case: _xml(c, name, domain_type="qemu")) as name:
            stored = conn.domain(name).xml(inactive=True)
        machine, smp = _libvirt_words(conn.native_argv(stored))
        assert ["-machine", *machine, "-smp", smp[0]] == list(case.libvirt), case.name
        assert smp[1:] == list(case.commandline[1::2]), case.name
        assert qemu_machine_args(ET.fromstring(stored)) == list(case.libvirt), case.name
        argvs.append([qemu, *case.libvirt, *case.commandline])
    for case, outcome in zip(DOMAINS, frozen_runs(argvs), strict=True):
        assert_outcome(case.name, outcome, case.vcpus, case.refusal)


def test_a_refusal_quotes_a_long_machine_type_clipped() -> None:
    """The domain's machine type is quoted in the refusal; a hostile one of any length
    is cut at 80 characters, libvirt's own -smp is quoted whole."""
    case = DOMAINS[1]
    long_type = PC + "x" * 100_000
    found = parse_libvirt_xml(_xml(case).replace(f"machine='{PC}'", f"machine='{long_type}'"))
    (problem,) = found.problems
    assert f"-machine {long_type[:79]}… -smp 4,sockets=4,cores=1,threads=1 before it)" in problem
    assert len(problem) < 400
