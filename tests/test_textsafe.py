""":func:`hvtui.textsafe.safe_name`, the one rule that turns any text into a name (issue #13).

Preset names made from file names, a draft named after a VM, a recovery file's name
and a libvirt domain's file stem all go through it, so its answers on awkward text
are pinned here once (the wizard's callers are checked to agree in
``tests/tui/test_state.py``).
"""

from __future__ import annotations

import pytest

from hvtui.textsafe import SAFE_NAME, clipped, safe_name

#: Awkward text and the name it gives (``None``: nothing usable is left).
AWKWARD: list[tuple[str, str | None]] = [
    ("win11", "win11"),
    ("win11-", "win11-"),  # already a name: kept exactly, trailing "-" too
    ("vm.", "vm."),
    ("My VM (old)", "My-VM-old"),  # the trailing "-" a replacement leaves goes
    ("", None),
    (".", None),
    ("..", None),
    ("-", None),
    ("._-", None),
    ("-rf", "rf"),  # never read as an option
    ("--help", "help"),
    (".hidden", "hidden"),  # never a hidden file
    ("_priv", "priv"),
    ("../../etc/passwd", "etc-passwd"),  # never a path
    ("a/b", "a-b"),
    ("a\\b", "a-b"),
    ("über-vm", "ber-vm"),
    ("日本語", None),
    ("\u212a", None),  # KELVIN SIGN: not a "K" (no case folding)
    ("a\x1b[31mb", "a-31mb"),
    ("a\nb\x00c", "a-b-c"),
    ("x" * 64, "x" * 64),
    ("x" * 65, "x" * 64),
    ("a" * 63 + " b", "a" * 63),  # cut at 64, then the "-" left at the end goes
    ("-" * 70 + "a", "a"),
    ("é" * 100, None),
]


@pytest.mark.parametrize(("text", "name"), AWKWARD)
def test_awkward_text_gives_a_name_or_none(text: str, name: str | None) -> None:
    assert safe_name(text) == name
    if name is not None:
        assert SAFE_NAME.fullmatch(name), "what comes back is always a valid name"
        assert safe_name(name) == name, "and stays as it is the second time"


def test_clipped_keeps_a_short_value_and_marks_the_cut_of_a_long_one() -> None:
    assert clipped("x" * 40) == "x" * 40
    assert clipped("x" * 41) == "x" * 39 + "…"
    assert len(clipped("y" * 1000)) == 40
    assert clipped("abcdef", limit=4) == "abc…"
