"""The wizard's detail panes: built on a step's first visit, then kept and shown or hidden.

Building a pane (an option's docs, controls and findings; Review's table)
and removing it again was most of a step switch.  A visited pane stays
mounted in its own :class:`PaneSlot`, hidden; going back only shows it.  Only
the shown pane follows the model: a hidden one is handed the current view
when it is shown again and redraws then (so a change costs one pane's redraw,
however many were visited).  A pane that shows more than the model (Start lists
the preset files) is removed when left and built again, as it always was.

The shown slot is kept first among the slots, right after the sidebar, so a
query for "the pane" (``.pane``, ``#value``...) finds the one on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.containers import Container
from textual.reactive import Reactive
from textual.widget import Widget

from hvtui.tui.view import WizardView


class PaneSlot(Container):
    """Where one step's pane lives, shown or hidden (the pane itself keeps its id and
    classes: ``#detail``, ``.pane``)."""

    DEFAULT_CSS: ClassVar[str] = """
    /* Horizontal: the pane's own width (3fr, beside the sidebar and the preview) is then
       all of the slot, as it was all of the pane's share of the body. */
    PaneSlot {
        layout: horizontal;
        width: 3fr;
        height: 1fr;
    }
    """

    def __init__(self, step: str, pane: Widget) -> None:
        super().__init__(pane, classes="pane-slot")
        self.step = step
        self.pane = pane


class Panes:
    """The visited steps' panes, between the sidebar (``after``) and the preview."""

    def __init__(
        self,
        body: Widget,
        after: Widget,
        make: Callable[[str], Widget],
        *,
        rebuilt: frozenset[str] = frozenset(),
    ) -> None:
        """``make(step)`` builds a step's pane (bound to nothing: this class hands it the
        view).  The panes of ``rebuilt`` show more than the view (files on disk): they are
        removed when left and built again on the next visit."""
        self._body = body
        self._after = after
        self._make = make
        self._rebuilt = rebuilt
        self._slots: dict[str, PaneSlot] = {}
        self.shown: PaneSlot | None = None
        """The slot on screen."""

    def adopt(self, slot: PaneSlot, view: WizardView) -> None:
        """Take the composed first slot as the shown one (once it is mounted)."""
        self._slots[slot.step] = slot
        self.shown = slot
        _bind(slot.pane, view, always=False)

    async def show(self, step: str, view: WizardView) -> Widget:
        """Show ``step``'s pane (built and mounted on its first visit), up to date with
        ``view``; the pane shown before is hidden.  Returns the pane."""
        old = self.shown
        slot = self._slots.get(step)
        if slot is None:
            slot = PaneSlot(step, self._make(step))
            await self._body.mount(slot, after=self._after)
            self._slots[step] = slot
        else:
            self._body.move_child(slot, after=self._after)
            slot.styles.clear_rule("display")  # the screen's CSS decides again
            self._body.refresh(layout=True)
        if old is not None and old is not slot:
            if old.step in self._rebuilt:
                del self._slots[old.step]
                old.remove()  # not awaited: the new pane is shown first
            else:
                old.display = False
        self.shown = slot
        _bind(slot.pane, view, always=False)
        return slot.pane

    def follow(self, view: WizardView) -> None:
        """The model changed: only the shown pane redraws (the others when shown)."""
        if self.shown is not None:
            _bind(self.shown.pane, view)

    @property
    def pane(self) -> Widget | None:
        """The pane on screen."""
        return self.shown.pane if self.shown is not None else None


def _bind(pane: Widget, view: WizardView, *, always: bool = True) -> None:
    """Hand ``pane`` the view to draw.  ``always``: its watcher runs even when the view is
    the one it has (a model change, or a control to put back after a cancelled question);
    otherwise only when the view differs (a pane shown again after nothing changed keeps
    what it drew)."""
    descriptor: Reactive[WizardView | None] = type(pane).view  # type: ignore[attr-defined]
    if not always and getattr(pane, descriptor.name) is view:
        return
    pane.set_reactive(descriptor, view)
    pane.mutate_reactive(descriptor)


__all__ = ["PaneSlot", "Panes"]
