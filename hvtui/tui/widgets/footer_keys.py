"""The wizard's keys: Textual's :class:`~textual.widgets.Footer` whose keys change in place.
:class:`hvtui.tui.widgets.footer.WizardFooter` mounts it once its screen is on the
terminal, so neither Textual's footer module nor its stylesheet is loaded on the way to
the wizard's first frame (its keys were only drawn after that frame anyway).

Textual's footer removes and mounts all its keys whenever the screen's bindings change
(a "bindings updated" signal: the focus moves, a step is shown, a screen resumes); with
~10 keys that is ~50 ms of CPU, most of it two layouts of the whole screen, on every
step switch that greys or ungreys a key (issue #13: a switch is to cost <= 25 ms).
Here each key is a :class:`FooterKey` that can be told what it shows: a key whose state
or tooltip changed is restyled and repainted where it is, and only keys that come or go
are mounted or removed.  Nothing is done when the keys are what is shown.

The keys are found from the screen's active bindings as Textual's ``Footer.compose``
finds them (textual/widgets/_footer.py, Textual 8.2): the first shown binding of each
action, then the command palette's key docked right.  hvtui's keys are in no binding
group (``Binding.Group``), which Textual draws as one label; these keys are drawn one by
one.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer

from hvtui.records import record

if TYPE_CHECKING:
    from textual.screen import Screen


@record(frozen=True)
class KeyShown:
    """What one footer key shows and does (what Textual's ``FooterKey`` is built from)."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool
    tooltip: str
    classes: str = ""

    @property
    def place(self) -> tuple[str, str, str, str, str]:
        """What fixes the key's width and place: a key that keeps it changes in place."""
        return (self.key, self.key_display, self.description, self.action, self.classes)


def keys_to_show(footer: Footer) -> tuple[KeyShown, ...]:
    """The keys Textual's ``Footer.compose`` would build on ``footer``'s screen now."""
    app = footer.app
    active = footer.screen.active_bindings
    first: dict[str, KeyShown] = {}
    for _node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in first:
            first[binding.action] = KeyShown(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                not enabled,
                tooltip,
            )
    shown = list(first.values())
    palette = active.get(app.COMMAND_PALETTE_BINDING)
    if footer.show_command_palette and app.ENABLE_COMMAND_PALETTE and palette is not None:
        _node, binding, enabled, _tooltip = palette
        shown.append(
            KeyShown(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                not enabled,
                binding.tooltip or binding.description,
                "-command-palette",
            )
        )
    return tuple(shown)


class FooterKey(Widget):
    """One key in the footer, drawn as Textual's ``FooterKey`` draws it (the same type
    name, so the footer's and the theme's rules for it apply; the same component
    classes, rules, text and clicks), that :meth:`show` changes in place."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"footer-key--key", "footer-key--description"}

    # Textual's FooterKey.DEFAULT_CSS (textual/widgets/_footer.py, 8.2), rule for rule:
    # Textual does not export that class, so it cannot be the base of this one.
    DEFAULT_CSS: ClassVar[str] = """
    FooterKey {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        background: $footer-item-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
            padding: 0 1;
        }

        .footer-key--description {
            padding: 0 1 0 0;
            color: $footer-description-foreground;
            background: $footer-description-background;
        }

        &:hover {
            pointer: pointer;
            color: $footer-key-foreground;
            background: $block-hover-background;
        }

        &.-disabled {
            text-style: dim;
        }

        &.-compact {
            .footer-key--key {
                padding: 0;
            }
            .footer-key--description {
                padding: 0 0 0 1;
            }
        }
    }
    """

    compact = reactive(True)
    """Display compact style (bound to the footer's, as Textual binds it)."""

    def __init__(self, shown: KeyShown) -> None:
        super().__init__(classes=shown.classes)
        self.set_reactive(Widget.shrink, False)
        self.shown = shown
        """What the key shows (:meth:`show` changes it)."""
        self.set_class(shown.disabled, "-disabled", update=False)
        if shown.tooltip:
            self.tooltip = shown.tooltip

    @property
    def key(self) -> str:
        """The key a click presses."""
        return self.shown.key

    @property
    def action(self) -> str:
        """The binding's action."""
        return self.shown.action

    def show(self, shown: KeyShown) -> None:
        """Show ``shown``, a key of the same width and place (:attr:`KeyShown.place`):
        grey or ungrey it and change its tooltip; a repaint of this key, not a layout."""
        self.shown = shown
        self.set_class(shown.disabled, "-disabled")
        self.tooltip = shown.tooltip or None

    def render(self) -> Text:
        """The key and its description, as Textual's ``FooterKey.render`` puts them."""
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        key_padding = self.get_component_styles("footer-key--key").padding
        description_padding = self.get_component_styles("footer-key--description").padding
        key_display = self.shown.key_display
        description = self.shown.description
        if description:
            label_text = Text.assemble(
                (" " * key_padding.left + key_display + " " * key_padding.right, key_style),
                (
                    " " * description_padding.left + description + " " * description_padding.right,
                    description_style,
                ),
            )
        else:
            label_text = Text.assemble((key_display, key_style))
        label_text.stylize_before(self.rich_style)
        return label_text

    def on_mouse_down(self) -> None:
        """Press the key, or ring the bell if it does not apply here (as Textual does)."""
        if self.shown.disabled:
            self.app.bell()
        else:
            self.app.simulate_key(self.shown.key)

    def watch_compact(self, compact: bool) -> None:
        """The compact look follows the footer's (Textual's FooterKey does the same)."""
        self.set_class(compact, "-compact")


class KeysFooter(Footer):
    """Textual's footer (its look, room, scrolling), whose keys change in place."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._keys: list[FooterKey] = []
        """The keys shown, in order (those mounted, less those being removed)."""
        self._pending = False
        """An update is on its way (it reads the keys as they are by then)."""

    def on_mount(self) -> None:
        """Show the keys now: the screen's last "bindings updated" signal came before this
        footer was there to hear it (Textual's own handler subscribes it to the next ones)."""
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Update the keys after the next refresh, as Textual does (the focus has settled
        by then); several signals before it make one update."""
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        """Change the keys shown into the keys to show: keys that keep their place are
        changed in place, the others mounted or removed."""
        self._pending = False
        if not self.is_attached:
            return
        shown = keys_to_show(self)
        old = self._keys
        if shown == tuple(key.shown for key in old):
            return
        matcher = SequenceMatcher(
            None, [key.shown.place for key in old], [now.place for now in shown], autojunk=False
        )
        keys: list[FooterKey] = []
        gone: list[FooterKey] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for key, now in zip(old[i1:i2], shown[j1:j2], strict=True):
                    if key.shown != now:
                        key.show(now)
                keys.extend(old[i1:i2])
                continue
            gone.extend(old[i1:i2])
            new = [self._key(now) for now in shown[j1:j2]]
            if new:
                self.mount_all(new, before=old[i2] if i2 < len(old) else None)
            keys.extend(new)
        self._keys = keys
        if gone:
            self.remove_children(gone)

    def _key(self, shown: KeyShown) -> FooterKey:
        """A new key, its compact style bound to the footer's (the palette's key is not,
        as in Textual's footer)."""
        key = FooterKey(shown)
        return key if shown.classes else key.data_bind(compact=Footer.compact)


__all__ = ["FooterKey", "KeyShown", "KeysFooter", "keys_to_show"]
