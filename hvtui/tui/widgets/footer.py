"""The wizard's footer: a bar at the bottom of the screen, in the footer's colours, that
holds the keys (:class:`hvtui.tui.widgets.footer_keys.KeysFooter`, Textual's footer whose
keys change in place) once its screen is on the terminal.

Textual's footer draws no key on the way to the first frame (it builds them when the
screen's bindings are first announced, after that frame), yet importing it and styling it
cost ~20 M instructions of that frame.  So the first frame shows this bar, empty as the
footer was then, and the keys come in the frame after, as before.
"""

from __future__ import annotations

from typing import ClassVar

from textual.widget import Widget


class WizardFooter(Widget):
    """The footer's bar; its keys (:class:`KeysFooter`) are mounted in it after the first
    frame its screen is in."""

    DEFAULT_CSS: ClassVar[str] = """
    WizardFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    """

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__()
        self._compact = compact
        self._show_command_palette = show_command_palette

    def render(self) -> str:
        """Nothing: the bar (a bare widget would show its name)."""
        return ""

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_keys)

    def _show_keys(self) -> None:
        """Mount the keys (Textual's footer, loaded now if it is not yet), unless the bar
        has left the screen meanwhile (the app ended, or its screen was taken down, before
        its first frame)."""
        if not self.is_attached:
            return
        from hvtui.tui.widgets.footer_keys import KeysFooter

        self.mount(
            KeysFooter(compact=self._compact, show_command_palette=self._show_command_palette)
        )


__all__ = ["WizardFooter"]
