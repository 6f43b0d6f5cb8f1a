"""The command line as a contract: help, version, exit codes, one-line errors, no Textual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import REPO, python_env, run_cli, run_python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import __version__, catalog
from hvtui.cli import COMMANDS, build_parser


def _subcommand_paths() -> list[list[str]]:
    parser = build_parser()
    paths: list[list[str]] = []
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():  # type: ignore[union-attr]
            paths.append([name])
            for sub_action in sub._actions:
                choices = getattr(sub_action, "choices", None)
                if isinstance(choices, dict):
                    paths.extend([name, inner] for inner in choices)
    return paths


def test_version() -> None:
    result = run_cli(["--version"])
    assert (result.code, result.out) == (0, f"hvtui {__version__}\n")


def test_no_arguments_opens_the_wizard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No command opens the TUI (on a snapshot with --sysroot); without a terminal it refuses."""
    import hvtui.tui
    from hvtui.cli import main

    launched: list[Path | None] = []

    def fake_run_app(sysroot: Path | None = None, demo: str | None = None) -> int:
        launched.append(sysroot)
        return 0

    monkeypatch.setattr(hvtui.tui, "run_app", fake_run_app)
    assert main([]) == 0
    assert main(["--sysroot", str(tmp_path)]) == 0
    assert launched == [None, tmp_path]

    result = run_cli([])  # stdin and stdout are pipes here, not a terminal
    assert result.code == 2 and result.out == ""
    assert result.err == (
        "hvtui: the interactive wizard needs a terminal; use a subcommand instead "
        "(see 'hvtui --help')\n"
    )


@pytest.mark.parametrize("path", _subcommand_paths(), ids=" ".join)
def test_help_on_every_subcommand(path: list[str]) -> None:
    result = run_cli([*path, "--help"])
    assert result.code == 0
    assert result.out.startswith("usage: hvtui " + " ".join(path))


def test_every_registered_command_is_listed_in_help() -> None:
    out = run_cli(["--help"]).out
    for name in COMMANDS:
        assert f"    {name}" in out


@pytest.mark.parametrize(
    "args",
    [["bogus"], ["explain", "--nope"], ["presets"], ["check"], ["explain", "relaxed", "--list"]],
)
def test_usage_errors_are_one_line_exit_2(args: list[str]) -> None:
    result = run_cli(args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("hvtui")
    assert "Traceback" not in result.err


@pytest.mark.parametrize("spelling", ["hv-relaxed", "relaxed", "hv_relaxed"])
def test_explain_accepts_every_spelling(spelling: str) -> None:
    result = run_cli(["explain", spelling])
    assert result.code == 0
    assert result.out.startswith("hv-relaxed: ")


def test_explain_shows_every_fact() -> None:
    out = run_cli(["explain", "stimer-direct"]).out
    for fact in [
        "Value:",
        "Needs:",
        "stimer",
        "Needed by:",
        "CPU vendor:",
        "Migration:",
        "KVM support:",
        "0x40000003.EDX & 0x80000",
        "libvirt:",
        "<stimer state='on'><direct state='on'/></stimer>",
        "5.7.0",
        "QEMU 4.1",
    ]:
        assert fact in out, fact
    evmcs = run_cli(["explain", "evmcs"]).out
    assert "intel only" in evmcs and "Needed by:" in evmcs
    nonarch = run_cli(["explain", "no-nonarch-coresharing"]).out
    assert "no element" in nonarch and "blocks-when-auto" in nonarch


def test_explain_unknown_name_suggests() -> None:
    result = run_cli(["explain", "stimr"])
    assert result.code == 2
    assert result.err == (
        "hvtui: unknown enlightenment 'stimr'; did you mean 'stimer'? "
        "(see 'hvtui explain --list')\n"
    )


def test_explain_list_and_json() -> None:
    listing = run_cli(["explain", "--list"]).out
    for entry in catalog.ENTRIES:
        assert entry.qemu_property in listing
    data = json.loads(run_cli(["explain", "avic", "--json"]).out)
    assert data["name"] == "avic" and data["aliases"] == ["apicv"]
    assert data["libvirt"]["since"] == "8.10.0"
    everything = json.loads(run_cli(["explain", "--list", "--json"]).out)
    assert len(everything) == len(catalog.ENTRIES)


def test_presets_list_and_show() -> None:
    listing = run_cli(["presets", "list"])
    assert listing.code == 0
    assert "windows-desktop" in listing.out and "shipped" in listing.out
    data = json.loads(run_cli(["presets", "list", "--json"]).out)
    assert {"name", "origin", "path", "description", "overrides", "error"} <= set(data[0])
    show = run_cli(["presets", "show", "minimal"])
    assert show.code == 0
    assert show.out == (REPO / "presets" / "minimal.toml").read_text()
    shown = json.loads(run_cli(["presets", "show", "minimal", "--json"]).out)
    assert shown["enlightenments"]["spinlocks"] == 0x1FFF and shown["origin"] == "shipped"


def test_presets_list_marks_user_override(user_presets: Path) -> None:
    (user_presets / "minimal.toml").write_text('schema = 1\ndescription = "mine"\n')
    out = run_cli(["presets", "list"]).out
    line = next(line for line in out.splitlines() if line.startswith("minimal"))
    assert "user" in line and "overrides the shipped preset" in line


def test_check_exit_codes(tmp_path: Path) -> None:
    good = run_cli(["check", "presets/windows-desktop.toml"])
    assert good.code == 0
    assert good.out == "presets/windows-desktop.toml: 0 errors, 0 warnings, 0 info\n"
    warn = tmp_path / "warn.toml"
    warn.write_text("schema = 1\n[enlightenments]\nreenlightenment = true\n")
    result = run_cli(["check", str(warn)])
    assert result.code == 0, "warnings alone do not fail"
    assert ": warning: " in result.out
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[enlightenments]\nstimer = true\n")
    result = run_cli(["check", str(bad), "-v"])
    assert result.code == 1
    assert f"{bad}: error: stimer needs synic, which is off [missing-dependency]" in result.out
    assert "    fix: turn on synic" in result.out
    data = json.loads(run_cli(["check", str(bad), "--json"]).out)
    assert data["ok"] is False and data["counts"]["error"] == 2
    assert data["findings"][0]["fix"]["changes"] == [{"option": "synic", "value": True}]


def test_check_accepts_a_preset_name() -> None:
    assert run_cli(["check", "minimal"]).code == 0


def test_cli_never_imports_textual() -> None:
    """Every CLI path runs without Textual: checked in a fresh interpreter."""
    script = (
        "import sys, io, contextlib\n"
        "from hvtui.cli import main\n"
        "for args in (['--help'], ['explain', 'stimer'], ['explain', '--list'],\n"
        "             ['presets', 'list'], ['presets', 'show', 'minimal'],\n"
        "             ['check', 'presets/minimal.toml'], ['check', 'nope']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), \\\n"
        "         contextlib.redirect_stderr(io.StringIO()):\n"
        "        try:\n"
        "            main(args)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
    )
    result = run_python(script)
    assert result.code == 0, result.err
    assert result.out.strip() == "[]"


def test_internal_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hvtui.cli import cmd_explain, main

    def broken(args: object) -> int:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cmd_explain, "run", broken)
    monkeypatch.delenv("HVTUI_DEBUG", raising=False)
    assert main(["explain", "relaxed"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("hvtui: internal error: RuntimeError: simulated bug")


def test_binary_junk_is_one_line(tmp_path: Path) -> None:
    weird = tmp_path / "x.toml"
    weird.write_bytes(b"\x00\x01")
    result = run_cli(["check", str(weird)])
    assert result.code == 2 and result.err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "needed"),
    [
        (["detect", "--json"], ("detect",)),
        (["--sysroot", "d", "audit", "x.xml"], ("audit",)),
        (["--sys=d", "recommend"], ("recommend",)),
        (["--demo", "detect"], None),  # "detect" is the demo's name: no command yet
        (["--version"], ()),
        (["--help"], None),
        (["-h", "detect"], None),
        (["detct"], None),
        ([], None),
    ],
)
def test_only_the_subcommand_that_runs_is_registered(
    argv: list[str], needed: tuple[str, ...] | None
) -> None:
    from hvtui.cli import needed_commands

    assert needed_commands(argv) == (COMMANDS if needed is None else needed)


def test_detect_imports_no_other_subcommand() -> None:
    code = (
        "import sys\n"
        "from hvtui.cli import main\n"
        "main(['detect', '--json', '--demo', 'no-hyperv'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('hvtui.cli.cmd_')))\n"
        "print(sorted(m for m in ('hvtui.export', 'psutil', 'tomllib') if m in sys.modules))\n"
    )
    result = run_python(code)
    assert result.code == 0, result.err
    assert result.out.strip().splitlines()[-2:] == ["['hvtui.cli.cmd_detect']", "[]"]


def _py_cpuinfo_runs_under(pid: int) -> bool:
    """Whether py-cpuinfo's own process (``python .../cpuinfo.py --json``) is a child of
    ``pid``: then hvtui is inside ``--deep``, waiting for it."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"cpuinfo" in cmdline:
            return True
    return False


def _sigint_as_a_terminal_gives_it() -> None:
    """In the child, before hvtui starts: SIGINT at its default, as in a shell's foreground
    job.  A suite started in the background of a non-interactive shell (``cmd &`` in a
    script or CI) inherits SIGINT *ignored*; Python then leaves it ignored, the Ctrl-C
    never arrives and the command runs to its end (exit 0)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("when", ["starting", "working"])
def test_ctrl_c_is_one_line_and_130(when: str) -> None:
    """Ctrl-C while the CLI is still starting (0.3 s in) or working (inside --deep, waiting
    for py-cpuinfo, which takes over a second): one line, exit 130, never a traceback."""
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "hvtui", "detect", "--deep", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
        preexec_fn=_sigint_as_a_terminal_gives_it,
    )
    if when == "starting":
        time.sleep(0.3)
    else:
        deadline = time.monotonic() + 60
        while not _py_cpuinfo_runs_under(proc.pid) and proc.poll() is None:
            assert time.monotonic() < deadline, "hvtui detect --deep never started py-cpuinfo"
            time.sleep(0.02)
    # Only a command that had already ended may escape the signal; one that was still
    # running when it was sent must answer it.
    if proc.poll() is not None:
        proc.communicate(timeout=60)
        pytest.skip(f"the command ended (exit {proc.returncode}) before the signal was sent")
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    if "<frozen runpy>" in err and "hvtui" not in err.split("KeyboardInterrupt")[0]:
        assert when == "starting", err
        pytest.skip("the signal came while Python itself was starting, before any hvtui code")
    assert proc.returncode == 130, err
    assert err == "hvtui: interrupted\n", err


def test_building_the_parser_loads_no_stack_format() -> None:
    """``hvtui`` (on the way to the wizard's first frame) and ``--help`` build every
    subcommand's parser; the stack exporters and YAML load only when a format is used."""
    heavy = ("yaml", "hvtui.export.kubevirt", "hvtui.export.terraform",
             "hvtui.export.proxmox", "hvtui.export.virtxml")  # fmt: skip
    script = (
        "import sys\n"
        "from hvtui.cli import build_parser\n"
        "build_parser()\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    result = run_python(script)
    assert result.code == 0, result.err
    assert result.out.strip() == "[]"


# --- plain command lines read without argparse (issue #13) --------------------------------

#: Words ``hvtui detect`` command lines are made of here: every option, whole and
#: abbreviated, with values separate and after ``=``, values that look like options,
#: empty ones, help, ``--``, stray words.
_DETECT_WORDS = (
    "--json", "--deep", "--force", "--sysroot", "--sysroot=/tmp", "/tmp", "--demo",
    "--demo=no-hyperv", "no-hyperv", "--connect", "qemu:///system", "--connect=a=b",
    "--save-snapshot", "--save-snapshot=snap", "--", "-", "", "--js", "--sys", "-h",
    "--help", "--json=1", "--sysroot=", "-x", "-1", "detect", "a b", "--demo=-x",
)  # fmt: skip


def _argparse_namespace(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> dict[str, object] | None:
    """What the CLI's parser makes of ``hvtui detect ARGV`` (``None``: it refuses)."""
    try:
        namespace = build_parser(("detect",)).parse_args(["detect", *argv])
    except SystemExit:
        capsys.readouterr()
        return None
    return vars(namespace)


def _check_plain(argv: list[str], capsys: pytest.CaptureFixture[str]) -> bool:
    """``plain_args`` says what argparse says, or leaves ``argv`` to it; whether it read it."""
    from hvtui.cli import _plain_args

    ours = _plain_args(["detect", *argv])
    if ours is None:
        return False
    assert vars(ours) == _argparse_namespace(argv, capsys), argv
    return True


def test_plain_detect_command_lines_parse_as_argparse_parses_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every command line of up to two words, and some longer: whatever ``plain_args``
    reads, argparse reads the same (the rest goes to argparse itself)."""
    import itertools

    read = 0
    for length in (0, 1, 2):
        for words in itertools.product(_DETECT_WORDS, repeat=length):
            read += _check_plain(list(words), capsys)
    assert read > 50
    for argv, plain in (
        (["--json", "--sysroot", "/tmp", "--deep", "--force", "--save-snapshot", "s"], True),
        (["--demo", "no-hyperv", "--json", "--demo=amd-epyc"], True),
        (["--sysroot", "a", "--sysroot=b", "--json", "--json"], True),
        (["--connect", "qemu:///system", "--json"], True),
        (["--sysroot", "/tmp", "--demo", "no-hyperv"], False),  # argparse refuses it
        (["--json", "--sysroot"], False),
    ):
        assert _check_plain(argv, capsys) is plain


@given(argv=st.lists(st.sampled_from(_DETECT_WORDS), max_size=6))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_longer_detect_command_lines_parse_as_argparse_parses_them(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _check_plain(argv, capsys)


@pytest.mark.parametrize("argv", [["detect", "--json"], ["detect"], ["detect", "--demo", "x"]])
def test_plain_detect_command_lines_are_read_without_argparse(argv: list[str]) -> None:
    """The reason for all this: a plain ``detect`` does not load argparse."""
    code = (
        "import sys\n"
        "from hvtui.cli import _plain_args\n"
        f"args = _plain_args({argv!r})\n"
        "print(args is not None, 'argparse' in sys.modules)\n"
    )
    result = run_python(code)
    assert result.code == 0, result.err
    assert result.out.split() == ["True", "False"]


@pytest.mark.parametrize("columns", ["", "1", "8", "12", "13", "200"])
def test_version_is_printed_as_argparse_prints_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], columns: str
) -> None:
    """``hvtui --version`` without the parser: the same line at any terminal width (the
    parser wraps the text at the help width, at least 11 columns)."""
    from hvtui.cli import _plain_version, main

    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit) as exit_info:
        build_parser(()).parse_args(["--version"])
    printed = capsys.readouterr().out
    assert exit_info.value.code == 0
    ours = _plain_version(["--version"])
    if columns in ("", "200"):  # wide enough for the line (80 columns when not a number)
        assert ours is not None
    if ours is not None:
        assert ours == printed
        assert main(["--version"]) == 0
        assert capsys.readouterr().out == printed
    assert _plain_version(["--version", "--json"]) is None
    assert _plain_version(["--vers"]) is None
