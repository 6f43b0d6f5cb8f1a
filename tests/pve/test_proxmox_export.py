"""``--format proxmox``: export, apply to a VM, audit it back: the preset, exactly."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest
from export.cases import SHIPPED
from export.strategies import valid_configs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import presets
from hvtui.export import ExportTarget, resolve_target
from hvtui.export.proxmox import plan_proxmox, render_proxmox
from hvtui.formats.proxmox import quote_arg, split_args
from hvtui.model import Config
from pve.support import BASE, apply_script, audit_after


def on_values(config: Config) -> dict[str, object]:
    return {name: value for name, value in config if config.is_on(name)}


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_preset_round_trips(preset: presets.Preset) -> None:
    target, _ = resolve_target(preset.target, detect=False)
    script = render_proxmox(preset.config, target, preset_name=preset.name)
    imported = audit_after(script)
    assert imported.problems == (), imported.problems
    assert on_values(imported.config) == on_values(preset.config), script


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs(allow_passthrough=False))
def test_generated_configurations_round_trip(config: Config) -> None:
    target = ExportTarget("host")
    script = render_proxmox(config, target, preset_name="gen")
    imported = audit_after(script)
    assert imported.problems == (), (imported.problems, script)
    assert on_values(imported.config) == on_values(config), script


def test_windows_desktop_needs_no_args_and_says_what_it_changes() -> None:
    preset = presets.load(presets.shipped_dir() / ("windows-desktop" + ".toml"))
    plan = plan_proxmox(preset.config, ExportTarget("host"), preset_name=preset.name)
    assert plan.args is None
    assert plan.cpu == "custom-hvtui-windows-desktop,flags=+hv-tlbflush"
    assert plan.model_lines == (
        ("flags", "-hv-reset;+hv-frequencies;+hv-stimer-direct"),
        ("reported-model", "host"),
    )
    assert plan.removed == ("hv-reset",)


def test_a_value_proxmox_cannot_say_goes_into_args_with_the_whole_cpu() -> None:
    preset = presets.load(presets.shipped_dir() / ("windows-server-migratable" + ".toml"))
    plan = plan_proxmox(preset.config, ExportTarget("host"))
    assert plan.via_args == ("hv-spinlocks=0xfff",)
    words = split_args(plan.args or "")
    assert words is not None and words[0] == "-cpu" and "hv-spinlocks=0xfff" in words[1]
    assert plan.cpu == "host" and plan.model is None


def test_an_evmcs_rule_of_newer_qemu_server_is_turned_off_when_it_may_apply() -> None:
    # qemu-server 9.2 (rule not verified): hv_evmcs for win11 on Intel, machine 11.0+pve2.
    base = BASE.replace("machine: pc-q35-10.1", "machine: pc-q35-11.0+pve2")
    preset = presets.load(presets.shipped_dir() / ("windows-desktop" + ".toml"))
    from hvtui.formats.proxmox import context_of
    from hvtui.importers.proxmox import proxmox_options

    options = proxmox_options(base)
    assert options is not None
    ctx = context_of(options)
    plan = plan_proxmox(preset.config, ExportTarget("host"), preset_name="d", context=ctx)
    assert "-hv-evmcs" in plan.cpu
    from hvtui.export.proxmox import ProxmoxPlan  # noqa: F401  (documented type)

    for intel in (True, False, None):
        conf = base.replace("ostype: win11\n", f"ostype: win11\ncpu: {plan.cpu}\n")
        from hvtui.formats.proxmox import parse_cpu_models
        from hvtui.importers.proxmox import parse_proxmox_config

        models = parse_cpu_models(plan.model_block)
        got = parse_proxmox_config(conf, cpu_models=models, host_intel=intel)
        assert on_values(got.config) == on_values(preset.config)


HOSTILE = string.printable.replace(",", "").replace("\n", "").replace("\r", "")
HOSTILE = "".join(c for c in HOSTILE if " " <= c <= "~")


@settings(max_examples=80, deadline=None)
@given(st.text(HOSTILE, min_size=1, max_size=12))
def test_any_vendor_id_survives_shell_and_proxmox(vendor: str) -> None:
    config = Config.of({"relaxed": True, "vendor-id": vendor})
    script = render_proxmox(config, ExportTarget("host"))
    conf, _models = apply_script(script)
    assert conf.count("\n") == len(BASE.splitlines()) + 2 - ("cpu:" in BASE)  # cpu + args
    imported = audit_after(script)
    assert imported.config.get("vendor-id") == vendor
    # The shell sees one command: bash -n finds no syntax error, whatever the value.
    done = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("word", ["a b", 'q"uote', "it's", "#hash", "back\\slash", "$(x)", ""])
def test_args_words_read_back_as_written(word: str) -> None:
    assert split_args(quote_arg(word)) == [word]


@pytest.mark.parametrize("bad", ["a\nb", "tab\there", "bell\x07"])
def test_control_characters_are_refused_for_args(bad: str) -> None:
    with pytest.raises(ValueError, match="control character"):
        quote_arg(bad)


def test_cli_writes_the_script_and_exit_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hvtui", "export", "minimal", "--format", "proxmox"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "qm set" in done.stdout and done.stderr == ""
