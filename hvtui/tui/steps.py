"""The wizard's steps: their ids, their order and where the moving keys go.

A step is one of the three pages (:class:`Step`) or an option, whose step id is
its canonical catalog name (so the sidebar, the palette's "Jump to" and the
model all use one spelling).  Plain Python: the order and the keys' rules are
unit-tested without the UI.
"""

from __future__ import annotations

from enum import StrEnum

from hvtui import catalog


class Step(StrEnum):
    """The steps that are pages rather than options (an option's step id is its name)."""

    HOST = "host"
    """What detection found about this machine."""
    START = "start"
    """Where the draft comes from (recommendation, preset, file, existing or running VM,
    a libvirt domain, nothing)."""
    REVIEW = "review"
    """All findings, the migration badge, the peers' defaults, save and export."""


#: How each page is named in the sidebar, the title bar and the palette.
PAGE_TITLES = {Step.HOST: "Host", Step.START: "Start from", Step.REVIEW: "Review"}


def option_steps() -> tuple[str, ...]:
    """Option names in sidebar order (grouped as ``catalog.by_group`` lists them)."""
    return tuple(entry.name for _group, entries in catalog.by_group() for entry in entries)


def all_steps() -> tuple[str, ...]:
    """Every step in the order next/previous walks them."""
    return (Step.HOST, Step.START, *option_steps(), Step.REVIEW)


def page(step: str) -> Step | None:
    """The page ``step`` is, or ``None`` for an option's step."""
    try:
        return Step(step)
    except ValueError:
        return None


def step_for(text: str) -> str | None:
    """The step ``text`` names: a step id or any spelling of an option name (``None``:
    neither)."""
    if text in all_steps():
        return text
    return catalog.canonical_name(text)


def step_title(step: str) -> str:
    """How a step is named in the title bar and the palette."""
    shown = page(step)
    return PAGE_TITLES[shown] if shown is not None else catalog.get(step).qemu_property


def neighbour(step: str, offset: int) -> str:
    """The step ``offset`` places away, clamped to the first and last."""
    steps = all_steps()
    index = steps.index(step) if step in steps else 0
    return steps[max(0, min(len(steps) - 1, index + offset))]


def group_start(step: str, direction: int) -> str:
    """Where ``]`` (``direction`` 1) or ``[`` (-1) goes from ``step``: the first option of
    the next group (after the last group, Review), or of the previous group (from inside a
    group past its first option, that group's first option; before the first, Start)."""
    firsts = [entries[0].name for _group, entries in catalog.by_group() if entries]
    steps = all_steps()
    index = steps.index(step) if step in steps else 0
    if direction > 0:
        later = [name for name in firsts if steps.index(name) > index]
        return later[0] if later else Step.REVIEW
    earlier = [name for name in firsts if steps.index(name) < index]
    return earlier[-1] if earlier else Step.START if index > steps.index(Step.START) else step


def next_marked(step: str, marked: set[str] | frozenset[str]) -> str | None:
    """``!``: the next option after ``step`` (round) that is in ``marked``, or ``None``."""
    names = option_steps()
    start = names.index(step) + 1 if step in names else 0
    return next((name for name in names[start:] + names[:start] if name in marked), None)


__all__ = [
    "PAGE_TITLES",
    "Step",
    "all_steps",
    "group_start",
    "neighbour",
    "next_marked",
    "option_steps",
    "page",
    "step_for",
    "step_title",
]
