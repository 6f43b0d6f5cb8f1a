"""A Proxmox ``args:`` ``-smp``/``-machine`` as QEMU sees it: after qemu-server's own, merged.

qemu-server writes ``-smp VCPUS,sockets=S,cores=C,maxcpus=S*C`` and ``-machine type=TYPE+pveN``
before the VM's ``args:`` (``config_to_command``), and QEMU merges every ``-smp`` into one
(a later key wins, the others stay).  So ``args: -smp 8`` on a 4-core VM keeps ``maxcpus=4``
and QEMU refuses it; ``-smp 8,maxcpus=8`` starts 8.  With ``hotplug: cpu`` qemu-server starts
one vCPU and adds the others as ``-device``, which QEMU places on the merged topology or
refuses, and only if they are of the ``-cpu`` model in use (an ``args: -cpu`` changes it).
Each case of the table runs through QEMU 7.2 too: qemu-server's words, its hotplug
``-device`` vCPUs, then ``args:``.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from clirun import run_cli
from export.tools import QEMU, require
from importers.smp_runs import assert_outcome, frozen_runs
from importers.test_qemu_smp import PRODUCT

from hvtui.formats.proxmox import context_of
from hvtui.formats.qemu_smp import (
    UNCHECKED_LIMIT,
    SmpTopology,
    cpu_device_refused,
    first_refused_cpu_device,
    pve_machine_smp,
)
from hvtui.importers.proxmox import (
    QEMU_SERVER_OWN,
    parse_proxmox_config,
    proxmox_options,
    qemu_server_machine_args,
)

#: QEMU's refusal of ``maxcpus`` below the count.
MAXCPUS = "Invalid CPU topology: maxcpus must be equal to or greater than smp: "


@dataclass(frozen=True)
class Vm:
    """A VM whose ``args:`` has a ``-smp`` or ``-machine`` (or a ``-cpu`` where qemu-server
    hotplugs vCPUs), and what QEMU makes of it."""

    name: str
    conf: str
    """The ``VMID.conf`` lines before ``args:``."""
    args: str
    own: tuple[str, ...]
    """qemu-server's ``-smp`` and ``-machine`` (without ``+pveN``)."""
    vcpus: int | None
    """The vCPUs the guest gets; ``None``: QEMU refuses with ``refusal``."""
    refusal: str = ""
    devices: tuple[str, ...] = ()
    """qemu-server's hotplug ``-device`` vCPUs (the refused one first when refused)."""
    newest: str | None = None
    """``pc``/``q35`` when the topology is taken on the node's newest machine of that
    name, whose vCPU limit is not checked (and said so)."""

    @property
    def text(self) -> str:
        return f"{self.conf}args: {self.args}\n"


def _own(smp: str, machine: str = "pc") -> tuple[str, ...]:
    return ("-smp", smp, "-machine", f"type={machine}")


def _cpu(n: int, socket: int, core: int) -> str:
    return f"kvm64-x86_64-cpu,id=cpu{n},socket-id={socket},core-id={core},thread-id=0"


VMS = [
    Vm("count-above-maxcpus", "cores: 4\n", "-smp 8", _own("4,sockets=1,cores=4,maxcpus=4"),
       None, MAXCPUS + "sockets (1) * dies (1) * cores (4) * threads (1) == maxcpus (4) "
       "< smp_cpus (8)"),
    Vm("fewer-than-qemu-server", "cores: 4\n", "-smp 2", _own("4,sockets=1,cores=4,maxcpus=4"), 2,
       newest="pc"),
    Vm("maxcpus-given-threads-filled", "cores: 4\n", "-smp 8,maxcpus=8",
       _own("4,sockets=1,cores=4,maxcpus=4"), 8, newest="pc"),
    Vm("sockets-keep-cores", "sockets: 2\ncores: 2\n", "-smp sockets=4",
       _own("4,sockets=2,cores=2,maxcpus=4"), None,
       PRODUCT + "sockets (4) * dies (1) * cores (2) * threads (0) != maxcpus (4)"),
    Vm("old-smp-key-and-vcpus", "smp: 2\ncores: 2\nvcpus: 3\n", "-machine pc-q35-7.2",
       _own("3,sockets=2,cores=2,maxcpus=4"), 3),
    Vm("windows-pinned-5.1", "ostype: win10\ncores: 2\n", "-smp 2,sockets=2,cores=1",
       _own("2,sockets=1,cores=2,maxcpus=2", "pc-i440fx-5.1"), 2),
    Vm("q35-pinned-for-windows", "ostype: win11\nmachine: q35\ncores: 2\n", "-smp 1",
       _own("2,sockets=1,cores=2,maxcpus=2", "pc-q35-5.1"), 1),
    Vm("i440fx-limit", "machine: pc-i440fx-7.2+pve0\n", "-smp 256,sockets=256,maxcpus=256",
       _own("1,sockets=1,cores=1,maxcpus=1", "pc-i440fx-7.2"), None,
       "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-i440fx-7.2' is 255"),
    Vm("q35-takes-256", "machine: type=pc-q35-7.2,viommu=virtio\n",
       "-smp 256,sockets=256,maxcpus=256", _own("1,sockets=1,cores=1,maxcpus=1", "pc-q35-7.2"),
       256),
    Vm("hotplug-on-the-merged-machine", "cores: 4\nvcpus: 2\nhotplug: disk,cpu\n",
       "-machine pc-q35-7.2", _own("1,sockets=1,cores=4,maxcpus=4"), 2,
       devices=(_cpu(2, 0, 1),)),
    Vm("hotplug-slot-taken", "cores: 4\nvcpus: 2\nhotplug: cpu\n", "-smp 2",
       _own("1,sockets=1,cores=4,maxcpus=4"), None, "CPU[1] with APIC ID 1 exists",
       (_cpu(2, 0, 1),), "pc"),
    Vm("hotplug-slot-taken-apic-id", "sockets: 2\nvcpus: 2\nhotplug: cpu\n",
       "-smp 4,cores=3,maxcpus=6", _own("1,sockets=2,cores=1,maxcpus=2"), None,
       "CPU[3] with APIC ID 4 exists", (_cpu(2, 1, 0),), "pc"),
    Vm("hotplug-core-out-of-range", "sockets: 2\ncores: 2\nvcpus: 3\nhotplug: cpu\n",
       "-smp 1,sockets=4,cores=1", _own("1,sockets=2,cores=2,maxcpus=4"), None,
       "Invalid CPU core-id: 1 must be in range 0:0", (_cpu(2, 0, 1), _cpu(3, 1, 0)), "pc"),
    Vm("hotplug-socket-out-of-range", "sockets: 2\nvcpus: 2\nhotplug: cpu\n",
       "-smp 1,sockets=1,maxcpus=1", _own("1,sockets=2,cores=1,maxcpus=2"), None,
       "Invalid CPU socket-id: 1 must be in range 0:0", (_cpu(2, 1, 0),), "pc"),
    Vm("hotplug-of-another-cpu-model", "cores: 2\nvcpus: 2\nhotplug: cpu\n", "-cpu qemu64",
       _own("1,sockets=1,cores=2,maxcpus=2"), None,
       "Invalid CPU type, expected cpu type: 'qemu64-x86_64-cpu'", (_cpu(2, 0, 1),)),
    Vm("hotplug-of-the-same-cpu-model", "cores: 2\nvcpus: 2\nhotplug: cpu\n",
       "-cpu kvm64 -smp 1", _own("1,sockets=1,cores=2,maxcpus=2"), 2, devices=(_cpu(2, 0, 1),),
       newest="pc"),
]  # fmt: skip


def _options(vm: Vm) -> dict[str, str]:
    options = proxmox_options(vm.text)
    assert options is not None
    return options


@pytest.mark.parametrize("vm", VMS, ids=lambda vm: vm.name)
def test_qemu_server_writes_its_own_smp_and_machine_first(vm: Vm) -> None:
    options = _options(vm)
    assert qemu_server_machine_args(options, context_of(options)) == list(vm.own)


@pytest.mark.parametrize("vm", VMS, ids=lambda vm: vm.name)
def test_the_args_smp_is_judged_merged_with_qemu_servers(vm: Vm) -> None:
    found = parse_proxmox_config(vm.text)
    assert found.vcpus == vm.vcpus
    smp_notes = [note for note in found.notes if note.startswith("-smp")]
    unchecked = f"-smp: machine type {vm.newest!r}: {UNCHECKED_LIMIT}"
    assert smp_notes == ([unchecked] if vm.newest else [])
    if vm.vcpus is not None:
        assert found.problems == ()
    elif vm.devices:
        (problem,) = found.problems
        assert problem.startswith(f"-device {vm.devices[0]}: QEMU refuses it: {vm.refusal} (")
    else:
        merged = f"(QEMU merges it with {QEMU_SERVER_OWN} {' '.join(vm.own)} before it)"
        assert found.problems == (f"-smp: QEMU refuses it: {vm.refusal} {merged}",)


def test_without_args_smp_the_count_is_qemu_servers() -> None:
    """Nothing is merged or judged without a -smp/-machine in args: (qemu-server's own
    -smp is Proxmox's to check); vcpus: is what starts, hotplugged or not."""
    found = parse_proxmox_config("sockets: 2\ncores: 4\nvcpus: 6\nhotplug: cpu\nargs: -no-hpet\n")
    assert (found.vcpus, found.problems) == (6, ())
    assert not any(note.startswith("-smp") for note in found.notes)


@pytest.mark.parametrize(
    ("machine", "named"),
    [("", "pc"), ("machine: q35\n", "q35"), ("machine: pc-q35-10.2+pve1\n", "pc-q35-10.2")],
)
def test_a_machine_whose_limit_is_unknown_says_so(machine: str, named: str) -> None:
    """``pc``/``q35`` are the node's QEMU's newest (not QEMU 7.2's), and a version newer
    than hvtui's sources is not checked either: the count is given, with the note."""
    found = parse_proxmox_config(f"{machine}cores: 2\nargs: -smp 300,sockets=150,maxcpus=300\n")
    assert (found.vcpus, found.problems) == (300, ())
    assert f"-smp: machine type {named!r}: {UNCHECKED_LIMIT}" in found.notes


def test_proxmox_qemu_cuts_the_pve_version_off_the_machine_type() -> None:
    """Also in args:, where qemu-server writes nothing: pve-qemu cuts every -machine type."""
    assert pve_machine_smp("pc-i440fx-9.0+pve0").max_cpus == 255
    assert pve_machine_smp("pc-q35-8.1+pve2").max_cpus == 1024
    found = parse_proxmox_config("args: -machine type=pc-i440fx-9.0+pve1 -smp 256,maxcpus=256\n")
    (problem,) = found.problems
    assert "The max CPUs supported by machine 'pc-i440fx-9.0' is 255" in problem


# -- the same table through QEMU 7.2 ---------------------------------------------------------


@pytest.mark.realtools
def test_qemu_agrees_with_the_table() -> None:
    """QEMU 7.2 under TCG, frozen, with qemu-server's -smp, -machine, -cpu model and
    hotplug -device vCPUs (QEMU takes only the -cpu model's type), then args:'s words
    (-smp, -machine and -cpu in this table): its refusal on stderr, or the vCPUs QMP
    query-cpus-fast lists (~0.1 s of CPU each, run together)."""
    qemu = require(QEMU, "qemu-system-x86")
    argvs = []
    for vm in VMS:
        devices = [word for device in vm.devices for word in ("-device", device)]
        argvs.append([qemu, *vm.own, "-cpu", "kvm64", *devices, *vm.args.split(), "-m", "32"])
    for vm, outcome in zip(VMS, frozen_runs(argvs), strict=True):
        assert_outcome(vm.name, outcome, vm.vcpus, vm.refusal)
        if vm.vcpus is None and vm.devices:
            assert f"-device {vm.devices[0]}: {vm.refusal}" in outcome[2], (vm.name, outcome)


def test_the_audit_shows_the_merged_count_and_qemus_refusal(tmp_path: Path) -> None:
    """``hvtui audit`` of a Proxmox .conf: the vCPUs of the merged -smp, and QEMU's
    refusal of one it refuses as an input problem."""
    taken, refused = tmp_path / "101.conf", tmp_path / "102.conf"
    taken.write_text("ostype: win11\ncores: 4\nargs: -smp 8,maxcpus=8\n")
    refused.write_text(VMS[0].text)
    result = run_cli(["audit", "--demo", "amd-epyc", "--json", str(taken), str(refused)])
    assert result.code == 0, result.err
    first, second = json.loads(result.out)["vms"]
    assert (first["vcpus"], second["vcpus"]) == (8, None)
    messages = [finding["message"] for finding in second["findings"]]
    assert any(
        m.startswith(f"-smp: QEMU refuses it: {VMS[0].refusal} (QEMU merges it with")
        for m in messages
    ), messages
    text = run_cli(["audit", "--demo", "amd-epyc", str(taken)])
    assert "Configuration found: CPU model kvm64, 8 vCPUs" in text.out, text.out


def test_the_first_refused_hotplug_vcpu_is_the_one_a_device_by_device_check_finds() -> None:
    """Only three positions are checked (``count`` comes from the file); on every small
    topology, layout and count that is the first position QEMU's check refuses."""
    for sockets, dies, cores, threads in itertools.product(
        (1, 2, 3), (1, 2), (1, 2, 3, 4), (1, 2, 3)
    ):
        maxcpus = sockets * dies * cores * threads
        for cpus in sorted({1, maxcpus // 2 or 1, maxcpus}):
            topology = SmpTopology(cpus, sockets, dies, 1, cores, threads, maxcpus)
            for per_socket, count in itertools.product(range(1, 6), range(13)):
                every = (
                    (
                        p,
                        *divmod(p, per_socket),
                        cpu_device_refused(topology, *divmod(p, per_socket)),
                    )
                    for p in range(1, count + 1)
                )
                first = next(((p, s, c, why) for p, s, c, why in every if why is not None), None)
                assert first_refused_cpu_device(topology, per_socket, count) == first, (
                    topology, per_socket, count,
                )  # fmt: skip


def test_a_hundred_million_hotplugged_vcpus_are_judged_without_placing_each() -> None:
    """vcpus: is any number a file says: on the node's newest pc (no known limit) QEMU would
    take them, and the answer comes at once (a loop over the vCPUs would take minutes)."""
    found = parse_proxmox_config(
        "cores: 100000000\nvcpus: 100000000\nhotplug: cpu\nargs: -smp 2,maxcpus=100000000\n"
    )
    assert (found.vcpus, found.problems) == (None, (
        "-device kvm64-x86_64-cpu,id=cpu2,socket-id=0,core-id=1,thread-id=0: QEMU refuses it: "
        "CPU[1] with APIC ID 1 exists (qemu-server adds it for vCPU 2 with hotplug: cpu; with "
        "the -smp of args: merged, QEMU starts 2 of 100000000 vCPUs, 100000000 cores per socket)",
    ))  # fmt: skip
    found = parse_proxmox_config("cores: 100000000\nvcpus: 100000000\nhotplug: cpu\nargs: -smp 1\n")
    assert (found.vcpus, found.problems) == (100_000_000, ())
