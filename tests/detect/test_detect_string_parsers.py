"""String methods where ``hvtui detect`` used regular expressions (importing :mod:`re`
cost ~10 ms of each run, issue #13): each says exactly what its pattern said, on
text made of the characters that matter to it (ASCII and other scripts' digits,
separators, whitespace, newlines)."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from hvtui.detect.kvm import _other_kvm_module
from hvtui.detect.pipeline import _kernel_version
from hvtui.detect.report import Fact, known
from hvtui.detect.smt import isolcpus_list
from hvtui.detect.sysroot import _natural_key, is_decimal, prefixed_number
from hvtui.detect.sysroot import parse_int as parse_sysfs_int
from hvtui.detect.vms import vcpu_index
from hvtui.formats.cpulist import _range
from hvtui.lazyre import LazyPattern
from hvtui.versions import Version, _strict_parts, find_version

#: Characters that decide these patterns: ASCII digits, another script's digits (``\\d``
#: takes them, ``[0-9]`` does not), signs, separators, whitespace, newlines, letters.
DIGITS = "0123456789"
OTHER = "\u0663\uff17 \t\n\u2003.-:/,N_xyzkvm"


def texts(extra: str = "", max_size: int = 14) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS + OTHER + extra, max_size=max_size)


_PART = r"(0|[1-9][0-9]{0,3})"
_MICRO = r"(0|[1-9][0-9]{0,5})"
VERSION = re.compile(rf"\s*{_PART}(?:\.{_PART})?(?:\.{_MICRO})?\s*")
EMBEDDED = re.compile(r"(?<![0-9])([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,6}))?")


def _numbers(match: re.Match[str] | None) -> tuple[int, ...] | None:
    return None if match is None else tuple(int(g) if g is not None else 0 for g in match.groups())


@given(texts())
@example("98.891000")  # the pattern reads a 6-digit second part as the micro version
@example(" 7.2.0 \n")
def test_strict_versions(text: str) -> None:
    assert _strict_parts(text) == _numbers(VERSION.fullmatch(text))


@given(texts(max_size=30))
@example("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)")
@example("12345.6 then 1.23456.7 then 3.4")
def test_versions_found_in_free_text(text: str) -> None:
    expected = _numbers(EMBEDDED.search(text))
    assert find_version(text) == (None if expected is None else Version(*expected))


def test_version_is_the_named_tuple_it_was() -> None:
    import copy
    import pickle

    version = Version(7, 2)
    assert version == (7, 2, 0) and version > (7, 1, 9) and hash(version) == hash((7, 2, 0))
    assert (version.major, version.minor, version.micro) == (7, 2, 0)
    assert repr(version) == "Version(major=7, minor=2, micro=0)"
    assert (str(version), version.short(), Version(7, 2, 1).short()) == ("7.2.0", "7.2", "7.2.1")
    for copied in (copy.copy(version), copy.deepcopy(version), pickle.loads(pickle.dumps(version))):
        assert copied == version and type(copied) is Version
    assert Version._fields == ("major", "minor", "micro")
    match version:
        case Version(major, minor):
            assert (major, minor) == (7, 2)


CPU_RANGE = re.compile(r"([0-9]{1,6}|N)(?:-([0-9]{1,6}|N)(?::([0-9]{1,6})/([0-9]{1,6}))?)?")


@given(texts())
@example("0-7:2/4")
@example("N-N:1/1")
@example("1234567")
def test_cpu_list_ranges(text: str) -> None:
    match = CPU_RANGE.fullmatch(text)
    assert _range(text) == (None if match is None else match.groups())


@given(texts(), st.integers(min_value=1, max_value=14))
def test_decimal_numbers(text: str, most: int) -> None:
    assert is_decimal(text, most) == bool(re.fullmatch(rf"\d{{1,{most}}}", text))
    assert is_decimal(text) == bool(re.fullmatch(r"\d+", text))


@given(texts("cpunode"))
@example("cpu12")
@example("cpu\u0663")
@example("cpufreq")
def test_directory_filters(text: str) -> None:
    assert prefixed_number("cpu")(text) == bool(re.fullmatch(r"cpu\d+", text))
    assert prefixed_number("node")(text) == bool(re.fullmatch(r"node\d+", text))
    assert _other_kvm_module(text) == bool(re.fullmatch(r"kvm_[a-z0-9_]+", text))


@given(texts("cpu"))
@example("cpu10")
@example("a\nb12")
@example("12")
def test_natural_sort_key(text: str) -> None:
    match = re.fullmatch(r"(.*?)(\d+)", text)
    expected = (text, -1) if match is None else (match.group(1), int(match.group(2)))
    assert _natural_key(text) == expected


@given(texts())
@example("-12")
@example("1234567890123")
def test_sysfs_integers(text: str) -> None:
    parsed = parse_sysfs_int(known(text), "/x")
    stripped = text.strip()
    if re.fullmatch(r"-?\d{1,12}", stripped):
        assert parsed == known(int(stripped))
    else:
        assert parsed.code == "unparsable"


@given(st.lists(st.text(alphabet="abcz_N0-9,\u0663", max_size=8), max_size=5))
def test_isolcpus_flags(parts: list[str]) -> None:
    value = ",".join(parts)
    expected = value.split(",")
    while expected and re.fullmatch(r"[a-z_]+", expected[0]) and expected[0] != "N":
        expected.pop(0)
    assert isolcpus_list(value) == ",".join(expected)


@given(texts("CPU/KVMTCGHVFWHPXNVM "))
@example("CPU 3/KVM")
@example("CPU 3/KVM/x")
@example("CPU \u0663/TCG")
def test_vcpu_thread_names(text: str) -> None:
    match = re.fullmatch(r"CPU (\d+)/(KVM|TCG|HVF|WHPX|NVMM)", text)
    assert vcpu_index(text) == (None if match is None else int(match.group(1)))


@given(texts())
@example("6.8.0-45-generic")
@example("6.\u0663")
def test_kernel_versions(text: str) -> None:
    match = re.match(r"(\d+)\.(\d+)", text)
    expected = (int(match.group(1)), int(match.group(2))) if match else None
    assert _kernel_version(known(text)) == expected
    assert _kernel_version(Fact(None, "missing")) is None


def test_lazy_patterns_compile_when_first_used() -> None:
    pattern = LazyPattern(r"([a-z]+)-(\d+)")
    assert pattern._compiled is None
    compiled = re.compile(pattern.pattern)
    for text in ("abc-12", "x-1 y-2", "-", ""):
        for method in ("fullmatch", "match", "search"):
            ours, theirs = getattr(pattern, method)(text), getattr(compiled, method)(text)
            assert (ours and ours.groups()) == (theirs and theirs.groups())
        assert [m.span() for m in pattern.finditer(text)] == [
            m.span() for m in compiled.finditer(text)
        ]
        assert pattern.findall(text) == compiled.findall(text)
        assert pattern.sub("#", text) == compiled.sub("#", text)
    assert pattern.compiled is pattern.compiled
