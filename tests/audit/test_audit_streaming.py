"""``hvtui audit`` judges and prints one VM at a time; its output is the one the whole-run
rendering gives, byte for byte, and its JSON is ``json.dumps(document, indent=2)``'s."""

from __future__ import annotations

import argparse
import enum
import json
import math
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.support import DATA
from hvtui.audit import Difference, VmAudit, audit_vm, jsontext, parallel, scan_host, sources
from hvtui.audit.sources import (
    AuditInput,
    SourceError,
    Unreadable,
    load_file_all,
    load_files,
    with_cpu_models,
)
from hvtui.catalog import Severity
from hvtui.cli.cmd_audit import SCHEMA, render_text
from hvtui.demos import find_demo
from hvtui.model import Finding, Fix
from hvtui.model.codes import FindingCode
from hvtui.records import replace

DEMO = "intel-tigerlake"
PVE_VM = "cores: 2\nmemory: 4096\nostype: win11\nmachine: pc-q35-9.2+pve1\ncpu: custom-m\n"
PVE_MODELS = "cpu-model: m\n    flags -hv-reset;+hv-tlbflush\n    reported-model qemu64\n"
KUBEVIRT = (
    "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: a}\n"
    "spec: {domain: {features: {hyperv: {relaxed: {}}}}}\n---\n"
    "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: b}\n"
    "spec: {template: {spec: {domain: {clock: {timer: {hyperv: {}}}}}}}\n"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every kind of input, with unreadable files between them and the Proxmox CPU
    models after the VM that uses them."""
    tmp = tmp_path_factory.mktemp("mixed")
    made = {
        "a-pve.conf": PVE_VM,
        "broken.xml": "<domain><features><hyperv>",
        "kv.yaml": KUBEVIRT,
        "dtd.xml": '<!DOCTYPE x [<!ENTITY a "b">]><domain/>',
        "weird.txt": "not a \x1b[31m VM\n",
        "z-models.conf": PVE_MODELS,
        "bad-models.conf": "cpu-model: \n",
    }
    for name, text in made.items():
        (tmp / name).write_text(text, encoding="utf-8")
    fixtures = sorted(str(p) for p in DATA.iterdir())
    return [
        str(tmp / "a-pve.conf"),
        *fixtures[:5],
        str(tmp / "broken.xml"),
        str(tmp / "kv.yaml"),
        str(tmp / "missing.xml"),
        *fixtures[5:],
        str(tmp / "dtd.xml"),
        str(tmp / "weird.txt"),
        str(tmp / "z-models.conf"),
        str(tmp / "bad-models.conf"),
    ]


def _whole_run(paths: list[str], *, as_json: bool, verbose: bool) -> tuple[str, str, int]:
    """stdout, stderr and exit code as a run that reads every file first, then judges every
    VM, then renders them all at once would give them."""
    host = scan_host(find_demo(DEMO).path, label=f"demo {DEMO}")
    inputs = []
    err = ""
    errors: list[dict[str, str]] = []
    for path in paths:
        try:
            inputs += load_file_all(path)
        except SourceError as exc:
            err += f"hvtui: {exc}\n"
            errors.append({"source": path, "error": str(exc)})
    audits = [audit_vm(s, host.view, already_running=False) for s in with_cpu_models(inputs)]
    code = 2 if errors else 0 if all(a.ok for a in audits) else 1
    if not as_json:
        args = argparse.Namespace(verbose=verbose, sysroot=None)
        return render_text(audits, args, found_any=True), err, code
    document = {
        "schema": SCHEMA,
        "host": host.view.label,
        "intent": "desktop",
        "ok": not errors and all(a.ok for a in audits),
        "vms": [a.to_json() for a in audits],
        "errors": errors,
    }
    return json.dumps(document, indent=2) + "\n", err, code


@pytest.mark.parametrize(("options", "as_json", "verbose"), [
    ([], False, False), (["-v"], False, True), (["--json"], True, False),
])  # fmt: skip
def test_output_is_the_whole_run_rendering(
    files: list[str], options: list[str], as_json: bool, verbose: bool
) -> None:
    result = run_cli(["audit", "--demo", DEMO, *options, *files])
    out, err, code = _whole_run(files, as_json=as_json, verbose=verbose)
    assert result.err == err
    assert result.out == out
    assert result.code == code == 2
    # The custom model was applied though its file came after the VM.
    assert "custom CPU model m (cpu-models.conf)" in result.out


@pytest.mark.parametrize(("options", "as_json", "verbose"), [
    ([], False, False), (["--json"], True, False),
])  # fmt: skip
def test_many_files_are_the_whole_run_rendering(
    files: list[str], options: list[str], as_json: bool, verbose: bool
) -> None:
    """Enough files for several processes (hvtui.audit.parallel): the output, the errors
    between the VMs and the exit code are still the one-process run's, through pipes."""
    many = files * (parallel.PARALLEL_FROM // len(files) + 2) + files[:3]  # not periodic
    assert len(many) > parallel.PARALLEL_FROM
    result = run_cli(["audit", "--demo", DEMO, *options, *many])
    out, err, code = _whole_run(many, as_json=as_json, verbose=verbose)
    assert result.err == err
    assert result.out == out
    assert result.code == code == 2


def test_load_files_parses_each_file_in_its_turn(
    files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The VMs come in file order, unreadable files in their place, and a file is parsed
    only when its turn comes (the CPU-model files, which every Proxmox VM needs, first)."""
    parsed: list[str] = []
    real = sources._load_decoded

    def counting(text: str, label: str) -> list[AuditInput]:
        parsed.append(Path(label).name)
        return real(text, label)

    monkeypatch.setattr(sources, "_load_decoded", counting)
    each = load_files(files)
    first = next(each)
    assert isinstance(first, AuditInput) and first.label == files[0]
    assert parsed == ["z-models.conf", "bad-models.conf", "a-pve.conf"]
    rest = list(each)
    assert [Path(x.path).name for x in rest if isinstance(x, Unreadable)] == [
        "broken.xml", "missing.xml", "dtd.xml", "weird.txt", "bad-models.conf",
    ]  # fmt: skip
    assert len(parsed) == len(files) - 1  # all but missing.xml, each once


# -- jsontext ----------------------------------------------------------------------------


class Level(enum.StrEnum):
    ERROR = "error"


class Count(enum.IntEnum):
    TWO = 2


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and the infinities too, written as json writes them
    st.text(),
    st.just(Level.ERROR),
    st.just(Count.TWO),
)
keys = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_jsontext_is_json_dumps_indent_2(value: Any) -> None:
    assert jsontext.dumps(value) == json.dumps(value, indent=2)


@settings(max_examples=100, deadline=None)
@given(st.lists(values, max_size=4), st.integers(0, 3))
def test_encoded_items_at_their_depth(items: list[Any], depth: int) -> None:
    nested: Any = [jsontext.Encoded(jsontext.dumps(v, level=depth + 1)) for v in items]
    plain: Any = items
    for _ in range(depth):
        nested, plain = {"k": nested}, {"k": plain}
    assert jsontext.dumps(nested) == json.dumps(plain, indent=2)


def test_jsontext_refuses_what_json_refuses() -> None:
    for bad in ({1, 2}, {(1, 2): 3}, object()):
        with pytest.raises(TypeError) as ours:
            jsontext.dumps({"x": [bad]})
        with pytest.raises(TypeError) as theirs:
            json.dumps({"x": [bad]}, indent=2)
        assert str(ours.value) == str(theirs.value)
    assert jsontext.dumps([math.nan, -math.inf]) == json.dumps([math.nan, -math.inf], indent=2)


def _memo_cases() -> list[VmAudit]:
    """One audit with findings and differences that are equal but do not encode alike:
    ``True == 1`` in a fix or a difference, and findings that differ only in ``extra``."""
    host = scan_host(find_demo(DEMO).path, label=f"demo {DEMO}")
    audit = audit_vm(sources.load_file(DATA / "libvirt-hyperv-all.xml"), host.view)
    base = audit.findings[0]
    code = FindingCode.UNKNOWN_OPTION
    findings = (
        *audit.findings,
        Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", True),))),
        Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", 1),))),
        replace(base, extra={"suggestions": ["a"]}),
        replace(base, extra={"suggestions": ["b"]}),
    )
    differences = (
        *audit.differences,
        Difference("spinlocks", True, 1, "r"),
        Difference("spinlocks", 1, True, "r"),
        Difference("spinlocks", 1, True, "r"),
    )
    return [replace(audit, findings=findings[i:], differences=differences[i:]) for i in (0, 1)]


@pytest.mark.parametrize("limit", [1, 2, 4096])
def test_memo_encodes_each_item_as_json_would(limit: int) -> None:
    """The findings and differences taken from the memo are json.dumps's, whichever were
    seen before and however small the memo."""
    cases = _memo_cases()
    assert cases[0].findings[-4] == cases[0].findings[-3]  # equal, yet true is not 1
    assert cases[0].differences[-3] == cases[0].differences[-2]
    memo = jsontext.Memo(level=2, limit=limit)  # a VM at level 0: VM > findings > item
    for audit in cases * 2:
        assert jsontext.dumps(audit.to_json(memo)) == json.dumps(audit.to_json(), indent=2)
