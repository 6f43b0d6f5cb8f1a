"""``json.dumps(value, indent=2)`` and ``json.loads(text)`` without importing :mod:`json`.

:mod:`json` imports :mod:`re` (for its decoder and its pure-Python encoder): ~10 ms
of a fresh process on this project's 2-core test machine, and ``hvtui detect
--json``, whose whole budget is 60 ms (issue #13), only writes JSON and reads the
``--version`` cache.  The work is done by the very C functions :mod:`json` uses
(``_json``, which :mod:`json` itself takes them from), so the results are the same:

- :func:`dumps` writes dicts with string keys, lists, tuples, strings, integers,
  floats, booleans and ``None`` as ``json.dumps(value, indent=2)`` does (strings
  through the same escaper, numbers through the same ``repr``); anything else
  (another type, a non-string key, a container inside itself) is handed to
  ``json.dumps``, so the text, or the error, is always the standard library's;
- :func:`loads` reads a ``str`` as ``json.loads`` does (the same scanner with the
  same settings); a malformed document raises ``json.JSONDecodeError``.

``tests/test_jsonlite.py`` compares both with :mod:`json` on every snapshot and on
hostile text.  Without ``_json`` (another Python), :mod:`json` does the work.
"""

from __future__ import annotations

try:  # what json.encoder and json.scanner use when the C accelerator exists
    import _json as _accelerated
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    _accelerated = None  # type: ignore[assignment]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

if _accelerated is not None:
    _escape: Any = _accelerated.encode_basestring_ascii
    _make_scanner: Any = _accelerated.make_scanner
else:  # pragma: no cover
    from json.encoder import py_encode_basestring_ascii as _escape

    _make_scanner = None

_INDENT = "  "
_INFINITY = float("inf")


class _NotPlainError(Exception):
    """A value this module does not write itself (json.dumps will)."""


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2)``, byte for byte."""
    try:
        return _encode(value, "\n", set())
    except _NotPlainError:
        import json

        return json.dumps(value, indent=2)


class _DecoderSettings:
    """What the C scanner reads from a ``json.JSONDecoder()``: its default settings."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"NaN": float("nan"), "Infinity": _INFINITY, "-Infinity": -_INFINITY}.get
    memo: dict[str, str] = {}  # noqa: RUF012 - read by the scanner, which keeps its own


_scan: Any = None
#: What ``json.decoder.WHITESPACE`` skips around a document.
_BLANK = " \t\n\r"


def loads(text: str) -> Any:
    """``json.loads(text)``; raises ``json.JSONDecodeError`` (a ``ValueError``)."""
    global _scan
    if _make_scanner is None:  # pragma: no cover - see the module's docstring
        import json

        return json.loads(text)
    if _scan is None:
        _scan = _make_scanner(_DecoderSettings())
    if text.startswith("\ufeff"):
        _fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    start = len(text) - len(text.lstrip(_BLANK))
    try:
        value, end = _scan(text, start)
    except StopIteration as exc:
        _fail("Expecting value", text, exc.value)
    if text[end:].strip(_BLANK):
        _fail("Extra data", text, len(text) - len(text[end:].lstrip(_BLANK)))
    return value


def _fail(message: str, text: str, position: int) -> NoReturn:
    """Raise json's own error (loading :mod:`json` only for a malformed document)."""
    import json

    raise json.JSONDecodeError(message, text, position) from None


def _float(value: float) -> str:
    """As json's encoder (``allow_nan``): ``NaN``, ``Infinity``, ``-Infinity``, else repr."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _encode(value: Any, newline: str, open_containers: set[int]) -> str:
    """``value`` encoded with its inner lines starting ``newline`` (a newline and the
    indentation of the line ``value`` starts on)."""
    kind = type(value)
    if kind is str:
        text: str = _escape(value)
        return text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float(value)
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + _INDENT
        key = _enter(value, open_containers)
        items = [_encode(item, inner, open_containers) for item in value]
        open_containers.discard(key)
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + _INDENT
        key = _enter(value, open_containers)
        members = []
        for name, item in value.items():
            if type(name) is not str:
                raise _NotPlainError
            members.append(_escape(name) + ": " + _encode(item, inner, open_containers))
        open_containers.discard(key)
        return "{" + inner + ("," + inner).join(members) + newline + "}"
    raise _NotPlainError


def _enter(container: object, open_containers: set[int]) -> int:
    """Mark ``container`` as being written; one already being written is a cycle."""
    key = id(container)
    if key in open_containers:
        raise _NotPlainError  # json.dumps raises its "Circular reference detected"
    open_containers.add(key)
    return key


__all__ = ["dumps", "loads"]
