"""``-global`` as QEMU reads it: one table of spellings, each checked against the real
``qemu-system-x86_64`` (accepted or refused, and what it applied), and what the
importer makes of them.

QEMU's rule is ``qemu_global_option()`` (qemu/qemu ``system/qdev-monitor.c``): the
short form ``DRIVER.PROPERTY=VALUE`` when ``sscanf("%63[^.=].%63[^=]%n")`` matches,
with the value verbatim, else a QemuOpts ``driver=,property=,value=`` string; see
:mod:`hvtui.formats.qemu_global`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest
from export.tools import QEMU, qmp_answers, qmp_qom_get, require

from hvtui.formats.qemu_global import GlobalOptionError, parse_global
from hvtui.importers import parse_qemu_args
from hvtui.model import Config

#: A CPU type TCG creates (``host`` needs KVM); its hv-* properties are plain ones.
CPU = "qemu64-x86_64-cpu"
REQUIRED = "options 'driver', 'property', and 'value' are required"
#: The CPU's string properties; the others in the table are on/off.
STRINGS = frozenset({"hv-vendor-id", "model-id"})
#: ``qapi_bool_parse``: the words QEMU takes for an on/off property.
BOOLS = {"on": True, "yes": True, "true": True, "y": True,
         "off": False, "no": False, "false": False, "n": False}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One ``-global`` value: what QEMU registers for it, or why it refuses it."""

    name: str
    text: str
    parsed: tuple[str, str, str] | None
    """``(driver, property, value)``; ``None``: QEMU refuses the option itself."""
    refusal: str = ""
    """hvtui's reason after "QEMU refuses it: " (QEMU's own words, long names cut)."""
    qemu_says: str = ""
    """What QEMU's output holds when it is not ``refusal`` (a long name in full)."""
    applies: bool = True
    """QEMU applies it to a CPU of the driver; ``False``: it stops there ("can't apply
    global DRIVER.PROPERTY=VALUE: ..."), which shows how it split the option."""


D63, D64 = "d" * 63, "d" * 64
CASES = [
    # The short form: the driver ends at the first '.', the value is the rest verbatim.
    Case("short", f"{CPU}.hv-relaxed=on", (CPU, "hv-relaxed", "on")),
    Case("short-value-holds-property-key", f"{CPU}.hv-vendor-id=ab,property=cd",
         (CPU, "hv-vendor-id", "ab,property=cd")),
    Case("short-value-holds-driver-key", f"x.y=1,driver={CPU},property=hv-vapic,value=on",
         ("x", "y", f"1,driver={CPU},property=hv-vapic,value=on")),
    Case("short-doubled-comma-stays-two", f"{CPU}.model-id=ab,,cd", (CPU, "model-id", "ab,,cd")),
    Case("short-value-after-first-equals", f"{CPU}.hv-vendor-id=a=b",
         (CPU, "hv-vendor-id", "a=b")),
    Case("short-empty-value", f"{CPU}.model-id=", (CPU, "model-id", "")),
    Case("driver-ends-at-first-dot", f"a.{CPU}.hv-time=on", ("a", f"{CPU}.hv-time", "on")),
    Case("property-holds-dots", f"{CPU}.hv-relaxed.x=on", (CPU, "hv-relaxed.x", "on"),
         applies=False),
    Case("driver-and-property-of-63-bytes", f"{D63}.{'p' * 63}=1", (D63, "p" * 63, "1")),
    Case("driver-of-64-bytes", f"{D64}.hv-relaxed=on", None,
         f"Invalid parameter '{'d' * 39}…'", f"Invalid parameter '{D64}.hv-relaxed'"),
    Case("property-of-64-bytes", f"d.{'p' * 64}=1", None,
         f"Invalid parameter 'd.{'p' * 37}…'", f"Invalid parameter 'd.{'p' * 64}'"),
    Case("bytes-not-characters", f"{'d' * 62}é.p=1", None,
         f"Invalid parameter '{'d' * 39}…'", f"Invalid parameter '{'d' * 62}é.p'"),
    Case("no-dot", f"{CPU}=on", None, f"Invalid parameter '{CPU}'"),
    Case("no-equals", f"{CPU}.hv-relaxed", None, f"Invalid parameter '{CPU}.hv-relaxed'"),
    Case("empty-driver", ".hv-relaxed=on", None, "Invalid parameter '.hv-relaxed'"),
    Case("empty-property", f"{CPU}.=on", None, f"Invalid parameter '{CPU}.'"),
    # The long form: QemuOpts, with driver, property and value all required.
    Case("long", f"driver={CPU},property=hv-reset,value=on", (CPU, "hv-reset", "on")),
    Case("long-in-any-order", f"value=on,property=hv-vpindex,driver={CPU}",
         (CPU, "hv-vpindex", "on")),
    Case("long-property-first", f"property=hv-reenlightenment,value=on,driver={CPU}",
         (CPU, "hv-reenlightenment", "on")),
    Case("long-doubled-comma-is-one", f"driver={CPU},property=hv-vendor-id,value=ab,,cd",
         (CPU, "hv-vendor-id", "ab,cd")),
    Case("long-last-key-wins", f"driver={CPU},property=hv-runtime,value=off,value=on",
         (CPU, "hv-runtime", "on")),
    Case("long-bare-value-is-on", f"driver={CPU},property=hv-frequencies,value",
         (CPU, "hv-frequencies", "on")),
    Case("long-bare-novalue-is-off", f"driver={CPU},property=hv-crash,value=on,novalue",
         (CPU, "hv-crash", "off")),
    Case("long-id-and-trailing-comma", f"driver={CPU},property=hv-ipi,value=on,id=g1,",
         (CPU, "hv-ipi", "on")),
    Case("long-name-has-no-escaped-comma", f"driver={CPU},,x,property=hv-tlbflush,value=on",
         (f"{CPU},x", "hv-tlbflush", "on")),
    Case("long-without-value", f"driver={CPU},property=hv-relaxed", None, REQUIRED),
    Case("empty", "", None, REQUIRED),
    Case("long-unknown-key", f"driver={CPU},property=hv-relaxed,value=on,foo=1", None,
         "Invalid parameter 'foo'"),
    Case("long-keys-are-case-sensitive", f"DRIVER={CPU},property=hv-relaxed,value=on", None,
         "Invalid parameter 'DRIVER'"),
    Case("leading-comma", f",driver={CPU},property=hv-relaxed,value=on", None,
         "Invalid parameter ''"),
    Case("long-bad-id", f"driver={CPU},property=hv-relaxed,value=on,id=1x", None,
         "Parameter 'id' expects an identifier"),
    Case("long-help", f"driver={CPU},property=hv-relaxed,value=on,help", None,
         "'help' asks for the list of -global's keys, which QEMU prints before it stops",
         "global options:"),
    # Read, but the value is no on/off: QEMU stops when it applies it to the CPU.
    Case("short-on-with-doubled-comma", f"{CPU}.hv-relaxed=on,,x", (CPU, "hv-relaxed", "on,,x"),
         applies=False),
    Case("short-on-with-property-key", f"{CPU}.hv-relaxed=on,property=hv-vapic",
         (CPU, "hv-relaxed", "on,property=hv-vapic"), applies=False),
    Case("long-on-with-escaped-comma", f"driver={CPU},property=hv-relaxed,value=on,,",
         (CPU, "hv-relaxed", "on,"), applies=False),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_parse_global_reads_what_qemu_registers(case: Case) -> None:
    if case.parsed is None:
        with pytest.raises(GlobalOptionError) as refused:
            parse_global(case.text)
        assert str(refused.value) == f"QEMU refuses it: {case.refusal}"
        return
    found = parse_global(case.text)
    assert (found.driver, found.property, found.value) == case.parsed
    assert found.long_form == ("." not in case.text.partition("=")[0])


# -- the same table, through QEMU 7.2 ---------------------------------------------------

#: Where :data:`CPU_VM`'s one vCPU is (its ``id``).
CPU_PATH = "/machine/peripheral/cpu"
#: A frozen VM with one vCPU and nothing else, answering QMP on stdin.
CPU_VM = ["-machine", "none", "-accel", "tcg", "-S", "-display", "none", "-nodefaults",
          "-qmp", "stdio", "-device", f"{CPU},apic-id=0,id=cpu"]  # fmt: skip


def _batches(cases: list[Case]) -> list[list[Case]]:
    """Accepted cases in as few VMs as can hold them: one driver's property once per VM."""
    batches: list[list[Case]] = []
    for case in cases:
        assert case.parsed is not None
        key = case.parsed[:2]
        home = next((b for b in batches if all(c.parsed and c.parsed[:2] != key for c in b)), None)
        if home is None:
            batches.append([case])
        else:
            home.append(case)
    return batches


def _check_with_qemu(qemu: str, cases: list[Case]) -> None:
    """Each case through QEMU; an AssertionError names the first that QEMU contradicts.

    Refused cases: QEMU stops while parsing its options (``-version`` after them would
    exit 0) and gives the table's reason.  Cases QEMU takes: a frozen one-vCPU VM per
    batch, where ``qom-get`` gives each value applied to the CPU, and a driver that is
    no class is named in QEMU's warning, split where the table splits it.  Cases QEMU
    does not apply: it names the driver, property and value it registered.
    """
    refused = [c for c in cases if c.parsed is None]
    failing = [c for c in cases if c.parsed is not None and not c.applies]
    taken = [c for c in cases if c.parsed is not None and c.applies]
    runs: list[tuple[list[Case], subprocess.Popen[str], str]] = []

    def start(batch: list[Case], argv: list[str], stdin: str) -> None:
        run = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
        runs.append((batch, run, stdin))

    for case in refused:
        start([case], [qemu, "-global", case.text, "-version"], "")
    for case in failing:
        start([case], [qemu, *CPU_VM, "-global", case.text], qmp_qom_get(CPU_PATH, []))
    for batch in _batches(taken):
        on_cpu = [c.parsed[1] for c in batch if c.parsed and c.parsed[0] == CPU]
        globals_ = [word for c in batch for word in ("-global", c.text)]
        start(batch, [qemu, *CPU_VM, *globals_], qmp_qom_get(CPU_PATH, on_cpu))
    for batch, run, stdin in runs:
        out, err = run.communicate(stdin, timeout=60)
        first = batch[0]
        if first.parsed is None:
            assert run.returncode == 1, (first.name, out + err)
            assert (first.qemu_says or first.refusal) in out + err, (first.name, out + err)
        elif not first.applies:
            driver, prop, value = first.parsed
            assert driver == CPU, first.name  # the VM's one device: QEMU applied it there
            assert run.returncode == 1, (first.name, err)
            assert f"can't apply global {driver}.{prop}={value}: " in err, (first.name, err)
        else:
            assert run.returncode == 0, ([c.name for c in batch], err)
            values = iter(qmp_answers(out, len(batch)))
            for case in batch:
                assert case.parsed is not None
                driver, prop, value = case.parsed
                if driver != CPU:
                    assert f"global {driver}.{prop} has invalid class name" in err, case.name
                    continue
                expected = value if prop in STRINGS else BOOLS[value]
                assert next(values) == expected, (case.name, out)


@pytest.mark.realtools
def test_real_qemu_registers_what_the_table_says() -> None:
    """Every case of the table, checked against QEMU 7.2 (~0.6 s of CPU: ~20 ms per
    refused case, ~40 ms per VM)."""
    _check_with_qemu(require(QEMU, "qemu-system-x86"), CASES)


# -- what the importer reads ------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_importer_reads_what_qemu_applies_and_reports_what_it_refuses(case: Case) -> None:
    found = parse_qemu_args(["-global", case.text])
    if case.parsed is None:
        assert found.config == Config()
        assert found.problems == (
            f"-global {case.text}: not DRIVER.PROPERTY=VALUE; QEMU refuses it: {case.refusal}",
        )
        return
    driver, prop, value = case.parsed
    if driver != CPU or prop == "model-id":  # no CPU, or no Hyper-V property: not read
        assert found.config == Config() and found.problems == ()
    elif "." in prop:
        assert found.config == Config()
        assert found.problems == (f"-global {driver}.{prop}: unknown Hyper-V property {prop!r}",)
    elif prop in STRINGS or value in BOOLS:
        assert found.config.as_dict() == {prop.removeprefix("hv-"): BOOLS.get(value, value)}
        assert found.problems == ()
    else:  # QEMU refuses the value when it applies it
        assert found.config == Config()
        assert found.problems == (f"-global {driver}.{prop}: {prop}={value!r}: expected on or off",)


def test_importer_refuses_a_second_global_with_the_same_id() -> None:
    first = f"driver={CPU},property=hv-relaxed,value=on,id=g"
    second = f"driver={CPU},property=hv-vapic,value=on,id=g"
    found = parse_qemu_args(["-global", first, "-global", second])
    assert found.config == Config.of(relaxed=True)
    assert found.problems == (
        f"-global {second}: not read; QEMU refuses it: Duplicate ID 'g' for global",
    )


@pytest.mark.realtools
def test_real_qemu_refuses_a_second_global_with_the_same_id() -> None:
    qemu = require(QEMU, "qemu-system-x86")
    ids = [f"driver={CPU},property=hv-{p},value=on,id=g" for p in ("relaxed", "vapic")]
    done = subprocess.run(
        [qemu, "-global", ids[0], "-global", ids[1], "-version"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "Duplicate ID 'g' for global" in done.stderr, done.stderr


def test_importer_warns_of_bare_keys_qemu_deprecates() -> None:
    text = f"driver={CPU},property=hv-crash,value=on,novalue"
    found = parse_qemu_args(["-global", text])
    assert found.config == Config.of(crash=False) and found.problems == ()
    assert found.warnings == (
        f"-global {text}: QEMU reads the bare 'novalue' as value=off "
        "(a deprecated short-form boolean)",
    )


def test_importer_applies_a_global_only_to_the_model_in_use() -> None:
    """The driver as QEMU reads it decides the CPU model: ``a.host-x86_64-cpu.hv-x``
    is for a driver ``a`` (no CPU), and the long form names the driver anywhere."""
    found = parse_qemu_args(
        ["-cpu", "host", "-global", "a.host-x86_64-cpu.hv-time=on",
         "-global", f"property=hv-relaxed,value=on,driver={CPU}",
         "-global", "property=hv-vapic,value=on,driver=host-x86_64-cpu"]
    )  # fmt: skip
    assert found.config == Config.of(vapic=True)
    assert found.problems == (
        "-global qemu64-x86_64-cpu.hv-relaxed: QEMU applies it to CPU model 'qemu64', "
        "but the CPU model in use is 'host'",
    )
