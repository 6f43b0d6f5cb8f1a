"""The preview's tabs, in their own module so that importing the editor widget
(and tree-sitter) waits until just after the first frame."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane, TextArea

from hvtui.tui import services


class PreviewTabs(Vertical):
    """One tab per export format, each a read-only highlighted editor."""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="preview-tabs"):
            for fmt in services.FORMATS:
                with TabPane(services.FORMAT_LABELS[fmt], id=f"tab-{fmt}"):
                    yield TextArea(
                        "",
                        language=services.FORMAT_LANGUAGES[fmt],
                        read_only=True,
                        soft_wrap=True,
                        show_line_numbers=False,
                        id=f"preview-{fmt}",
                        classes="preview-text",
                    )


__all__ = ["PreviewTabs"]
