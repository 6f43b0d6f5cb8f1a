"""What keeps ``hvtui detect --json`` fast (issue #13) without changing what it does:
the report's records behave as before, and the modules it does not need
stay unloaded."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from hvtui import records
from hvtui.cli import build_parser, terminal_columns
from hvtui.detect.report import CpuidEntry, Fact, HostInfo, known, unknown
from hvtui.detect.versions import CommandAnswer, VersionCache, cache_file
from hvtui.inputs import hvtui_dir, hvtui_dir_name

REPO = Path(__file__).resolve().parents[2]

# --- the report's records --------------------------------------------------------------


def test_report_records_work_with_replace_fields_and_asdict() -> None:
    """``fields``, ``replace`` and ``asdict`` (the JSON walk, the wizard) work on them."""
    entry = CpuidEntry(0x40000001, 0, 1, 2, 3, 4)
    assert records.is_record(entry)
    assert [f.name for f in records.fields(entry)] == [
        "function", "index", "eax", "ebx", "ecx", "edx"
    ]  # fmt: skip
    changed = records.replace(entry, eax=9)
    assert changed == CpuidEntry(0x40000001, 0, 9, 2, 3, 4) and changed != entry
    assert records.asdict(entry)["edx"] == 4


def test_report_types_keep_their_behaviour() -> None:
    """The report's own classes: equality by value, hashable, frozen, readable repr."""
    fact = known(True)
    assert fact == known(True) and fact != known(False) and fact != unknown("missing")
    assert len({known(1), known(1), unknown("missing"), unknown("missing")}) == 2
    assert repr(unknown("missing", "/x")) == "Fact(value=None, reason='missing: /x')"
    host = HostInfo(known("Linux"), known("x86_64"), Fact(None, "missing"))
    assert host == HostInfo(known("Linux"), known("x86_64"), Fact(None, "missing"))
    assert hash(host) == hash(HostInfo(known("Linux"), known("x86_64"), Fact(None, "missing")))
    with pytest.raises(records.FrozenInstanceError):
        host.os = known("BSD")  # type: ignore[misc]
    answer = CommandAnswer("qemu", "/usr/bin/qemu-system-x86_64")
    assert answer == CommandAnswer("qemu", "/usr/bin/qemu-system-x86_64")
    assert repr(answer).startswith("CommandAnswer(tool='qemu', path='/usr/bin/qemu-system")


# --- hvtui_dir_name: the string form the --version cache uses ---------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"XDG_CACHE_HOME": "/var/cache/me", "HOME": "/home/me"}, "/var/cache/me/hvtui"),
        ({"XDG_CACHE_HOME": "/var/cache/me/", "HOME": "/home/me"}, "/var/cache/me/hvtui"),
        ({"XDG_CACHE_HOME": "relative", "HOME": "/home/me"}, "/home/me/.cache/hvtui"),
        ({"XDG_CACHE_HOME": "", "HOME": "/home/me"}, "/home/me/.cache/hvtui"),
        ({"HOME": "/home/me/"}, "/home/me/.cache/hvtui"),
        ({"HOME": "relative/home"}, None),
        ({"HOME": ""}, "/.cache/hvtui"),  # what os.path.expanduser makes of it
    ],
)
def test_hvtui_dir_name_is_hvtui_dir_as_a_string(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str | None
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    name = hvtui_dir_name("XDG_CACHE_HOME", ".cache")
    path = hvtui_dir("XDG_CACHE_HOME", ".cache")
    assert path == (None if expected is None else Path(expected))
    assert (None if name is None else Path(name)) == path


def test_no_version_cache_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HOME and no passwd entry: no cache file, as ``Path.home()`` failing gave."""
    import pwd

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert hvtui_dir_name("XDG_CACHE_HOME", ".cache") is None
    assert hvtui_dir("XDG_CACHE_HOME", ".cache") is None
    assert cache_file() is None and VersionCache.load() is None


# --- the CLI's help width, found without shutil -----------------------------------------


@pytest.mark.parametrize("columns", [None, "100", "abc", "-5", "0", ""])
@pytest.mark.parametrize("terminal", [None, (37, 133), (0, 0)])
def test_terminal_columns_is_shutils_answer(
    monkeypatch: pytest.MonkeyPatch, columns: str | None, terminal: tuple[int, int] | None
) -> None:
    """``$COLUMNS`` set or not (or not a number), standard output a pipe or a terminal
    of some size (0 x 0 too, as a serial console says): the width argparse gets."""
    monkeypatch.delenv("COLUMNS", raising=False)
    if columns is not None:
        monkeypatch.setenv("COLUMNS", columns)
    with contextlib.ExitStack() as stack:
        if terminal is None:
            read, write = os.pipe()
            stack.callback(os.close, read)
            out = stack.enter_context(os.fdopen(write, "w"))
        else:
            controller, follower = pty.openpty()
            stack.callback(os.close, controller)
            fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *terminal, 0, 0))
            out = stack.enter_context(os.fdopen(follower, "w"))
        monkeypatch.setattr(sys, "__stdout__", out)
        assert terminal_columns() == shutil.get_terminal_size().columns


@pytest.mark.parametrize("columns", ["57", "200"])
def test_help_is_laid_out_as_before(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    """The help text is what argparse's own formatter makes of it."""
    monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser()
    ours = parser.format_help()
    parser.formatter_class = argparse.HelpFormatter
    assert ours == parser.format_help()
    assert max(len(line) for line in ours.splitlines()) > 50


# --- what detect --json leaves unloaded ---------------------------------------------------

#: Modules ``hvtui detect --json`` used to load only to build paths, ask argparse for
#: the terminal's width or suggest option names; a regression costs every run milliseconds.
NOT_NEEDED = ("pathlib", "shutil", "difflib", "hvtui.advice", "hvtui.detect.render", "textual")


def test_detect_json_loads_no_module_it_does_not_need(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from hvtui.cli import main\n"
        "code = main(['detect', '--json'])\n"
        f"print(sorted(m for m in {NOT_NEEDED!r} if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env
        )
        for _ in range(2)  # the first fills the --version cache (and may load pathlib to write it)
    ]
    for result in runs:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["schema"] == 1
    assert runs[1].stderr.strip().splitlines()[-1] == "[]"


#: Standard-library modules that cost ``hvtui detect --json`` most of its time before
#: issue #13, loaded only for parsing options, annotations, enums, dataclasses, regular
#: expressions and JSON, and the parts of hvtui it does not use (advice, the text
#: report, psutil, the catalog's entries and types: detection decodes KVM's answer
#: with the catalog's plain table, hvtui.catalog.kvm_abi).
NOT_LOADED = (
    "typing", "dataclasses", "inspect", "ast", "re", "argparse", "gettext", "locale",
    "contextlib", "json", "enum", "collections", "functools", "pathlib", "shutil",
    "subprocess", "hvtui.advice", "hvtui.detect.render", "psutil", "hvtui.catalog.entries",
    "hvtui.catalog.types", "hvtui.catalog.lookup",
)  # fmt: skip
#: What the ``hvtui`` console script runs (``python -m hvtui`` would add runpy, which
#: imports importlib.util and with it contextlib).
CONSOLE_SCRIPT = "import sys; from hvtui.__main__ import main; sys.argv[0] = 'hvtui'; main()"


def test_detect_json_leaves_the_standard_librarys_heavy_modules_unloaded(
    tmp_path: Path,
) -> None:
    """``hvtui detect --json`` as users run it, the second time on a host (the first may
    run and cache QEMU's and libvirt's ``--version``): none of :data:`NOT_LOADED` is
    imported, as ``-X importtime`` reports every import.  The output is the report."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    argv = [sys.executable, "-X", "importtime", "-c", CONSOLE_SCRIPT, "detect", "--json"]
    for _ in range(2):
        result = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=env)
        assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["schema"] == 1
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "hvtui.detect.pipeline" in imported, "-X importtime reported the imports"
    assert "hvtui.catalog.kvm_abi" in imported, "detection decodes with the catalog's table"
    assert sorted(imported & set(NOT_LOADED)) == []
