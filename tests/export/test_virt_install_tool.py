"""virt-install's own reading of ``--format virt-install`` (optional tool).

virt-install is not among the packages CI installs (Debian package
``virtinst``), so this skips when it is absent, also under ``CI=true``; it is
not a ``realtools`` test.  Where it is installed, ``virt-install --print-xml``
against libvirt's test driver must write exactly the plan's configuration.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from export.tools import VIRT_INSTALL, virt_install_expressed
from hvtui import presets
from hvtui.export import (
    ExportError,
    probe_features,
    render_virt_install,
    resolve_target,
)
from hvtui.formats.safexml import parse as parse_xml
from hvtui.importers import parse_domain, split_command

SHIPPED = [presets.load(p) for p in sorted(presets.shipped_dir().glob("*.toml"))]


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_virt_install_writes_what_the_plan_says(preset: presets.Preset) -> None:
    tool = shutil.which(VIRT_INSTALL)
    if tool is None:
        pytest.skip("virt-install is not installed (Debian package virtinst; optional)")
    target, _ = resolve_target(preset.target, detect=False)
    try:
        text = render_virt_install(preset.config, target, known_features=probe_features())
    except ExportError as exc:
        assert exc.code == 1 and "#838" in str(exc), str(exc)
        return
    args = split_command(text)
    done = subprocess.run(
        [
            tool,
            "--connect",
            "test:///default",
            "--name",
            "hv",
            "--memory",
            "256",
            "--import",
            "--disk",
            "none",
            "--os-variant",
            "generic",
            "--print-xml",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = parse_domain(parse_xml(done.stdout, source="virt-install").root)
    # The plan's configuration, plus offs that keep virt-install's Windows defaults out.
    assert written.config == virt_install_expressed(preset.config, target, probe_features())
