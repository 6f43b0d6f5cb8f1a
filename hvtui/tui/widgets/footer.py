"""The wizard's footer: Textual's :class:`~textual.widgets.Footer`, rebuilt only when the
keys it shows changed.

Textual's footer rebuilds all its keys on every "bindings updated" signal, and the screen
sends one whenever the focus moves, a screen resumes or the wizard's footer room changes:
four times on the way to the first frame, each ~50 ms of CPU, for the same keys each time.
This one compares what it would show (each key, its action, description, tooltip and
whether it is enabled) with what it shows, and asks Textual to rebuild only when they
differ. Everything else, its look included, is Textual's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, str, bool], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What a footer on ``screen`` draws from (the bindings it shows and their state)."""
    return tuple(
        (key, binding.action, binding.description, tooltip, enabled)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == screen.app.COMMAND_PALETTE_BINDING
    )


class WizardFooter(Footer):
    """A footer that skips rebuilding when its keys are what it already shows."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: Shown | None = None
        """The keys last built (``None``: not built yet)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild, as Textual does, unless the keys to show are the ones shown."""
        builds = screen.app.app_focus and self.is_attached and screen is self.screen
        shown = shown_keys(screen) if builds else None
        if builds and shown == self._shown:
            return
        super().bindings_changed(screen)
        if builds:
            self._shown = shown


__all__ = ["WizardFooter", "shown_keys"]
