"""The wizard's keys: Textual's :class:`~textual.widgets.Footer`, rebuilt only when the keys it
shows changed.  :class:`hvtui.tui.widgets.footer.WizardFooter` mounts it once its screen is
on the terminal, so neither Textual's footer module nor its stylesheet is loaded on the way
to the wizard's first frame (its keys were only drawn after that frame anyway).

Textual's footer rebuilds all its keys on every "bindings updated" signal, and the screen
sends one whenever the focus moves, a screen resumes or the wizard's footer room changes:
four times on the way to the first frame, each ~50 ms of CPU, for the same keys each time.
This one compares what it would show (each key, its action, description, tooltip and
whether it is enabled) with what it shows, and asks Textual to rebuild only when they
differ. Everything else, its look included, is Textual's.

Finding the keys (the screen's active bindings: every binding's ``check_action``) costs
~5 M instructions a time, so it is not done when the answer is known: before the first
build nothing is shown to compare with, and while a rebuild is on its way the rebuild
reads the keys as they are by then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

from hvtui.tui.widgets.footer import Shown, shown_keys

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeysFooter(Footer):
    """A footer that skips rebuilding when its keys are what it already shows."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: Shown | None = None
        """The keys last built (``None``: not built yet, or not known: found when built)."""
        self._pending = False
        """A rebuild was asked for and has not run yet."""

    def on_mount(self) -> None:
        """Build the keys now: the screen's last "bindings updated" signal came before this
        footer was there to hear it (Textual's own handler subscribes it to the next ones)."""
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild, as Textual does, unless the keys to show are the ones shown or a
        rebuild is on its way already."""
        builds = screen.app.app_focus and self.is_attached and screen is self.screen
        if builds and self._pending:
            self._shown = None  # the rebuild may show other keys than those last found
            return
        shown = shown_keys(screen) if builds and self._shown is not None else None
        if builds and shown is not None and shown == self._shown:
            return
        super().bindings_changed(screen)
        if builds:
            self._shown = shown
            self._pending = True

    def compose(self) -> ComposeResult:
        """Textual's keys, noting what they show (when not known from the signal)."""
        if self._pending:  # a rebuild (not the empty first composition at mount)
            self._pending = False
            if self._shown is None:
                self._shown = shown_keys(self.screen)
        return super().compose()


__all__ = ["KeysFooter"]
