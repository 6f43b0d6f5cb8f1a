"""The CLI contract under hostile input (issue #11): exit 0, 1 or 2, never 70.

Each class of input that used to end in "internal error" (exit 70) is
generated here and run through the real command line: the answer is the
documented exit code, one line on stderr naming the file and what is wrong,
no traceback, the old output file untouched, and a bounded run time.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from clirun import HOSTS, REPO, Result, python_env, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui.cli import main
from hvtui.detect.snapshot import MANIFEST

DEMO = "amd-epyc"
SLOW = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def one_error(result: Result, *, code: int, naming: str = "") -> str:
    """The run's single stderr line, after checking the exit code and that it names ``naming``."""
    assert result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("hvtui: ") and naming in lines[0]
    return lines[0]


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Result:
    """``main(args)`` in this process (argparse's SystemExit becomes the code)."""
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def preset(path: Path, body: str, *, name: str | None = "p") -> Path:
    head = "schema = 1\n" + (f'name = "{name}"\n' if name else "")
    path.write_text(head + body, encoding="utf-8")
    return path


def demo_copy(tmp_path: Path) -> Path:
    from hvtui.demos import find_demo

    target = tmp_path / "snap"
    shutil.copytree(find_demo(DEMO).path, target)
    return target


# -- integers beyond the conversion limit, and deep nesting ------------------------------

DIGITS = st.integers(min_value=4400, max_value=120_000)


@FAST
@given(
    digits=DIGITS, prefix=st.sampled_from(["", "0x"]), where=st.sampled_from(["value", "schema"])
)
def test_huge_integers_in_a_preset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], digits: int, prefix: str, where: str
) -> None:
    number = prefix + ("f" if prefix else "9") * digits
    path = tmp_path / "big.toml"
    if where == "schema":
        path.write_text(f"schema = {number}\n")
    else:
        preset(path, f"[enlightenments]\nspinlocks = {number}\n")
    for command in (["check", str(path)], ["export", str(path), "--format", "json"]):
        line = one_error(cli(command, capsys), code=2, naming=str(path))
        assert "too large" in line


@FAST
@given(depth=st.integers(40, 50_000), kind=st.sampled_from(["array", "table"]))
def test_deeply_nested_preset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int, kind: str
) -> None:
    path = tmp_path / "deep.toml"
    value = "[" * depth + "]" * depth if kind == "array" else "{a=" * depth + "1" + "}" * depth
    preset(path, f"[enlightenments]\nrelaxed = {value}\n")
    line = one_error(cli(["check", str(path)], capsys), code=2, naming=str(path))
    assert "nested more than" in line


@FAST
@given(depth=st.integers(40, 100_000), digits=DIGITS, which=st.sampled_from(["deep", "big"]))
def test_hostile_json_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int, digits: int, which: str
) -> None:
    path = tmp_path / "report.json"
    text = "[" * depth + "]" * depth if which == "deep" else '{"schema": ' + "9" * digits + "}"
    path.write_text(text)
    one_error(cli(["recommend", "--report", str(path)], capsys), code=2, naming=str(path))


@SLOW
@given(digits=st.integers(4400, 100_000), option=st.sampled_from(["spinlocks", "smp"]))
def test_huge_numbers_in_an_audited_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], digits: int, option: str
) -> None:
    path = tmp_path / "vm.cmd"
    if option == "spinlocks":
        path.write_text(f"qemu-system-x86_64 -cpu host,hv-relaxed,hv-spinlocks=0x{'f' * digits}\n")
    else:
        path.write_text(f"qemu-system-x86_64 -smp sockets={'9' * digits},cores=9 -cpu host\n")
    start = time.perf_counter()
    result = cli(["audit", str(path), "--demo", DEMO], capsys)
    assert time.perf_counter() - start < 10
    assert result.code in (0, 1), result.err
    assert "internal error" not in result.err
    if option == "spinlocks":
        assert "too large" in result.out


@SLOW
@given(depth=st.integers(40, 100_000))
def test_deeply_nested_manifest_only_loses_the_live_probes(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    snap = demo_copy(tmp_path_factory.mktemp("nest"))
    (snap / MANIFEST).write_text("[" * depth + "]" * depth)
    result = cli(["detect", "--sysroot", str(snap), "--json"], capsys)
    assert result.code == 0 and result.err == ""
    report = json.loads(result.out)
    assert report["cpu"]["vendor"] == "amd"  # the files are still read
    assert "nested more than" in report["unknown"]["kvm.device"]


# -- virt-install quotes -----------------------------------------------------------------


@FAST
@given(
    where=st.sampled_from(["--qemu-commandline=", "--features hyperv.relaxed.state=", "--name "]),
    quote=st.sampled_from(["'", '"']),
    text=st.text(
        st.characters(codec="utf-8", blacklist_characters="'\"\\\x00"),
        max_size=20,
    ),
)
def test_unbalanced_quotes_in_virt_install_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, quote: str, text: str
) -> None:
    path = tmp_path / "vi.sh"
    line = f"virt-install --name x --features hyperv.vapic.state=on {where}{quote}{text}\n"
    path.write_text(line, encoding="utf-8")
    result = cli(["audit", str(path), "--demo", DEMO], capsys)
    assert result.code in (0, 1, 2) and "internal error" not in result.err
    if result.code == 2:
        one_error(result, code=2, naming=str(path))


# -- paths the file system refuses -------------------------------------------------------


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(length=st.integers(256, 5000))
def test_names_too_long_for_the_file_system(
    tmp_path_factory: pytest.TempPathFactory, length: int
) -> None:
    tmp_path = tmp_path_factory.mktemp("long")
    long = tmp_path / ("a" * length)
    old = tmp_path / "old.txt"
    old.write_text("old\n")
    runs = [
        (["export", "minimal", "--format", "qemu", "-o", str(long)], str(long)),
        (["export", "minimal", "--format", "qemu", "-o", str(long / "x"), "--force"], "a" * 255),
        (["detect", "--demo", DEMO, "--save-snapshot", str(long)], "a" * 255),
        (["detect", "--sysroot", str(long)], "--sysroot"),
        (["recommend", "--sysroot", str(long)], "--sysroot"),
        (["check", str(long)], "a" * 255),
        (["check", "a" * length], "a" * 255),
    ]
    for args, naming in runs:
        result = run_cli(args)
        assert result.code == 2, (args, result.err)
        assert "Traceback" not in result.err and "internal error" not in result.err
        assert len(result.err.splitlines()) == 1 and naming in result.err
    assert old.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


# -- no home directory, no passwd entry --------------------------------------------------

NO_PASSWD_UID = 54_321


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run as a uid without passwd entry")
def test_no_home_and_no_passwd_entry(tmp_path: Path) -> None:
    import pwd

    with pytest.raises(KeyError):
        pwd.getpwuid(NO_PASSWD_UID)
    tmp_path.chmod(0o755)
    mine = tmp_path / "mine.toml"
    shutil.copy(REPO / "presets" / "minimal.toml", mine)
    mine.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CONFIG_HOME")}
    runs = {
        ("presets", "list"): 0,
        ("presets", "show", "minimal"): 0,
        ("check", str(mine)): 0,
        ("check", "minimal"): 0,
        ("export", str(mine), "--format", "toml"): 0,
        ("export", "minimal", "--format", "qemu"): 0,
        ("compare", "minimal"): 0,
        ("check", "no-such-preset"): 2,
    }
    for args, code in runs.items():
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "hvtui", *args],
                capture_output=True,
                text=True,
                env={**env, "PYTHONPATH": str(REPO)},
                user=NO_PASSWD_UID,
                cwd=tmp_path,
                timeout=60,
                check=False,
            )
        except PermissionError:
            pytest.skip("this interpreter cannot be run by another user")
        assert proc.returncode == code, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        assert len(proc.stderr.splitlines()) == code // 2


def test_no_home_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same without root: no HOME and no passwd entry, so ``~`` is not expanded
    (``Path.home()`` fails, ``os.path.expanduser`` gives ``~`` back)."""
    import pwd

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(RuntimeError):
        Path.home()
    assert cli(["presets", "list"], capsys).code == 0
    assert cli(["check", str(REPO / "presets" / "minimal.toml")], capsys).code == 0
    assert cli(["export", "minimal", "--format", "qemu"], capsys).code == 0
    assert cli(["compare", "minimal"], capsys).code == 0
    from hvtui import presets

    with pytest.raises(presets.PresetError, match="no home directory"):
        presets.user_dir()


# -- stdout closed or full, encodings ----------------------------------------------------

OUTPUT_COMMANDS = [
    ["explain", "stimer"],
    ["explain", "--list"],
    ["--help"],
    ["detect", "--demo", DEMO, "--json"],
    ["recommend", "--demo", DEMO],
    ["presets", "list"],
    ["export", "windows-desktop", "--format", "json"],
]


@pytest.mark.parametrize("args", OUTPUT_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("stdout", ["closed", "full"])
def test_stdout_closed_or_full(args: list[str], stdout: str) -> None:
    target = "exec >&-" if stdout == "closed" else "exec >/dev/full"
    command = " ".join(["exec", sys.executable, "-m", "hvtui", *(f"'{a}'" for a in args)])
    proc = subprocess.run(
        ["sh", "-c", f"{target}; {command}"],
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("hvtui: cannot write to standard output")
    assert len(proc.stderr.splitlines()) == 1 and "Exception ignored" not in proc.stderr


def test_stderr_closed_keeps_errors_off_stdout() -> None:
    command = f"exec 2>&-; exec {sys.executable} -m hvtui check /nonexistent.toml"
    proc = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stdout) == (2, "")


def test_closed_stdout_is_fine_when_nothing_is_printed(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    command = f"exec >&-; exec {sys.executable} -m hvtui export minimal --format qemu -o {out}"
    proc = subprocess.run(["sh", "-c", command], capture_output=False, timeout=60, check=False)
    assert proc.returncode == 0 and out.read_text().startswith("-cpu host")


@SLOW
@given(
    text=st.text(st.characters(min_codepoint=0x80, max_codepoint=0x2FFF), min_size=1, max_size=30)
)
def test_characters_the_encoding_cannot_show_are_escaped(tmp_path: Path, text: str) -> None:
    path = tmp_path / "described.toml"
    path.write_text(f'schema = 1\nname = "x"\ndescription = {json.dumps(text)}\n', encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "hvtui", "presets", "show", str(path)],
        capture_output=True,
        env=python_env({"PYTHONIOENCODING": "ascii"}),
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.isascii() and b"\\" in shown.stdout


# -- untrusted text reaches the terminal escaped -----------------------------------------

CONTROL = st.text(
    st.characters(whitelist_categories=("Cc", "Cf", "Zl", "Zp"), blacklist_characters="\x00"),
    min_size=1,
    max_size=6,
)


@FAST
@given(evil=CONTROL)
def test_preset_text_is_escaped_in_every_text_output(
    user_presets: Path, capsys: pytest.CaptureFixture[str], evil: str
) -> None:
    path = user_presets / "evil.toml"
    path.write_text(
        f'schema = 1\nname = "evil"\ndescription = {json.dumps("a" + evil + "b")}\n'
        f"[enlightenments]\n{json.dumps('x' + evil)} = true\n",
        encoding="utf-8",
    )
    for args in (["presets", "list"], ["presets", "show", "evil"], ["check", "evil"]):
        result = cli(args, capsys)
        for stream in (result.out, result.err):
            assert all(c == "\n" or c.isprintable() for c in stream), (args, stream)


@FAST
@given(evil=CONTROL)
def test_paths_in_errors_are_one_escaped_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], evil: str
) -> None:
    missing = tmp_path / f"vm\n{evil}.toml"
    for args in (["check", str(missing)], ["detect", "--sysroot", str(missing)]):
        line = one_error(cli(args, capsys), code=2)
        assert line.isprintable() and "\\n" in line


def test_snapshot_text_is_escaped_in_detect_and_recommend(tmp_path: Path) -> None:
    snap = demo_copy(tmp_path)
    manifest = json.loads((snap / MANIFEST).read_text())
    for process in manifest["live"]["processes"]["value"]:
        process["name"] = "qemu\x1b]0;owned\x07"
        process["cmdline"] = [*process["cmdline"], "-name", "guest=\x1b[2Jwin"]
    (snap / MANIFEST).write_text(json.dumps(manifest))
    (snap / "proc/sys/kernel/osrelease").write_text("6.12\x1b[31m-evil\n")
    detected = run_cli(["detect", "--sysroot", str(snap)])
    assert detected.code == 0, detected.err
    assert "\x1b" not in detected.out and "6.12\\x1b[31m-evil" in detected.out
    assert "\\x1b]0;owned\\x07" in detected.out
    recommended = run_cli(["recommend", "--sysroot", str(snap)])
    assert recommended.code == 0 and "\x1b" not in recommended.out


# -- one bad value spoils only itself ----------------------------------------------------

BAD_VALUES = st.sampled_from(
    ["Infinity", "-Infinity", "NaN", "9" * 5000, '"text"', "[1, 2]", "{}", "null", "1.5", "true"]
)
PROBES = ["platform", "kvm", "raw_cpuid", "processes", "commands"]


@pytest.fixture(scope="module")
def good_demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``detect --json`` on an unspoilt copy of the demo: the same for every example below
    (run once, not once per example)."""
    result = run_cli(["detect", "--sysroot", str(demo_copy(tmp_path_factory.mktemp("good"))),
                      "--json"])  # fmt: skip
    assert result.code == 0 and result.err == "", result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


@SLOW
@given(probe=st.sampled_from(PROBES), bad=BAD_VALUES)
def test_a_bad_manifest_value_spoils_only_its_probe(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    good_demo_report: dict[str, Any],
    probe: str,
    bad: str,
) -> None:
    snap = demo_copy(tmp_path_factory.mktemp("probe"))
    manifest = (snap / MANIFEST).read_text()
    data = json.loads(manifest)
    data["live"][probe] = {"value": "@BAD@"}
    (snap / MANIFEST).write_text(json.dumps(data).replace('"@BAD@"', bad))
    result = cli(["detect", "--sysroot", str(snap), "--json"], capsys)
    assert result.code == 0 and result.err == ""
    before, after = good_demo_report, json.loads(result.out)
    assert not any("internal error" in r for r in after["unknown"].values())
    assert after["cpu"]["logical_cpus"] == before["cpu"]["logical_cpus"]
    assert after["smt"] == before["smt"] and after["isolation"] == before["isolation"]
    if probe != "kvm":
        assert after["kvm"]["device"] == "ok"
    if probe != "commands":
        assert after["versions"] == before["versions"]


def test_odd_hv_raw_spoils_only_the_hyperv_facts(tmp_path: Path) -> None:
    snap = demo_copy(tmp_path)
    data = json.loads((snap / MANIFEST).read_text())
    data["live"]["kvm"]["value"]["hv_raw"] += "0"
    (snap / MANIFEST).write_text(json.dumps(data))
    report = json.loads(run_cli(["detect", "--sysroot", str(snap), "--json"]).out)
    assert report["kvm"]["device"] == "ok" and report["kvm"]["api_version"] == 12
    assert report["kvm"]["hyperv"] is None and "hv_raw" in report["unknown"]["kvm.hyperv"]


@SLOW
@given(digits=st.integers(13, 20_000), file=st.sampled_from(["online", "possible", "isolated"]))
def test_a_huge_sysfs_number_spoils_only_its_fact(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    digits: int,
    file: str,
) -> None:
    snap = demo_copy(tmp_path_factory.mktemp("sysfs"))
    (snap / "sys/devices/system/cpu" / file).write_text("9" * digits + "\n")
    result = cli(["detect", "--sysroot", str(snap), "--json"], capsys)
    assert result.code == 0
    report = json.loads(result.out)
    assert not any("internal error" in r for r in report["unknown"].values())
    assert report["cpu"]["vendor"] == "amd" and report["kvm"]["device"] == "ok"


def test_a_crashing_section_spoils_only_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """The net under the readers: a section that raises is unknown, the others are reported."""
    import hvtui.detect.tsc
    from hvtui.detect import detect

    def boom(*args: object) -> None:
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(hvtui.detect.tsc, "detect_tsc", boom)
    monkeypatch.delenv("HVTUI_DEBUG", raising=False)
    report = detect(HOSTS / "util-linux-x86_64-epyc_7451")
    assert report.tsc.invariant.value is None and "OverflowError" in str(
        report.tsc.invariant.reason
    )
    assert report.cpu.vendor.value == "amd" and report.smt.control.value is not None


# -- consistent answers ------------------------------------------------------------------

NEW_OPTIONS = ["stimer-direct", "evmcs", "ipi", "tlbflush", "avic", "xmm-input", "emsr-bitmap"]


@FAST
@given(option=st.sampled_from(NEW_OPTIONS), qemu=st.sampled_from(["2.12", "3.0", "4.0", "5.0"]))
def test_check_reports_what_every_export_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, qemu: str
) -> None:
    from hvtui import catalog
    from hvtui.versions import parse_version

    entry = catalog.get(option)
    config = {name: True for name in (option, *entry.requires)}
    if entry.qemu_since <= parse_version(qemu):
        return
    body = "[enlightenments]\n" + "".join(f"{k} = true\n" for k in config)
    path = preset(tmp_path / "p.toml", body + f'[target]\nqemu = "{qemu}"\n')
    checked = cli(["check", str(path)], capsys)
    assert checked.code == 1 and "qemu-too-old" in checked.out
    for fmt in ("qemu", "libvirt", "virt-install", "toml", "json"):
        assert cli(["export", str(path), "--format", fmt], capsys).code == 1


@pytest.mark.parametrize("version", ["0.0", "0", "01.02", "7.02", "７.２", "0.0.0"])
def test_odd_versions_are_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    path = preset(tmp_path / "v.toml", f'[target]\nqemu = "{version}"\n')
    one_error(cli(["check", str(path)], capsys), code=2, naming="target.qemu")
    result = cli(["export", "minimal", "--format", "qemu", "--qemu-version", version], capsys)
    assert result.code == 2 and len(result.err.splitlines()) == 1


@FAST
@given(stem=st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=80))
def test_a_preset_without_name_exports_toml_that_check_accepts(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], stem: str
) -> None:
    directory = tmp_path_factory.mktemp("noname")
    path = directory / f"{stem}.toml"
    try:
        preset(path, "[enlightenments]\nrelaxed = true\n", name=None)
    except (OSError, UnicodeEncodeError):
        return  # a name this file system cannot store (or a lone surrogate, no name at all)
    out = directory / "out.toml"
    exported = cli(["export", str(path), "--format", "toml", "-o", str(out)], capsys)
    assert exported.code == 0, exported.err
    assert cli(["check", str(out)], capsys).code == 0


@pytest.mark.parametrize(
    ("model", "better"),
    [("host-passthrough", "host"), ("host-model", "host"), ("skylake-client", "Skylake-Client")],
)
def test_unknown_cpu_models_are_refused_with_the_right_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model: str, better: str
) -> None:
    result = cli(["export", "minimal", "--format", "qemu", "--cpu-model", model], capsys)
    line = one_error(result, code=2, naming="--cpu-model")
    assert f"did you mean {better!r}" in line and result.out == ""
    path = preset(tmp_path / "m.toml", f'[target]\ncpu-model = "{model}"\n')
    one_error(cli(["check", str(path)], capsys), code=2, naming="target.cpu-model")


def test_recommend_does_not_claim_a_stable_tsc_it_does_not_have(tmp_path: Path) -> None:
    snap = demo_copy(tmp_path)
    cpuinfo = snap / "proc/cpuinfo"
    cpuinfo.write_text(cpuinfo.read_text().replace(" constant_tsc", "").replace(" nonstop_tsc", ""))
    text = run_cli(["recommend", "--sysroot", str(snap)]).out
    line = next(x for x in text.splitlines() if "hv-time " in x)
    assert "host has: stable-tsc" not in line and "lacks: stable-tsc" in line
    demo = next(
        x for x in run_cli(["recommend", "--demo", DEMO]).out.splitlines() if "hv-time " in x
    )
    assert "host has: stable-tsc" in demo


# -- the wizard's terminal ---------------------------------------------------------------


def _wizard_on_a_pty(env: dict[str, str], *, stderr_to: Path | None) -> tuple[int, bytes, str]:
    master, slave = pty.openpty()
    log = stderr_to.open("w") if stderr_to else None
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hvtui", "--demo", DEMO],
            stdin=slave,
            stdout=slave,
            stderr=log if log else slave,
            env=python_env(env),
            cwd=REPO,
        )
        code = proc.wait(timeout=60)
    finally:
        os.close(slave)
        if log:
            log.close()
    screen = b""
    try:
        while chunk := os.read(master, 65536):
            screen += chunk
    except OSError:
        pass
    os.close(master)
    return code, screen, stderr_to.read_text() if stderr_to else ""


def test_wizard_refuses_a_redirected_stderr(tmp_path: Path) -> None:
    code, screen, log = _wizard_on_a_pty({"TERM": "xterm"}, stderr_to=tmp_path / "log")
    assert code == 2 and screen == b""
    assert len(log.splitlines()) == 1 and "standard error" in log and "\x1b" not in log


def test_wizard_refuses_a_dumb_terminal() -> None:
    code, screen, _ = _wizard_on_a_pty({"TERM": "dumb"}, stderr_to=None)
    assert code == 2 and b"\x1b" not in screen and b"TERM=dumb" in screen
    assert len(screen.strip().splitlines()) == 1


@SLOW
@given(count=st.integers(10**6, 2**200), pinned=st.booleans())
def test_a_huge_vcpu_count_is_answered_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], count: int, pinned: bool
) -> None:
    path = tmp_path / "vm.xml"
    cputune = "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>" if pinned else ""
    path.write_text(
        f"<domain type='kvm'><name>x</name><vcpu cpuset='1'>{count}</vcpu>{cputune}"
        "<features><hyperv><relaxed state='on'/></hyperv></features></domain>"
    )
    start = time.perf_counter()
    result = cli(["audit", str(path), "--demo", DEMO], capsys)
    assert time.perf_counter() - start < 5
    assert result.code in (0, 1) and "two vCPUs are pinned to the same host CPU" in result.out
