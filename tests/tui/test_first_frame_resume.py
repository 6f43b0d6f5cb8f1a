"""The wizard screen's first resume does not restyle the screen (issue #13).

Textual restyles every widget of a screen when the screen is resumed; the wizard's first
resume, right after it was composed and mounted, skips that (``WizardScreen
.on_screen_resume``): each widget was styled as it was mounted.  One test holds the cost
off the first frame, the other that the skipped restyle would have changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.wizard import WizardScreen

AppFactory = Callable[..., HvtuiApp]


async def test_the_first_frame_does_not_restyle_the_whole_screen(make_app: AppFactory) -> None:
    """Until the first frame, nothing restyles the wizard screen with all its widgets."""
    app = make_app()
    restyled: list[DOMNode] = []
    update_styles = app.update_styles

    def spy(node: DOMNode, animate: bool = True) -> None:
        restyled.append(node)
        update_styles(node, animate)

    app.update_styles = spy  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WizardScreen)
        assert app.screen.stack_updates == 1, "the screen was resumed once"
        assert restyled, "the spy sees Textual's restyles (a focused or hovered widget's)"
        assert not [node for node in restyled if isinstance(node, WizardScreen)]


async def test_the_skipped_restyle_would_change_no_style(make_app: AppFactory) -> None:
    """Restyling the whole screen at the first frame, as Textual's resume would have,
    gives every widget the styles it already has."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        nodes = list(screen.walk_children(with_self=True))
        assert len(nodes) > 10, "the wizard's first frame"
        before = [(node, node.styles.css) for node in nodes]
        app.update_styles(screen, animate=False)
        assert [(node, node.styles.css) for node in nodes] == before
