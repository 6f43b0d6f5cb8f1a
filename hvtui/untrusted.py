"""Parsing text hvtui did not write: bounded numbers, bounded nesting, no surprises.

Python's parsers fail on hostile input in ways that are not ``SyntaxError``:
``int()`` refuses more than ``sys.get_int_max_str_digits()`` digits with a
plain ``ValueError`` (and ``str()`` of a large hex number fails the same way
later, far from the input), ``json.loads`` and ``tomllib`` recurse once per
nesting level until ``RecursionError``, and JSON accepts ``NaN``/``Infinity``.
Every reader of untrusted text (presets, host reports, snapshot manifests,
sysfs values, imported command lines) goes through the functions here, which
turn all of that into :class:`UntrustedError` with one line saying what is
wrong, so callers name their file and move on.

The bounds are far beyond any real value (the largest number hvtui interprets
is a 64-bit register) and far below Python's own limits (at least 640 digits),
so they hold whatever the interpreter is configured with.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing (and json, loaded by load_json) stay off ``hvtui detect``'s path
    from typing import Any, TypeVar

    T = TypeVar("T")

#: Largest integer accepted anywhere, in bits (about 77 decimal digits).
MAX_INT_BITS = 256
#: Deepest nesting of arrays/tables/objects accepted in a TOML or JSON document.
MAX_DEPTH = 32

_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_PREFIXES = {"0x": 16, "0o": 8, "0b": 2}


class UntrustedError(ValueError):
    """Input that is not usable; ``str()`` is one line without the file name."""


#: Up to this many plain decimal digits are below 2**60, within :data:`MAX_INT_BITS`.
_PLAIN_DIGITS = 18


def too_large(value: int) -> bool:
    """True for an integer beyond :data:`MAX_INT_BITS` (either sign)."""
    return value.bit_length() > MAX_INT_BITS


def _too_large_message(digits: int) -> str:
    return f"a number with {digits} digits is too large (at most {MAX_INT_BITS} bits)"


def parse_int(text: str, base: int = 10) -> int:
    """An integer written with ASCII digits, at most :data:`MAX_INT_BITS` bits.

    ``base`` is 2, 8, 10 or 16, or 0 for Python-style ``0x``/``0o``/``0b``
    prefixes.  A leading ``+``/``-`` and surrounding whitespace are allowed;
    underscores and non-ASCII digits (which ``int()`` would accept) are not.
    Raises :class:`UntrustedError`; the digits are counted before converting,
    so a megabyte of digits costs one scan, never a quadratic conversion.
    """
    if base == 10 and len(text) <= _PLAIN_DIGITS and text.isascii() and text.isdigit():
        return int(text)  # plain digits (a vCPU number): nothing to refuse, at most 60 bits
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    body = body[1:] if body[:1] in "+-" else body
    if base == 0:
        base = _PREFIXES.get(body[:2].lower(), 10)
        if base != 10:
            body = body[2:]
        elif body.startswith("0") and body.strip("0"):
            raise UntrustedError(f"{_show(text)} is not a number (a leading 0 needs 0x, 0o or 0b)")
    allowed = _DIGITS.get(base)
    if allowed is None:
        raise ValueError(f"unsupported base {base}")
    if not body or body.strip(allowed):
        raise UntrustedError(f"{_show(text)} is not a number")
    significant = body.lstrip("0")
    if len(significant) * math.log2(base) > MAX_INT_BITS + 4:
        raise UntrustedError(_too_large_message(len(body)))
    value = sign * int(significant or "0", base)
    if too_large(value):
        raise UntrustedError(_too_large_message(len(body)))
    return value


def _show(text: str, limit: int = 40) -> str:
    """``repr`` of at most ``limit`` characters, for messages about huge input."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(short)


def check_tree(data: T) -> T:
    """``data`` if no integer in it is too large and it nests at most :data:`MAX_DEPTH`.

    Walks without recursion, so a hostile document cannot exhaust the stack
    here either.  Raises :class:`UntrustedError`.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if too_large(item):
                raise UntrustedError(
                    f"a {item.bit_length()}-bit number is too large (at most {MAX_INT_BITS} bits)"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise UntrustedError(f"{item} is not a finite number")
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise UntrustedError(f"nested more than {MAX_DEPTH} levels deep")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return data


class BadNumber:
    """A number :func:`load_json` could not accept, left in place in lenient mode.

    It is neither ``int`` nor ``float``, so the type check of whatever reads
    that one value fails, and only that value (a snapshot probe, say) is lost.
    """

    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def __repr__(self) -> str:
        return f"<bad number: {self.problem}>"


def find_bad_number(data: Any) -> BadNumber | None:
    """The first :class:`BadNumber` inside ``data`` (walked without recursion), if any."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, BadNumber):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _json_int(text: str) -> int:
    return parse_int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UntrustedError(f"{_show(text)} is too large for a number")
    return value


def _json_constant(name: str) -> float:
    raise UntrustedError(f"{name} is not JSON (only finite numbers are)")


def _lenient(parse: Any) -> Any:
    def wrapped(text: str) -> Any:
        try:
            return parse(text)
        except UntrustedError as exc:
            return BadNumber(str(exc))

    return wrapped


def text_of(data: str | bytes) -> str:
    """``data`` as text: bytes must be UTF-8 (raises :class:`UntrustedError`)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UntrustedError(f"not UTF-8 text (bad byte at offset {exc.start})") from exc


def load_json(data: str | bytes, *, lenient: bool = False) -> Any:
    """``json.loads`` with bounded numbers and nesting; raises :class:`UntrustedError`.

    ``NaN``, ``Infinity`` and numbers too large for a float are refused too:
    no document hvtui reads has them, and ``int(inf)`` fails far from here.
    With ``lenient`` such a number becomes a :class:`BadNumber` in place instead,
    for documents whose parts are used independently (a snapshot manifest).
    """
    from hvtui.jsonlite import loads  # json.loads without loading json and re (~5 M
    # instructions of the wizard's first frame on a demo host, whose manifest is JSON)

    text = text_of(data)
    hooks = (_json_int, _json_float, _json_constant)
    if lenient:
        hooks = (_lenient(_json_int), _lenient(_json_float), _lenient(_json_constant))
    try:
        document = loads(text, parse_int=hooks[0], parse_float=hooks[1], parse_constant=hooks[2])
    except RecursionError as exc:
        raise UntrustedError(f"nested more than {MAX_DEPTH} levels deep") from exc
    except UntrustedError:
        raise
    except ValueError as exc:
        import json  # a malformed document: json's error, whose module is loaded by now

        if not isinstance(exc, json.JSONDecodeError):
            raise
        raise UntrustedError(f"not JSON: {exc}") from exc
    return check_tree(document)


def load_toml(data: str | bytes) -> dict[str, Any]:
    """``tomllib.loads`` with bounded numbers and nesting; raises :class:`UntrustedError`.

    A syntax error keeps tomllib's wording (line and column) after ``TOML
    syntax error:``.
    """
    import tomllib  # only TOML readers pay for it (~8 ms), not ``hvtui detect``

    text = text_of(data)
    try:
        document = tomllib.loads(text)
    except RecursionError as exc:
        raise UntrustedError(f"nested more than {MAX_DEPTH} levels deep") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UntrustedError(f"TOML syntax error: {exc}") from exc
    except ValueError as exc:
        # tomllib lets int()'s own refusal through: "Exceeds the limit (4300 digits)".
        raise UntrustedError(f"a number is too large (at most {MAX_INT_BITS} bits)") from exc
    return check_tree(document)


__all__ = [
    "MAX_DEPTH",
    "MAX_INT_BITS",
    "BadNumber",
    "UntrustedError",
    "check_tree",
    "find_bad_number",
    "load_json",
    "load_toml",
    "parse_int",
    "text_of",
    "too_large",
]
