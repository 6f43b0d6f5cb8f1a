"""The wizard's detail panes: built ahead of time or on a step's first visit, then kept and
shown or hidden.

Building a pane (an option's docs, controls and findings; Review's table)
and removing it again was most of a step switch.  A visited pane stays
mounted in its own :class:`PaneSlot`, hidden; going back only shows it.  Only
the shown pane follows the model: a hidden one is handed the current view
when it is shown again and redraws then (so a change costs one pane's redraw,
however many were visited).  A pane that shows more than the model (Start lists
the preset files on disk) is told each time it is shown (:class:`ShowsMore`) and
brings that part up to date itself.  After the first frame the screen prepares the
other panes hidden, one at a time in idle time (:meth:`Panes.prepare`), so that a
first visit costs what a revisit does.

The shown slot is kept first among the slots, so a query for "the pane"
(``.pane``, ``#value``...) finds the one on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Protocol, runtime_checkable

from textual.containers import Container
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget

from hvtui.tui.view import WizardView
from hvtui.tui.widgets.sizing import LaidOutOnce, show_scrollbar_ahead


@runtime_checkable
class FitsAhead(Protocol):
    """A pane that arranges itself for its width when prepared, ahead of its first
    visit (Review stacks its buttons), so that the visit's sizing changes nothing."""

    def fit_ahead(self, inside: Size) -> None:
        """Arrange for the size ``inside`` its margin and gutter it will have when shown
        (:func:`_inside`)."""


@runtime_checkable
class ShowsMore(Protocol):
    """A pane that shows more than the view (Start: the preset files on disk, and the
    running VMs it asks the screen to list): kept like the others, and told each time it
    is shown, after it has the view of that moment, to bring that part up to date.
    Building it again on every visit instead was the slowest step switch by far."""

    def when_shown(self) -> None:
        """The pane is on screen again (or for the first time): refresh what the view
        does not hold."""


class PaneHolder(Container, inherit_css=False):
    """Every pane slot, between the sidebar and the preview.

    Swapping the shown pane moves a slot among these children and so repaints
    this container: only the pane's area, where the slots were children of the
    whole body (sidebar and preview too), whose every swap repainted all of it.

    Blank (Textual's ``BLANK``): it has no border or content of its own, only the background
    its panes cover, so its lines are drawn as one blank strip each instead of through the
    styles cache, which every swap clears (the move relays it out): 34 lines at 120x36.

    Its CSS is its own (``inherit_css=False``, as Textual's toast rack and tooltip): what
    ``Container``'s default CSS sets is here (the size) or Textual's default already (no
    scrollbars, ``overflow: hidden``; the layout), and neither that rule nor ``Widget``'s
    (scrollbar and link colours, for widgets that have them) is parsed or matched for it:
    with :class:`PaneSlot` and the preview pane, ``Container``'s rule is not parsed on the
    way to the first frame (~1.6 M instructions of it at 120x36, issue #13)."""

    BLANK: ClassVar[bool] = True

    DEFAULT_CSS: ClassVar[str] = """
    /* The pane's share of the body (the slot's 3fr is then all of the holder). */
    PaneHolder {
        layout: horizontal;
        width: 3fr;
        height: 1fr;
    }
    """


class PaneSlot(LaidOutOnce, Container, inherit_css=False):
    """Where one step's pane lives, shown or hidden (the pane itself keeps its id and
    classes: ``#detail``, ``.pane``).

    Blank like :class:`PaneHolder`: showing or hiding it clears its styles cache, and it
    draws nothing but the background behind its pane.  Its CSS is its own, as the
    holder's."""

    BLANK: ClassVar[bool] = True

    DEFAULT_CSS: ClassVar[str] = """
    /* Horizontal: the pane's own width (3fr, its share of the body when it was beside the
       sidebar and the preview) is then all of the slot, and the slot all of the holder. */
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
    """The steps' panes, in a :class:`PaneHolder`."""

    def __init__(self, holder: PaneHolder, make: Callable[[str], Widget]) -> None:
        """``make(step)`` builds a step's pane (bound to nothing: this class hands it the
        view)."""
        self._holder = holder
        self._make = make
        self._slots: dict[str, PaneSlot] = {}
        self.shown: PaneSlot | None = None
        """The slot on screen."""

    def adopt(self, slot: PaneSlot, view: WizardView) -> None:
        """Take the composed first slot as the shown one (once it is mounted): shown as
        :meth:`show` shows a pane."""
        self._slots[slot.step] = slot
        self.shown = slot
        _shown(slot.pane, view)

    def prepared(self, step: str) -> bool:
        """``step`` has a pane mounted (shown or hidden)."""
        return step in self._slots

    async def prepare(self, step: str) -> None:
        """Build and mount ``step``'s pane hidden, ahead of its first visit (the screen does
        this in idle time after the first frame), so showing it later is the cheap pane
        swap of a revisit; :meth:`show` hands it the view of that moment (and tells a
        :class:`ShowsMore` pane to refresh the rest)."""
        shown = self.shown
        if shown is None or self.prepared(step):
            return
        slot = PaneSlot(step, self._make(step))
        slot.display = False
        self._slots[step] = slot
        # After the shown slot: a query for "the pane" still finds the one on screen first.
        await self._holder.mount(slot, after=shown)
        if not slot.pane.is_mounted:
            return  # the app is closing
        inside = _inside(slot.pane, self._holder.content_size)
        if inside is None:
            return  # not laid out yet
        if isinstance(slot.pane, FitsAhead):
            slot.pane.fit_ahead(inside)
        # After the pane arranged itself: laid out for its room, its scrollbar on when it
        # will not fit (a tall pane's visit then lays the screen out once) and sized.
        show_scrollbar_ahead(slot.pane, inside)
        _presize_scrollbar(slot.pane, inside)

    async def show(self, step: str, view: WizardView) -> Widget:
        """Show ``step``'s pane (built and mounted on its first visit unless prepared), up
        to date with ``view``; the pane shown before is hidden.  Returns the pane."""
        old = self.shown
        slot = self._slots.get(step)
        if slot is None:
            slot = PaneSlot(step, self._make(step))
            await self._holder.mount(slot, before=0)
            self._slots[step] = slot
        else:
            self._holder.move_child(slot, before=0)
            slot.styles.clear_rule("display")  # the screen's CSS decides again
        if old is not None and old is not slot:
            old.display = False
        self.shown = slot
        _shown(slot.pane, view)
        return slot.pane

    def follow(self, view: WizardView) -> None:
        """The model changed: only the shown pane redraws (the others when shown)."""
        if self.shown is not None:
            _bind(self.shown.pane, view)

    @property
    def pane(self) -> Widget | None:
        """The pane on screen."""
        return self.shown.pane if self.shown is not None else None


def _inside(pane: Widget, room: Size) -> Size | None:
    """The size a prepared pane will have inside its margin and gutter (border and
    padding: its container size) when shown in a holder whose content is ``room`` (a
    pane fills its slot, which fills the holder); ``None`` before the holder is laid out."""
    margin, gutter = pane.styles.margin, pane.styles.gutter
    width = room.width - margin.width - gutter.width
    height = room.height - margin.height - gutter.height
    return Size(width, height) if width > 0 and height > 0 else None


def _presize_scrollbar(pane: Widget, inside: Size) -> None:
    """Give a prepared pane's vertical scrollbar, ahead of the pane's first visit, the
    virtual size its first layout will give it, so that this sizing changes nothing.

    Textual gives a scrollbar the pane's container size (its region less margin, border
    and padding: ``inside``, :func:`_inside`) as virtual size, and
    ``Widget.virtual_size`` asks for a layout of the whole screen when it changes.  A
    tall pane's first visit laid the screen out three times: once to size the pane, once
    more because its scrollbar turned on (needed), and a third time only because the new
    scrollbar's virtual size went from 0x0 to that size (it moves and draws nothing: the
    scrollbar is drawn from its window reactives, which the pane sets).  When the guess
    is wrong (the terminal was resized since), the layout sets the right size and lays
    out again, as it always did.

    Only public API: the ``vertical_scrollbar`` property (which creates the scrollbar,
    hidden) and ``set_reactive`` (no watchers, no layout)."""
    if pane.is_scrollable:
        pane.vertical_scrollbar.set_reactive(Widget.virtual_size, inside)


def _shown(pane: Widget, view: WizardView) -> None:
    """``pane`` is on screen: it draws ``view`` (when it differs from the one it drew), and
    a :class:`ShowsMore` pane then refreshes what the view does not hold."""
    _bind(pane, view, always=False)
    if isinstance(pane, ShowsMore):
        pane.when_shown()


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


__all__ = ["PaneHolder", "PaneSlot", "Panes", "ShowsMore"]
