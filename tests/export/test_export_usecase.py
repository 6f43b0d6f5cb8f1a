"""The one export use-case and the one format table (issue #13).

``hvtui export``, ``recommend``'s snippets and the wizard all call
:func:`hvtui.export.export_preset`; the ``--format`` choices and the wizard's tabs
come from :mod:`hvtui.export.registry`.
"""

from __future__ import annotations

import argparse

import pytest

from hvtui import export, presets
from hvtui.cli import build_parser, cmd_recommend, main
from hvtui.export import context, registry
from hvtui.model import Config
from hvtui.presets import Preset, Target
from hvtui.records import replace
from hvtui.versions import parse_version


@pytest.fixture(autouse=True)
def no_host_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output must not depend on what this machine has installed."""
    monkeypatch.setattr(export, "probe_features", lambda: None)
    monkeypatch.setattr(context, "detected_libvirt", lambda: None)


def _choices(parser: argparse.ArgumentParser, command: str) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    fmt = next(a for a in sub.choices[command]._actions if a.dest == "format")
    return list(fmt.choices or ())


def test_the_table_names_every_format_once_with_label_lexer_and_suffix() -> None:
    names = registry.names()
    assert names[:5] == ("qemu", "libvirt", "virt-install", "toml", "json")  # then new ones
    assert len(set(names)) == len(names)
    for fmt in registry.all_formats():
        assert fmt.label and fmt.lexer and fmt.suffix.startswith(".")
    assert [f.name for f in registry.tabs()] == ["toml", "qemu", "libvirt", "virt-install"]
    assert {f.name: f.lexer for f in registry.tabs()} == {
        "toml": "toml",
        "qemu": "bash",
        "libvirt": "xml",
        "virt-install": "bash",
    }


def test_the_cli_takes_its_format_choices_from_the_table() -> None:
    parser = build_parser()
    assert _choices(parser, "export") == list(registry.names())
    exported = [n for n in registry.names() if n not in ("toml", "json")]
    assert _choices(parser, "recommend") == ["text", "toml", *exported, "json"]
    assert exported[:3] == ["qemu", "libvirt", "virt-install"]


def test_a_registered_format_appears_in_export_and_recommend(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def names_only(preset: Preset, target: export.ExportTarget, _k: frozenset[str] | None) -> str:
        return " ".join(preset.config.enabled())  # no newline: the use-case adds it

    extra = registry.Format("names", "Names", "text", ".txt", names_only)
    monkeypatch.setitem(registry._FORMATS, "names", extra)
    assert "names" in _choices(build_parser(), "export")
    assert "names" in cmd_recommend.formats()
    assert main(["export", "windows-desktop", "--format", "names"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and "relaxed" in out
    with pytest.raises(ValueError, match="twice"):
        registry.register(extra)


@pytest.mark.parametrize("fmt", registry.names())
def test_every_format_of_a_shipped_preset_exports_ending_in_a_newline(fmt: str) -> None:
    result = export.export_preset(presets.find("windows-desktop"), fmt, detect=False)
    assert isinstance(result, export.Export), result
    assert result.text.endswith("\n") and result.format.name == fmt
    target, _ = export.resolve_target(presets.find("windows-desktop").target, detect=False)
    body = result.format.render(presets.find("windows-desktop"), target, None)
    assert result.text.rstrip("\n") == body.rstrip("\n")


def test_errors_refuse_with_the_findings_and_exit_1() -> None:
    preset = Preset("broken", Config.of(stimer=True), "", Target())
    result = export.export_preset(preset, "qemu", detect=False)
    assert isinstance(result, export.Refusal)
    assert (result.stage, result.code) == ("findings", 1)
    assert result.message == f"not exported: {len(result.findings)} error" + (
        "s" if len(result.findings) != 1 else ""
    )
    assert result.findings and all(f.severity.value == "error" for f in result.findings)


def test_a_bad_cpu_model_refuses_at_the_target_with_exit_2() -> None:
    result = export.export_preset(
        presets.find("windows-desktop"), "qemu", cpu_model="no-such-cpu", detect=False
    )
    assert isinstance(result, export.Refusal)
    assert (result.stage, result.code) == ("target", 2)
    assert "\n" not in result.message


def test_an_unreadable_domain_is_read_only_after_the_checks() -> None:
    def unreachable() -> bytes:
        raise AssertionError("read before the findings refused the preset")

    preset = Preset("broken", Config.of(stimer=True), "", Target())
    result = export.export_preset(preset, "libvirt", detect=False, into=unreachable)
    assert isinstance(result, export.Refusal) and result.stage == "findings"


def test_a_merge_refusal_keeps_the_notes_of_the_target() -> None:
    preset = replace(presets.find("windows-desktop"), target=Target(qemu=parse_version("8.0")))
    result = export.export_preset(
        preset,
        "libvirt",
        qemu=parse_version("9.0"),
        detect=False,
        into=lambda: b"<notadomain/>",
        into_label="x.xml",
    )
    assert isinstance(result, export.Refusal)
    assert (result.stage, result.code) == ("format", 2)
    assert result.message.startswith("x.xml: not a libvirt domain")
    assert any("9.0" in note or "8.0" in note for note in result.notes)


def test_recommend_refuses_a_snippet_hvtui_export_would_refuse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["recommend", "--demo", "intel-tigerlake", "--qemu-version", "6.0", "--format", "qemu"]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[-1].startswith("hvtui: recommended-") and "not exported:" in err[-1]
    assert all("error:" in line for line in err[:-1]) and len(err) > 1
