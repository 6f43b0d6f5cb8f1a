"""Textual's floor for a step switch: the wizard's screen built the plain way, switched alike.

What a step switch costs in Textual itself, to set hvtui's figure against: an app with the
wizard's shape at the same size (a header whose sub-title names the step, a sidebar
``OptionList`` of every option, a ``ContentSwitcher`` of one pane per option with the
catalog's own texts, a ``TextArea`` preview beside, a footer), in which a key moves the
sidebar's highlight, switches the pane and sets the sub-title.  Every pane is mounted
hidden at start (as the wizard prepares its panes), none is visited before it is measured.
It is measured as ``bench_tui`` measures hvtui: the process's CPU time over a window
after posting the key, less that of a key bound to nothing.

Run on its own: ``.venv/bin/python benchmarks/switch_floor.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    ContentSwitcher,
    Footer,
    Header,
    Label,
    OptionList,
    Static,
    Switch,
    TextArea,
)

from hvtui import catalog
from hvtui.catalog import Enlightenment
from hvtui.tui.widgets.doc import markdown_content

#: Switches measured each way (first visits, then revisits of the same panes).
SWITCHES = 12


def _pane(index: int, entry: Enlightenment) -> VerticalScroll:
    """An option's pane as plain widgets: title, control, relations, docs, facts."""
    return VerticalScroll(
        Static(f"{entry.qemu_property}  {entry.group.value}\n{entry.summary}"),
        Horizontal(Switch(), Label("on"), classes="control"),
        Static("Needs: nothing\nNeeded by: nothing\nThis host: ✓ yes", classes="gap"),
        Static(markdown_content(entry.doc), classes="gap"),
        Static(f"QEMU: {entry.qemu_property}\nlibvirt: -\nMigration: -", classes="gap"),
        id=f"pane-{index}",
        classes="pane",
    )


class PlainWizard(App[None]):
    """The wizard's screen, the plain Textual way."""

    CSS = """
    .control { height: auto; margin-top: 1; }
    .gap { margin-top: 1; }
    .pane { padding: 0 1; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    #steps { width: 30; height: 1fr; border: none; border-right: vkey $foreground 20%; }
    ContentSwitcher { width: 3fr; }
    #preview { width: 2fr; max-width: 80; border: none; border-left: vkey $foreground 20%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [("n", "go(1)", "Next"), ("p", "go(-1)", "Prev")]

    def __init__(self) -> None:
        super().__init__()
        self.entries = list(catalog.ENTRIES)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(*(entry.name for entry in self.entries), id="steps")
            with ContentSwitcher(initial="pane-0"):
                yield from (_pane(i, entry) for i, entry in enumerate(self.entries))
            text = "\n".join(f"{entry.name} = true" for entry in self.entries)
            yield TextArea(text, language="toml", read_only=True, id="preview")
        yield Footer()

    def action_go(self, step: int) -> None:
        """Next or previous pane: highlight, pane and sub-title."""
        switcher = self.query_one(ContentSwitcher)
        index = (int((switcher.current or "pane-0").removeprefix("pane-")) + step) % len(
            self.entries
        )
        switcher.current = f"pane-{index}"
        self.query_one(OptionList).highlighted = index
        self.sub_title = self.entries[index].name


async def plain_switches(
    width: int, height: int, settle_s: float
) -> tuple[list[float], list[float], list[float]]:
    """CPU ms per switch forward (first visits), back (revisits) and per no-op key."""
    app = PlainWizard()
    first: list[float] = []
    again: list[float] = []
    idle: list[float] = []

    async def cpu_of(key: str, character: str | None) -> float:
        before = time.process_time()
        app.post_message(events.Key(key, character))
        await asyncio.sleep(settle_s)
        return (time.process_time() - before) * 1000

    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause(0.5)
        for key, cpu in (("n", first), ("p", again)):
            for _ in range(SWITCHES):
                idle.append(await cpu_of("f12", None))
                cpu.append(await cpu_of(key, key))
    return first, again, idle


def floor_ms(width: int, height: int, settle_s: float) -> tuple[float, float]:
    """Median CPU ms of a first visit and of a revisit, less the no-op key's."""
    first, again, idle = asyncio.run(plain_switches(width, height, settle_s))
    base = statistics.median(idle)
    return statistics.median(first) - base, statistics.median(again) - base


if __name__ == "__main__":
    visit, revisit = floor_ms(120, 36, 0.25)
    print(f"plain Textual, same screen: first visit {visit:.1f} ms, revisit {revisit:.1f} ms")
