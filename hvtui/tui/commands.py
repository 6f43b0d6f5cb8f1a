"""Command palette (``ctrl+p``): load a preset, jump to an option or a step.

Save, export and switching theme are system commands (see
:meth:`hvtui.tui.app.HvtuiApp.get_system_commands`); this provider adds
what depends on the catalog and the preset directories.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from hvtui import catalog, presets
from hvtui.textsafe import one_line
from hvtui.tui.steps import Step, step_title

if TYPE_CHECKING:
    from hvtui.tui.screens.wizard import WizardScreen


class HvtuiCommands(Provider):
    """Presets to load, options and steps to jump to.

    The list is built once when the palette opens (reading the preset
    directories on every keystroke would make typing lag).
    """

    _cached: list[tuple[str, str, Callable[[], object]]] | None = None

    async def startup(self) -> None:
        """Build the command list for this opening of the palette."""
        self._cached = self._commands()

    def _wizard(self) -> WizardScreen | None:
        from hvtui.tui.screens.wizard import WizardScreen

        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        return screen if isinstance(screen, WizardScreen) else None

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        wizard = self._wizard()
        if wizard is None:
            return []
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for info in presets.list_presets():
            if info.error is None:
                commands.append(
                    (
                        f"Load preset {one_line(info.name)}",
                        f"{info.origin}: {one_line(info.description)}",
                        partial(self._load, wizard, info.path),
                    )
                )
        for step in Step:
            commands.append(
                (f"Go to {step_title(step)}", "Wizard step", partial(wizard.go_to, step))
            )
        for entry in catalog.ENTRIES:
            commands.append(
                (
                    f"Jump to {entry.qemu_property}",
                    entry.summary,
                    partial(wizard.go_to, entry.name),
                )
            )
        return commands

    def _load(self, wizard: WizardScreen, path: Path) -> None:
        try:
            loaded = presets.load(path)
        except presets.PresetError as exc:
            self.app.notify(
                one_line(str(exc)), title="Cannot load preset", severity="error", markup=False
            )
            return
        wizard.load_preset(loaded)

    def _all(self) -> list[tuple[str, str, Callable[[], object]]]:
        if self._cached is None:
            self._cached = self._commands()
        return self._cached

    async def discover(self) -> Hits:
        """With an empty query: the presets and the steps."""
        for text, help_text, command in self._all():
            if not text.startswith("Jump to"):
                yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy match over commands and the options' search words."""
        matcher = self.matcher(query)
        tags = {f"Jump to {e.qemu_property}": " ".join(e.tags) for e in catalog.ENTRIES}
        for text, help_text, command in self._all():
            score = matcher.match(text)
            if score <= 0 and text in tags:
                score = matcher.match(tags[text]) * 0.5
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)


__all__ = ["HvtuiCommands"]
