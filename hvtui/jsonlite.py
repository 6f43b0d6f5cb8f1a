"""``json.dumps(value, indent=2)`` and ``json.loads(text)`` without importing :mod:`json`.

:mod:`json` imports :mod:`re` (for its decoder and its pure-Python encoder): ~10 ms
of a fresh process on this project's 2-core test machine, and ``hvtui detect
--json``, whose whole budget is 60 ms (issue #13), only writes JSON and reads the
``--version`` cache.  The work is done by the very C functions :mod:`json` uses
(``_json``, which :mod:`json` itself takes them from), so the results are the same:

- :func:`dumps` writes what ``json.dumps(value, indent=2)`` writes (strings through
  the same escaper, numbers through the same ``repr``, the same key rules, str/int
  subclasses such as ``StrEnum`` as their values); an unknown type, or a container
  inside itself, is handed to ``json.dumps``, so the error is the standard library's.
  It is also the audit's encoder (:mod:`hvtui.audit.jsontext`), with
  :class:`Encoded` texts placed as they are;
- :func:`loads` reads a ``str`` as ``json.loads`` does (the same scanner with the
  same settings, the number hooks ``json.loads`` takes included: the snapshot
  manifest a demo host is read from goes through them); a malformed document
  raises ``json.JSONDecodeError``.

``tests/detect/test_detect_json_text.py`` and ``tests/audit/test_audit_streaming.py``
compare both with :mod:`json` on every snapshot, audit output and
hostile text.  Without ``_json`` (another Python), :mod:`json` does the work.
"""

from __future__ import annotations

try:  # what json.encoder and json.scanner use when the C accelerator exists
    import _json as _accelerated
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    _accelerated = None  # type: ignore[assignment]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

if _accelerated is not None:
    _escape: Any = _accelerated.encode_basestring_ascii
    _make_scanner: Any = _accelerated.make_scanner
    _make_encoder: Any = _accelerated.make_encoder
else:  # pragma: no cover
    from json.encoder import py_encode_basestring_ascii as _escape

    _make_scanner = None
    _make_encoder = None

escape: Callable[[str], str] = _escape
"""A string as JSON text, quoted, non-ASCII escaped (json's own escaper, as :func:`dumps`
writes strings), for callers that write JSON text of their own on a hot path."""

_INDENT = "  "
_INFINITY = float("inf")


class Encoded:
    """A value already encoded by :func:`dumps` at the depth where it is placed: written
    as it is (the audit encodes each VM, and each distinct finding, once)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Encoded(text={self.text!r})"


def dumps(value: Any, *, level: int = 0) -> str:
    """``json.dumps(value, indent=2)``, byte for byte; ``level``: as if nested that many
    containers deep (its inner lines indented by that many more steps), for
    :class:`Encoded`.  Given an ``indent``, :mod:`json` leaves its C encoder for a
    pure-Python one that yields a token at a time; here each list or dict is one call
    that joins its items, with json's own C escaper and number formats.  What this
    module does not write itself (an unknown type, a container inside itself) is
    handed to :mod:`json`, so the error is always the standard library's."""
    try:
        return _encode(value, "\n" + _INDENT * level)
    except RecursionError:  # a container inside itself (or deeper than json goes)
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


def loads(
    text: str,
    *,
    parse_int: Callable[[str], Any] | None = None,
    parse_float: Callable[[str], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
) -> Any:
    """``json.loads(text)``, with ``parse_int``, ``parse_float`` and ``parse_constant`` as
    ``json.loads`` takes them (:func:`hvtui.untrusted.load_json`'s bounded numbers); raises
    ``json.JSONDecodeError`` (a ``ValueError``)."""
    global _scan
    hooks = (parse_int, parse_float, parse_constant)
    if _make_scanner is None:  # pragma: no cover - see the module's docstring
        import json

        return json.loads(
            text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
        )
    if hooks == (None, None, None):
        if _scan is None:
            _scan = _make_scanner(_DecoderSettings())
        scan = _scan
    else:  # a scanner with these hooks, as json.loads builds a JSONDecoder with them
        settings = _DecoderSettings()
        for name, hook in zip(("parse_int", "parse_float", "parse_constant"), hooks, strict=True):
            if hook is not None:
                setattr(settings, name, hook)
        scan = _make_scanner(settings)
    if text.startswith("\ufeff"):
        _fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    start = len(text) - len(text.lstrip(_BLANK))
    try:
        value, end = scan(text, start)
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


def _key(key: Any) -> str:
    """A dict key as ``json.dumps`` writes it (it converts these five kinds)."""
    if isinstance(key, str):
        text: str = _escape(key)
        return text
    if isinstance(key, float):
        text = _float(key)
    elif key is True:
        text = "true"
    elif key is False:
        text = "false"
    elif key is None:
        text = "null"
    elif isinstance(key, int):
        text = int.__repr__(key)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    escaped: str = _escape(text)
    return escaped


#: Types written without a call of :func:`_encode`, each with a C function; a str, int
#: or float subclass (a ``StrEnum``) joins on first sight, written as json writes it.
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: _escape,
    int: int.__repr__,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): {None: "null"}.__getitem__,
    float: _float,
}

#: :func:`_flat_encoder`'s encoders by separator (one per depth).
_FLAT: dict[str, Callable[[Any, int], list[str]]] = {}


def _flat_encoder(separator: str) -> Callable[[Any, int], list[str]] | None:
    """json's C encoder writing items apart by ``separator`` (its own indent does not
    exist in C): exact for a list or dict of scalars only.  ``None`` without ``_json``."""
    encoder = _FLAT.get(separator)
    if encoder is None and _make_encoder is not None:
        encoder = _FLAT[separator] = _make_encoder(
            None, None, _escape, None, ": ", separator, False, False, True
        )
    return encoder


def _dict(value: dict[Any, Any], newline: str) -> str:
    if not value:
        return "{}"
    inner = newline + _INDENT
    scalars = _SCALARS.get
    if all(map(_SCALARS.__contains__, map(type, value.values()))):  # one C pass
        flat = _flat_encoder("," + inner)
        if flat is not None:
            return "{" + inner + "".join(flat(value, 0))[1:-1] + newline + "}"
    pairs = [
        (_escape(k) if type(k) is str else _key(k))
        + ": "
        + (scalar(v) if (scalar := scalars(type(v))) is not None else _encode(v, inner))
        for k, v in value.items()
    ]
    return "{" + inner + ("," + inner).join(pairs) + newline + "}"


def _list(value: list[Any] | tuple[Any, ...], newline: str) -> str:
    if not value:
        return "[]"
    inner = newline + _INDENT
    scalars = _SCALARS.get
    if all(map(_SCALARS.__contains__, map(type, value))):
        flat = _flat_encoder("," + inner)
        if flat is not None:
            return "[" + inner + "".join(flat(value, 0))[1:-1] + newline + "]"
    if all(type(item) is Encoded for item in value):  # the audit's findings, differences
        items = [item.text for item in value]
    else:
        items = [
            scalar(item) if (scalar := scalars(type(item))) is not None else _encode(item, inner)
            for item in value
        ]
    return "[" + inner + ("," + inner).join(items) + newline + "]"


def _encode(value: Any, newline: str) -> str:
    """``value`` encoded; ``newline`` is a line break plus the indentation of its line."""
    kind = type(value)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        return scalar(value)
    if kind is Encoded:  # a VM's findings: most of what the audit writes
        encoded: Encoded = value
        return encoded.text
    if kind is dict:
        return _dict(value, newline)
    if kind is list or kind is tuple:
        return _list(value, newline)
    # Subclasses, in json's order of checks: a str or int subclass (StrEnum, IntEnum) is
    # written as its str or int value.
    if isinstance(value, str):
        _SCALARS[kind] = _escape
    elif isinstance(value, int):
        _SCALARS[kind] = int.__repr__
    elif isinstance(value, float):
        _SCALARS[kind] = _float
    elif isinstance(value, (list, tuple)):
        return _list(value, newline)
    elif isinstance(value, dict):
        return _dict(value, newline)
    elif isinstance(value, Encoded):
        return value.text
    else:
        import json

        return json.dumps(value, indent=2)  # raises json's TypeError for what it cannot encode
    return _SCALARS[kind](value)


__all__ = ["Encoded", "dumps", "escape", "loads"]
