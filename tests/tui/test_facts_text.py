"""The host facts' widget draws what a :class:`Static` draws, wrapping its text once.

:class:`~hvtui.tui.widgets.host.FactsText` keeps the lines it wrapped to learn its
height and paints them; kept too long (a new text, a new width, a new theme), the Host
step would show stale facts or colours.  Here it and a plain Static with the same text
and class stand side by side and must give the same height and the same strips, cell
for cell and style for style, through each of those changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Static

from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.records import replace
from hvtui.tui.services import Host
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.host import FactsText, HostPane

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
        lines = [Content.styled("• Given as lines", "bold"), Content("  the text they make")]
        plain.update(Content("\n").join(lines))
        facts.update(lines)
        await assert_same("given as lines")
        assert str(facts.visual) == "• Given as lines\n  the text they make"
        await pilot.resize_terminal(24, 20)
        await assert_same("narrower")
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await assert_same("in another theme")


#: Lines that fit and lines Textual must wrap: runs of spaces, leading and trailing
#: spaces, a word longer than the width (folded), wide characters, empty lines, styles
#: across a cut.
AWKWARD = Content.assemble(
    ("✓ ", "$text-success"),
    ("Label: ", "bold"),
    "a value  with two  spaces and averylongwordthatisfoldedacrossthelinesofanarrowpane ok",
    ("\n  indented why, 漢字の幅は二つ, and more words to wrap ", "$text-muted"),
    ("over a cut\n", "italic $text-accent"),
    "   leading spaces then words      \n\n",
    ("trailing spaces" + " " * 30, "reverse"),
    "\n" + "x" * 70 + "\n",
)

#: Texts Textual draws itself (:meth:`Visual.to_strips`): a link, a click, a tab.
TEXTUAL_DRAWN = [
    Content.from_markup("[link='https://example.com']a link[/link] in words to wrap"),
    Content.from_markup("[@click=app.bell]a click[/] in words to wrap"),
    Content("a\\ttab\\tin words to wrap".replace("\\t", "\t")),
]


class Pairs(App[None]):
    """For each text a plain Static, a FactsText that draws its lines ahead, one that
    draws them when painted and one given the text's lines (copies, not split from it)."""

    CSS = ".facts { margin: 1 0; color: $text-muted; } .centred { text-align: center; }"

    def __init__(self, texts: list[Content], classes: str = "facts") -> None:
        super().__init__()
        self.texts = texts
        self.classes_ = classes

    def compose(self) -> ComposeResult:
        for index, text in enumerate(self.texts):
            yield Static(text, id=f"plain{index}", classes=self.classes_)
            yield FactsText(text, id=f"ahead{index}", classes=self.classes_)
            yield FactsText(text, id=f"painted{index}", classes=self.classes_, ahead=False)
            lines = [Content(line.plain, list(line.spans)) for line in text.split(allow_blank=True)]
            yield FactsText(lines, id=f"lines{index}", classes=self.classes_)


async def assert_drawn_as_static_at_every_width(
    app: Pairs, widths: range, monkeypatch: pytest.MonkeyPatch
) -> set[tuple[int, Widget]]:
    """Compare each FactsText with its Static at each width of the screen; the widgets
    Textual's :meth:`Visual.to_strips` drew on the way, with the width drawn at."""
    drawn_by_textual: set[tuple[int, Widget]] = set()
    to_strips = Visual.to_strips

    def spy(widget: Widget, visual: Visual, width: int, *args: Any, **kwargs: Any) -> list[Strip]:
        drawn_by_textual.add((width, widget))
        return to_strips(widget, visual, width, *args, **kwargs)

    monkeypatch.setattr(Visual, "to_strips", spy)
    async with app.run_test(size=(widths.start, 20)) as pilot:
        for width in widths:
            await pilot.resize_terminal(width, 20)
            await pilot.pause()
            for index in range(len(app.texts)):
                plain = app.query_one(f"#plain{index}", Static)
                for kind in ("ahead", "painted", "lines"):
                    facts = app.query_one(f"#{kind}{index}", FactsText)
                    assert facts.size == plain.size, (width, index, kind)
                    assert drawn(facts) == drawn(plain), (width, index, kind)
    return drawn_by_textual


async def test_lines_that_fit_and_lines_wrapped_draw_as_a_static_at_every_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every width from 1 to 80 columns, cell for cell, style for style, with each
    segment's offset in its source line (what Textual's text selection reads).  At 27
    columns or more, the facts' widgets draw it without Textual's :meth:`Visual.to_strips`;
    narrower, Textual folds the long word so that a line starts in a run of spaces
    (no offset to find): Textual draws those."""
    app = Pairs([AWKWARD])
    by_textual = await assert_drawn_as_static_at_every_width(app, range(1, 81), monkeypatch)
    widths = {width for width, widget in by_textual if isinstance(widget, FactsText)}
    assert widths and max(widths) < 27


@pytest.mark.parametrize(
    ("texts", "classes"), [(TEXTUAL_DRAWN, "facts"), ([AWKWARD], "facts centred")]
)
async def test_what_textual_draws_itself_draws_as_a_static(
    monkeypatch: pytest.MonkeyPatch, texts: list[Content], classes: str
) -> None:
    """Links, clicks, tabs, a centred text: drawn by Textual's :meth:`Visual.to_strips`,
    the same lines as a Static's."""
    app = Pairs(texts, classes)
    by_textual = await assert_drawn_as_static_at_every_width(app, range(8, 30, 7), monkeypatch)
    assert set(app.query(FactsText)) <= {widget for _, widget in by_textual}


class HostStep(App[None]):
    """The Host step's pane alone, for a host whose slow probes are still running."""

    CSS = ".pane .title { margin-top: 1; } .facts { margin: 1 0; color: $text-muted; }"

    def __init__(self, view: WizardView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield HostPane(self.view)


async def test_the_title_and_heading_are_one_text_redrawn_when_the_probes_report() -> None:
    """The step's title and where the facts come from are one widget's lines (one widget
    fewer on the first frame); when the slow probes report, its lines say so and the
    title stays on top."""
    probing = replace(
        WizardView.build(Preset("empty", Config()), Host("unavailable"), Preset("empty", Config())),
        probing=True,
    )
    app = HostStep(probing)
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(HostPane)
        heading = pane.query_one("#host-heading", FactsText)
        await pilot.pause()
        assert [line.text.rstrip() for line in heading.render_lines(heading.size.region)] == [
            "Host",
            "No host facts  (more facts arriving…)",
        ]
        pane.view = replace(probing, probing=False)
        await pilot.pause()
        assert [line.text.rstrip() for line in heading.render_lines(heading.size.region)] == [
            "Host",
            "No host facts",
        ]
