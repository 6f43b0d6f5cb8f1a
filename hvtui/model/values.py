"""Value checks driven by the catalog's kind and range facts.

Shared by validation (which reports a finding), the preset loader (which
reports the file and key) and the TUI's input validators (which show why a
typed value is refused).
"""

from __future__ import annotations

from hvtui.catalog import Enlightenment, Value, ValueKind


def kind_matches(entry: Enlightenment, value: object) -> bool:
    """True when ``value`` has the Python type the option's kind needs.

    ``bool`` is a subclass of ``int``, so it is excluded from UINT explicitly.
    """
    if entry.kind is ValueKind.SWITCH:
        return isinstance(value, bool)
    if entry.kind is ValueKind.UINT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def value_problem(entry: Enlightenment, value: object) -> str | None:
    """Why ``value`` is not allowed for ``entry``, or ``None`` when it is.

    The allowed range is put in words only for a value that is refused (validation
    asks about every value of every configuration, and nearly all are fine).
    """
    if not kind_matches(entry, value):
        return f"expected {entry.describe_range()}, got {describe_type(value)}"
    if entry.kind is ValueKind.UINT:
        assert isinstance(value, int)
        if not 0 <= value <= entry.maximum:
            return f"{value} is out of range: expected {entry.describe_range()}"
    elif entry.kind is ValueKind.STRING:
        assert isinstance(value, str)
        problem = _string_problem(value, entry.max_length)
        if problem:
            return f"{problem}: expected {entry.describe_range()}"
    elif entry.kind is ValueKind.TRISTATE and value not in entry.choices:
        return f"{value!r} is not allowed: expected {entry.describe_range()}"
    return None


def values_equal(a: Value, b: Value) -> bool:
    """Type-exact comparison (``True`` is not ``1``), for round-trip checks."""
    return type(a) is type(b) and a == b


#: The plain value types: a configuration's values (``bool``, ``int``, ``str``) and
#: ``None`` for an absent one.  With its type beside it, such a value is an exact key of a
#: memo (hashable, and ``True`` is told from ``1`` as :func:`values_equal` tells them);
#: the audit's and the advice's per-value memos take only these.
PLAIN_TYPES = frozenset((bool, int, str, type(None)))


def _string_problem(value: str, max_length: int) -> str | None:
    if not value:
        return "the value is empty"
    bad = [c for c in value if not (" " <= c <= "~")]
    if bad:
        return f"{bad[0]!r} is not printable ASCII"
    if "," in value:
        return "a comma is not allowed (QEMU splits options on commas)"
    if len(value) > max_length:
        return f"{len(value)} characters is too long"
    return None


def describe_type(value: object) -> str:
    """TOML-flavoured name of a value's type, for error messages."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def format_value(entry: Enlightenment, value: Value) -> str:
    """How a value is shown to people: hex for spinlocks, quoted strings, on/off."""
    if entry.kind is ValueKind.SWITCH:
        return "on" if value else "off"
    if entry.hex_display and isinstance(value, int):
        return f"{value:#x}"
    if entry.kind is ValueKind.STRING:
        return f'"{value}"'
    return str(value)
