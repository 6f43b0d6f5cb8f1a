"""``hvtui.jsonlite``: the JSON ``hvtui detect --json`` writes and the ``--version`` cache
it reads, without :mod:`json` (which loads :mod:`re`), byte for byte what :mod:`json`
gives (issue #13)."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from clirun import HOSTS
from hypothesis import given
from hypothesis import strategies as st

from hvtui.demos import DEMOS
from hvtui.detect import detect
from hvtui.jsonlite import dumps, loads

HOST_DIRS = sorted(p for p in HOSTS.iterdir() if p.is_dir())

#: Text no terminal or parser should get raw: controls, escapes, quotes, backslashes,
#: non-ASCII of every plane, lone surrogates (from a badly decoded file name).
HOSTILE = [
    "",
    "plain",
    'quote " and backslash \\ and slash /',
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b[31m\x1f\x7f\x80\x9f",
    "\u2028\u2029\ufeff\u202e",
    "caf\u00e9 \u4e2d\u6587 \U0001f600 \U0010ffff",
    "\ud800 lone \udfff surrogates \udcff",
    "\x1b]52;c;aGVsbG8=\x07",
]


def _reports() -> list[dict[str, Any]]:
    reports = [detect(path).to_json() for path in HOST_DIRS]
    reports += [detect(demo.path).to_json() for demo in DEMOS]
    return reports


@pytest.mark.parametrize("index", range(len(HOST_DIRS) + len(DEMOS)))
def test_every_snapshots_report_is_written_as_json_writes_it(index: int) -> None:
    report = _reports()[index]
    assert dumps(report) == json.dumps(report, indent=2)


def test_this_hosts_report_is_written_as_json_writes_it() -> None:
    report = detect().to_json()
    assert dumps(report) == json.dumps(report, indent=2)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_escaped_as_json_escapes_them(text: str) -> None:
    value = {text: [text, {"k": text}], "list": [text] * 2}
    assert dumps(value) == json.dumps(value, indent=2)
    assert dumps(text) == json.dumps(text, indent=2)


PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(PLAIN)
def test_any_plain_value_is_written_as_json_writes_it(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2)


class _Count(int):
    def __repr__(self) -> str:
        return "not what json writes"


class _Name(str):
    pass


class _Ratio(float):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key", None: "null key", 2.5: "float key"},
        {True: "bool key", False: "another"},
        OrderedDict(a=1),  # a dict subclass
        [math.inf, -math.inf, math.nan, 1e300, -0.0],
        [_Count(3), _Name("x\n"), _Ratio(0.5)],  # subclasses go to json itself
        {"nested": {"deeper": [[], {}, [[]], ()]}},
    ],
)
def test_what_is_not_plain_is_json_s_own_answer(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2)


def test_unknown_types_and_cycles_raise_json_s_own_errors() -> None:
    for value in ({"path": Path("/")}, {1, 2}, b"bytes"):
        with pytest.raises(TypeError) as ours:
            dumps(value)
        with pytest.raises(TypeError) as theirs:
            json.dumps(value, indent=2)
        assert str(ours.value) == str(theirs.value)
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference detected"):
        dumps(cycle)
    shared = [1]
    assert dumps([shared, shared]) == json.dumps([shared, shared], indent=2)  # not a cycle


@pytest.mark.parametrize(
    "text",
    [
        '{"schema": 1, "binaries": {"/usr/bin/qemu": {"identity": [1, 2], "stdout": "x"}}}',
        ' \t\n[1, 2.5, -3e2, "\\u00e9\\ud83d\\ude00", true, false, null] \r\n',
        '"just a string"',
        "NaN",
        "[Infinity, -Infinity]",
        "12345678901234567890123",
        '{"a": 1, "a": 2}',
    ],
)
def test_documents_are_read_as_json_reads_them(text: str) -> None:
    ours, theirs = loads(text), json.loads(text)
    assert repr(ours) == repr(theirs)  # repr: NaN is not equal to itself


@pytest.mark.parametrize(
    "text",
    ["", "   ", "[1,", '{"a" 1}', "[1] x", "\ufeff[1]", "{'a': 1}", '"\x01"', "01", "[1]]"],
)
def test_malformed_documents_raise_json_s_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert (ours.value.msg, ours.value.pos) == (theirs.value.msg, theirs.value.pos)


@given(PLAIN)
def test_what_json_writes_is_read_back_as_json_reads_it(value: object) -> None:
    text = json.dumps(value)
    assert repr(loads(text)) == repr(json.loads(text))
