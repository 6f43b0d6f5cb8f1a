"""``hvtui audit`` command lines read without argparse (:func:`hvtui.cli.cmd_audit.plain_args`).

Whatever the plain reader reads, argparse must read the same way (the same namespace);
everything else is left to argparse, so every message and exit code stays its own.
"""

from __future__ import annotations

import argparse
import itertools

import pytest
from clirun import run_python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui.cli import _plain_args, build_parser

#: Words ``hvtui audit`` command lines are made of here: every option, whole and
#: abbreviated, with values separate and after ``=``, values that look like options,
#: empty ones, intents that are not one, help, ``--``, stdin, files.
_AUDIT_WORDS = (
    "--json", "-v", "--verbose", "-vv", "--running", "--all", "--for", "--for=vbs",
    "server-migratable", "--for=nope", "--sysroot", "--sysroot=/tmp", "/tmp", "--demo",
    "--demo=no-hyperv", "--connect", "qemu:///system", "--connect=a=b", "--", "-", "",
    "a.xml", "--js", "--sys", "-h", "--help", "--json=1", "--sysroot=", "-x", "-1",
    "audit", "a b", "--demo=-x",
)  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    """One parser for every comparison (building it is most of a comparison's cost)."""
    return build_parser(("audit",))


def _check_plain(
    parser: argparse.ArgumentParser, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> bool:
    """``plain_args`` says what argparse says, or leaves ``argv`` to it; whether it read it."""
    ours = _plain_args(["audit", *argv])
    if ours is None:
        return False
    try:
        theirs = vars(parser.parse_args(["audit", *argv]))
    except SystemExit:
        capsys.readouterr()
        theirs = None
    assert vars(ours) == theirs, argv
    return True


def test_plain_audit_command_lines_parse_as_argparse_parses_them(
    parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command line of up to two words, and some longer: whatever ``plain_args``
    reads, argparse reads the same (the rest goes to argparse itself)."""
    read = 0
    for length in (0, 1, 2):
        for words in itertools.product(_AUDIT_WORDS, repeat=length):
            read += _check_plain(parser, list(words), capsys)
    assert read > 100
    for argv, plain in (
        (["--json", "a.xml", "b.xml", "-", "c.xml"], True),
        (["a.xml", "b.xml", "--json", "-v", "--for", "vbs"], True),
        (["--sysroot", "/tmp", "--for=vbs", "--json", "a.xml", "--running"], True),
        (["--demo", "no-hyperv", "--demo=amd-epyc", "--all", "--connect", "qemu:///system"], True),
        (["a.xml", "--json", "b.xml"], False),  # argparse refuses b.xml
        (["--sysroot", "/tmp", "--demo", "no-hyperv", "a.xml"], False),  # argparse refuses
        (["--json", "--for"], False),
        (["--", "a.xml"], False),
    ):
        assert _check_plain(parser, argv, capsys) is plain, argv


@given(argv=st.lists(st.sampled_from(_AUDIT_WORDS), max_size=6))
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_longer_audit_command_lines_parse_as_argparse_parses_them(
    parser: argparse.ArgumentParser, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _check_plain(parser, argv, capsys)


def test_a_plain_audit_is_read_without_argparse() -> None:
    """The reason for all this: a plain ``audit`` (text or JSON) loads no argparse, which
    every file of the run would wait for."""
    code = (
        "import sys\n"
        "from hvtui.cli import _plain_args\n"
        "args = _plain_args(['audit', '--json', 'a.xml', '-v', '--for', 'vbs'])\n"
        "from hvtui.cli import render\n"
        "print(args is not None, 'argparse' in sys.modules)\n"
    )
    result = run_python(code)
    assert result.code == 0, result.err
    assert result.out.split() == ["True", "False"]
