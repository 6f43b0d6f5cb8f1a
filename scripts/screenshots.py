"""Regenerate ``screenshots/*.svg`` and ``*.png``: the wizard's main screens for the README.

Each screen is driven with Pilot on the shipped demo host ``intel-tigerlake``
(the one the snapshot tests use; its title says so), without the slow probes,
so the pictures do not depend on the machine running this, and
``hvtui --demo intel-tigerlake`` shows a reader the same screens.
SVGs come from Textual; PNGs from cairosvg with the SVG's font swapped for
DejaVu Sans Mono (cairosvg would otherwise fall back to a proportional font
and misalign the columns).

Usage::

    .venv/bin/python scripts/screenshots.py            # into screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots --no-png
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from textual.pilot import Pilot  # noqa: E402
from tui.support import DEMO, RecordingApp, demo_sysroot  # noqa: E402

from hvtui import presets  # noqa: E402
from hvtui.model import Config  # noqa: E402
from hvtui.presets import Preset  # noqa: E402
from hvtui.tui.screens.apply import ApplyDialog  # noqa: E402
from hvtui.tui.steps import Step  # noqa: E402

if TYPE_CHECKING:
    from hvtui.libvirt.apply import ApplyPlan

#: SVG font declaration Textual writes, and what the PNGs use instead.
SVG_FONT = "Fira Code"
PNG_FONT = "DejaVu Sans Mono"

Scene = Callable[[Pilot[int]], Awaitable[None]]


@dataclass
class Shot:
    """One screenshot: a name, a terminal size, a starting draft and the moves to make."""

    name: str
    title: str
    size: tuple[int, int]
    preset: Preset | None = None
    moves: list[str] = field(default_factory=list)
    """Steps to show (``step:NAME``), keys to press, or ``dialog:apply`` (the apply
    dialog for a recorded plan: no libvirtd needed)."""


def demo_plan(preset: Preset, name: str = "win11") -> ApplyPlan:
    """What ``hvtui apply win11`` plans for a small domain without Hyper-V settings
    (``tests/lvtools.py``'s throw-away domain), computed without libvirtd."""
    from lvtools import domain_xml

    from hvtui import export
    from hvtui.libvirt.apply import APPLY, ApplyPlan, on_values, unified_diff

    target = export.resolve_target(preset.target, detect=lambda: None)[0]
    old = domain_xml(name)
    new = export.merge_into(old, preset.config, target, source=name).text
    what = f"preset {preset.name}"
    diff = unified_diff(old, new, name, f"with {what}")
    return ApplyPlan(
        "qemu:///system", name, APPLY, what, old, new, diff, False, on_values(preset.config)
    )


def desktop() -> Preset:
    """The shipped windows-desktop preset."""
    return presets.load(presets.shipped_dir() / "windows-desktop.toml")


SHOTS = [
    Shot("host", "Host: what this machine offers and why it matters", (120, 36)),
    Shot("start", "Start from: recommendation, preset, file, existing VM", (120, 36), None, ["n"]),
    Shot(
        "option",
        "An option: its control, relations, findings and docs",
        (120, 36),
        Preset("lab-vm", desktop().config.with_value("spinlocks", 0x800)),
        ["step:spinlocks"],
    ),
    Shot(
        "cascade",
        "Turning off what others need asks first",
        (120, 36),
        desktop(),
        ["step:synic", "space"],
    ),
    Shot(
        "preview",
        "The preview, one key away on 80x24",
        (80, 24),
        desktop(),
        ["step:stimer", "v", "right", "right"],
    ),
    Shot(
        "review",
        "Review: findings with one-key fixes, migration, what other tools do",
        (120, 40),
        Preset("lab-vm", Config.of(relaxed=True, stimer=True, reenlightenment=True)),
        [f"step:{Step.REVIEW}"],
    ),
    Shot(
        "apply",
        "Apply to a libvirt domain: the diff, and a question before defining",
        (120, 40),
        desktop(),
        [f"step:{Step.REVIEW}", "dialog:apply"],
    ),
]


async def take(shot: Shot, sysroot: Path, out: Path) -> Path:
    """Run the app for one shot and save its SVG (the tests' app: its cursors do not blink,
    so a picture does not depend on when it was taken)."""
    app = RecordingApp(sysroot=sysroot, probe=False, preset=shot.preset, demo=DEMO)
    async with app.run_test(size=shot.size) as pilot:
        await pilot.pause()
        for move in shot.moves:
            if move.startswith("step:"):
                app.wizard.go_to(move.removeprefix("step:"))
                for _ in range(5):
                    await pilot.pause()
            elif move == "dialog:apply":
                app.push_screen(ApplyDialog(demo_plan(app.wizard.preset)))
                await pilot.pause()
            else:
                if move in ("right", "left"):
                    for _ in range(50):  # the tabs are built when the preview is first shown
                        if app.screen.query("#preview-tabs ContentTabs"):
                            break
                        await pilot.pause()
                    app.screen.query_one("#preview-tabs ContentTabs").focus()
                await pilot.press(move)
                await pilot.pause()
        # The workers that end by themselves (the Start step's running-VM list), not one
        # waiting for the answer to the dialog the picture shows (cascade's question):
        # waiting for that one never ends.
        ending = [worker for worker in app.workers if worker.group != "dialogs"]
        if ending:  # an empty list would mean every worker
            await app.workers.wait_for_complete(ending)
        await pilot.pause(0.2)
        path = Path(app.save_screenshot(filename=f"{shot.name}.svg", path=str(out)))
    svg = path.read_text(encoding="utf-8")
    path.write_text(svg.replace("<title>hvtui</title>", f"<title>{shot.title}</title>"))
    return path


def to_png(svg_path: Path) -> Path:
    """Convert with cairosvg in a monospace font the PNG renderer has."""
    import cairosvg  # type: ignore[import-untyped]

    svg = svg_path.read_text(encoding="utf-8").replace(SVG_FONT, PNG_FONT)
    png_path = svg_path.with_suffix(".png")
    cairosvg.svg2png(bytestring=svg.encode("utf-8"), write_to=str(png_path))
    return png_path


def main(argv: list[str] | None = None) -> int:
    """Write every shot; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots", help="output directory")
    parser.add_argument("--no-png", action="store_true", help="SVG only (no cairosvg needed)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sysroot = demo_sysroot()  # read in place: nothing is written to it
    for shot in SHOTS:
        svg = asyncio.run(take(shot, sysroot, args.out))
        made = [svg]
        if not args.no_png:
            made.append(to_png(svg))
        print(" ".join(str(p.relative_to(args.out.parent)) for p in made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
