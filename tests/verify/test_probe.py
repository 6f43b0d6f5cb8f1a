"""The probe: its bytes are its source, it is a boot sector and an option ROM, and its
serial report is read strictly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from export.tools import require

from hvtui.verify.codes import ProbeFailure
from hvtui.verify.probe import (
    BANNER,
    END,
    PROBE_PATH,
    SOURCE_PATH,
    ProbeError,
    Registers,
    format_report,
    parse_serial,
)
from verify.support import NO_HYPERV_LEAVES


def test_shipped_bytes_are_the_assembled_source(tmp_path: Path) -> None:
    nasm = require("nasm", "nasm")
    out = tmp_path / "probe.bin"
    subprocess.run([nasm, "-f", "bin", "-o", str(out), str(SOURCE_PATH)], check=True)
    assert out.read_bytes() == PROBE_PATH.read_bytes(), (
        "probe.bin is not what probe.asm assembles to: run "
        "nasm -f bin -o hvtui/verify/probe.bin hvtui/verify/probe.asm"
    )


def test_probe_is_a_boot_sector_and_an_option_rom() -> None:
    data = PROBE_PATH.read_bytes()
    assert len(data) == 512
    assert data[510:] == b"\x55\xaa", "boot signature"
    assert data[:3] == b"\x55\xaa\x01", "option ROM signature, one 512-byte block"
    assert data[3] == 0xEB and 0x40 <= data[4] <= 0x4F, (
        "jmp short at offset 3 whose displacement is a one-byte inc/dec when executed"
    )
    fix = (-(sum(data) - data[509])) & 0xFF
    assert sum(data) % 256 == 0, f"set CHECKSUM in probe.asm to {fix:#04x}"


def test_a_complete_report_is_read_after_firmware_noise() -> None:
    serial = b"SeaBIOS noise\r\n" + format_report(NO_HYPERV_LEAVES)
    report = parse_serial(serial)
    assert dict(report.leaves) == NO_HYPERV_LEAVES
    assert report.entries()[1].function == 0x40000000


@pytest.mark.parametrize(
    ("serial", "failure"),
    [
        (b"", ProbeFailure.NO_OUTPUT),
        (b"\r\n  \r\n", ProbeFailure.NO_OUTPUT),
        (b"Booting from Hard Disk...\r\n", ProbeFailure.GARBLED),
        (f"{BANNER}\r\n40000000 40000001 4b4d564b\r\n".encode(), ProbeFailure.GARBLED),
        (f"{BANNER}\r\n40000000 40000001 4b4d564b 564b4d56 0000004d\r\n".encode(),
         ProbeFailure.INCOMPLETE),
        (f"{BANNER}\r\n00000001 0 0 0 0\r\n{END}\r\n".encode(), ProbeFailure.GARBLED),
        (f"{BANNER}\r\n{END}\r\n".encode(), ProbeFailure.GARBLED),
    ],
)  # fmt: skip
def test_a_broken_report_fails_loudly(serial: bytes, failure: ProbeFailure) -> None:
    with pytest.raises(ProbeError) as caught:
        parse_serial(serial)
    assert caught.value.failure is failure
    assert "serial output" in str(caught.value) and "\n" not in str(caught.value)


def test_control_characters_in_the_serial_output_stay_out_of_the_message() -> None:
    with pytest.raises(ProbeError) as caught:
        parse_serial(b"\x1b]52;c;aGk=\x07 \xff\r\n")
    assert "\x1b" not in str(caught.value) and "\\x1b" in str(caught.value)


def test_registers_are_printed_as_hex_per_register() -> None:
    text = format_report({0x40000000: Registers(0x40000001, 1, 0xFFFFFFFF, 0)}).decode()
    assert "40000000 40000001 00000001 ffffffff 00000000\r\n" in text
