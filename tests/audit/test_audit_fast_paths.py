"""The audit's shortcuts give what the plain way gives: a VM's ``--json`` entry written
without its dict (:meth:`VmAudit.json_text`), output escaped where it is made and not
again, and files read by the process that parses them (:class:`FileBatch`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.support import DATA, bench_domains
from hvtui.audit import VmAudit, audit_vm, engine, jsontext, scan_host, sources
from hvtui.audit.sources import AuditInput, FileBatch, Unreadable, load_files, load_text
from hvtui.catalog import Severity
from hvtui.cli import main as cli_main
from hvtui.cli.streams import GuardedStream
from hvtui.demos import find_demo
from hvtui.model import Finding, Fix
from hvtui.model.codes import FindingCode
from hvtui.records import replace
from hvtui.textsafe import printable

DEMO = "intel-tigerlake"
#: Generated domains of the benchmark (``benchmarks/bench_audit.py``) judged here.
BENCH_DOMAINS = 40
#: Characters a terminal must never get raw, and some that JSON writes as escapes.
HOSTILE = "a\x1b]52;c;x\x07b\x7f\x9b\u202e\t\r\u00e9\U0001f600\\\"'<>&"


def _hostile_domain() -> str:
    name = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f"<domain type='kvm'><name>{name.replace(chr(0x1B), '').replace(chr(7), '')}</name>"
        "<vcpu cpuset='0-3'>4</vcpu><features><hyperv mode='custom'>"
        "<relaxed state='on'/><spinlocks state='on' retries='4095'/><wat state='on'/>"
        "</hyperv></features><cpu mode='custom'><model>Skylake-Client</model>"
        "<feature policy='require' name='vmx'/></cpu>"
        "<clock offset='utc'><timer name='tsc' frequency='2800000000'/></clock></domain>"
    )


def _audits() -> Iterator[VmAudit]:
    """Every audit fixture, the benchmark's domains, a hostile one, a running VM with vCPU
    threads and an audit whose effective configuration differs, on two hosts."""
    inputs = [sources.load_file(p) for p in sorted(DATA.iterdir())]
    inputs += [
        load_text(text, label=f"bench{i}.xml")
        for i, text in enumerate(bench_domains(BENCH_DOMAINS))
    ]
    inputs.append(load_text(_hostile_domain(), label=f"/tmp/{HOSTILE}.xml"))
    threads = (sources.VcpuThread(0, 101, "2", True), sources.VcpuThread(1, 102, "0-7", False))
    inputs.append(replace(inputs[0], kind=sources.RUNNING, pid=4242, threads=threads))
    for host in (scan_host(find_demo(DEMO).path, label=f"demo {DEMO}"), scan_host(None)):
        for source in inputs:
            yield audit_vm(source, host.view)


def test_json_text_is_the_encoded_dict() -> None:
    audits = list(_audits())
    assert any(a.effective is not a.source.config for a in audits)
    assert any(a.source.imported.cpu_settings.items() for a in audits)
    memo = jsontext.Memo(level=4)
    for audit in audits:
        text = audit.json_text(memo)
        assert text == jsontext.dumps(audit.to_json(), level=2)
        # Two levels deep, as in the document: json's own text, byte for byte.
        assert '{\n  "vms": [\n    ' + text + "\n  ]\n}" == json.dumps(
            {"vms": [audit.to_json()]}, indent=2
        )


def test_finding_text_is_the_encoded_dict() -> None:
    """Each finding as the memo writes it: json's text, whatever its fix holds (``True``
    and ``1``, ``None``, no change at all) and at any depth."""
    code = FindingCode.UNKNOWN_OPTION
    made = [
        Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", True),))),
        Finding(Severity.ERROR, code, ("x", "y"), "m", "e", Fix("f", (("x", 1), ("y", None)))),
        Finding(Severity.INFO, code, (), HOSTILE, HOSTILE, Fix(HOSTILE, ())),
        Finding(Severity.WARNING, code, (HOSTILE,), "", ""),
    ]
    findings = {f for a in _audits() for f in a.findings if not f.extra} | set(made)
    assert len(findings) > 50
    for finding in findings:
        for level in (0, 4):
            text = engine._finding_text(finding, level)
            assert text == jsontext.dumps(finding.to_json(), level=level)
        assert json.loads(text) == finding.to_json()


def test_json_output_is_printable_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing a VM holds reaches the JSON unescaped (json escapes every control and
    non-ASCII character), so neither the process that judges a VM nor the writer scans
    its entry: escaping it changes nothing (every fixture, the benchmark's domains, the
    hostile one), and the hostile name comes back whole."""
    memo = jsontext.Memo(level=4)
    audits = list(_audits())
    for audit in audits:
        text = audit.json_text(memo)
        assert text.isascii()
        assert printable(text) == text
    audit = next(a for a in audits if HOSTILE in a.source.label)
    assert json.loads(audit.json_text(memo))["source"] == audit.source.label


def test_the_cli_writes_escaped_text_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text output escapes a hostile name exactly as before (once), JSON keeps it whole."""
    path = tmp_path / "evil.xml"
    path.write_text(_hostile_domain(), encoding="utf-8")
    name = load_text(_hostile_domain()).imported.name  # XML reads its \r as \n
    assert "\x7f" in name and "\u202e" in name
    assert cli_main(["audit", "--demo", DEMO, str(path)]) == 0
    out = capsys.readouterr().out
    assert f"== {printable(name)}: {path}" in out
    assert printable(out) == out
    assert cli_main(["audit", "--demo", DEMO, "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert printable(out) == out
    assert json.loads(out)["vms"][0]["name"] == name


def test_write_escaped_skips_only_the_escaping(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w", encoding="utf-8") as raw:
        stream = GuardedStream(raw, "standard output", fatal=True)
        assert stream.write("a\x1bb\n") == 4
        assert stream.write_escaped(printable("c\x1bd\n")) == 7
    assert (tmp_path / "out").read_text(encoding="utf-8") == "a\\x1bb\nc\\x1bd\n"


# -- FileBatch ------------------------------------------------------------------------


def _same(got: list[AuditInput | Unreadable], want: list[AuditInput | Unreadable]) -> None:
    assert [type(x) for x in got] == [type(x) for x in want]
    for a, b in zip(got, want, strict=True):
        if isinstance(a, Unreadable):
            assert isinstance(b, Unreadable)
            assert (a.path, str(a.error)) == (b.path, str(b.error))
        else:
            assert isinstance(b, AuditInput)
            assert (a.label, a.kind, a.imported) == (b.label, b.kind, b.imported)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Domains, a Proxmox VM before the ``cpu-models.conf`` it uses, an unreadable file."""
    tmp = tmp_path_factory.mktemp("batch")
    (tmp / "pve.conf").write_text(
        "cores: 2\nmemory: 4096\nostype: win11\ncpu: custom-m\n", encoding="utf-8"
    )
    (tmp / "models.conf").write_text(
        "cpu-model: m\n    flags -hv-reset;+hv-tlbflush\n    reported-model qemu64\n",
        encoding="utf-8",
    )
    (tmp / "broken.xml").write_text("<domain><features>", encoding="utf-8")
    xml = sorted(str(p) for p in DATA.iterdir())
    return [
        *xml[:3],
        str(tmp / "pve.conf"),
        str(tmp / "broken.xml"),
        str(tmp / "missing.xml"),
        *xml[3:6],
        str(tmp / "models.conf"),
        *xml[6:8],
    ]


def test_any_range_of_a_batch_is_what_the_whole_run_gives(mixed: list[str]) -> None:
    """A range parsed by a batch of its own (another process's) is the run's, the Proxmox
    VM with the custom model of a file outside its range."""
    whole = list(load_files(mixed))
    pve = [x for x in whole if isinstance(x, AuditInput) and x.kind == sources.PROXMOX]
    assert ("reset", "custom CPU model m (cpu-models.conf)") in pve[0].imported.origins
    for cut in range(len(mixed) + 1):
        got = list(FileBatch(mixed).items(0, cut)) + list(FileBatch(mixed).items(cut))
        _same(got, whole)


def test_a_range_of_domains_reads_its_own_files_only(
    mixed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = sources.read_input

    def counting(path: str | Path, **kwargs: int) -> bytes:
        read.append(str(path))
        return real(path, **kwargs)

    monkeypatch.setattr(sources, "read_input", counting)
    batch = FileBatch(mixed)
    assert read == []
    list(batch.items(6, 9))  # domains only
    assert read == mixed[6:9]
    read.clear()
    list(batch.items(3, 4))  # the Proxmox VM: every other file is read for the CPU models
    assert sorted(read) == sorted(p for i, p in enumerate(mixed) if i not in (6, 7, 8))


def test_memo_answers_a_record_seen_before_by_identity() -> None:
    """A finding or difference object seen before is answered without its key, with the
    text its key gave; an equal object that is not the same still gets that text."""
    memo = jsontext.Memo(level=4)
    code = FindingCode.UNKNOWN_OPTION
    finding = Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", True),)))
    first = engine._encoded_finding(memo, finding)
    assert memo.known(finding) is first
    assert engine._encoded_finding(memo, finding) is first
    twin = Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", True),)))
    assert memo.known(twin) is None
    assert engine._encoded_finding(memo, twin) is first  # the key's text
    other = Finding(Severity.ERROR, code, ("x",), "m", "e", Fix("f", (("x", 1),)))
    assert engine._encoded_finding(memo, other).text != first.text  # True is not 1
    difference = engine.Difference("relaxed", None, True, "why")
    encoded = engine._encoded_difference(memo, difference)
    assert memo.known(difference) is encoded
    assert encoded.text == jsontext.dumps(difference.to_json(), level=4)


def test_the_cli_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    """The start-up's objects are frozen while the files are judged, and given back."""
    import gc

    path = tmp_path / "vm.xml"
    path.write_text(_hostile_domain(), encoding="utf-8")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert cli_main(["audit", "--demo", DEMO, "--json", str(path)]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_vm_value_is_written_as_dumps_writes_it() -> None:
    """A VM's lists and dicts, written without ``dumps`` (and each option's text kept), are
    its text three levels deep, whatever they hold: ``True`` and ``1`` for one key, kept
    and new texts, hostile and long strings, values ``dumps`` writes itself."""
    values: list[object] = [
        [HOSTILE, "b"],
        ["a", 1],
        [["nested"]],
        {"relaxed": True, "spinlocks": 8191, "vendor-id": HOSTILE, "x": None},
        {"relaxed": 1, "spinlocks": True, "vendor-id": "x" * 1000},
        {"relaxed": True, "f": 1.5},
        {1: True},
        {"threads": [{"index": 0}]},
        {HOSTILE: False},
        [],
        {},
    ]
    for _ in range(2):  # the second time from the kept texts
        for value in values:
            assert engine._json_value(value) == jsontext.dumps(value, level=3), value


def test_findings_sort_by_the_catalogs_order() -> None:
    """The findings' sort key reads :func:`hvtui.catalog.order_key`'s numbers from its own
    table (no call per finding): the same number for every catalog name and alias, and
    for a name the catalog does not know."""
    from hvtui import catalog
    from hvtui.model import findings

    names = [*catalog.names(), *(a for e in catalog.ENTRIES for a in e.aliases), "nope", ""]
    for name in names:
        finding = Finding(Severity.INFO, FindingCode.UNKNOWN_OPTION, (name,), "m", "e")
        assert findings._sort_key(finding)[1] == catalog.order_key(name)


def test_a_domain_without_commandline_reads_as_no_qemu_arguments() -> None:
    """libvirt_xml writes out what no ``<qemu:commandline>`` gives, so that the QEMU
    importer stays unloaded for most domains: it must be exactly what that importer
    returns for no arguments, field for field."""
    from hvtui.importers.libvirt_xml import _nothing_more
    from hvtui.importers.qemu_cmdline import parse_qemu_args

    written_out, parsed = _nothing_more(), parse_qemu_args(())
    assert [getattr(written_out, f) for f in vars(parsed)] == list(vars(parsed).values())
    assert written_out == parsed
