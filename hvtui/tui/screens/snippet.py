"""The snippet, full width: nothing beside it, so the terminal's own selection takes only it.

The preview pane sits next to the sidebar and soft-wraps wherever the column
ends, cutting ``hv-stimer-direct=on`` in two; a terminal selection there also
picks up the sidebar.  This screen shows one snippet across the whole width,
broken only between tokens (:func:`~hvtui.tui.state.wrap_snippet`), and offers
the clipboard (where the terminal supports it), a file, or the snippet printed
plainly on the terminal itself (the app suspended), where even a line longer
than the window is selected in one piece.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from hvtui.tui import later_css, services
from hvtui.tui.state import plural, wrap_snippet
from hvtui.tui.widgets.footer import WizardFooter


class SnippetScreen(Screen[None]):
    """One snippet over the whole terminal; ``tab`` (or ``←``/``→``) switches format."""

    CSS_PATH = later_css.SNIPPET
    """Read just after the wizard's first frame (:mod:`hvtui.tui.later_css`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", tooltip="Back to the wizard", id="snippet-close"),
        Binding("tab", "cycle(1)", "Next format", tooltip="The next format", id="fmt-next"),
        Binding("shift+tab", "cycle(-1)", "Format", show=False, id="fmt-previous"),
        Binding("right", "cycle(1)", "Format", show=False, id="fmt-right"),
        Binding("left", "cycle(-1)", "Format", show=False, id="fmt-left"),
        Binding("c", "copy", "Copy", tooltip="Copy to the clipboard", id="snippet-copy"),
        Binding("w", "write", "Write file", tooltip="Write to a file", id="snippet-write"),
        Binding(
            "t",
            "print_plain",
            "Print plainly",
            tooltip="Show it on the terminal itself, unwrapped, to select",
            id="snippet-print",
        ),
    ]

    def __init__(
        self,
        texts: dict[str, str],
        fmt: str,
        *,
        copy: Callable[[str], object],
        write: Callable[[str], object],
    ) -> None:
        """``texts``: each format's snippet (what the preview shows); ``copy`` and ``write``
        are the wizard's own (they know the clipboard support and ask before replacing)."""
        super().__init__(classes="snippet-screen")
        self._texts = texts
        self._formats = [f for f in services.format_names() if f in texts]
        self.fmt = fmt if fmt in texts else self._formats[0]
        """The format shown."""
        self._copy = copy
        self._write = write
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="snippet-title", classes="snippet-title")
        with VerticalScroll(id="snippet-scroll"):
            yield Static(id="snippet-text", classes="snippet-text")
        yield WizardFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._draw()

    @property
    def text(self) -> str:
        """The snippet shown, exactly (unwrapped)."""
        return self._texts[self.fmt]

    @property
    def lines(self) -> list[str]:
        """The snippet as drawn: broken between tokens to the screen's width."""
        return wrap_snippet(self.text.rstrip("\n"), max(self.size.width - 1, 20))

    def _draw(self) -> None:
        self._width = self.size.width
        lines = self.lines
        wrapped = len(lines) - len(self.text.rstrip("\n").splitlines())
        label = services.export_format(self.fmt).label
        note = (
            f"{plural(wrapped, 'line break')} added to fit (between tokens): t prints it "
            "unwrapped, c copies it exactly"
            if wrapped
            else "shift+drag selects it in most terminals"
        )
        self.query_one("#snippet-title", Static).update(
            Content.assemble((f"{label} snippet", "bold $text-accent"), "  ", (note, "$text-muted"))
        )
        self.query_one("#snippet-text", Static).update(Content("\n".join(lines)))

    def action_cycle(self, step: int) -> None:
        """The next or previous format."""
        index = self._formats.index(self.fmt)
        self.fmt = self._formats[(index + step) % len(self._formats)]
        self._draw()

    def action_copy(self) -> None:
        """Copy (or say why it cannot be, and offer a file)."""
        self._copy(self.fmt)

    def action_write(self) -> None:
        """Write it to a file (asking where, and before replacing)."""
        self._write(self.fmt)

    def action_print_plain(self) -> None:
        """Hand the terminal back and print the snippet on it, unwrapped; enter returns."""
        try:
            with self.app.suspend():
                sys.stdout.write(
                    f"\n{self.text.rstrip()}\n\n"
                    "[hvtui] The snippet, as is: select it with the mouse. Enter returns. "
                )
                sys.stdout.flush()
                sys.stdin.readline()
        except SuspendNotSupported:
            self.notify(
                "This terminal cannot be handed back from here: select the snippet above, "
                "or copy it (c) or write it to a file (w).",
                severity="warning",
                timeout=6,
            )

    def action_close(self) -> None:
        """Back to the wizard."""
        self.dismiss(None)


__all__ = ["SnippetScreen"]
