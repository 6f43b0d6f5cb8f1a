"""Screenshots of the main screens, compared with accepted pictures and accepted text.

The app runs on the shipped demo host without the slow probes, with the
cursor steady and no toasts, so what it shows depends on the code only.
Each screen is checked twice over:

- **the text on screen**: every visible widget's kind, id and text, read
  through Textual's public widget API (``screen_text/NAME.txt``).  This does not
  depend on how Textual draws, so it is compared under every Textual that
  pyproject allows;
- **the picture**: the SVG pytest-textual-snapshot takes.  Its pixels change
  with Textual and Rich themselves (a colour, a border, a padding), so they are
  compared only under the versions they were recorded with
  (:data:`RECORDED_WITH`, the versions ``constraints.txt`` installs for CI).
  Under another release the picture is still taken (the HTML report shows what
  changed) but a cosmetic difference does not fail the test.

``pytest --snapshot-update`` accepts new pictures and text after a human looked
at ``snapshot_report.html``; it refuses to under other versions, so the stored
pictures always come from :data:`RECORDED_WITH`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from clirun import REPO
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Markdown,
    OptionList,
    Select,
    Static,
    Switch,
    Tab,
    TextArea,
)

from hvtui import presets
from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.app import HvtuiApp
from hvtui.tui.steps import Step
from hvtui.tui.widgets.header import WizardHeader
from hvtui.tui.widgets.steps import StepList

from .support import RecordingApp, demo_sysroot
from .test_wizard import go_to

#: The versions the accepted SVGs were recorded with (``constraints.txt`` pins the same).
RECORDED_WITH = {"textual": "8.2.8", "rich": "15.0.0"}

#: The accepted text of each screen, one file per test.
SCREEN_TEXT = Path(__file__).with_name("__snapshots__") / "screen_text"

SnapCompare = Callable[..., bool]
AppFactory = Callable[..., HvtuiApp]
Scene = Callable[[Pilot[int]], Awaitable[None]]


def installed() -> dict[str, str]:
    """The installed versions of what draws the pictures."""
    return {name: version(name) for name in RECORDED_WITH}


def _plain(value: object) -> str:
    """Text of a label, prompt or cell (a str, Textual ``Content`` or Rich ``Text``)."""
    return value.plain if isinstance(value, Content) else str(value)


def _widget_text(widget: Widget) -> str | None:
    """What ``widget`` shows as text, through its public API; ``None`` for containers."""
    if isinstance(widget, Button | Tab):
        return _plain(widget.label)
    if isinstance(widget, Static):
        visual = widget.visual
        return visual.plain if isinstance(visual, Content) else str(widget.content)
    if isinstance(widget, StepList):
        return "\n".join(row.prompt.plain for row in widget.rows)
    if isinstance(widget, OptionList):
        count = widget.option_count
        return "\n".join(_plain(widget.get_option_at_index(i).prompt) for i in range(count))
    if isinstance(widget, Input):
        return widget.value or f"({widget.placeholder})"
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Markdown):
        return widget.source
    if isinstance(widget, Switch | Select):
        return str(widget.value)
    if isinstance(widget, DataTable):
        rows = (widget.get_row_at(index) for index in range(widget.row_count))
        return "\n".join(" | ".join(_plain(cell) for cell in row) for row in rows)
    return None


def _texts(parent: Widget) -> Iterator[tuple[Widget, str]]:
    """The visible widgets that show text, in order, with their text.  What ``display:
    none`` or a zero size hides is left out with everything inside it, and so are the
    parts Textual draws inside its own widgets (a select's arrow, the footer's keys)."""
    for child in parent.children:
        if not (child.display and child.visible and child.region.area > 0):
            continue
        if isinstance(child, Header | WizardHeader | Footer):
            continue  # the drawing of the title (kept as such) and of the bindings
        text = _widget_text(child)
        if text is not None:
            yield child, text
        else:
            yield from _texts(child)


def screen_text(app: App[Any]) -> str:
    """The title and every visible widget's kind, id and text: what the screen says,
    independent of how a Textual release draws it."""
    screen = app.screen
    lines = [f"title: {screen.title} — {screen.sub_title}"]
    for widget, text in _texts(screen):
        named = widget.id and not widget.id.startswith("-")  # not the ids Textual makes up
        name = type(widget).__name__ + (f"#{widget.id}" if named else "")
        lines.append(f"{name}: {text}")
    return "\n".join(lines) + "\n"


async def settled_text(pilot: Pilot[int], looks: int = 3) -> str:
    """:func:`screen_text` once it stopped changing: the same over ``looks`` looks a tenth
    of a second apart (the preview's tabs, for one, are mounted after the first frame)."""
    text, same = screen_text(pilot.app), 0
    for _ in range(100):
        await pilot.pause(0.1)
        again = screen_text(pilot.app)
        same = same + 1 if again == text else 0
        if same >= looks:
            break
        text = again
    return text


@dataclass
class ScreenCheck:
    """Compares a screen with its accepted text, and with its accepted picture when the
    installed Textual and Rich are the ones it was recorded with."""

    snap_compare: SnapCompare
    versions: dict[str, str]
    update: bool = False

    @property
    def pixels_count(self) -> bool:
        """The accepted pictures were recorded with these versions."""
        return self.versions == RECORDED_WITH

    def __call__(
        self,
        name: str,
        app: HvtuiApp,
        *,
        terminal_size: tuple[int, int],
        press: Iterable[str] = (),
        run_before: Scene | None = None,
    ) -> bool:
        if self.update and not self.pixels_count:
            pytest.fail(
                f"pictures are recorded with {RECORDED_WITH}, installed {self.versions}: "
                "update them in a venv made by scripts/test (constraints.txt)"
            )
        seen: list[str] = []

        async def scene(pilot: Pilot[int]) -> None:
            if run_before is not None:
                await run_before(pilot)
            await pilot.press(*press)
            seen.append(await settled_text(pilot))

        same_picture = self.snap_compare(app, terminal_size=terminal_size, run_before=scene)
        (said,) = seen
        stored = SCREEN_TEXT / f"{name}.txt"
        if self.update:
            SCREEN_TEXT.mkdir(exist_ok=True)
            stored.write_text(said, encoding="utf-8")
        accepted = stored.read_text(encoding="utf-8") if stored.exists() else None
        assert said == accepted, f"the text on screen differs from {stored.name}"
        return same_picture or not self.pixels_count


@pytest.fixture
def check_screen(snap_compare: SnapCompare, request: pytest.FixtureRequest) -> ScreenCheck:
    """:class:`ScreenCheck` for the installed versions."""
    update = bool(request.config.getoption("--snapshot-update"))
    return ScreenCheck(snap_compare, installed(), update)


def desktop(**changes: int | bool | str) -> Preset:
    """The shipped windows-desktop preset with some values changed."""
    preset = presets.load(presets.shipped_dir() / "windows-desktop.toml")
    return Preset(preset.name, preset.config.with_values(changes.items()), preset.description)


def test_host_screen_at_80x24(check_screen: ScreenCheck, make_app: AppFactory) -> None:
    """The first screen on the smallest supported terminal: the host's facts and why."""
    assert check_screen("host_screen_at_80x24", make_app(), terminal_size=(80, 24))


def test_host_screen_wide(check_screen: ScreenCheck, make_app: AppFactory) -> None:
    """A wide terminal: sidebar, host facts and the preview side by side."""
    assert check_screen("host_screen_wide", make_app(), terminal_size=(140, 40))


def test_step_with_a_warning(check_screen: ScreenCheck, make_app: AppFactory) -> None:
    """spinlocks below libvirt's minimum: the value, the warning with its fix, the docs."""

    async def show(pilot: Pilot[int]) -> None:
        await go_to(pilot, "spinlocks")
        pilot.app.screen.query_one("#value", Input).blur()

    app = make_app(preset=desktop(spinlocks=0x800))
    assert check_screen("step_with_a_warning", app, terminal_size=(120, 36), run_before=show)


def test_preview_one_key_away(check_screen: ScreenCheck, make_app: AppFactory) -> None:
    """On 80x24 the preview replaces the pane after ``v``."""
    app = make_app(preset=desktop())
    assert check_screen("preview_one_key_away", app, terminal_size=(80, 24), press=["v"])


def test_review_screen(check_screen: ScreenCheck, make_app: AppFactory) -> None:
    """Findings with fixes, the migration badge and the peers' defaults."""

    async def show(pilot: Pilot[int]) -> None:
        await go_to(pilot, Step.REVIEW)

    broken = Preset("lab-vm", Config.of(relaxed=True, stimer=True, reenlightenment=True))
    app = make_app(preset=broken)
    assert check_screen("review_screen", app, terminal_size=(120, 40), run_before=show)


# -- the guard itself ----------------------------------------------------------------


def _pictures_differ(app: App[int], terminal_size: tuple[int, int], run_before: Scene) -> bool:
    """A stand-in for ``snap_compare`` on a release that draws differently: it runs the
    scene and says the picture is not the accepted one."""

    async def run() -> None:
        async with app.run_test(size=terminal_size) as pilot:
            await run_before(pilot)

    asyncio.run(run())
    return False


ANOTHER_TEXTUAL = {**RECORDED_WITH, "textual": "8.99.0"}


def test_another_textual_compares_the_text_not_the_pixels(make_app: AppFactory) -> None:
    """On a compatible release whose pictures differ, the accepted screen still passes and a
    screen that says something else still fails; on the recorded one the pixels count."""
    other = ScreenCheck(_pictures_differ, ANOTHER_TEXTUAL)
    assert not other.pixels_count
    assert other("host_screen_at_80x24", make_app(), terminal_size=(80, 24))
    elsewhere = RecordingApp(sysroot=demo_sysroot(name="amd-epyc"), probe=False, demo="amd-epyc")
    with pytest.raises(AssertionError, match="the text on screen differs"):
        other("host_screen_at_80x24", elsewhere, terminal_size=(80, 24))
    recorded = ScreenCheck(_pictures_differ, dict(RECORDED_WITH))
    assert recorded.pixels_count
    assert not recorded("host_screen_at_80x24", make_app(), terminal_size=(80, 24))


def test_ci_installs_the_versions_the_pictures_were_recorded_with() -> None:
    """``constraints.txt`` (what scripts/test installs) pins the versions of
    :data:`RECORDED_WITH`: moving one means recording the pictures again."""
    text = (REPO / "constraints.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)$", text))
    assert {name: pins.get(name) for name in RECORDED_WITH} == RECORDED_WITH
