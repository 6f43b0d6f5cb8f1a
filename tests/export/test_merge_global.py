"""``export --into``: which ``-global`` pairs of ``<qemu:commandline>`` hvtui replaces.

hvtui manages a ``-global`` that sets an ``hv-*`` property of an x86 CPU, as QEMU reads
it (:func:`hvtui.formats.qemu_global.parse_global`: the driver ends at the first ``.``,
the long form names it anywhere) and as QEMU applies it (any model's type, or a type
every CPU is: :func:`~hvtui.formats.qemu_global.reaches_cpu`).  Merging used to split
the text at the last ``.`` before the first ``=`` and knew no long form and no ancestor
type; the cases where that reading differs are marked.  What QEMU 7.2 does with each
``-global`` on the domain's CPU (``qemu64``) is checked with the real QEMU.
"""

from __future__ import annotations

import itertools
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from importers.test_qemu_global_reach import CPU_PATH, VM

from export.tools import QEMU, qmp_answers, qmp_qom_get, require
from hvtui.export import ExportTarget, merge_into
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.spelling import model_of_cpu_type
from hvtui.model import Config
from hvtui.versions import V

CPU = "qemu64-x86_64-cpu"


@dataclass(frozen=True)
class Kept:
    """One ``-global`` in the domain: removed by the merge or kept, and why QEMU agrees."""

    name: str
    text: str
    removed: bool
    qemu: object
    """What ``qom-get`` of :attr:`prop` gives on the domain's CPU; a ``str`` starting with
    ``"stops: "`` is what QEMU says when it stops instead."""
    prop: str = ""
    """The CPU property QEMU's answer is about (for a case QEMU does not stop on)."""
    differs: bool = False
    """The old last-dot reading decided the other way."""


CASES = [
    Kept("dotted-driver-is-not-the-cpu", f"a.{CPU}.hv-time=on", False, False, "hv-time",
         differs=True),
    Kept("long-form", f"driver={CPU},property=hv-relaxed,value=on", True, True, "hv-relaxed",
         differs=True),
    Kept("long-form-driver-last", f"property=hv-vapic,value=on,driver={CPU}", True, True,
         "hv-vapic", differs=True),
    Kept("every-model", "x86_64-cpu.hv-reset=on", True, True, "hv-reset", differs=True),
    Kept("every-cpu", "cpu.hv-runtime=on", True, True, "hv-runtime", differs=True),
    Kept("short-value-holds-property-key", f"{CPU}.hv-vendor-id=ab,property=cd", True,
         "ab,property=cd", "hv-vendor-id"),
    Kept("short-value-holds-the-long-form", f"x.y=1,driver={CPU},property=hv-crash,value=on",
         False, False, "hv-crash"),
    Kept("another-models-type", "max-x86_64-cpu.hv-tlbflush=on", True, False, "hv-tlbflush"),
    Kept("not-hyper-v", f"{CPU}.model-id=hv", False, "hv", "model-id"),
    Kept("dotted-property", f"{CPU}.hv-frequencies.x=on", True,
         f"stops: can't apply global {CPU}.hv-frequencies.x=on: "
         f"Property '{CPU}.hv-frequencies.x' not found", differs=True),
    Kept("every-device", "device.hv-synic=on", True,
         "stops: can't apply global device.hv-synic=on: Property 'migration.hv-synic' not found",
         differs=True),
    Kept("refused-by-qemu", f"driver={CPU},property=hv-ipi", False,
         "stops: options 'driver', 'property', and 'value' are required"),
]  # fmt: skip

DOMAIN = """<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>g</name>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <cpu mode='custom' match='exact'><model>qemu64</model></cpu>
  <qemu:commandline>
{args}
  </qemu:commandline>
</domain>
"""


def _old_hv_global(value: str) -> bool:
    """The rule merging had: the driver up to the last ``.`` before the first ``=``."""
    driver, _, prop = value.partition("=")[0].rpartition(".")
    return model_of_cpu_type(driver) is not None and prop.lower().startswith(("hv-", "hv_"))


def _commandline_globals(text: str) -> list[str]:
    root = ET.fromstring(text)
    values = [arg.get(layout.ARG_VALUE, "") for arg in root.iter(layout.ARG)]
    return [after for before, after in itertools.pairwise(values) if before == "-global"]


def test_merge_replaces_the_cpus_hv_globals_as_qemu_reads_them() -> None:
    args = "\n".join(
        f"    <qemu:arg value='-global'/>\n    <qemu:arg value='{case.text}'/>" for case in CASES
    )
    target = ExportTarget("qemu64", None, V("9.0.0"), "preset")
    merged = merge_into(DOMAIN.format(args=args), Config.of(relaxed=True), target)
    kept = _commandline_globals(merged.text)
    assert kept == [case.text for case in CASES if not case.removed]
    assert [c.name for c in CASES if _old_hv_global(c.text) != c.removed] == [
        c.name for c in CASES if c.differs
    ]


@pytest.mark.realtools
def test_real_qemu_applies_the_globals_to_the_cpu_as_the_table_says() -> None:
    """One VM for the globals QEMU starts with, one for each it stops at (~0.2 s of CPU)."""
    qemu = require(QEMU, "qemu-system-x86")
    started = [c for c in CASES if not str(c.qemu).startswith("stops: ")]
    stopping = [c for c in CASES if c not in started]
    runs = []
    for batch in [started, *([c] for c in stopping)]:
        argv = [qemu, *VM, "-cpu", "qemu64", *(w for c in batch for w in ("-global", c.text))]
        run = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
        runs.append((batch, run, qmp_qom_get(CPU_PATH, ["type", *(c.prop for c in batch)])))
    for batch, run, stdin in runs:
        out, err = run.communicate(stdin, timeout=60)
        if batch is started:
            assert run.returncode == 0, err
            assert qmp_answers(out, 1 + len(batch)) == [CPU, *(c.qemu for c in batch)], out
        else:
            assert run.returncode == 1, (batch[0].name, err)
            assert str(batch[0].qemu).removeprefix("stops: ") in err, (batch[0].name, err)
