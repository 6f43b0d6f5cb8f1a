"""``--format terraform``: the HCL parses (python-hcl2), every attribute is the provider's,
and what the provider makes of it (libvirt XML) gives the preset back."""

from __future__ import annotations

from typing import Any

import hcl2
import pytest
from clirun import DATA
from export.cases import SHIPPED
from export.strategies import libvirt_versions, valid_configs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui import presets
from hvtui.cli import main
from hvtui.export import ExportTarget, resolve_target
from hvtui.export.terraform import build_terraform, hcl_string, render_terraform
from hvtui.importers import parse_domain
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import replace
from hvtui.versions import Version
from stacks.helpers import attribute_paths, hcl_plain, on_values, terraform_domain


def _attributes(text: str) -> dict[str, Any]:
    """The one libvirt_domain resource's attributes, as the provider would get them."""
    parsed = hcl2.loads(text)
    (resource,) = parsed["resource"]
    (by_name,) = resource.values()
    (attributes,) = by_name.values()
    plain = hcl_plain(attributes)
    assert isinstance(plain, dict)
    return plain


def _provider_table() -> set[str]:
    lines = (DATA / "stacks" / "terraform_libvirt_domain_attributes.txt").read_text()
    return {
        line.split()[0] for line in lines.splitlines() if line.strip() and not line.startswith("#")
    }


def _round_trip(config: Config, target: ExportTarget) -> tuple[Config, Config, set[str]]:
    built = build_terraform(config, target)
    attributes = _attributes(render_terraform(config, target))
    imported = parse_domain(terraform_domain(attributes))
    assert imported.problems == (), imported.problems
    return imported.config, built.expressed(), attribute_paths(attributes)


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_export_then_audit_gives_the_preset(preset: presets.Preset) -> None:
    target = resolve_target(preset.target, detect=False, cpu=preset.cpu)[0]
    imported, expressed, paths = _round_trip(preset.config, target)
    assert imported == expressed
    built = build_terraform(preset.config, target)
    left_out = {u.name for u in built.unexpressed}
    assert set(on_values(expressed).as_dict()) | left_out == set(on_values(preset.config).as_dict())
    assert paths <= _provider_table(), paths - _provider_table()


def test_what_the_provider_cannot_pass_is_named() -> None:
    """No <qemu:commandline> in the provider: -global fallbacks and syndbg's device."""
    debugging = presets.find("kernel-debugging")
    target = resolve_target(debugging.target, detect=False)[0]
    assert [u.name for u in build_terraform(debugging.config, target).unexpressed] == ["syndbg"]
    nested = presets.find("nested-hyperv-amd")
    old = resolve_target(nested.target, detect=False)[0]
    names = [u.name for u in build_terraform(nested.config, old).unexpressed]
    assert names == ["emsr-bitmap", "xmm-input", "tlbflush-ext", "tlbflush-direct"]
    new = replace(old, libvirt=Version(11, 0, 0))
    assert build_terraform(nested.config, new).unexpressed == ()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=valid_configs(),
    libvirt=libvirt_versions(),
    cpu=st.builds(
        CpuSettings,
        st.sampled_from([None, True]),
        st.sampled_from([None, 2_800_000_000]),
        st.sampled_from([None, True, False]),
        st.sampled_from([None, True, False]),
    ),
    model=st.sampled_from(["host", "EPYC", "Skylake-Client"]),
)
def test_generated_configurations_round_trip(
    config: Config, libvirt: Version, cpu: CpuSettings, model: str
) -> None:
    target = ExportTarget(cpu_model=model, libvirt=libvirt, cpu=cpu)
    imported, expressed, paths = _round_trip(config, target)
    assert imported == expressed
    assert paths <= _provider_table(), paths - _provider_table()


@pytest.mark.parametrize(
    "vendor", ['a"b', "a\\b", "${file(x)}", "%{ if x }", "$${x}", "#x", "// c", "/* c */"]
)
def test_hostile_vendor_ids_stay_one_string(vendor: str) -> None:
    """Quotes, backslashes and template sequences are escaped: the value comes back as is,
    and nothing is interpolated."""
    text = render_terraform(Config.of(vendor_id=vendor), ExportTarget())
    hyperv = _attributes(text)["features"]["hyper_v"]
    assert hyperv["vendor_id"] == {"state": "on", "value": vendor}
    assert "${" not in text.replace("$${", "")


@pytest.mark.parametrize("text", ["", "a", "a\nb", "\t\r", "\x7f\x01", "é", '"${}"', "%{}"])
def test_hcl_strings_escape_everything(text: str) -> None:
    """(python-hcl2 8.1 reads ``$${`` only when a ``}`` closes it, its grammar's
    ESCAPED_INTERPOLATION; HCL itself takes ``$${`` alone, so unclosed ones are not here.)"""
    parsed = hcl2.loads(f"x = {hcl_string(text)}\n")
    assert hcl_plain(parsed)["x"] == text  # type: ignore[index]


def test_strict_and_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "kernel-debugging", "--format", "terraform", "--strict"]) == 1
    strict = capsys.readouterr()
    assert strict.out == "" and "cannot express syndbg" in strict.err.strip().splitlines()[-1]
    assert main(["export", "windows-desktop", "--format", "terraform"]) == 0
    assert 'resource "libvirt_domain" "windows-desktop"' in capsys.readouterr().out
