"""The wizard's plain-Python rules: typed values, the draft and its undo, steps, host support,
docs rendering (no UI: these are the rules the screen delegates to)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hvtui import catalog
from hvtui.model import Config
from hvtui.model.values import value_problem
from hvtui.presets import Preset
from hvtui.textsafe import safe_name
from hvtui.tui import services
from hvtui.tui.draft import Draft, Edit, History
from hvtui.tui.recovery import write_recovery
from hvtui.tui.state import parse_typed, preset_name_for, typed_text
from hvtui.tui.steps import Step, all_steps, group_start, neighbour, next_marked, step_for
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


#: Names a VM or a draft may have (``tests/test_textsafe.py`` pins what each gives).
AWKWARD_NAMES = [
    *("win11", "win11-", "vm.", "My VM (old)", "", ".", "-rf", "_priv", "../../etc/passwd"),
    *("über-vm", "日本語", "a\x1b[31mb", "x" * 65, "a" * 63 + " b"),
]


def test_vm_names_and_recovery_files_follow_the_one_name_rule(tmp_path: Path) -> None:
    """A draft named after a VM and a recovery file's name use :func:`safe_name`, not
    rules of their own that could drift from it (issue #13)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(0))
    for number, name in enumerate(AWKWARD_NAMES):
        assert preset_name_for(name) == safe_name(name), name
        written = write_recovery(Preset(name, Config()), directory=tmp_path / str(number), now=0)
        assert written.name == f"{safe_name(name) or 'draft'}-{stamp}.toml", name
    assert preset_name_for(None) is None


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
    assert steps[0] == Step.HOST and steps[-1] == Step.REVIEW
    assert len(steps) == len(catalog.ENTRIES) + 3
    assert neighbour(Step.HOST, -1) == Step.HOST
    assert neighbour(Step.REVIEW, 5) == Step.REVIEW


def test_docs_keep_their_emphasis_and_code() -> None:
    content = markdown_content("Use **bold** and `code`.\n\n- one\n- two\n")
    assert content.plain == "Use bold and code.\n\n• one\n• two"
    styles = {str(span.style) for span in content.spans}
    assert "bold" in styles and "$text-accent" in styles


# -- the draft the screen delegates to ---------------------------------------------------

AUDIT_DATA = Path(__file__).resolve().parents[1] / "audit" / "data"


def domain_xml() -> services.ImportedConfig:
    """A libvirt domain XML with every enlightenment (a VM the draft can start from)."""
    return services.import_config(AUDIT_DATA / "libvirt-hyperv-all.xml")


def test_a_change_pulls_in_what_it_needs_as_one_undo_step() -> None:
    draft = Draft(Preset("lab-vm", Config()))
    assert draft.toggle("stimer", False) is None, "already off: nothing to do"
    change = draft.toggle("stimer", True)
    assert change is not None and draft.take(change, "turn on stimer")
    assert draft.preset.config.enabled() == ("vpindex", "time", "synic", "stimer")
    assert draft.dirty
    assert not draft.take(change, "again"), "the same draft again is no edit"
    undone = draft.undo()
    assert undone is not None and undone.label == "turn on stimer"
    assert draft.preset.config == Config() and not draft.dirty
    assert draft.undo() is None, "nothing more to undo"
    assert draft.redo() is not None and draft.preset.config.is_on("synic")


def test_turning_off_with_dependents_is_one_step() -> None:
    draft = Draft(Preset("lab-vm", Config.of(vpindex=True, synic=True, stimer=True)))
    change = draft.toggle("synic", False)
    assert change is not None and change.still_needed_by == ("stimer",)
    assert draft.turn_off_with_dependents("synic")
    assert draft.preset.config.enabled() == ("vpindex",)
    draft.undo()
    assert draft.preset.config.enabled() == ("vpindex", "synic", "stimer")


def test_the_vm_started_from_is_undone_with_the_draft() -> None:
    imported = domain_xml()
    draft = Draft(Preset("lab-vm", Config()))
    assert draft.apply_target is None and not draft.can_merge
    assert draft.start_from_domain(imported.config, imported.source, "qemu:///system", "win11")
    assert draft.preset.name == "QEMUGuest1", "named after the VM"
    assert draft.can_merge and draft.apply_target == ("qemu:///system", "win11")
    assert draft.start_empty()
    assert draft.started_from is None and draft.apply_target is None
    draft.undo()
    assert draft.started_from is imported.source
    assert draft.apply_target == ("qemu:///system", "win11"), "undoing brings the VM back"
    draft.undo()
    assert draft.started_from is None and draft.apply_target is None
    assert draft.preset == Preset("lab-vm", Config())


def test_a_save_or_a_load_is_the_new_baseline(tmp_path: Path) -> None:
    draft = Draft(Preset("my-windows-vm", Config()))
    draft.start_recommended(Config.of(relaxed=True), "desktop")
    assert draft.preset.description == "Windows guest (desktop)" and draft.dirty
    written = Preset("lab-vm", draft.preset.config, "mine")
    saved = draft.saved(written, tmp_path / "lab-vm.toml")
    assert not draft.dirty and draft.preset == saved and saved.source == tmp_path / "lab-vm.toml"
    draft.undo()
    assert draft.preset.name == "lab-vm", "undo changes what is in it, not its name"
    assert draft.preset.config == Config()
    loaded = Preset("other", Config.of(vapic=True))
    assert draft.load(loaded) and not draft.dirty
    assert draft.undo() is not None and draft.dirty


def test_steps_are_ids_of_pages_and_option_names() -> None:
    assert step_for("hv-stimer") == step_for("hv_stimer") == "stimer"
    assert step_for(Step.REVIEW) == Step.REVIEW and step_for("nonsense") is None
    assert group_start(Step.HOST, -1) == Step.HOST
    assert group_start(all_steps()[-2], 1) == Step.REVIEW
    assert next_marked("stimer", {"relaxed"}) == "relaxed", "round from the end"
    assert next_marked(Step.HOST, set()) is None
