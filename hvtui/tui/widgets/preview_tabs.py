"""The preview's tabs, in their own module so that importing the editor widget
(and tree-sitter) waits until just after the first frame.

A tab gets its editor the first time it is shown: nine highlighted editors built
up front would cost the start-up what only the visible one needs.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane, TextArea

from hvtui.export.registry import Format
from hvtui.tui import services


class PreviewTabs(Vertical):
    """One tab per export format (every format of the export table); each gets a
    read-only highlighted editor when it is first shown (:func:`preview_area`)."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="preview-tabs"):
            for fmt in services.preview_formats():
                yield TabPane(fmt.label, id=f"tab-{fmt.name}")


#: Grammars the editor must not load: with the tree-sitter that ``textual[syntax]`` installs
#: (0.26), tree-sitter-json 0.24.8 (and javascript 0.25) end the process with a
#: segmentation fault as the editor is built.  Their tabs are plain text.
CRASHING_LEXERS = frozenset({"json", "javascript"})


def preview_area(fmt: Format, text: str, *, light: bool) -> TextArea:
    """The editor of one tab, holding ``text`` (``light``: the theme's background is)."""
    return TextArea(
        text,
        language=None if fmt.lexer in CRASHING_LEXERS else fmt.lexer,
        theme="github_light" if light else "css",
        read_only=True,
        soft_wrap=True,
        show_line_numbers=False,
        id=f"preview-{fmt.name}",
        classes="preview-text",
    )


__all__ = ["CRASHING_LEXERS", "PreviewTabs", "preview_area"]
