"""The probe the throw-away guest runs, and reading back what it printed.

``probe.bin`` is 512 bytes assembled from ``probe.asm`` (beside it; a test
re-assembles it with nasm and compares).  It is both a boot sector and an
option ROM: verify hands it to QEMU as ``-option-rom``, which SeaBIOS runs while it
scans option ROMs, before it checksums its own ROM byte by byte and boots.  That
matters on hosts where each guest exit is expensive (shadow paging, nested KVM):
there booting the same bytes from a disk takes seconds longer, for nothing.

The report is text on COM1, one line per CPUID leaf with every register as
eight hex digits between a banner and an end line, so a report cut short or
mixed with firmware noise is told from a complete one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from hvtui.detect.report import CpuidEntry
from hvtui.records import record
from hvtui.textsafe import one_line
from hvtui.verify.codes import ProbeFailure

#: The probe's bytes, shipped in the package (the wheel includes every file of it).
PROBE_PATH = Path(__file__).with_name("probe.bin")
#: Its source, assembled with ``nasm -f bin``.
SOURCE_PATH = Path(__file__).with_name("probe.asm")
PROBE_SIZE = 512

BANNER = "HVTUI-PROBE 1"
END = "HVTUI-END"
#: The probe writes this to isa-debug-exit; QEMU then exits with ``(value << 1) | 1``.
EXIT_VALUE = 0x10
EXIT_STATUS = (EXIT_VALUE << 1) | 1
#: The isa-debug-exit port the probe writes to.
EXIT_PORT = 0xF4

_LEAF_LINE = re.compile(r"([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})")
#: How much of the serial output an error message quotes.
QUOTE_LIMIT = 400


class Registers(NamedTuple):
    """What CPUID returned for one leaf (ECX = 0 on input)."""

    eax: int
    ebx: int
    ecx: int
    edx: int


class ProbeError(Exception):
    """The guest's report is missing or broken; ``str()`` is one line quoting the output."""

    def __init__(self, failure: ProbeFailure, message: str, serial: str) -> None:
        self.failure = failure
        self.serial = serial
        quoted = serial if len(serial) <= QUOTE_LIMIT else serial[:QUOTE_LIMIT] + "..."
        super().__init__(one_line(f"{message}; serial output: {quoted!r}"))
        self.message = message


@record(frozen=True)
class ProbeReport:
    """Every leaf the probe printed, in the order it printed them."""

    leaves: Mapping[int, Registers]

    def entries(self) -> tuple[CpuidEntry, ...]:
        """The leaves as detection's :class:`CpuidEntry` (what the decoder reads)."""
        return tuple(
            CpuidEntry(function, 0, r.eax, r.ebx, r.ecx, r.edx)
            for function, r in self.leaves.items()
        )


def probe_bytes() -> bytes:
    """The shipped probe; OSError when the package lost it."""
    return PROBE_PATH.read_bytes()


def serial_text(data: bytes) -> str:
    """The serial bytes as text: Latin-1, so no byte is an error, CR LF as LF."""
    return data.decode("latin-1").replace("\r\n", "\n")


def parse_serial(data: bytes) -> ProbeReport:
    """The leaves in the probe's serial output; raises :class:`ProbeError`.

    Lines before the banner are the firmware's and are skipped; after it every
    line up to the end line must be a leaf line.
    """
    text = serial_text(data)
    lines = [line.rstrip("\r") for line in text.split("\n")]
    try:
        start = lines.index(BANNER)
    except ValueError:
        if not text.strip():
            raise ProbeError(ProbeFailure.NO_OUTPUT, "the guest printed nothing", text) from None
        raise ProbeError(
            ProbeFailure.GARBLED, f"the guest never printed {BANNER!r}", text
        ) from None
    leaves: dict[int, Registers] = {}
    body = lines[start + 1 :]
    for n, line in enumerate(body):
        if line == END:
            break
        match = _LEAF_LINE.fullmatch(line)
        if match is None and n == len(body) - 1:
            continue  # the last piece, cut off before its line end: incomplete, below
        if match is None:
            raise ProbeError(ProbeFailure.GARBLED, f"not a CPUID line: {line[:80]!r}", text)
        function, *registers = (int(group, 16) for group in match.groups())
        leaves[function] = Registers(*registers)
    else:
        raise ProbeError(
            ProbeFailure.INCOMPLETE,
            f"the guest stopped after {len(leaves)} leaves, before {END!r}",
            text,
        )
    if 0x40000000 not in leaves:
        raise ProbeError(ProbeFailure.GARBLED, "no CPUID leaf 0x40000000 in the report", text)
    return ProbeReport(leaves)


def format_report(leaves: Mapping[int, Registers]) -> bytes:
    """The serial output the probe prints for ``leaves`` (tests and fake QEMUs use it)."""
    lines = [BANNER]
    lines += [f"{f:08x} {r.eax:08x} {r.ebx:08x} {r.ecx:08x} {r.edx:08x}" for f, r in leaves.items()]
    lines.append(END)
    return "".join(f"{line}\r\n" for line in lines).encode("ascii")


__all__ = [
    "BANNER",
    "END",
    "EXIT_PORT",
    "EXIT_STATUS",
    "PROBE_PATH",
    "PROBE_SIZE",
    "SOURCE_PATH",
    "ProbeError",
    "ProbeReport",
    "Registers",
    "format_report",
    "parse_serial",
    "probe_bytes",
    "serial_text",
]
