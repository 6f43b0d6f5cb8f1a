"""The whole flow works on every real snapshot and on this machine (live detection).

Every step is walked here on the one snapshot no demo host is built from; the other
snapshots are the demo hosts' sources, whose every step ``test_first_contact.py`` walks,
so here they go straight to Review and back. On this machine every pane is built (as
the wizard prepares them after its first frame) before going to Review.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import HOSTS

from hvtui import catalog
from hvtui.tui.app import HvtuiApp
from hvtui.tui.steps import Step, all_steps
from hvtui.tui.widgets.host import HostPane
from hvtui.tui.widgets.review import ReviewPane

from .test_panes import prepared
from .test_wizard import go_to

SNAPSHOTS = sorted(p.name for p in HOSTS.iterdir() if p.is_dir()) if HOSTS.is_dir() else []


#: The demo hosts' sources (``scripts/build_demos.py``): their demos are walked step by step.
DEMO_SOURCES = {
    "util-linux-x86_64-64cpu-linux6.2",
    "util-linux-x86_64-epyc_7451",
    "util-linux-vmware_fpe",
}


async def _walk(app: HvtuiApp, *, every_step: bool = True) -> None:
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        wizard = app.wizard
        assert wizard.step == Step.HOST
        assert app.screen.query_one(HostPane)
        if app.prepare_panes:
            await prepared(pilot)  # every pane built for this host
        if every_step:
            for _ in range(len(all_steps()) - 1):
                await pilot.press("n")
            await pilot.pause()
        else:
            await go_to(pilot, Step.REVIEW)
        assert wizard.step == Step.REVIEW
        assert app.screen.query_one(ReviewPane)
        # Toggle an option nothing depends on: the model follows, with its requirements.
        option = "stimer-direct"
        wizard.go_to(option)
        await pilot.pause()
        before = wizard.preset.config.is_on(option)
        await pilot.press("space")
        await pilot.pause()
        after = wizard.preset.config
        assert after.is_on(option) is not before
        if after.is_on(option):
            assert all(after.is_on(r) for r in catalog.all_requirements(option))
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert wizard.preset.config.is_on(option) is before


@pytest.mark.long
@pytest.mark.parametrize("name", SNAPSHOTS)
async def test_flow_on_every_snapshot(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(HOSTS / name, root, symlinks=True)
    # Each pane is built on its visit: the demo hosts' panes are walked elsewhere.
    app = HvtuiApp(sysroot=root, probe=False, prepare_panes=False)
    await _walk(app, every_step=name not in DEMO_SOURCES)


async def test_flow_on_this_machine() -> None:
    await _walk(HvtuiApp(sysroot=None, probe=False, prepare_panes=True), every_step=False)


def test_snapshots_are_there() -> None:
    assert len(SNAPSHOTS) >= 4, f"expected the host snapshots under {HOSTS}"
    assert set(SNAPSHOTS) > DEMO_SOURCES, "one snapshot at least is walked step by step"
