"""Parsing untrusted text is linear: 4 MiB of any shape is audited in bounded time.

The fast parsers replace slow ones (``shlex``, loops per character or per line),
so each is first checked against the slow original on generated input; then
generated shapes of the largest input accepted go through the whole audit
with a generous time bound (a quadratic parser takes minutes on them).
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from functools import partial
from pathlib import Path

import pytest
from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui.audit import SourceError, audit_vm, load_text, scan_host
from hvtui.demos import find_demo
from hvtui.formats import safexml
from hvtui.formats.qemu_opts import (
    KeyvalTree,
    MachineOptions,
    OptionSyntaxError,
    keyval_parse_into,
    opts_items,
)
from hvtui.importers.proxmox import _TYPICAL_KEYS, proxmox_options
from hvtui.importers.qemu_cmdline import split_command
from hvtui.importers.result import Imported
from hvtui.importers.shellwords import split_shell
from hvtui.limits import MAX_LISTED_ERRORS, MAX_VM_BYTES, MAX_WORDS, cap_messages
from hvtui.model import Config

#: Generous: the linear parsers take well under 2 s on any 4 MiB shape; the
#: quadratic ones they replace took 36 s on 1 MB.
TIME_BOUND = 15.0

SHELL_TEXT = st.text(alphabet="ab '\"\\#,\n\t=\r\ue000", max_size=16)


# -- the fast parsers give what the slow ones gave ------------------------------------


def _shlex(text: str, comments: bool, separators: str | None) -> list[str]:
    if separators is None:
        return shlex.split(text, comments=comments)
    lexer = shlex.shlex(text, posix=True)
    lexer.commenters = "#" if comments else ""
    lexer.whitespace = separators
    lexer.whitespace_split = True
    return list(lexer)


def _outcome(split: object, *args: object) -> tuple[str, object]:
    try:
        return ("words", split(*args))  # type: ignore[operator]
    except ValueError as exc:
        return ("error", str(exc))


@settings(max_examples=1000, deadline=None)
@given(SHELL_TEXT, st.booleans(), st.sampled_from([None, ","]))
def test_shell_words_are_shlex_words(text: str, comments: bool, separators: str | None) -> None:
    def ours(text: str, comments: bool, separators: str | None) -> list[str]:
        if separators is None:
            return split_shell(text, comments=comments)
        return split_shell(text, comments=comments, separators=separators)

    assert _outcome(ours, text, comments, separators) == _outcome(
        _shlex, text, comments, separators
    )


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="\\\r\na '", max_size=12))
def test_line_continuations_are_spaces(text: str) -> None:
    def by_regex(text: str) -> list[str]:
        return shlex.split(re.sub(r"\\\r?\n", " ", text), comments=True)

    ours = _outcome(split_command, text)
    theirs = _outcome(by_regex, text)
    assert ours == theirs or (ours[0], theirs[0]) == ("error", "error")


def _value_by_character(text: str, at: int) -> tuple[str, int]:
    """QemuOpts' ``get_opt_value`` (and keyval's value loop), a character at a time:
    ``,,`` is a comma, a lone ``,`` ends the value; and where it ended."""
    value: list[str] = []
    while at < len(text):
        if text[at] == ",":
            if text[at + 1 : at + 2] != ",":
                break
            at += 1
        value.append(text[at])
        at += 1
    return "".join(value), at


def _name_end(text: str, at: int) -> int:
    """``at + strcspn(text + at, "=,")``, a character at a time."""
    while at < len(text) and text[at] not in "=,":
        at += 1
    return at


def _opts_by_character(text: str, implied: str | None) -> list[tuple[str, str, str]]:
    """QemuOpts' ``opts_do_parse`` and ``get_opt_name_value``, transcribed from the C."""
    items: list[tuple[str, str, str]] = []
    at = 0
    while at < len(text):
        end = _name_end(text, at)
        if end < len(text) and text[end] == "=":
            name = text[at:end]
            value, at = _value_by_character(text, end + 1)
            items.append((name, value, ""))
        elif implied is not None and not items:
            value, at = _value_by_character(text, at)
            items.append((implied, value, ""))
        else:
            word = text[at:end]
            items.append((word[2:], "off", word) if word.startswith("no") else (word, "on", word))
            at = end
        at += 1  # past the comma (or the end)
    return items


def _keyval_by_character(text: str, implied: str | None) -> tuple[object, ...]:
    """``keyval_parse_into`` for keys without ``.`` (no nesting), transcribed from the
    C: ``("read", tree, help)``, or ``("refused",)``."""
    tree: dict[str, str] = {}
    wants_help, first, at = False, True, 0
    while at < len(text):
        end = _name_end(text, at)
        key = text[at:end]
        bare = end == len(text) or text[end] != "="
        if key and bare and key in ("help", "?"):
            wants_help = True
        elif key and bare and implied is not None and first:
            tree[implied] = key
        else:
            named = key[:1].isascii() and key[:1].isalpha()
            if not named or not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
                return ("refused",)
            if bare:
                return ("refused",)
            tree[key], end = _value_by_character(text, end + 1)
        first, at = False, end + 1
    return ("read", tree, wants_help)


#: Commas (doubled too), equals, names and the words QEMU treats apart (``no``, ``?``).
OPTS_TEXT = st.text(alphabet=",=ano1?-é", max_size=12)


@settings(max_examples=300, deadline=None)
@given(OPTS_TEXT, st.sampled_from([None, "driver"]))
def test_qemu_opts_are_read_as_qemu_reads_them(text: str, implied: str | None) -> None:
    assert opts_items(text, implied) == _opts_by_character(text, implied)


@settings(max_examples=300, deadline=None)
@given(OPTS_TEXT, st.sampled_from([None, "type"]))
def test_keyval_is_read_as_qemu_reads_it(text: str, implied: str | None) -> None:
    tree: KeyvalTree = {}
    try:
        ours: tuple[object, ...] = ("read", tree, keyval_parse_into(tree, text, implied))
    except OptionSyntaxError:
        ours = ("refused",)
    assert ours == _keyval_by_character(text, implied)


_PROXMOX_LINE = re.compile(r"^([a-z][a-z0-9_-]*):\s*(.*)$")


def _proxmox_by_line(text: str) -> dict[str, str] | None:
    """The original loop over ``splitlines()``."""
    options: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            break
        match = _PROXMOX_LINE.match(line)
        if match is None:
            return None
        options[match.group(1)] = match.group(2).strip()
    if not options or not (options.keys() & _TYPICAL_KEYS):
        return None
    return options


PROXMOX_PIECES = st.sampled_from(
    ["cores", "args", "name", ":", " ", "\t", "\n", "\r", "#", "[", "a", "-", "\x85",
     "\u2028", "\xa0", "\x0c", "x y", "A", "1", "\x1c", ": -S"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(PROXMOX_PIECES, max_size=16).map("".join))
def test_proxmox_options_are_read_line_by_line(text: str) -> None:
    assert proxmox_options(text) == _proxmox_by_line(text)


def _root_end_by_copying(text: str) -> int:
    """The original: strip, peel the last comment or PI, copy, repeat."""
    end = len(text)
    while True:
        stripped = text[:end].rstrip()
        if stripped.endswith("-->"):
            opener = stripped.rfind("<!--")
        elif stripped.endswith("?>"):
            opener = stripped.rfind("<?")
        else:
            return len(stripped)
        if opener < 0:
            return len(stripped)
        end = opener


EPILOG_ITEMS = st.sampled_from(["<!-- c -->", "<!---->", "<?pi x?>", "<?pi?>", " ", "\n", "-->"])


@settings(max_examples=500, deadline=None)
@given(st.lists(EPILOG_ITEMS, max_size=10).map("".join))
def test_document_end_is_found_as_before(epilog: str) -> None:
    text = "<domain><name>x</name></domain>" + epilog
    assert safexml._root_end(text) == _root_end_by_copying(text)


def test_problems_are_capped_and_counted_once() -> None:
    many = [f"problem {i}" for i in range(1000)]
    capped = cap_messages(many)
    assert len(capped) == MAX_LISTED_ERRORS + 1
    assert capped[-1] == f"... and {1000 - MAX_LISTED_ERRORS} more problems like these"
    assert cap_messages(capped) == capped
    assert cap_messages(["note", *capped])[-1] == (
        f"... and {1001 - MAX_LISTED_ERRORS} more problems like these"
    )
    imported = Imported(Config.of(), problems=tuple(many), warnings=tuple(many))
    assert imported.problems == tuple(capped) and imported.warnings == tuple(capped)


# -- 4 MiB of any shape: bounded time -------------------------------------------------

#: How an input starts, so each importer is reached (command lines, XML, Proxmox).
PREFIXES = [
    "qemu-system-x86_64 -name ",
    "qemu-system-x86_64 -cpu host,",
    "qemu-system-x86_64 -smp ",
    "qemu-system-x86_64 -global ",
    "qemu-system-x86_64 ",
    "virt-install --features ",
    "virt-install --cpu host-passthrough,",
    "virt-install --qemu-commandline=",
    "<domain><features><hyperv>",
    "<domain><name>",
    "<domain>",
    "cores: 2\nargs: ",
    "cores: 2\ncpu: host,flags=",
    "cores: 2\n",
]
#: Repeated to fill the input: quotes, escapes, separators, option syntax, tags.
ATOMS = st.one_of(
    st.text(alphabet="a '\"\\#,;=-+:\n<>/!?", min_size=1, max_size=10),
    st.sampled_from(
        ["'a'\"b\"", '"a"', "\\a", "a ", "-S ", ",hv-relaxed", ",hv-x", ",,", "<a/>",
         "<relaxed state='on'/>", "k: v\n", "+hv-relaxed;", "\\\n", "# x\n", "<!---->"]
    ),
)  # fmt: skip


def _fill(prefix: str, atom: str, size: int) -> str:
    return (prefix + atom * (size // len(atom) + 1))[:size]


def _audit_text(text: str) -> None:
    """Everything the audit does with one input; unusable input is a SourceError."""
    scan = scan_host(find_demo("intel-tigerlake").path, label="demo")
    try:
        vm = load_text(text, label="big")
    except SourceError as exc:
        assert "\n" not in str(exc)
        return
    audit = audit_vm(vm, scan.view, intent="desktop", already_running=False)
    assert len(vm.imported.problems) <= MAX_LISTED_ERRORS + 1
    assert len(audit.findings) < 1000


@pytest.mark.parametrize("prefix", PREFIXES)
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(atom=ATOMS)
def test_largest_input_of_any_shape_is_audited_in_bounded_time(prefix: str, atom: str) -> None:
    text = _fill(prefix, atom, MAX_VM_BYTES)
    started = time.monotonic()
    _audit_text(text)
    assert time.monotonic() - started < TIME_BOUND, f"{prefix!r} + {atom!r} x N"


@pytest.mark.parametrize(
    "text",
    [
        "qemu-system-x86_64 -cpu host -name " + "a" * 1_000_000,  # 36 s with shlex
        "qemu-system-x86_64 -name " + "'a'\"b\"" * 600_000,
        "qemu-system-x86_64 " + "a " * (MAX_WORDS + 1),
        "<domain/>" + "<!---->" * 80_000,  # quadratic document end: 1.7 s at 80,000
        "cores: 2\n" + "args: -S\n" * 400_000,
        # QEMU listifies its whole -machine dictionary after each -machine
        "qemu-system-x86_64 " + "".join(f"-machine a.b{i}=1 " for i in range(20_000)),
    ],
    ids=["long-argument", "quotes", "too-many-words", "xml-epilog", "proxmox-lines", "machines"],
)
def test_known_slow_shapes_are_fast(text: str) -> None:
    started = time.monotonic()
    _audit_text(text)
    assert time.monotonic() - started < TIME_BOUND


@pytest.mark.parametrize("atom", ["a=,,", "x=1,", "a.0.", "a" * 127 + "."])
def test_qemu_option_readers_take_4_mib_of_any_shape_in_bounded_time(atom: str) -> None:
    """Each reader of QEMU option values (QemuOpts with an implied key, keyval through
    ``-machine`` then ``-smp``) on the largest input: refused or read, never slow."""
    text = _fill("", atom, MAX_VM_BYTES)
    started = time.monotonic()
    machine = MachineOptions()
    for read in (partial(opts_items, implied="driver"), machine.add_machine, machine.add_smp):
        with contextlib.suppress(OptionSyntaxError):
            read(text)
    assert time.monotonic() - started < TIME_BOUND, atom


def test_cli_audits_a_4_mib_argument_within_a_timeout(tmp_path: Path) -> None:
    path = tmp_path / "huge.cmdline"
    path.write_text(_fill("qemu-system-x86_64 -cpu host,hv-relaxed -name ", "a", MAX_VM_BYTES))
    result = run_cli(["audit", str(path), "--demo", "intel-tigerlake", "--json"], timeout=60)
    assert result.code in (0, 1), result.err
    assert result.err == ""
