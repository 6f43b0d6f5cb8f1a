"""Base classes that make detection's dataclasses cheaper to create.

``hvtui detect`` defines about 25 dataclasses (the report's sections, the raw
probe answers) and, being a fresh process each time, creates every one on every
run.  Python 3.11's ``@dataclass`` writes each method it adds as source text and
compiles it on its own: six methods for a frozen class, about 1.5 ms per class on
this project's 2-core test machine, over 30 ms of a run whose target is 60 ms
(issue #13).  Python 3.13 compiles them together; until then the classes here
take three of those methods off the compiler:

- ``@dataclass(eq=False, repr=False)`` on a :class:`Record` subclass: dataclass
  compiles ``__init__`` (and, with ``frozen=True``, the two guards against
  assignment); ``__eq__`` and ``__repr__`` come from :class:`Record`, written
  once, reading the fields;
- :class:`FrozenRecord` adds ``__hash__``, which dataclass gives a frozen class
  with equality; a mutable :class:`Record` is unhashable, as a mutable dataclass
  with equality is.

They behave exactly as dataclass's own methods (same comparison of the fields
marked ``compare``, same hash, same text with ``repr`` fields, ``...`` for a
recursive value); ``tests/detect/test_detect_records.py`` compares them with a
real dataclass's.
"""

from __future__ import annotations

import dataclasses
import reprlib
from typing import Any


class _Names:
    """One class's field names for each method, read once from ``dataclasses.fields``."""

    __slots__ = ("compared", "hashed", "shown")

    def __init__(self, cls: type) -> None:
        fields = dataclasses.fields(cls)
        self.shown = tuple(f.name for f in fields if f.repr)
        self.compared = tuple(f.name for f in fields if f.compare)
        self.hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))


_NAMES: dict[type, _Names] = {}


def _names(cls: type) -> _Names:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = _Names(cls)
    return names


def _values(obj: object, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in names)


class Record:
    """``__eq__`` and ``__repr__`` for a ``@dataclass(eq=False, repr=False)`` subclass.

    Defining ``__eq__`` leaves ``__hash__`` ``None``: unhashable, like a mutable
    dataclass that compares by value.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = _names(self.__class__).compared
        return _values(self, compared) == _values(other, compared)

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = _names(self.__class__).shown
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"


class FrozenRecord(Record):
    """A :class:`Record` for ``@dataclass(frozen=True, eq=False, repr=False)``: hashable
    by its fields, as a frozen dataclass with equality is."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(_values(self, _names(self.__class__).hashed))


__all__ = ["FrozenRecord", "Record"]
