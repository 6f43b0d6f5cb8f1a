"""The wizard's footer follows its keys (greyed where they do not apply, gone where there is
no room) and changes only when they change (issue #13; test_footer_keys.py: keys change in
place, as Textual's footer would draw them)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from hvtui.tui.app import HvtuiApp
from hvtui.tui.steps import Step, all_steps
from hvtui.tui.widgets.footer import WizardFooter

from .test_wizard import SIZE, go_to

AppFactory = Callable[..., HvtuiApp]


def greyed(key: Widget) -> bool:
    """The key is shown greyed: it does not apply here."""
    return key.has_class("-disabled")


def keys(app: HvtuiApp) -> dict[str, Widget]:
    """The footer's keys by action (Textual does not export the key class: read by name)."""
    footer = app.screen.query_one(WizardFooter)
    return {str(getattr(key, "action")): key for key in footer.query("FooterKey")}  # noqa: B009


async def test_the_keys_follow_the_step_and_are_rebuilt_only_when_they_change(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = keys(app)
        assert greyed(shown["previous_step"]), "nothing before Host"
        assert not greyed(shown["next_step"])
        assert greyed(shown["toggle_option"]), "nothing to toggle on Host"
        app.screen.refresh_bindings()  # as when the focus moves or a screen resumes
        await pilot.pause()
        assert keys(app) == shown
        assert all(a is b for a, b in zip(keys(app).values(), shown.values(), strict=True)), (
            "the same keys: not rebuilt"
        )

        await go_to(pilot, all_steps()[1])
        after = keys(app)
        assert not greyed(after["previous_step"]), "previous applies now"
        await go_to(pilot, "relaxed")
        assert not greyed(keys(app)["toggle_option"]), "an option: space toggles it"
        await go_to(pilot, Step.REVIEW)
        assert "next_step" not in keys(app), "n chooses a finding while the findings have focus"
        await pilot.press("escape")
        await pilot.pause()
        assert greyed(keys(app)["next_step"]), "from the sidebar: nothing after Review"
