"""Where the libvirt binding comes from, and one line when there is none."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from clirun import run_python

from hvtui.libvirt.apply import backup_stem, redact
from hvtui.libvirt.hostfacts import hyperv_from_domcaps

DEBIAN = Path("/usr/lib/python3/dist-packages")


def test_missing_binding_is_one_line_and_exit_2() -> None:
    done = run_python(
        "import sys; sys.modules['libvirt'] = None\n"
        "import hvtui.libvirt.binding as b; b.SYSTEM_DIRS = ()\n"
        "from hvtui.cli import main; sys.exit(main(['detect', '--connect', 'qemu:///system']))",
        timeout=60,
    )
    assert done.code == 2
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hvtui: the libvirt Python binding")
    assert "python3-libvirt" in lines[0] and "libvirt-dev" in lines[0]


def test_the_distributions_binding_loads_without_the_rest_of_dist_packages() -> None:
    if not (DEBIAN / "libvirt.py").is_file():
        pytest.skip("python3-libvirt is not installed (Debian)")
    done = run_python(
        "import sys; sys.modules['libvirt'] = None; sys.modules['libvirtmod'] = None\n"
        "from hvtui.libvirt import binding\n"
        "module = binding.load()\n"
        f"assert module.__file__ == {str(DEBIAN / 'libvirt.py')!r}, module.__file__\n"
        f"assert {str(DEBIAN)!r} not in sys.path\n"
        "print(module.getVersion())",
        timeout=60,
    )
    assert done.code == 0, done.err
    assert int(done.out) >= 9_000_000


def test_secrets_are_masked_and_names_are_file_safe() -> None:
    assert redact("<graphics passwd='a b' x='1'/>") == "<graphics passwd='***' x='1'/>"
    assert backup_stem("win11") == "win11"
    assert backup_stem("../x y") == "%2Fx%20y"
    assert "/" not in backup_stem("a/b") and not backup_stem("..").startswith(".")


def _domcaps(features: str) -> ET.Element:
    return ET.fromstring(
        "<domainCapabilities><features><hyperv supported='yes'><enum name='features'>"
        + "".join(f"<value>{f}</value>" for f in features.split())
        + "</enum></hyperv></features></domainCapabilities>"
    )


def test_hyperv_list_is_known_only_when_libvirt_can_tell_it_all() -> None:
    notes: list[str] = []
    none, source = hyperv_from_domcaps(_domcaps("spinlocks vendor_id"), "9.0.0", notes)
    assert none.value == () and source.value == "libvirt"
    some, _ = hyperv_from_domcaps(_domcaps("relaxed vapic spinlocks stimer"), "9.0.0", notes)
    assert some.value is None and some.code == "missing" and "time" in (some.reason or "")
    assert any("confirms KVM support for: relaxed, vapic, stimer" in n for n in notes)
    old, _ = hyperv_from_domcaps(ET.fromstring("<domainCapabilities/>"), "8.0.0", notes)
    assert old.value is None and "since 9.0.0" in (old.reason or "")
