"""The wizard's plain-Python rules: typed values, undo, steps, host support, docs rendering."""

from __future__ import annotations

import pytest

from hvtui import catalog
from hvtui.model import Config
from hvtui.model.values import value_problem
from hvtui.presets import Preset
from hvtui.tui.state import (
    STEP_HOST,
    STEP_REVIEW,
    Edit,
    History,
    all_steps,
    neighbour,
    parse_typed,
    typed_text,
)
from hvtui.tui.widgets.doc import markdown_content

SPINLOCKS = catalog.get("spinlocks")
VENDOR_ID = catalog.get("vendor-id")


@pytest.mark.parametrize(
    ("text", "value"),
    [("0x1fff", 0x1FFF), ("8191", 8191), (" 0X1FFF ", 0x1FFF), ("4_095", 4095), ("0", 0)],
)
def test_numbers_are_read_as_toml_writes_them(text: str, value: int) -> None:
    parsed = parse_typed(SPINLOCKS, text)
    assert parsed.ok and parsed.value == value


def test_refusals_are_the_models_own_words() -> None:
    assert parse_typed(SPINLOCKS, "0x100000000").problem == value_problem(SPINLOCKS, 1 << 32)
    assert parse_typed(SPINLOCKS, "-1").problem == value_problem(SPINLOCKS, -1)
    assert parse_typed(SPINLOCKS, "lots").problem == (
        f"'lots' is not a number: expected {SPINLOCKS.describe_range()}"
    )
    assert parse_typed(VENDOR_ID, "a,b").problem == value_problem(VENDOR_ID, "a,b")
    assert parse_typed(VENDOR_ID, "KVMKVMKVM").value == "KVMKVMKVM"


def test_fields_show_values_as_presets_do() -> None:
    assert typed_text(SPINLOCKS, 0x1FFF) == "0x1fff"
    assert typed_text(SPINLOCKS, None) == "0x1fff", "an absent value shows the suggestion"
    assert typed_text(VENDOR_ID, "abc") == "abc"


def test_history_undoes_and_redoes_in_order() -> None:
    a, b, c = (Preset(n, Config()) for n in ("a", "b", "c"))
    history = History(limit=2)
    history.record(Edit("one", a, b))
    history.record(Edit("two", b, c))
    history.record(Edit("three", c, a))
    assert [e.label for e in history.undo_stack] == ["two", "three"], "the oldest is forgotten"
    undone = history.undo()
    assert undone is not None and undone.before == c
    redone = history.redo()
    assert redone is not None and redone.after == a
    history.undo()
    history.record(Edit("four", c, b))
    assert history.redo() is None, "a new edit clears redo"


def test_steps_run_host_start_options_review() -> None:
    steps = all_steps()
    assert steps[0] == STEP_HOST and steps[-1] == STEP_REVIEW
    assert len(steps) == len(catalog.ENTRIES) + 3
    assert neighbour(STEP_HOST, -1) == STEP_HOST
    assert neighbour(STEP_REVIEW, 5) == STEP_REVIEW


def test_docs_keep_their_emphasis_and_code() -> None:
    content = markdown_content("Use **bold** and `code`.\n\n- one\n- two\n")
    assert content.plain == "Use bold and code.\n\n• one\n• two"
    styles = {str(span.style) for span in content.spans}
    assert "bold" in styles and "$text-accent" in styles
