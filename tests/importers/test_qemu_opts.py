"""``-smp``, ``-machine``, ``-accel``, ``-device`` and ``-name`` as QEMU 7.2 reads them: one
table of spellings, each checked against the real ``qemu-system-x86_64``, and what hvtui reads.

``-accel``, ``-device`` and ``-name`` are QemuOpts with an implied first key (``accel``,
``driver``, ``guest``; ``,,`` is a comma in any value, the implied one too), ``-machine`` and
``-smp`` are keyval with an implied first key (``type``, ``cpus``; the implied value
ends at the first comma, ``,,`` is a comma only in a ``KEY=VALUE`` value), and
every ``-machine``/``-smp`` goes into one dictionary.  See :mod:`hvtui.formats.qemu_opts`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

import pytest
from export.tools import QEMU, qmp_answers, require

from hvtui.formats.qemu_argv import guest_name
from hvtui.formats.qemu_opts import (
    MachineOptions,
    OptionSyntaxError,
    c_integer,
    device_driver,
    opts_items,
    opts_value,
)
from hvtui.importers import parse_qemu_args
from hvtui.verify.spec import from_qemu_args

#: The QEMU words of a parse-time refusal hvtui gives too.
INVALID_EMPTY = "Invalid parameter ''"
#: A CPU ``-device`` QEMU creates on ``-machine none`` under TCG.
CPU = "qemu64-x86_64-cpu"


@dataclass(frozen=True)
class Case:
    """One option value: what QEMU reads from it, and what it says."""

    name: str
    args: tuple[str, ...]
    """The options, in order (``("-smp", "2", "-smp", "maxcpus=4")``)."""
    reads: object
    """What hvtui reads: the vCPU count for ``-smp``/``-machine smp.``, the machine type,
    the accelerator, the device's driver; ``None``: QEMU reads none (it refuses the
    option, or the option names none)."""
    qemu_says: str = ""
    """Words of QEMU's output (a refusal, or the help it prints before it stops);
    ``""``: QEMU starts, and the QMP answer shows ``reads``."""
    refused: str = ""
    """The reason after "QEMU refuses it: " that hvtui reports (QEMU's own words
    first); ``""`` when hvtui reports nothing."""
    parsing: bool = False
    """QEMU stops while it parses the option (a ``-version`` after it is never reached)."""
    status: int = 1
    """QEMU's exit status when it says ``qemu_says``: 0 after help, 1 after a refusal."""


SMP = [
    Case("smp-count", ("-smp", "3"), 3),
    Case("smp-hex", ("-smp", "0x3"), 3),
    Case("smp-octal", ("-smp", "03"), 3),
    Case("smp-implied-then-cpus", ("-smp", "3,cpus=2"), 2),
    Case("smp-topology", ("-smp", "sockets=2,cores=2"), 4),
    Case("smp-maxcpus-alone", ("-smp", "maxcpus=3"), 3),
    Case("smp-zero-is-not-given", ("-smp", "cpus=0,sockets=2,cores=0"), 2),
    Case("smp-options-merge", ("-smp", "3,cpus=x", "-smp", "2"), 2),
    Case("smp-machine-member", ("-smp", "3", "-machine", "microvm,smp.cpus=2"), 2),
    Case("smp-doubled-comma-ends-implied", ("-smp", "2,,x"), None, INVALID_EMPTY,
         INVALID_EMPTY, parsing=True),
    Case("smp-bare-key", ("-smp", "2,cores"), None, "Expected '=' after parameter 'cores'",
         "Expected '=' after parameter 'cores'", parsing=True),
    Case("smp-implied-only-first", ("-smp", "cpus=2,3"), None, "Invalid parameter '3'",
         "Invalid parameter '3'", parsing=True),
    Case("smp-not-octal", ("-smp", "08"), None, "Parameter 'smp.cpus' expects integer",
         "Parameter 'smp.cpus' expects integer"),
    Case("smp-trailing-blank", ("-smp", "2 "), None, "Parameter 'smp.cpus' expects integer",
         "Parameter 'smp.cpus' expects integer"),
    Case("smp-unknown-key", ("-smp", "2,foo=1"), None, "Parameter 'smp.foo' is unexpected",
         "Parameter 'smp.foo' is unexpected"),
    Case("smp-help", ("-smp", "2,help"), None, "cpus=<num>",
         "'help' asks for -smp's keys", parsing=True, status=0),
]  # fmt: skip
MACHINE = [
    Case("machine-implied", ("-machine", "none"), "none"),
    Case("machine-type-key", ("-machine", "microvm,type=none"), "none"),
    Case("machine-last-counts", ("-machine", "q35", "-machine", "none"), "none"),
    Case("machine-trailing-comma", ("-machine", "none,"), "none"),
    Case("machine-doubled-comma-ends-implied", ("-machine", "none,,x"), None, INVALID_EMPTY,
         INVALID_EMPTY, parsing=True),
    Case("machine-bare-key", ("-machine", "none,kernel-irqchip"), None,
         "Expected '=' after parameter 'kernel-irqchip'",
         "Expected '=' after parameter 'kernel-irqchip'", parsing=True),
    Case("machine-key-not-a-name", ("-machine", "none,_x=1"), None, "Invalid parameter '_x'",
         "Invalid parameter '_x'", parsing=True),
    Case("machine-value-and-parent", ("-machine", "none,a=2,a.b=1"), None,
         "Parameters 'a.*' used inconsistently", "Parameters 'a.*' used inconsistently",
         parsing=True),
    Case("machine-list-gap", ("-machine", "none,a.1=x"), None, "Parameter 'a.0' missing",
         "Parameter 'a.0' missing", parsing=True),
    Case("machine-help", ("-machine", "none,help"), None, "none-machine options:",
         "'help' asks for the machine types", parsing=True, status=0),
]  # fmt: skip
ACCEL = [
    Case("accel-implied", ("-accel", "tcg"), "tcg"),
    Case("accel-doubled-comma-in-implied", ("-accel", "tcg,,x"), "tcg,x",
         "invalid accelerator tcg,x"),
    Case("accel-last-counts", ("-accel", "tcg,accel=nonex"), "nonex",
         "invalid accelerator nonex"),
    Case("accel-leading-comma", ("-accel", ",tcg"), "", "invalid accelerator \n"),
    Case("accel-none-named", ("-accel", "thread=single"), None,
         "Accelerators supported in QEMU binary:", status=0),
]  # fmt: skip
DEVICE = [
    Case("device-implied", ("-device", f"{CPU},apic-id=0"), CPU),
    Case("device-key-anywhere", ("-device", f"apic-id=0,driver={CPU}"), CPU),
    Case("device-json", ("-device", json.dumps({"driver": CPU, "apic-id": 0})), CPU),
    Case("device-doubled-comma-in-implied", ("-device", "nonex,,x"), "nonex,x",
         "'nonex,x' is not a valid device model name"),
    Case("device-last-counts", ("-device", "nonex,driver=nonex2"), "nonex2",
         "'nonex2' is not a valid device model name"),
    Case("device-json-not-first", ("-device", ' {"driver":"nonex"}'), ' {"driver":"nonex"}',
         "' {\"driver\":\"nonex\"}' is not a valid device model name"),
    Case("device-no-driver", ("-device", "id=a"), None, "Parameter 'driver' is missing"),
]  # fmt: skip
NAME = [
    Case("name-implied-doubled-comma", ("-name", "a,,b"), "a,b"),
    Case("name-key-after-implied", ("-name", "a,guest=b"), "b"),
    Case("name-options-merge", ("-name", "a", "-name", "debug-threads=on", "-name", "b"), "b"),
]
CASES = [*SMP, *MACHINE, *ACCEL, *DEVICE, *NAME]


def _option(case: Case) -> str:
    return case.args[0].removeprefix("-")


def _reads(case: Case) -> object:
    """What hvtui reads from the case's options (each reader on its own)."""
    option = _option(case)
    if option in ("smp", "machine"):
        found = parse_qemu_args(list(case.args))
        if option == "smp":
            return found.vcpus
        machine = MachineOptions()
        try:
            for value in case.args[1::2]:
                machine.add_machine(value)
        except OptionSyntaxError:
            return None
        return machine.tree.get("type")
    if option == "accel":
        return opts_value(opts_items(case.args[1], "accel"), "accel")
    if option == "name":
        return guest_name(["qemu-system-x86_64", *case.args])
    return device_driver(case.args[1])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hvtui_reads_what_qemu_reads(case: Case) -> None:
    assert _reads(case) == case.reads


@pytest.mark.parametrize("case", SMP + MACHINE, ids=[case.name for case in SMP + MACHINE])
def test_importer_reports_what_qemu_refuses(case: Case) -> None:
    problems = parse_qemu_args(list(case.args)).problems
    if not case.refused:
        assert problems == ()
        return
    assert len(problems) == 1 and "\n" not in problems[0], problems
    assert f"QEMU refuses it: {case.refused}" in problems[0]
    assert problems[0].startswith(f"-{_option(case)}")


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("0x1F", 31), ("-0x10", -16), ("010", 8), ("0", 0), (" \t+3", 3),
     ("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -(2**63))],
)  # fmt: skip
def test_integers_are_read_as_strtoll_in_base_0(text: str, value: int) -> None:
    assert c_integer(text) == value


@pytest.mark.parametrize(
    "text", ["", "08", "0x", "3 ", "1_000", "٣", "9223372036854775808", "0x" + "f" * 10_000]
)
def test_integers_strtoll_refuses_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        c_integer(text)


def test_verify_keeps_a_device_named_anywhere_or_in_json() -> None:
    devices = ["vmbus-bridge,irq=15", "irq=15,driver=vmbus-bridge",
               '{"driver": "vmbus-bridge", "irq": 15}', "vmbus-bridge,,x", "nonex"]  # fmt: skip
    spec = from_qemu_args(
        [word for device in devices for word in ("-device", device)], source="test"
    )
    assert spec.devices == tuple(devices[:3])


def test_verify_reads_machine_and_accel_as_qemu_merges_them() -> None:
    spec = from_qemu_args(
        ["-machine", "pc,kernel-irqchip=on", "-M", "q35,kernel-irqchip=split,accel=tcg",
         "-accel", "kvm,kernel-irqchip,,x", "-cpu", "host"],
        source="test",
    )  # fmt: skip
    assert spec.machine == "q35,kernel-irqchip=split"
    assert spec.accel == "kvm,kernel-irqchip=on"  # QemuOpts: a bare name ends at a comma
    assert "-machine accel=tcg: verify always uses KVM" in spec.notes


# -- the same table, through QEMU 7.2 ---------------------------------------------------

#: What each option's VM needs besides the case's own options, and what QMP asks.
BASE: dict[str, tuple[list[str], dict[str, object] | None]] = {
    "smp": (["-machine", "microvm", "-accel", "tcg"], {"execute": "query-cpus-fast"}),
    "machine": (["-accel", "tcg"],
                {"execute": "qom-get", "arguments": {"path": "/machine", "property": "type"}}),
    "accel": (["-machine", "none"], None),
    "device": (["-machine", "none", "-accel", "tcg"], None),
    "name": (["-machine", "none", "-accel", "tcg"], {"execute": "query-name"}),
}  # fmt: skip
FROZEN = ["-S", "-display", "none", "-nodefaults", "-qmp", "stdio"]


def _qmp(ask: dict[str, object] | None) -> str:
    lines = [{"execute": "qmp_capabilities"}, *([ask] if ask else []), {"execute": "quit"}]
    return "".join(json.dumps(line) + "\n" for line in lines)


def _shown(option: str, answer: object) -> object:
    """What QEMU's QMP answer says of the case: the vCPUs, the machine type, the name."""
    if option == "smp":
        assert isinstance(answer, list)
        return len(answer)
    if option == "machine":
        assert isinstance(answer, str)
        return answer.removesuffix("-machine")
    assert isinstance(answer, dict)
    return answer.get("name")


def _check_with_qemu(qemu: str, cases: list[Case]) -> None:
    """Each case in a frozen VM that quits at once (or, for one QEMU stops at while
    parsing, before a ``-version`` after it): QEMU's words when it refuses the case
    or prints help, else what the QMP answer shows (the vCPUs, the machine's type)
    or, for ``-accel``/``-device``, that it started."""
    runs = []
    for case in cases:
        base, ask = BASE[_option(case)]
        argv = [*case.args, "-version"] if case.parsing else [*base, *case.args, *FROZEN]
        run = subprocess.Popen([qemu, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
        runs.append((case, run, "" if case.parsing else _qmp(None if case.qemu_says else ask)))
    for case, run, stdin in runs:
        out, err = run.communicate(stdin, timeout=60)
        if case.qemu_says:
            assert case.qemu_says in out + err + "\n", (case.name, out + err)
            assert run.returncode == case.status, (case.name, out + err)
            assert not case.parsing or "QEMU emulator version" not in out, (case.name, out)
            continue
        assert run.returncode == 0, (case.name, err)
        option = _option(case)
        if option in ("smp", "machine", "name"):
            (answer,) = qmp_answers(out, 1)
            assert _shown(option, answer) == case.reads, (case.name, out)


@pytest.mark.realtools
def test_real_qemu_reads_what_the_table_says() -> None:
    """Every case of the table, checked against QEMU 7.2 (~30 ms of CPU a case)."""
    _check_with_qemu(require(QEMU, "qemu-system-x86"), CASES)
