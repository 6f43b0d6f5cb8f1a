"""``json.dumps(value, indent=2)``, byte for byte, in a fraction of the time.

Given an ``indent`` the standard library leaves its C encoder for a pure-Python
one that yields a token at a time through nested generators; ``hvtui audit
--json`` over a thousand domains spent a third of its run there.  Here each
list or dict is one call that joins its items, strings go through the same C
escaper as ``json.dumps`` (``ensure_ascii``), numbers through the same
``repr``, and dict keys are converted by the same rules; anything else is handed
to ``json.dumps``, which raises its usual ``TypeError``.

The audit encodes each VM's entry as soon as it is judged (:func:`dumps` with
``level``) and puts the texts into the document as :class:`Encoded` items, so
no VM's data is kept until the end, only its text.  The findings and
differences of a fleet repeat (a thousand domains had 623 distinct findings
among 7,835, and 19 distinct differences among 8,514), so :class:`Memo` encodes
each distinct one once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from hvtui.records import record

_INDENT = "  "


@record(frozen=True)
class Encoded:
    """A value already encoded by :func:`dumps` at the depth where it is placed."""

    text: str


def _float(value: float) -> str:
    """As ``json.dumps`` (``allow_nan``): ``NaN``, ``Infinity``, else ``repr``."""
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A dict key as ``json.dumps`` writes it (it converts these five kinds)."""
    if isinstance(key, str):
        return encode_basestring_ascii(key)
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
    return encode_basestring_ascii(text)


#: Types written without a call of :func:`_encode`, each with a C function; a str, int
#: or float subclass (a ``StrEnum``) joins on first sight, written as json writes it.
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring_ascii,
    int: int.__repr__,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): {None: "null"}.__getitem__,
    float: _float,
}


def _flat_encoder(separator: str) -> Callable[[Any, int], list[str]] | None:
    """json's C encoder writing items apart by ``separator`` (its own indent does not
    exist in C): exact for a list or dict of scalars only.  ``None`` without ``_json``."""
    encoder = _FLAT.get(separator)
    if encoder is None and c_make_encoder is not None:
        encoder = _FLAT[separator] = c_make_encoder(
            None, None, encode_basestring_ascii, None, ": ", separator, False, False, True
        )
    return encoder


#: :func:`_flat_encoder`'s encoders by separator (one per depth).
_FLAT: dict[str, Callable[[Any, int], list[str]]] = {}


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
        (encode_basestring_ascii(k) if type(k) is str else _key(k))
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
    if kind is Encoded:  # a VM's findings: most of what is written
        encoded: Encoded = value
        return encoded.text
    if kind is dict:
        return _dict(value, newline)
    if kind is list or kind is tuple:
        return _list(value, newline)
    # Subclasses, in json's order of checks: a str or int subclass (StrEnum, IntEnum) is
    # written as its str or int value.
    if isinstance(value, str):
        _SCALARS[kind] = encode_basestring_ascii
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
        return json.dumps(value, indent=2)  # raises json's TypeError for what it cannot encode
    return _SCALARS[kind](value)


class Memo:
    """Items encoded at one depth, each distinct one once: ``memo.encode(key, item)`` is
    ``Encoded(dumps(item(), level=level))``, with ``item()`` called only for a key not
    seen yet.

    The key must say everything the encoding depends on (two keys that are equal
    must encode alike: ``True == 1``, so a key holding values also holds their
    types).  At most ``limit`` texts are kept; past that the memo starts again, so
    a run of endlessly distinct items costs memory for ``limit`` of them only.
    """

    def __init__(self, level: int, limit: int = 4096) -> None:
        self._level = level
        self._limit = limit
        self._texts: dict[Hashable, Encoded] = {}

    def encode(self, key: Hashable, item: Callable[[], Any]) -> Encoded:
        """The encoded item for ``key``; ``item`` gives its plain data when needed."""
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= self._limit:
                self._texts.clear()
            found = self._texts[key] = Encoded(dumps(item(), level=self._level))
        return found


def dumps(value: Any, *, level: int = 0) -> str:
    """``json.dumps(value, indent=2)``; ``level``: as if nested that many containers deep
    (its inner lines indented by that many more steps), for :class:`Encoded`."""
    return _encode(value, "\n" + _INDENT * level)


__all__ = ["Encoded", "Memo", "dumps"]
