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
"""

from __future__ import annotations

from textual.containers import Container, Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Label, Static, Switch


class LaidOutOnce:
    """Mixin: this widget's virtual size, set by the layout, does not lay the screen out
    again nor redraw the widget a second time (see the module docstring)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


class PaneStatic(LaidOutOnce, Static):
    """A ``Static`` in a wizard pane."""


class PaneLabel(LaidOutOnce, Label):
    """A ``Label`` in a wizard pane."""


class PaneSwitch(LaidOutOnce, Switch):
    """A ``Switch`` in a wizard pane."""


class PaneRow(LaidOutOnce, Horizontal):
    """A ``Horizontal`` row in a wizard pane."""


class PaneColumn(LaidOutOnce, Vertical):
    """A ``Vertical`` box in a wizard pane."""


class PaneContainer(LaidOutOnce, Container):
    """A ``Container`` that holds a wizard pane."""


__all__ = [
    "LaidOutOnce",
    "PaneColumn",
    "PaneContainer",
    "PaneLabel",
    "PaneRow",
    "PaneStatic",
    "PaneSwitch",
]
