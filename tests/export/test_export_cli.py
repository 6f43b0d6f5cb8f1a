"""``hvtui export`` as a contract: formats, exit codes, one-line errors, file safety."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import run_cli

from hvtui import export, presets
from hvtui.cli import main
from hvtui.export import context
from hvtui.importers import parse_libvirt_xml, parse_qemu_command, parse_virt_install_command
from hvtui.model import Config

FORMATS = ("qemu", "libvirt", "virt-install", "toml", "json")
SHIPPED = sorted(p.stem for p in presets.shipped_dir().glob("*.toml"))


@pytest.fixture(autouse=True)
def no_host_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output must not depend on what this machine has installed."""
    monkeypatch.setattr(export, "probe_features", lambda: None)
    monkeypatch.setattr(context, "detected_libvirt", lambda: None)


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_preset(directory: Path, name: str, body: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(f'schema = 1\nname = "{name}"\n{body}', encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_preset_exports_in_every_format(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(["export", name, "--format", fmt], capsys)
    assert code == 0, err
    assert out.endswith("\n") and "Traceback" not in err
    config = presets.find(name).config
    if fmt == "qemu":
        assert parse_qemu_command(out).config.enabled() == config.enabled()
    elif fmt == "libvirt":
        assert set(parse_libvirt_xml(out).config.enabled()) <= set(config.enabled())
    elif fmt == "virt-install":
        assert set(parse_virt_install_command(out).config.enabled()) <= set(config.enabled())
    elif fmt == "toml":
        assert presets.loads(out).config == config
    else:
        data = json.loads(out)
        assert data["config"] == dict(config.values)
        assert list(data["formats"]) == [f for f in export.registry.names() if f != "json"]


@pytest.mark.parametrize("name", ["windows-desktop", "gpu-passthrough"])
def test_json_holds_each_format_as_its_own_export_prints_it(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every registered format, the stack ones included, with the text ``--format`` gives."""
    _code, out, _err = cli(["export", name, "--format", "json"], capsys)
    formats = json.loads(out)["formats"]
    for fmt in export.registry.names():
        if fmt == "json":
            continue
        code, alone, err = cli(["export", name, "--format", fmt], capsys)
        assert code == 0, err
        held = formats[fmt] if fmt == "toml" else formats[fmt]["text"]
        assert held == alone, fmt


def test_target_libvirt_changes_the_libvirt_output(
    capsys: pytest.CaptureFixture[str], user_presets: Path
) -> None:
    write_preset(user_presets, "nested", "[enlightenments]\nxmm-input = true\n")
    _, old, _ = cli(["export", "nested", "--format", "libvirt", "--libvirt-version", "9.0"], capsys)
    _, new, _ = cli(
        ["export", "nested", "--format", "libvirt", "--libvirt-version", "10.7.0"], capsys
    )
    assert "host-x86_64-cpu.hv-xmm-input=on" in old and "<xmm_input state" not in old
    assert '<xmm_input state="on" />' in new and "-global" not in new


def test_cpu_model_option_sets_the_model_and_the_global_type(
    capsys: pytest.CaptureFixture[str], user_presets: Path
) -> None:
    write_preset(user_presets, "p", "[enlightenments]\nxmm-input = true\n")
    code, out, _ = cli(
        [
            "export",
            "p",
            "--format",
            "libvirt",
            "--libvirt-version",
            "9.0",
            "--cpu-model",
            "EPYC-v4",
        ],
        capsys,
    )
    assert code == 0 and "EPYC-v4-x86_64-cpu.hv-xmm-input=on" in out
    code, out, _ = cli(["export", "p", "--format", "qemu", "--cpu-model", "EPYC-v4"], capsys)
    assert out.startswith("-cpu EPYC-v4,hv-xmm-input=on")


def test_a_preset_with_errors_is_refused_with_its_findings(
    capsys: pytest.CaptureFixture[str], user_presets: Path
) -> None:
    write_preset(user_presets, "broken", "[enlightenments]\nstimer = true\n")
    code, out, err = cli(["export", "broken", "--format", "qemu"], capsys)
    assert code == 1 and out == ""
    assert "error: stimer needs synic, which is off [missing-dependency]" in err
    assert err.strip().splitlines()[-1].startswith("hvtui: ")


def test_an_option_too_new_for_the_target_qemu_names_its_version(
    capsys: pytest.CaptureFixture[str], user_presets: Path
) -> None:
    write_preset(
        user_presets, "new", '[enlightenments]\nxmm-input = true\n[target]\nqemu = "7.0"\n'
    )
    code, out, err = cli(["export", "new", "--format", "libvirt"], capsys)
    assert code == 1 and out == ""
    assert "hv-xmm-input was added in QEMU 7.1; the target is QEMU 7.0 [qemu-too-old]" in err
    code, _, err = cli(["export", "new", "--format", "qemu", "--qemu-version", "7.2"], capsys)
    assert code == 1 and "ignored (the preset's target wins)" not in err  # refused first


def test_preset_target_wins_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        ["export", "windows-desktop", "--format", "libvirt", "--libvirt-version", "9.0.0"], capsys
    )
    assert code == 0
    assert "note: the preset targets libvirt 5.7.0; --libvirt-version 9.0.0 is ignored" in err


def test_virt_install_refuses_strings_it_would_mangle(
    capsys: pytest.CaptureFixture[str], user_presets: Path
) -> None:
    write_preset(user_presets, "gpu", '[enlightenments]\nrelaxed = true\nvendor-id = "a&b"\n')
    code, out, err = cli(["export", "gpu", "--format", "virt-install"], capsys)
    assert code == 1 and out == "" and "#838" in err and len(err.splitlines()) == 1
    code, out, _ = cli(["export", "gpu", "--format", "json"], capsys)
    assert code == 0 and "#838" in json.loads(out)["formats"]["virt-install"]["error"]


def test_output_file_is_only_replaced_with_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "cpu.txt"
    assert cli(["export", "minimal", "--format", "qemu", "-o", str(out_file)], capsys)[0] == 0
    first = out_file.read_text()
    assert first.startswith("-cpu host,")
    out_file.write_text("mine")
    code, _, err = cli(["export", "minimal", "--format", "qemu", "-o", str(out_file)], capsys)
    assert code == 2 and "already exists; use --force" in err and out_file.read_text() == "mine"
    code, _, _ = cli(
        ["export", "minimal", "--format", "qemu", "-o", str(out_file), "--force"], capsys
    )
    assert code == 0 and out_file.read_text() == first


def test_into_merges_and_never_changes_the_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    domain = tmp_path / "vm.xml"
    original = (
        "<domain type='kvm'>\n  <name>vm</name>\n  <os><type>hvm</type></os>\n"
        "  <cpu mode='host-passthrough'/>\n</domain>\n"
    )
    domain.write_text(original)
    code, out, err = cli(
        ["export", "windows-desktop", "--format", "libvirt", "--into", str(domain)], capsys
    )
    assert code == 0, err
    assert domain.read_text() == original
    assert parse_libvirt_xml(out).config == presets.find("windows-desktop").config
    assert "<name>vm</name>" in out
    code, _, err = cli(
        [
            "export",
            "windows-desktop",
            "--format",
            "libvirt",
            "--into",
            str(domain),
            "-o",
            str(domain),
            "--force",
        ],
        capsys,
    )
    assert code == 2 and "never changes its input" in err and domain.read_text() == original


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<domain><name>x</name>", "malformed XML"),
        ("<!DOCTYPE d [<!ENTITY x 'y'>]><domain>&x;</domain>", "DOCTYPE declaration"),
        ("<network/>", "not a libvirt domain"),
    ],
)
def test_into_bad_domain_files_are_one_line_exit_2(
    content: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    domain = tmp_path / "bad.xml"
    domain.write_text(content)
    code, out, err = cli(
        ["export", "minimal", "--format", "libvirt", "--into", str(domain)], capsys
    )
    assert code == 2 and out == "" and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["minimal", "--format", "qemu", "--into", "x.xml"], "--into only works with"),
        (["minimal", "--format", "xml"], "invalid choice"),
        (["minimal"], "--format"),
        (["minimal", "--format", "qemu", "--libvirt-version", "nine"], "not a version"),
        (["minimal", "--format", "qemu", "--cpu-model", "host,hv-evmcs=on"], "--cpu-model"),
        (["nosuch", "--format", "qemu"], "no preset with this name"),
        (["minimal", "--format", "qemu", "--force"], "--force only applies to -o"),
        (["minimal", "--format", "libvirt", "--into", "/nonexistent/vm.xml"], "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        code = main(["export", *args])
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert info.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_the_installed_command_prints_to_stdout(tmp_path: Path) -> None:
    result = run_cli(["export", "windows-desktop", "--format", "virt-install"])
    assert result.code == 0, result.err
    assert "--clock hypervclock_present=yes" in result.out
    # evmcs is written off: virt-install's Windows defaults would turn it on (Intel hosts).
    assert parse_virt_install_command(result.out).config == Config.of(
        {**dict(presets.find("windows-desktop").config.values), "evmcs": False}
    )
