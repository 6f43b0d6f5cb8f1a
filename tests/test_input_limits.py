"""Every input is read one way: special files refused unopened, sizes capped, errors bounded.

A FIFO used to freeze ``detect --sysroot``, ``recommend``, ``check``, ``export``,
``audit`` and ``presets list`` (and with it the wizard); a 50 MB ``/proc/cpuinfo``
line or 50,000 unknown preset keys took many seconds.  Each case is generated
here and checked against the contract: exit code, one line on stderr, bounded
time (a subprocess timeout, or an alarm for in-process reads).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from clirun import REPO, SHIPPED, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import inputs, presets
from hvtui.demos import find_demo
from hvtui.detect import sysroot
from hvtui.detect.snapshot import MANIFEST
from hvtui.inputs import InputError, read_input
from hvtui.limits import (
    MAX_CPUINFO_BYTES,
    MAX_CPUINFO_LINE,
    MAX_JSON_BYTES,
    MAX_LISTED_ERRORS,
    MAX_OPTION_ITEMS,
    MAX_PRESET_BYTES,
    MAX_SYSFS_BYTES,
    MAX_VM_BYTES,
    MAX_WORDS,
    MAX_XML_NODES,
    describe_size,
)
from hvtui.model import Config, FindingCode, validate

#: A command that hangs is killed after this long (a normal run takes a second).
TIMEOUT = 60
KINDS = ("fifo", "socket", "device", "directory")
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def make_special(path: Path, kind: str) -> str:
    """Put a non-regular file at ``path``; returns how hvtui describes it."""
    if kind == "fifo":
        os.mkfifo(path)
        return "a FIFO (named pipe)"
    if kind == "socket" and len(str(path)) < 100:  # AF_UNIX paths are short
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
        return "a socket"
    if kind in ("device", "socket"):
        os.symlink("/dev/zero", path)  # a device without mknod; the link is followed
        return "a character device"
    path.mkdir()
    return "a directory"


@contextlib.contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    """Fail instead of hanging: a blocking open() is interrupted by the alarm."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hvtui: "), err
    return lines[0]


def demo_copy(tmp_path: Path, name: str = "snap") -> Path:
    target = tmp_path / name
    shutil.copytree(find_demo("intel-tigerlake").path, target)
    return target


# -- one reader: special files ----------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=HEALTH)
@given(kind=st.sampled_from(KINDS), what=st.sampled_from(["a preset file", "a domain XML file"]))
def test_special_files_are_refused_without_opening(tmp_path: Path, kind: str, what: str) -> None:
    path = tmp_path / f"input-{kind}-{len(what)}"
    if not os.path.lexists(path):
        make_special(path, kind)
    described = inputs.file_kind(os.stat(path).st_mode)
    with no_hang(), pytest.raises(InputError) as caught:
        read_input(path, limit=MAX_PRESET_BYTES, what=what)
    assert str(caught.value) == f"{path}: is {described}, not {what}"


@settings(max_examples=30, deadline=None, suppress_health_check=HEALTH)
@given(extra=st.integers(min_value=-2, max_value=3))
def test_reads_stop_at_the_limit(tmp_path: Path, extra: int) -> None:
    limit = 4096
    path = tmp_path / "file"
    path.write_bytes(b"x" * (limit + extra))
    if extra <= 0:
        assert read_input(path, limit=limit, what="a test file") == b"x" * (limit + extra)
    else:
        with pytest.raises(InputError, match=r"too large \(a test file is at most 4 KiB"):
            read_input(path, limit=limit, what="a test file")


@settings(max_examples=12, deadline=None, suppress_health_check=HEALTH)
@given(kind=st.sampled_from(KINDS), name=st.sampled_from(["proc/cpuinfo", "proc/cmdline"]))
def test_sysroot_reads_answer_unreadable_for_special_files(
    tmp_path: Path, kind: str, name: str
) -> None:
    base = tmp_path / f"root-{kind}-{name.replace('/', '-')}"
    if not base.exists():
        (base / "proc").mkdir(parents=True)
        make_special(base / name, kind)
    root = sysroot.Root(base)
    with no_hang():
        fact = root.read(f"/{name}")
    assert fact.value is None
    assert fact.reason is not None and fact.reason.startswith(f"unreadable: /{name}: is ")


@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH)
@given(size=st.integers(min_value=0, max_value=3 * MAX_SYSFS_BYTES))
def test_sysfs_values_are_capped(tmp_path: Path, size: int) -> None:
    base = tmp_path / "root"
    path = base / "sys/module/kvm/parameters/halt_poll_ns"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"1" * size)
    fact = sysroot.Root(base).read_bytes("/sys/module/kvm/parameters/halt_poll_ns")
    if size <= MAX_SYSFS_BYTES:
        assert fact.value is not None and len(fact.value) == size
    else:
        assert fact.reason == (
            "unreadable: /sys/module/kvm/parameters/halt_poll_ns: larger than 64 KiB"
        )


def test_user_preset_directory_with_a_fifo_is_listed(user_presets: Path) -> None:
    shutil.copy(SHIPPED / "minimal.toml", user_presets / "mine.toml")
    for kind in KINDS:
        make_special(user_presets / f"{kind}.toml", kind)
    with no_hang():
        found = {info.name: info for info in presets.list_presets()}
    assert found["mine"].error is None
    for kind in KINDS:
        error = found[kind].error
        assert error is not None and re.fullmatch(r"is a .*, not a preset file", error)


# -- every command, with a FIFO where it reads -------------------------------------------


def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _snapshot_with_fifo(tmp_path: Path, inside: str) -> Path:
    snap = demo_copy(tmp_path)
    (snap / inside).unlink()
    os.mkfifo(snap / inside)
    return snap


#: Each command with a FIFO where it reads, and its exit code.
CASES = {
    "detect-cpuinfo": 0,
    "detect-manifest": 0,
    "recommend-sysroot": 0,
    "recommend-report": 2,
    "audit-running": 2,
    "audit-file": 2,
    "check": 2,
    "export": 2,
    "export-into": 2,
    "presets-show": 2,
}


def _case_args(case: str, tmp: Path) -> list[str]:
    """The command line of a case, its FIFO made in ``tmp``."""
    if case in ("detect-cpuinfo", "detect-manifest", "recommend-sysroot", "audit-running"):
        inside = "proc/cpuinfo" if case in ("detect-cpuinfo", "recommend-sysroot") else MANIFEST
        snap = str(_snapshot_with_fifo(tmp, inside))
        return {
            "detect-cpuinfo": ["detect", "--json", "--sysroot", snap],
            "detect-manifest": ["detect", "--sysroot", snap],
            "recommend-sysroot": ["recommend", "--sysroot", snap],
            "audit-running": ["audit", "--running", "--sysroot", snap],
        }[case]
    fifo = str(_fifo(tmp, "input"))
    return {
        "recommend-report": ["recommend", "--report", fifo],
        "audit-file": ["audit", fifo, "--demo", "intel-tigerlake"],
        "check": ["check", fifo],
        "export": ["export", fifo, "--format", "qemu"],
        "export-into": ["export", "minimal", "--format", "libvirt", "--into", fifo],
        "presets-show": ["presets", "show", fifo],
    }[case]


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_command_waits_on_a_fifo(tmp_path: Path, case: str) -> None:
    result = run_cli(_case_args(case, tmp_path), timeout=TIMEOUT)
    assert result.code == CASES[case], result.err
    if result.code == 2:
        line = one_error_line(result.err)
        assert "FIFO" in line, line
    else:
        assert "Traceback" not in result.err


def test_presets_list_shows_a_fifo_as_an_error(user_presets: Path) -> None:
    os.mkfifo(user_presets / "stuck.toml")
    result = run_cli(["presets", "list"], timeout=TIMEOUT)
    assert result.code == 0, result.err
    assert "stuck" in result.out and "is a FIFO (named pipe), not a preset file" in result.out


# -- huge files and many errors -------------------------------------------------------------


def test_huge_cpuinfo_is_refused_without_reading_it(tmp_path: Path) -> None:
    snap = demo_copy(tmp_path)
    with (snap / "proc/cpuinfo").open("r+b") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB of NUL bytes, one "line"
    result = run_cli(["detect", "--json", "--sysroot", str(snap)], timeout=TIMEOUT)
    assert result.code == 0, result.err
    assert "unreadable: /proc/cpuinfo: larger than 16 MiB" in result.out


@settings(max_examples=5, deadline=None, suppress_health_check=HEALTH)
@given(line=st.integers(min_value=MAX_CPUINFO_LINE + 1, max_value=4 * MAX_CPUINFO_LINE))
def test_a_cpuinfo_line_longer_than_any_real_one_is_unparsable(tmp_path: Path, line: int) -> None:
    from hvtui.detect import detect

    snap = tmp_path / f"snap-{line}"
    if not snap.exists():
        shutil.copytree(find_demo("intel-tigerlake").path, snap)
        text = (snap / "proc/cpuinfo").read_text()
        flags = "flags\t\t: " + "vmx " * (line // 4)
        (snap / "proc/cpuinfo").write_text(re.sub(r"(?m)^flags\t\t: .*$", flags, text))
    report = detect(snap)
    assert report.cpu.flags.value is None
    assert report.cpu.flags.reason is not None and "has a line of" in report.cpu.flags.reason


@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=0, max_value=3000))
def test_unknown_options_are_listed_up_to_a_limit(count: int) -> None:
    config = Config.of(relaxed=True, **{f"k{i}": True for i in range(count)})
    unknown = [f for f in validate(config) if f.code == FindingCode.UNKNOWN_OPTION]
    assert len(unknown) == min(count, MAX_LISTED_ERRORS) + (count > MAX_LISTED_ERRORS)
    if count > MAX_LISTED_ERRORS:
        rest = count - MAX_LISTED_ERRORS
        summary = [f for f in unknown if f.message.startswith(f"{rest} more unknown")]
        assert len(summary) == 1 and len(summary[0].options) == rest


def test_fifty_thousand_unknown_preset_keys(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    keys = "".join(f"k{i} = true\n" for i in range(50_000))
    path.write_text(f"schema = 1\n[enlightenments]\n{keys}")
    result = run_cli(["check", str(path)], timeout=TIMEOUT)
    assert result.code == 1, result.err
    assert len(result.out.splitlines()) == MAX_LISTED_ERRORS + 2
    assert result.out.endswith(f"{path}: {MAX_LISTED_ERRORS + 1} errors, 0 warnings, 0 info\n")


# -- the README states the limits ------------------------------------------------------


def test_readme_states_every_limit() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Untrusted input\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert match is not None, "README has no '## Untrusted input' section"
    section = match.group(1)
    for limit in (
        MAX_PRESET_BYTES,
        MAX_VM_BYTES,
        MAX_JSON_BYTES,
        MAX_SYSFS_BYTES,
        MAX_CPUINFO_BYTES,
        MAX_CPUINFO_LINE,
    ):
        assert describe_size(limit) in section, describe_size(limit)
    for count in (MAX_WORDS, MAX_OPTION_ITEMS, MAX_XML_NODES, MAX_LISTED_ERRORS):
        assert f"{count:,}" in section, f"{count:,}"
