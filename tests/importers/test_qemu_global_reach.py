"""Which ``-global`` options reach the CPU: QEMU's class hierarchy, one table of cases, each
checked against the real ``qemu-system-x86_64``, and what the importer and verify's VM
make of them.

QEMU applies a global to every object of the driver's type or a subclass of it
(``object_apply_global_props``, qemu/qemu ``qom/object.c``:
``if (object_dynamic_cast(obj, p->driver) == NULL) continue;``), in the order the globals
were registered; ``-cpu`` properties are registered after every ``-global``.  So
``x86_64-cpu.hv-x`` and ``cpu.hv-x`` reach every x86 CPU model, ``max-x86_64-cpu.hv-x``
reaches ``-cpu host`` too, and ``device.hv-x`` reaches every device: QEMU stops at its
``migration`` object, which has no such property.  See
:func:`hvtui.formats.qemu_global.reaches_cpu`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest
from export.tools import QEMU, qmp_answers, qmp_qom_get, require

from hvtui.formats.qemu_global import parse_global, reaches_cpu
from hvtui.importers import parse_qemu_args
from hvtui.model import Config
from hvtui.verify.spec import from_qemu_args

#: A frozen VM whose ``-cpu`` QEMU creates (``-machine none`` makes no CPU of ``-cpu``):
#: the smallest x86 machine, under TCG, its one CPU at ``/machine/unattached/device[0]``.
VM = ["-M", "microvm", "-accel", "tcg", "-S", "-display", "none", "-nodefaults",
      "-qmp", "stdio"]  # fmt: skip
CPU_PATH = "/machine/unattached/device[0]"
#: QEMU's words when a ``device.``/``object.`` global meets its migration object.
MIGRATION = "Property 'migration.{prop}' not found"


def _every_device(driver: str) -> str:
    return (
        f"-global {driver}.hv-relaxed: not read; QEMU applies a {driver!r} global to every "
        "device, not only the CPU, and stops at its 'migration' object, which has no "
        "'hv-relaxed' property"
    )


def _other_model(driver: str, prop: str, model: str, in_use: str) -> str:
    return (
        f"-global {driver}.{prop}: QEMU applies it to CPU model {model!r}, "
        f"but the CPU model in use is {in_use!r}"
    )


@dataclass(frozen=True)
class Reach:
    """A ``-cpu`` and ``-global`` options: what QEMU gives the CPU, and hvtui reads."""

    name: str
    cpu: str
    globals: tuple[str, ...]
    applied: dict[str, bool]
    """The hv-* switches the CPU ends up with (the others named stay off)."""
    problems: tuple[str, ...] = ()
    """What the importer reports."""
    stops: str = ""
    """QEMU's message when it stops (``applied`` is then what hvtui reads: nothing)."""
    for_cpus: bool = True
    """Each global names a CPU type, and no type every device is: verify's VM takes it."""


CASES = [
    # The ancestors only CPUs have reach every model.
    Reach("x86_64-cpu-reaches-every-model", "qemu64", ("x86_64-cpu.hv-relaxed=on",),
          {"hv-relaxed": True}),
    Reach("cpu-reaches-every-model", "max", ("cpu.hv-relaxed=on",), {"hv-relaxed": True}),
    Reach("long-form-ancestor", "qemu64", ("driver=cpu,property=hv-time,value=on",),
          {"hv-time": True}),
    # A model's type reaches that model, and the models whose types derive from it.
    Reach("own-type", "max", ("max-x86_64-cpu.hv-vapic=on",), {"hv-vapic": True}),
    Reach("max-type-reaches-host", "host", ("max-x86_64-cpu.hv-relaxed=on",),
          {"hv-relaxed": True}),
    Reach("host-type-not-max", "max", ("host-x86_64-cpu.hv-time=on",), {},
          (_other_model("host-x86_64-cpu", "hv-time", "host", "max"),)),
    Reach("max-type-not-qemu64", "qemu64", ("max-x86_64-cpu.hv-crash=on",), {},
          (_other_model("max-x86_64-cpu", "hv-crash", "max", "qemu64"),)),
    Reach("other-type-not-host", "host", ("qemu64-x86_64-cpu.hv-relaxed=on",), {},
          (_other_model("qemu64-x86_64-cpu", "hv-relaxed", "qemu64", "host"),)),
    # The order given decides between globals, whichever type each names ...
    Reach("last-global-wins", "qemu64",
          ("x86_64-cpu.hv-reset=off", "qemu64-x86_64-cpu.hv-reset=on",
           "qemu64-x86_64-cpu.hv-runtime=on", "cpu.hv-runtime=off"),
          {"hv-reset": True, "hv-runtime": False}),
    # ... and -cpu wins over all of them.
    Reach("cpu-option-wins-over-ancestors", "qemu64,hv-relaxed=off,hv-vapic=on",
          ("x86_64-cpu.hv-relaxed=on", "cpu.hv-vapic=off", "qemu64-x86_64-cpu.hv-vapic=off"),
          {"hv-relaxed": False, "hv-vapic": True}),
    # What every device is: QEMU applies it to its migration object too, and stops.
    Reach("device-stops-qemu", "qemu64", ("device.hv-relaxed=on",), {},
          (_every_device("device"),), MIGRATION, for_cpus=False),
    Reach("object-stops-qemu", "qemu64", ("object.hv-relaxed=on",), {},
          (_every_device("object"),), MIGRATION, for_cpus=False),
    Reach("interface-of-device-stops-qemu", "max", ("vmstate-if.hv-relaxed=on",), {},
          (_every_device("vmstate-if"),), MIGRATION, for_cpus=False),
    # Type names are case-sensitive, and "interface" is no type an object is.
    Reach("case-sensitive", "qemu64", ("CPU.hv-frequencies=on",), {}, for_cpus=False),
    Reach("interface-is-not-a-type-of-the-cpu", "qemu64", ("interface.hv-ipi=on",), {},
          for_cpus=False),
]  # fmt: skip


def _named(case: Reach) -> list[str]:
    """The properties the case's globals and ``-cpu`` name, in order, once each."""
    props = [parse_global(g).property for g in case.globals]
    props += [item.split("=")[0] for item in case.cpu.split(",")[1:]]
    return list(dict.fromkeys(props))


def _start(qemu: str, argv: list[str], stdin: str) -> tuple[subprocess.Popen[str], str]:
    run = subprocess.Popen([qemu, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    return run, stdin


def _batches(cases: list[Reach]) -> list[list[Reach]]:
    """Cases in as few VMs as can hold them: one VM per case that stops QEMU, has
    ``-cpu`` properties or a ``host`` CPU; the others share one per model when they
    name different properties (each case's globals decide only its own)."""
    batches: list[list[Reach]] = []
    for case in cases:
        alone = case.stops or "," in case.cpu or case.cpu == "host"
        home = None
        if not alone:
            home = next(
                (b for b in batches
                 if b[0].cpu == case.cpu and not b[0].stops and "," not in b[0].cpu
                 and b[0].cpu != "host"
                 and not {p for c in b for p in _named(c)} & set(_named(case))),
                None,
            )  # fmt: skip
        if home is None:
            batches.append([case])
        else:
            home.append(case)
    return batches


def _check_with_qemu(qemu: str, cases: list[Reach]) -> None:
    """The cases in as few VMs as can hold them, all at once; an AssertionError names
    the case.

    TCG cannot make a ``host`` CPU, but QEMU applies the globals when it creates the
    CPU, before it finds that out: there each global's value is made ``bogus``, and
    QEMU names the first global that reached the CPU, or else says it needs KVM.
    """
    runs = []
    for batch in _batches(cases):
        case, props = batch[0], [p for c in batch for p in _named(c)]
        globals_ = [g for c in batch for g in c.globals]
        if case.cpu == "host":
            globals_ = [g.rpartition("=")[0] + "=bogus" for g in globals_]
        argv = [*VM, "-cpu", case.cpu, *(w for g in globals_ for w in ("-global", g))]
        runs.append((batch, *_start(qemu, argv, qmp_qom_get(CPU_PATH, ["type", *props]))))
    for batch, run, stdin in runs:
        out, err = run.communicate(stdin, timeout=60)
        case = batch[0]
        if case.stops:
            assert run.returncode == 1, (case.name, err)
            message = case.stops.format(prop=_named(case)[0])
            assert f"can't apply global {case.globals[0]}: {message}" in err, (case.name, err)
        elif case.cpu == "host":
            assert run.returncode == 1, (case.name, err)
            if case.applied:
                assert f"can't apply global {case.globals[0].rpartition('=')[0]}=bogus" in err
            else:
                assert "CPU model 'host' requires KVM" in err, (case.name, err)
        else:
            props = [p for c in batch for p in _named(c)]
            assert run.returncode == 0, ([c.name for c in batch], err)
            found = qmp_answers(out, 1 + len(props))
            assert found[0] == f"{case.cpu.split(',')[0]}-x86_64-cpu", (case.name, out)
            expected = [c.applied.get(p, False) for c in batch for p in _named(c)]
            assert found[1:] == expected, ([c.name for c in batch], props, out)


@pytest.mark.realtools
def test_real_qemu_applies_globals_as_the_table_says() -> None:
    """Every case of the table, checked against QEMU 7.2 (8 VMs, ~0.35 s of CPU)."""
    _check_with_qemu(require(QEMU, "qemu-system-x86"), CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_importer_reads_what_qemu_applies_to_the_cpu(case: Reach) -> None:
    argv = ["-cpu", case.cpu, *(w for g in case.globals for w in ("-global", g))]
    found = parse_qemu_args(argv)
    assert found.config == Config.of(**{p.removeprefix("hv-"): v for p, v in case.applied.items()})
    assert found.problems == case.problems


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_verify_vm_takes_the_globals_that_reach_a_cpu(case: Reach) -> None:
    """verify's VM gets every global for a CPU type (as QEMU, it applies the model's
    own), but not one for every device, at which QEMU would stop (it is in the notes)."""
    argv = ["-cpu", case.cpu, *(w for g in case.globals for w in ("-global", g))]
    spec = from_qemu_args(argv, source="command line")
    assert spec.globals == (case.globals if case.for_cpus else ())
    assert spec.asked == parse_qemu_args(argv).config
    assert all(note in spec.notes for note in case.problems)


@pytest.mark.parametrize(
    ("driver", "model", "reached"),
    [
        ("host-x86_64-cpu", "host", True),
        ("max-x86_64-cpu", "host", True),
        ("host-x86_64-cpu", "max", False),
        ("qemu64-x86_64-cpu", None, True),
        ("x86_64-cpu", "EPYC", True),
        ("cpu", None, True),
        ("device", "host", True),
        ("base-x86_64-cpu", "qemu64", False),
        ("interface", None, False),
        ("X86_64-cpu", None, False),
    ],
)
def test_reaches_cpu(driver: str, model: str | None, reached: bool) -> None:
    assert reaches_cpu(driver, model) is reached
