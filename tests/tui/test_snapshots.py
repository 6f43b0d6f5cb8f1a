"""Screenshots of the main screens, compared with accepted SVGs (pytest-textual-snapshot).

The app runs on a copy of a real host snapshot without the slow probes, with
the cursor steady and no toasts, so the pictures depend on the code only.
SVG output changes with Textual itself, so the snapshots are only compared
under the pinned version; ``pytest --snapshot-update`` accepts new pictures
after a human looked at ``snapshot_report.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from hvtui import presets
from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.app import HvtuiApp

from .test_wizard import go_to

#: The Textual version the SVGs were accepted with (pyproject pins the same).
TEXTUAL = "8.2.8"

pytestmark = pytest.mark.skipif(
    version("textual") != TEXTUAL,
    reason=f"snapshots are accepted with textual {TEXTUAL}; installed {version('textual')}",
)

SnapCompare = Callable[..., bool]
AppFactory = Callable[..., HvtuiApp]


def desktop(**changes: int | bool | str) -> Preset:
    """The shipped windows-desktop preset with some values changed."""
    preset = presets.load(presets.shipped_dir() / "windows-desktop.toml")
    return Preset(preset.name, preset.config.with_values(changes.items()), preset.description)


def test_host_screen_at_80x24(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    """The first screen on the smallest supported terminal: the host's facts and why."""
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_host_screen_wide(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    """A wide terminal: sidebar, host facts and the preview side by side."""
    assert snap_compare(make_app(), terminal_size=(140, 40))


def test_step_with_a_warning(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    """spinlocks below libvirt's minimum: the value, the warning with its fix, the docs."""

    async def show(pilot: Pilot[int]) -> None:
        await go_to(pilot, "spinlocks")
        pilot.app.screen.query_one("#value", Input).blur()

    app = make_app(preset=desktop(spinlocks=0x800))
    assert snap_compare(app, terminal_size=(120, 36), run_before=show)


def test_preview_one_key_away(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    """On 80x24 the preview replaces the pane after ``v``."""
    app = make_app(preset=desktop())
    assert snap_compare(app, terminal_size=(80, 24), press=["v"])


def test_review_screen(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    """Findings with fixes, the migration badge and the peers' defaults."""

    async def show(pilot: Pilot[int]) -> None:
        await go_to(pilot, "review")

    broken = Preset("lab-vm", Config.of(relaxed=True, stimer=True, reenlightenment=True))
    assert snap_compare(make_app(preset=broken), terminal_size=(120, 40), run_before=show)
