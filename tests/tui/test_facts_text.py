"""The host facts' widget draws what a :class:`Static` draws, wrapping its text once.

:class:`~hvtui.tui.widgets.host.FactsText` keeps the lines it wrapped to learn its
height and paints them; kept too long (a new text, a new width, a new theme), the Host
step would show stale facts or colours.  Here it and a plain Static with the same text
and class stand side by side and must give the same height and the same strips, cell
for cell and style for style, through each of those changes.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from hvtui.tui.widgets.host import FactsText

FACTS = Content.assemble(
    ("✓ ", "$text-success"),
    ("KVM: ", "bold"),
    "available on this machine, with a value long enough to wrap",
    ("\n  why it matters, indented, also long enough to wrap at a narrow width\n", "$text-muted"),
    ("? ", "$text-warning"),
    ("Nested: ", "bold"),
    ("unknown", "$text-warning"),
)


class Pair(App[None]):
    """A plain Static and the facts' widget, one above the other, as wide as the screen."""

    CSS = ".facts { margin: 1 0; color: $text-muted; }"

    def compose(self) -> ComposeResult:
        yield Static(FACTS, id="plain", classes="facts")
        yield FactsText(FACTS, id="facts", classes="facts")


def drawn(widget: Static) -> list[str]:
    """Every line the widget paints, with its styles, and its height at its width."""
    width = widget.size.width
    height = widget.get_content_height(widget.size, widget.size, width)
    lines = [repr(list(widget.render_line(y))) for y in range(widget.size.height + 1)]
    return [f"{width}x{height}", *lines]


async def test_the_facts_draw_as_a_static_draws_through_updates_widths_and_themes() -> None:
    app = Pair()
    async with app.run_test(size=(60, 20)) as pilot:
        plain, facts = app.query_one("#plain", Static), app.query_one("#facts", FactsText)

        async def assert_same(why: str) -> None:
            await pilot.pause()
            assert facts.size == plain.size, why
            assert drawn(facts) == drawn(plain), why

        await assert_same("as mounted")
        for widget in (plain, facts):
            widget.update(FACTS + Content("\n• One more fact"))
        await assert_same("after an update")
        await pilot.resize_terminal(24, 20)
        await assert_same("narrower")
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await assert_same("in another theme")
