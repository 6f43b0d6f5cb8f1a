"""libvirt's ``<hyperv mode='host-model'>``: written only for the libvirt releases that have it.

libvirt 11.9.0 added the mode and 12.1.0 let child elements override it; both
boundaries are tested on each side.  The libvirt on this machine (9.0) predates
the mode, so its own schema must refuse the element: the real "last release
without" side of the boundary.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from clirun import run_cli

from hvtui.catalog.libvirt_modes import HOST_MODEL
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.libvirt import render_libvirt
from hvtui.importers.libvirt_xml import parse_domain, wrap_fragment
from hvtui.model import Config
from hvtui.versions import Version

from .tools import installed_libvirt, minimal_domain, xml_validate

CONFIG = Config.of(relaxed=True, vapic=True, stimer=False)


def _render(libvirt: Version) -> str:
    return render_libvirt(CONFIG, ExportTarget("host", None, libvirt, hyperv_mode=HOST_MODEL))


def test_refused_before_the_first_release_with_it() -> None:
    with pytest.raises(ExportError) as refused:
        _render(Version(11, 8, 0))
    assert "needs libvirt 11.9.0" in str(refused.value) and refused.value.code == 1


def test_no_children_before_they_override_the_mode() -> None:
    text = _render(Version(12, 0, 0))
    assert '<hyperv mode="host-model" />' in text
    assert "child elements do not override mode='host-model' before libvirt 12.1.0" in text
    assert "refuses the migration" in text, "the migration caveat is said"


def test_children_override_from_121_and_read_back() -> None:
    text = _render(Version(12, 1, 0))
    hyperv = ET.fromstring("<x>" + text + "</x>").find("features/hyperv")
    assert hyperv is not None and hyperv.get("mode") == "host-model"
    assert [child.tag for child in hyperv] == ["relaxed", "vapic", "stimer"]
    imported = parse_domain(ET.fromstring(wrap_fragment(text)))
    assert imported.hyperv_mode == "host-model"
    assert imported.config == CONFIG


def test_cli_refuses_it_outside_libvirt(tmp_path: Path) -> None:
    result = run_cli(["export", "minimal", "--format", "qemu", "--hyperv-mode", "host-model"])
    assert result.code == 2 and "--hyperv-mode only works with" in result.err


@pytest.mark.realtools
def test_this_machines_libvirt_predates_the_mode(tmp_path: Path) -> None:
    installed = installed_libvirt()
    if installed >= HOST_MODEL.since:
        pytest.skip(f"libvirt {installed} has mode='host-model'")
    pieces = "<features><hyperv mode='host-model'/></features>"
    refused = xml_validate(minimal_domain(pieces, cpu="<cpu mode='host-passthrough'/>"), tmp_path)
    assert refused.code != 0, "libvirt before 11.9.0 must not know mode='host-model'"
    custom = "<features><hyperv mode='custom'><relaxed state='on'/></hyperv></features>"
    accepted = xml_validate(minimal_domain(custom, cpu="<cpu mode='host-passthrough'/>"), tmp_path)
    assert accepted.code == 0
