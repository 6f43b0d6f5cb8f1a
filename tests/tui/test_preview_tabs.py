"""Every export format has a preview tab, built when first shown, and none crashes.

The tabs are the export table's (:mod:`hvtui.export.registry`), all of them; the
editors are made in a subprocess here because a grammar that crashes does so with a
segmentation fault, which would take the test run down with it.
"""

from __future__ import annotations

import subprocess
import sys

from clirun import REPO

from hvtui.export import registry
from hvtui.tui import services

#: Builds every tab's editor, saying which before each (so a crash names it).
PROGRAM = """
import sys
from hvtui.tui import services
from hvtui.tui.widgets.preview_tabs import preview_area

for fmt in services.preview_formats():
    print(fmt.name, flush=True)
    preview_area(fmt, "a = 1\\n", light=False)
print("done", flush=True)
"""


def test_the_preview_shows_every_format_tabs_first() -> None:
    shown = services.preview_formats()
    assert {f.name for f in shown} == set(registry.names())
    assert shown[: len(registry.tabs())] == registry.tabs()


def test_no_tab_editor_crashes_the_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    built = proc.stdout.split()
    assert proc.returncode == 0 and built[-1:] == ["done"], (
        f"the editor of the {built[-1] if built else '?'} tab crashed ({proc.returncode})"
    )
