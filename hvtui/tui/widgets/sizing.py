"""Widgets whose first sizing does not ask Textual for a second layout of the screen.

After each layout Textual hands every widget on screen its size and its virtual
(scrollable) size.  ``Widget.virtual_size`` is a reactive declared with
``layout=True``, so a widget shown for the first time (its virtual size goes from
0x0 to its size) asks for another layout of the whole screen as soon as the first
one is done.  That second pass moves nothing: the layout that set the virtual size
is the one that measured it.  It was a fixed ~12 ms (a reflow of the screen and a
redraw of the new pane) of every first visit of a wizard step, the one thing a
revisit does not pay.

:class:`LaidOutOnce` declares the same reactive without ``layout`` and without
``repaint``: a widget whose size changed is marked for redrawing by that same sizing
step anyway (so the new pane is drawn once, in the frame of the layout that sized
it, not again a frame later), and a virtual size alone changes nothing drawn in the
widgets below.  That is right for widgets whose virtual size no layout reads:

- plain widgets (``Static``, ``Label``, ``Switch``, ``Button``, containers), whose
  virtual size is only ever the region the layout gave them;
- scrolling containers too: whether their scrollbars show is the
  ``show_vertical_scrollbar``/``show_horizontal_scrollbar`` reactives, which Textual
  sets from the new virtual size in the same step and which ask for their own
  layout when they change; the scrollbars' window is set, and the scrollbars
  redrawn, in that step as well.

It is not for widgets that set their virtual size themselves to have it scrolled
(Textual's ``ScrollView`` family: ``Input``, ``TextArea``, ``Log``, ``DataTable``).

A widget gets this by putting :class:`LaidOutOnce` first among its bases.  Only
public Textual API is used: a ``Reactive`` declared on a subclass, which Textual's
own reactive machinery looks up by name along the class's MRO.

The widgets built on it live with the panes that use them (an option's switch, label,
row and findings box in :mod:`.option`), not here: the Host pane, on the way to the
first frame, imports this module, and Textual's ``Switch`` and ``Label`` modules,
which no widget of that frame is, cost ~9 M instructions to load (issue #13).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget


class LaidOutOnce:
    """Mixin: this widget's virtual size, set by the layout, does not lay the screen out
    again nor redraw the widget a second time (see the module docstring)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


def content_room(pane: Widget, inside: Size) -> Size:
    """The room a scrolling pane lays its children out in when its size less margin,
    border and padding is ``inside``: less the vertical scrollbar's column when the pane
    keeps a gutter for it (``scrollbar-gutter: stable``, as the wizard's panes do), all of
    it otherwise (a first layout, before any scrollbar shows).  Textual's compositor takes
    the same room from a scrollable widget's region (``Widget._get_scrollable_region``,
    textual/widget.py)."""
    styles = pane.styles
    scrollbar = styles.scrollbar_size_vertical if styles.scrollbar_gutter == "stable" else 0
    return Size(inside.width - scrollbar, inside.height)


def show_scrollbar_ahead(pane: Widget, inside: Size) -> None:
    """Lay a hidden pane out for the size ``inside`` its margin, border and padding it will
    have when shown, and turn its vertical scrollbar on now if its children will not fit.

    A pane taller than the window, shown for the first time, was laid out, found taller,
    given its scrollbar (``show_vertical_scrollbar``, a reactive that asks for a layout of
    the screen) and laid out a second time: a first visit of a tall option cost about
    half as much again as a short one's.  Here the first layout finds the scrollbar as it
    must be.  The height is Textual's own: ``Widget.arrange`` (public) at the room the
    compositor gives the children (:func:`content_room`); the compositor's virtual height
    is the larger of that arrangement's bottom and the room's, and a scrollbar shows when
    it exceeds ``inside`` (``Widget._refresh_scrollbars``, ``overflow-y: auto``).  The
    arrangement is also kept in the pane's cache, keyed on the room and the children, so
    the visit's layout reuses it (and the children's heights) when nothing changed since.
    A wrong guess (the terminal resized or the view changed since) is put right by that
    layout, which sets the reactive and lays out again, as it always did.

    Only public API: ``arrange``, ``set_reactive`` (no watcher, no layout now) and the
    ``vertical_scrollbar`` property, whose ``display`` is what Textual sets with the
    reactive."""
    if pane.styles.overflow_y != "auto" or not pane.is_scrollable:
        return
    arrangement = pane.arrange(content_room(pane, inside))
    if arrangement.total_region.bottom > inside.height:
        pane.set_reactive(Widget.show_vertical_scrollbar, True)
        pane.vertical_scrollbar.display = True


def virtual_sizes_ahead(widget: Widget, size: Size) -> None:
    """Give a hidden ``widget`` of ``size`` (its region's, when shown), and the widgets it
    lays out, the virtual sizes the layout of its first show will give them, so that this
    layout changes none of them and does not lay the screen out again.

    For widgets that are not :class:`LaidOutOnce` and cannot be made so: Textual's
    ``Select`` composes its own ``SelectCurrent`` and two ``Static`` children, and each of
    the four, shown for the first time, asked for a second layout of the screen (a first
    visit of a three-state option cost ~7 ms more than a revisit at 120x36).  The sizes
    are the compositor's (``Compositor._arrange_root``'s ``add_widget``, textual/
    _compositor.py): a widget that does not scroll gets its region's size; a scrolling one
    its region less its gutter, grown to what its children cover (``Widget.arrange``,
    public).  Scrollbars are left out (those of the widgets here are off): a wrong guess
    only costs the second layout it always did.

    Only public API: ``arrange``, ``styles.gutter`` and ``set_reactive``."""
    virtual = size
    if widget.is_scrollable:
        room = size.region.shrink(widget.styles.gutter).size
        virtual = room
        if widget.is_container:
            arrangement = widget.arrange(room)
            virtual = room.region.union(arrangement.total_region).size
            for placement in arrangement.placements:
                virtual_sizes_ahead(placement.widget, placement.region.size)
    widget.set_reactive(Widget.virtual_size, virtual)


__all__ = [
    "LaidOutOnce",
    "content_room",
    "show_scrollbar_ahead",
    "virtual_sizes_ahead",
]
