"""Untrusted inputs: every hostile or broken input is one clear error, never a traceback,
never an expanded entity, never a read of another file."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest
from clirun import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.support import DATA
from hvtui.audit import MAX_INPUT_BYTES, SourceError, audit_vm, load_file, load_text
from hvtui.cli.cmd_audit import render_text

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<domain><name>&lol9;</name></domain>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE domain [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<domain><name>&secret;</name></domain>
"""
PARAMETER_ENTITY = """<!DOCTYPE d [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]>
<domain/>"""
#: Lowercase, spaced and after a comment: the text check must still see it.
HIDDEN_DOCTYPE = "<!-- hi --><! doctype domain [ <!entity x 'y'> ]><domain>&x;</domain>"
UNDECLARED_ENTITY = "<domain><name>&nbsp;</name></domain>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BILLION_LAUGHS, "DOCTYPE declaration is not allowed"),
        (EXTERNAL_ENTITY, "DOCTYPE declaration is not allowed"),
        (PARAMETER_ENTITY, "DOCTYPE declaration is not allowed"),
        (HIDDEN_DOCTYPE, "not allowed"),
        (UNDECLARED_ENTITY, "malformed XML: undefined entity"),
        ("<domain><features><hyperv mode='custom'><relaxed state='on'/>", "malformed XML"),
        ("<domain></domian>", "malformed XML: mismatched tag"),
        ("<html><body>hello</body></html>", "not a libvirt domain definition"),
        ("<domain>" * 300 + "</domain>" * 300, "nested more than"),
        ("<?xml version='1.0' encoding='ISO-8859-1'?><domain/>", "hvtui reads UTF-8 only"),
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("hello world, this is not a VM", "no QEMU binary or option"),
        ("qemu-system-x86_64 -cpu 'host,hv-relaxed", "cannot split"),
    ],
)
def test_hostile_or_broken_text(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        load_text(text, label="vm.xml")
    assert str(caught.value).startswith("vm.xml: ")
    assert "\n" not in str(caught.value)


def test_entities_are_never_expanded_or_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = EXTERNAL_ENTITY.replace("/etc/passwd", str(secret))
    with pytest.raises(SourceError) as caught:
        load_text(text)
    assert "TOP-SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data"),
        (bytes(range(256)), "binary data"),
        (b"<domain>\xff\xfe</domain>", "not UTF-8 text"),
        (b"-cpu host,hv-relaxed\x00", "NUL byte at offset 20"),
    ],
)
def test_binary_junk(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_text(data, label="junk")


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<domain>" + b" " * MAX_INPUT_BYTES + b"</domain>")
    with pytest.raises(SourceError, match=f"too large .*{MAX_INPUT_BYTES}"):
        load_file(big)
    just_fits = tmp_path / "fits.xml"
    body = b"<domain><name>x</name></domain>"
    just_fits.write_bytes(body + b" " * (MAX_INPUT_BYTES - len(body)))
    assert load_file(just_fits).name == "x"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_input_is_refused_without_reading_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    # A device is not even opened: only regular files (and stdin for -) are inputs.
    with pytest.raises(SourceError, match="is a character device, not a VM definition"):
        load_file("/dev/zero")
    # An endless stdin is read up to the limit and refused.
    with open("/dev/zero", "rb") as zeros:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(zeros))
        with pytest.raises(SourceError, match="<stdin>: too large"):
            load_file("-")


def test_files_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        load_file(tmp_path)
    with pytest.raises(SourceError, match="no such file"):
        load_file(tmp_path / "nope.xml")
    locked = tmp_path / "locked.xml"
    locked.write_text("<domain/>")
    locked.chmod(0)
    try:
        if os.geteuid() != 0:  # root reads it anyway
            with pytest.raises(SourceError, match="permission denied"):
                load_file(locked)
    finally:
        locked.chmod(0o600)


def test_unknown_elements_are_kept_and_ignored() -> None:
    text = (
        "<domain><future>x</future><features><hyperv><relaxed state='on' extra='1'/>"
        "<quantum state='on'/><stimer state='on'><turbo state='on'/></stimer></hyperv>"
        "<quirk/></features><!-- note --><?pi x?></domain>"
    )
    found = load_text(text)
    assert found.config.enabled() == ("relaxed", "stimer")
    assert {p.split(":")[0] for p in found.imported.problems} == {
        "<hyperv><quantum>",
        "<stimer><turbo>",
    }
    assert found.document == text


def test_hostile_files_through_the_cli(tmp_path: Path) -> None:
    """Each bad file is its own one-line error; the good one is still audited."""
    bad = {
        "laughs.xml": BILLION_LAUGHS.encode(),
        "external.xml": EXTERNAL_ENTITY.encode(),
        "truncated.xml": (DATA / "virsh-dumpxml-win11.xml").read_bytes()[:900],
        "junk.bin": os.urandom(64) + b"\0",
        "latin1.xml": "<domain><name>caf\xe9</name></domain>".encode("latin-1"),
        "big.cmd": b"-cpu host " * (MAX_INPUT_BYTES // 10 + 1),
    }
    paths: list[str] = []
    for name, data in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    good = str(DATA / "libvirt-pinned.xml")
    result = run_cli(["audit", *paths, good])
    assert result.code == 2
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == len(bad)
    for line, shown in zip(lines, paths, strict=True):
        assert line.startswith(f"hvtui: {shown}: ")
    assert "== pinned-guest" in result.out


def test_terminal_escapes_from_inputs_are_not_printed(tmp_path: Path) -> None:
    conf = tmp_path / "evil.conf"
    conf.write_text("name: \x1b]0;owned\x07vm\nargs: -cpu host,hv-vendor-id=\x1b[2J\n")
    result = run_cli(["audit", str(conf)])
    assert result.code in (0, 1) and "\x1b" not in result.out
    assert "\\x1b]0;owned\\x07vm" in result.out and "\\x1b[2J" in result.out
    data = json.loads(run_cli(["audit", "--json", str(conf)]).out)
    assert data["vms"][0]["enlightenments"]["vendor-id"] == "\x1b[2J"


# -- fuzzing: whatever the bytes, the answer is an AuditInput or a SourceError ----------

SEED = (DATA / "virsh-dumpxml-win11.xml").read_text()


ARGS = argparse.Namespace(sysroot=None, verbose=True)


def _outcome(data: bytes | str) -> None:
    """Whatever the input: a SourceError, or an audit that renders as text and JSON."""
    try:
        source = load_text(data, label="fuzz")
    except SourceError as exc:
        assert str(exc).startswith("fuzz: ") and "\n" not in str(exc)
        return
    audit = audit_vm(source, None)
    json.dumps(audit.to_json())
    text = render_text([audit], ARGS, found_any=True)
    assert all(c == "\n" or c.isprintable() for c in text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_fuzz_bytes(data: bytes) -> None:
    _outcome(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/='\" -,=.:_\\\n&;!?[]%hvdomainxcpu")),
               max_size=400))  # fmt: skip
def test_fuzz_xml_and_command_shaped_text(text: str) -> None:
    _outcome(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(SEED)), junk=st.text(max_size=20), at=st.integers(0, len(SEED)))
def test_fuzz_damaged_domain(cut: int, junk: str, at: int) -> None:
    _outcome(SEED[:cut])
    _outcome(SEED[:at] + junk + SEED[at:])


@pytest.mark.parametrize(
    "text",
    [
        "<!-- virsh edit --><domain/>",  # every "<!" a comment: the expression is skipped
        "<domain><![CDATA[<x>]]></domain>",
        "<!-- <!DOCTYPE d> --><domain/>",  # a declaration inside a comment is still one
        "<!--x--><![CDATA[]]><!\u2003ENTITY x 'y'><domain/>",
        "<domain>!</domain><!",
        "<!-- --><!ENTıTY x 'y'><domain/>",  # dotless i: the pattern's case rules decide
    ],
)
def test_declaration_check_skips_only_what_cannot_match(text: str) -> None:
    """safexml refuses a text exactly when its DOCTYPE/ENTITY expression finds one,
    though it skips the expression when each "<!" opens a comment or CDATA."""
    import re

    from hvtui.formats import safexml

    found = re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE) is not None
    try:
        safexml.decode(text, source="x")
        refused = False
    except safexml.XmlError as exc:
        refused = "declaration is not allowed" in str(exc)
    assert refused == found
