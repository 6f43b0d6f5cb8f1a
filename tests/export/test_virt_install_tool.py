"""virt-install's own reading of ``--format virt-install``.

``virt-install --print-xml`` against libvirt's test driver must write exactly the
plan's configuration.  CI installs virt-install (Debian package ``virtinst``), so
there a missing one fails (:func:`export.tools.require`); elsewhere it skips.
"""

from __future__ import annotations

import pytest

from export.cases import SHIPPED
from export.tools import virt_install_expressed, virt_install_xml
from hvtui import presets
from hvtui.export import (
    ExportError,
    probe_features,
    render_virt_install,
    resolve_target,
)
from hvtui.formats.safexml import parse as parse_xml
from hvtui.importers import parse_domain, split_command

pytestmark = pytest.mark.realtools


@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.name)
def test_virt_install_writes_what_the_plan_says(preset: presets.Preset) -> None:
    target, _ = resolve_target(preset.target, detect=False)
    try:
        text = render_virt_install(preset.config, target, known_features=probe_features())
    except ExportError as exc:
        assert exc.code == 1 and "#838" in str(exc), str(exc)
        return
    args = split_command(text)
    xml = virt_install_xml(args)
    written = parse_domain(parse_xml(xml, source="virt-install").root)
    # The plan's configuration, plus offs that keep virt-install's Windows defaults out.
    assert written.config == virt_install_expressed(preset.config, target, probe_features())
