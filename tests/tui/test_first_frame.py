"""What the wizard loads on the way to its first frame (issue #13).

The first frame is what someone waits for after typing ``hvtui``; everything the
wizard needs only later (an exporter, an importer, the command palette, the
preview's tabs, a syntax highlighter, the slow probes' libraries, the CLI's error
handling and host options, the raw CPUID reader a snapshot never uses, the file
writer, QEMU's list of CPU models a preset without one never checks) is imported
after it, when it is first used.  A fresh interpreter runs ``hvtui --demo`` as
the console script does (headless: the test has no terminal) and lists, at the
first frame, which of those are loaded.
"""

from __future__ import annotations

import subprocess
import sys

from clirun import REPO

from tui.support import DEMO

#: Loaded only once they are used, never for the first frame.
LATER = (
    "hvtui.export",
    "hvtui.importers",
    "hvtui.audit",
    "hvtui.libvirt",
    "hvtui.verify",
    "hvtui.compare",
    "hvtui.cli.parser",
    "argparse",
    "hvtui.tui.commands",
    "hvtui.tui.screens.dialogs",
    "hvtui.tui.widgets.preview_tabs",
    "textual.widgets._tabbed_content",
    "rich.syntax",
    "pygments",
    "psutil",
    "cpuinfo",
    "libvirt",
    "tomllib",
    "tomli_w",
    "textual.widgets._footer",
    "hvtui.tui.clipboard",
    "concurrent.futures.thread",
    "hvtui.tui.widgets.option",
    "textual.widgets._switch",
    "textual.widgets._label",
    "hvtui.cli.errors",
    "hvtui.cli.hostsource",
    "hvtui.detect.raw_cpuid",
    # Detection's own modules: it runs in a child process (hvtui.tui.early_detection),
    # which sends the host back; the wizard's process loads only the host's types.
    "hvtui.detect.pipeline",
    "hvtui.detect.kvm_ioctl",
    "hvtui.detect.live",
    "hvtui.formats.qemu_opts",
    "hvtui.detect.snapshot",
    "hvtui.untrusted",
    "hvtui.fsutil",
    "hvtui.cpumodels",
)

#: Loaded on the way to the first frame for a demo host, not on this host: the demos'
#: list (reading a snapshot and its manifest is detection's, in its child).
LATER_LIVE = ("hvtui.demos",)

#: ``python -c``: the console script's path to the wizard, headless, that prints at the
#: first frame (``on_ready``) the modules of the list given it finds loaded, then stops
#: (``hvtui`` then the other words given: ``--demo NAME``, or none for this host).
FIRST_FRAME = """\
import functools, os, sys
import hvtui.tui
from textual.app import App
hvtui.tui.terminal_problem = lambda: None  # no terminal here: headless instead
from hvtui.tui.app import HvtuiApp
HvtuiApp.run = functools.partialmethod(App.run, headless=True, size=(120, 36))
later = sys.argv[1].split(",")
def on_ready(self):
    shown = self.wizard.query_one("#detail").__class__.__name__
    loaded = [name for name in later if name in sys.modules]
    print(shown, *loaded, flush=True)
    os._exit(0)
HvtuiApp.on_ready = on_ready
sys.argv = ["hvtui", *sys.argv[2:]]
from hvtui.__main__ import main
main()
"""


def loaded_at_first_frame(later: tuple[str, ...], *words: str) -> list[str]:
    """Which of ``later`` are loaded when ``hvtui WORDS...`` draws its first frame (which
    must be the Host pane's)."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, ",".join(later), *words],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown, *loaded = done.stdout.split()
    assert shown == "HostPane", "the wizard reached its first frame"
    return loaded


def test_the_first_frame_loads_nothing_it_does_not_show() -> None:
    """At the first frame the Host pane is drawn and none of :data:`LATER` is loaded."""
    assert loaded_at_first_frame(LATER, "--demo", DEMO) == []


def test_on_this_host_the_first_frame_reads_no_snapshot() -> None:
    """The wizard on this host (no ``--sysroot``, no ``--demo``) loads none of what reads
    a snapshot, :data:`LATER_LIVE`, on the way to its first frame."""
    assert loaded_at_first_frame(LATER_LIVE) == []
