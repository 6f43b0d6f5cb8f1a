"""The audit's JSON: each VM's entry, and each distinct finding, encoded once.

The encoder is :func:`hvtui.jsonlite.dumps` (``json.dumps(value, indent=2)`` byte for
byte, in a fraction of the time).  The audit encodes each VM's entry as soon as it
is judged (``dumps`` with ``level``) and puts the texts into the document as
:class:`~hvtui.jsonlite.Encoded` items, so no VM's data is kept until the end, only
its text.  The findings and differences of a fleet repeat (a thousand domains had
623 distinct findings among 7,835, and 19 distinct differences among 8,514), so
:class:`Memo` encodes each distinct one once.
"""

from __future__ import annotations

from hvtui.jsonlite import Encoded, dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Mapping
    from typing import Any


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
        #: By ``id``: an immutable item :meth:`keep` was given, and its text.
        self._items: dict[int, tuple[object, Encoded]] = {}

    @property
    def level(self) -> int:
        """The depth its items are encoded at."""
        return self._level

    def encode(self, key: Hashable, item: Callable[[], Any]) -> Encoded:
        """The encoded item for ``key``; ``item`` gives its plain data when needed."""
        return self.encode_text(key, lambda: dumps(item(), level=self._level))

    def encode_text(self, key: Hashable, text: Callable[[], str]) -> Encoded:
        """:meth:`encode` for a caller that writes the item's text itself: ``text()`` must
        be what ``dumps`` gives for it at :attr:`level`."""
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= self._limit:
                self._texts.clear()
            found = self._texts[key] = Encoded(text())
        return found

    @property
    def kept(self) -> Mapping[int, tuple[object, Encoded]]:
        """What :meth:`keep` holds, by ``id``: the item and its text (read-only).  A caller
        that looks up a VM's findings one after another reads this directly, without a
        call of :meth:`known` per finding; an entry counts only when its item ``is`` the
        one looked up."""
        return self._items

    def known(self, item: object) -> Encoded | None:
        """The text :meth:`keep` was given for this very object (not an equal one), if any.

        A fleet's VMs share many of their judgement's records (a thousand domains: 4,449
        finding objects among 7,835 findings, 19 difference objects among 8,514), and
        the identity answers without the key that :meth:`encode_text` hashes."""
        found = self._items.get(id(item))
        return found[1] if found is not None and found[0] is item else None

    def keep(self, item: object, encoded: Encoded) -> Encoded:
        """Remember ``encoded`` as the text of ``item``, which must be immutable (a frozen
        record of immutable values) and is held, so its ``id`` stays its own."""
        if len(self._items) >= self._limit:
            self._items.clear()
        self._items[id(item)] = (item, encoded)
        return encoded


__all__ = ["Encoded", "Memo", "dumps"]
