"""The wizard across terminal widths: the preview beside the pane from 110 columns, one key
(``v``) away below.

The wizard skips Textual's relayout for a resize to the size it is already laid out
at (three of them come on the way to the first frame, issue #13); a resize to another
width must still move the preview.  (A resize of the wizard under a dialog takes the
same path; it is not repeated here: the help dialog and two more relayouts would cost
this test another 1.8 s of CPU.)
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widget import Widget

from hvtui.tui.app import HvtuiApp

WIDE_SIZE = (120, 36)
NARROW_SIZE = (90, 36)


def preview_beside(app: HvtuiApp) -> bool:
    """The wizard's breakpoint class says wide and the preview takes room on screen."""
    wizard = app.wizard
    preview = wizard.query_one("#preview", Widget)
    wide = wizard.has_class("-wide") and not wizard.has_class("-narrow")
    narrow = wizard.has_class("-narrow") and not wizard.has_class("-wide")
    assert wide != narrow, wizard.classes
    assert wide == (preview.region.width > 0)
    return wide


async def resize(pilot: Pilot[int], size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    await pilot.pause(0.05)  # Textual hands a resize on after 1/120 s
    await pilot.pause()


async def test_the_preview_follows_the_width(make_app: Callable[..., HvtuiApp]) -> None:
    """Wide, the same size again, narrow: the preview is beside the pane exactly when the
    terminal is wide."""
    app = make_app()
    async with app.run_test(size=WIDE_SIZE) as pilot:
        assert preview_beside(app)
        await resize(pilot, WIDE_SIZE)  # the same size: nothing changes
        assert preview_beside(app)
        await resize(pilot, NARROW_SIZE)
        assert not preview_beside(app)


async def test_a_resize_within_a_breakpoint_lays_the_wizard_out_again(
    make_app: Callable[..., HvtuiApp],
) -> None:
    """Taller and wider without crossing 110 columns: the panes and the sidebar take the
    new room (a resize is skipped only when the screen is laid out at that size)."""
    app = make_app()
    async with app.run_test(size=WIDE_SIZE) as pilot:
        panes = app.wizard.query_one("#panes", Widget)
        before = panes.region
        await resize(pilot, (200, 60))
        after = panes.region
        assert after.height == before.height + 24, (before, after)
        assert after.width > before.width, (before, after)
        assert preview_beside(app)
        await resize(pilot, WIDE_SIZE)
        assert panes.region == before
