"""``hvtui.lazy.exports``: the packages that load their names on first use hand out
exactly what their modules define, and only those names."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

#: Each lazy package and the table of where its names live.
PACKAGES = [
    ("hvtui.catalog", "_HOMES"),
    ("hvtui.advice", "_LATER"),
    ("hvtui.importers", "_HOMES"),
    ("hvtui.detect", "_LAZY"),
]


@pytest.mark.parametrize(("package", "table"), PACKAGES)
def test_every_lazy_name_is_its_modules_object(package: str, table: str) -> None:
    module = importlib.import_module(package)
    homes: dict[str, str] = getattr(module, table)
    assert homes
    for name, home in homes.items():
        assert getattr(module, name) is getattr(importlib.import_module(home), name), name
        assert name in vars(module), "kept in the package after the first use"
        assert name in dir(module)


@pytest.mark.parametrize(("package", "table"), PACKAGES)
def test_an_unknown_name_is_an_attribute_error(package: str, table: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'nope'"):
        module.nope  # noqa: B018
    with pytest.raises(ImportError):
        exec(f"from {package} import nope", {})


def test_names_load_their_modules_only_when_used() -> None:
    """Importing the packages loads none of the modules their lazy names live in."""
    script = (
        "import sys, hvtui.catalog, hvtui.importers, hvtui.detect\n"
        "before = sorted(m for m in ('hvtui.catalog.entries', 'hvtui.catalog.lookup',"
        " 'hvtui.importers.proxmox', 'hvtui.detect.report') if m in sys.modules)\n"
        "hvtui.catalog.get('relaxed')\n"
        "print(before, 'hvtui.catalog.entries' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"
