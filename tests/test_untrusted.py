"""The shared parsers and escaping for untrusted text (issue #11), on generated input.

Every function here is the one place its class of hostile input is handled, so
the properties are checked directly: whatever the input, the answer is a value
or the module's own one-line error, never ValueError from ``int()``,
RecursionError, OverflowError, and never slow.
"""

from __future__ import annotations

import json
import sys
import time
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import cpumodels
from hvtui.formats.cpulist import CpuListError, parse_cpulist
from hvtui.presets import name_from
from hvtui.textsafe import one_line, printable
from hvtui.untrusted import (
    MAX_DEPTH,
    MAX_INT_BITS,
    BadNumber,
    UntrustedError,
    load_json,
    load_toml,
    parse_int,
)
from hvtui.versions import VersionError, parse_version

#: More digits than Python converts (its default limit is 4300, the minimum 640).
HUGE = sys.get_int_max_str_digits() + 1 if sys.get_int_max_str_digits() else 5000


# -- numbers ---------------------------------------------------------------------------


@given(st.integers(min_value=-(2**MAX_INT_BITS) + 1, max_value=2**MAX_INT_BITS - 1))
def test_parse_int_reads_every_bounded_integer(value: int) -> None:
    assert parse_int(str(value)) == value
    assert parse_int(f"{'-' if value < 0 else ''}0x{abs(value):x}", 0) == value


@settings(max_examples=25, deadline=None)
@given(st.integers(MAX_INT_BITS + 1, 400_000), st.sampled_from([10, 16]))
def test_parse_int_refuses_huge_numbers_quickly(digits: int, base: int) -> None:
    text = "9" * digits if base == 10 else "f" * digits
    start = time.perf_counter()
    with pytest.raises(UntrustedError, match="too large"):
        parse_int(text, base)
    assert time.perf_counter() - start < 0.5


@given(st.text(max_size=40))
def test_parse_int_never_fails_otherwise(text: str) -> None:
    for base in (0, 10, 16):
        try:
            value = parse_int(text, base)
        except UntrustedError as exc:
            assert "\n" not in str(exc)
        else:
            assert value.bit_length() <= MAX_INT_BITS


@pytest.mark.parametrize("text", ["١٢", "1_000", "0x", "", "+", "12a"])
def test_parse_int_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(UntrustedError, match="not a number"):
        parse_int(text)


# -- JSON and TOML ---------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.integers(MAX_DEPTH + 1, 200_000), st.sampled_from(["[", '{"a":']))
def test_json_nesting_is_bounded(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "1" + closer * depth
    start = time.perf_counter()
    with pytest.raises(UntrustedError, match="nested more than"):
        load_json(text)
    assert time.perf_counter() - start < 2


@settings(max_examples=30, deadline=None)
@given(st.integers(MAX_DEPTH + 1, 100_000))
def test_toml_nesting_is_bounded(depth: int) -> None:
    text = "x = " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(UntrustedError, match="nested more than"):
        load_toml(text)


@settings(max_examples=20, deadline=None)
@given(st.integers(80, HUGE + 100), st.sampled_from(["", "0x"]))
def test_toml_huge_integers_are_refused(digits: int, prefix: str) -> None:
    body = ("f" if prefix else "9") * digits
    with pytest.raises(UntrustedError, match="too large"):
        load_toml(f"x = {prefix}{body}\n")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e999", "9" * HUGE])
def test_json_non_finite_and_huge_numbers(text: str) -> None:
    with pytest.raises(UntrustedError):
        load_json(f'{{"a": {text}}}')
    lenient = load_json(f'{{"a": {text}, "b": 1}}', lenient=True)
    assert isinstance(lenient["a"], BadNumber) and lenient["b"] == 1


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=8))
def test_json_reads_back_what_json_writes(value: object) -> None:
    assert load_json(json.dumps(value)) == value


# -- versions and CPU models -----------------------------------------------------------


@given(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 999999))
def test_versions_read_back(major: int, minor: int, micro: int) -> None:
    if (major, minor, micro) == (0, 0, 0):
        with pytest.raises(VersionError, match="not a release"):
            parse_version("0.0.0")
    else:
        assert tuple(parse_version(f"{major}.{minor}.{micro}")) == (major, minor, micro)


@given(st.text(max_size=20))
def test_versions_never_fail_otherwise(text: str) -> None:
    try:
        version = parse_version(text)
    except VersionError as exc:
        assert "\n" not in str(exc).replace(repr(text), "")
    else:
        assert all(c in "0123456789. \t\n\r\x0b\x0c" for c in text)
        assert version != (0, 0, 0)


@pytest.mark.parametrize(
    ("text", "why"),
    [("0.0", "not a release"), ("01.02", "write 1.2"), ("７.２", "digits 0-9"), ("٧.٢", "0-9")],
)
def test_near_versions_say_what_is_wrong(text: str, why: str) -> None:
    with pytest.raises(VersionError, match=why):
        parse_version(text)


@pytest.mark.parametrize(
    ("model", "better"),
    [
        ("host-passthrough", "host"),
        ("host-model", "host"),
        ("skylake-server", "Skylake-Server"),
        ("epyc-v4", "EPYC-v4"),
        ("Skylake-Servr", "Skylake-Server"),
    ],
)
def test_unknown_cpu_models_get_the_qemu_spelling(model: str, better: str) -> None:
    problem = cpumodels.model_problem(model)
    assert problem is not None and f"did you mean {better!r}" in problem


@given(st.sampled_from(sorted(cpumodels.MODELS - set(cpumodels.SPECIAL))), st.integers(1, 99))
def test_every_model_and_its_versions_are_known(model: str, version: int) -> None:
    assert cpumodels.model_problem(model) is None
    assert cpumodels.model_problem(f"{model}-v{version}") is None


# -- names and escaping ----------------------------------------------------------------


@given(st.text(max_size=100))
def test_a_derived_preset_name_is_always_valid(stem: str) -> None:
    from hvtui import presets

    name = name_from(stem)
    doc = f'schema = 1\nname = "{name}"\n'
    assert presets.loads(doc).name == name


@given(st.text())
def test_printable_output_has_no_control_characters(text: str) -> None:
    shown = printable(text)
    assert all(c == "\n" or c.isprintable() for c in shown)
    assert printable(shown) == shown
    line = one_line(text)
    assert line.isprintable() and "\n" not in line


def test_tomllib_would_have_raised_plain_errors() -> None:
    """Why the wrappers exist: Python's own parsers fail with non-syntax errors."""
    with pytest.raises(ValueError, match="Exceeds the limit"):
        tomllib.loads("x = " + "9" * HUGE)
    with pytest.raises(RecursionError):
        json.loads("[" * 100_000 + "]" * 100_000)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_fail_with_one_line(data: bytes) -> None:
    for load in (load_json, load_toml):
        try:
            load(data)
        except UntrustedError as exc:
            assert "\n" not in str(exc)


@pytest.mark.parametrize("digits", ["0", "007", "8191", "9" * 18, "1" + "0" * 17, "9" * 19, "²"])
def test_plain_digits_read_as_with_a_sign(digits: str) -> None:
    """Plain decimal digits take a shorter way (issue #13): the same answer as the full
    one, which a leading '+' takes."""
    try:
        expected: int | str = parse_int("+" + digits)
    except UntrustedError as exc:
        expected = str(exc).replace("'+", "'")
    try:
        got: int | str = parse_int(digits)
    except UntrustedError as exc:
        got = str(exc)
    assert got == expected


@pytest.mark.parametrize(
    ("text", "cpus"), [("3", {3}), ("007", {7}), ("65535", {65535}), ("000000", {0})]
)
def test_one_cpu_lists(text: str, cpus: set[int]) -> None:
    assert parse_cpulist(text) == cpus == parse_cpulist(f" {text} ")


@pytest.mark.parametrize("text", ["65536", "999999", "1234567", "٣"])
def test_one_cpu_lists_refused(text: str) -> None:
    with pytest.raises(CpuListError):
        parse_cpulist(text)
