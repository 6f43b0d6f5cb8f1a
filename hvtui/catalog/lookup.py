"""Lookups over the one table in :mod:`.entries`: names, spellings, dependencies, order.

The package :mod:`hvtui.catalog` hands these out by name; they live here so that
importing the package alone (as ``hvtui detect`` does for :mod:`.kvm_abi`) loads
neither the entries nor their types (issue #13).
"""

from __future__ import annotations

from hvtui.catalog.entries import COMMON_SOURCES, ENTRIES
from hvtui.catalog.types import Group

TYPE_CHECKING = False
if TYPE_CHECKING:  # detection loads the catalog: collections stays unloaded (issue #13)
    from collections.abc import Iterable, Iterator, Mapping

    from hvtui.catalog.types import Enlightenment, Source


_BY_NAME: dict[str, Enlightenment] = {e.name: e for e in ENTRIES}
BY_NAME: Mapping[str, Enlightenment] = _BY_NAME
"""Each entry by its canonical name, for the rules that hold canonical names (a
configuration's) and look options up on a hot path (an audit judges a thousand
configurations): a dict lookup instead of a call of :func:`get`.  Read-only."""


def sources_of(entry: Enlightenment) -> tuple[Source, ...]:
    """Every source behind ``entry``'s facts: its own, then the ones all entries share
    for the kinds of fact it does not cite itself."""
    own = {s.fact for s in entry.sources}
    return entry.sources + tuple(s for s in COMMON_SOURCES if s.fact not in own)


_ALIASES: dict[str, str] = {alias: e.name for e in ENTRIES for alias in e.aliases}
_ORDER: dict[str, int] = {e.name: i for i, e in enumerate(ENTRIES)}
PLACE: Mapping[str, int] = _ORDER
"""Each canonical name's place in catalog order (:func:`order_key`'s numbers), for the
code that sorts by it on a hot path (a configuration's values, an audit's findings): a
dict lookup instead of a call of :func:`order_key`.  Read-only."""


def _dependents() -> dict[str, tuple[str, ...]]:
    """Each entry's name and the entries that require it, in catalog order: one pass over
    the table's requirements, not one over the table per entry (the catalog loads on the
    way to the wizard's first frame; issue #13)."""
    dependents: dict[str, list[str]] = {e.name: [] for e in ENTRIES}
    for d in ENTRIES:
        for required in d.requires:
            names = dependents.get(required)
            if names is not None and d.name not in names:
                names.append(d.name)
    return {name: tuple(names) for name, names in dependents.items()}


_DEPENDENTS: dict[str, tuple[str, ...]] = _dependents()


class UnknownOptionError(KeyError):
    """A name that is neither an option nor an alias; carries suggestions."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggest(name)

    def __str__(self) -> str:
        hint = f"; did you mean {self.suggestions[0]!r}?" if self.suggestions else ""
        return f"unknown enlightenment {self.name!r}{hint}"


def normalize(name: str) -> str:
    """Fold the spellings people use into preset-key form.

    ``hv-relaxed``, ``hv_relaxed``, ``HV-Relaxed`` and libvirt's ``vendor_id``
    all become ``relaxed`` / ``vendor-id``.  Aliases are not resolved here.
    """
    key = name.strip().lower().replace("_", "-")
    if key.startswith("hv-"):
        key = key[3:]
    return key


def canonical_name(name: str) -> str | None:
    """The catalog name for any accepted spelling or alias, or ``None``."""
    if name in _BY_NAME:  # fast path: already canonical (what the model stores)
        return name
    key = normalize(name)
    if key in _BY_NAME:
        return key
    return _ALIASES.get(key)


def is_canonical(name: str) -> bool:
    """True only for a catalog name spelled exactly as in presets (``stimer-direct``)."""
    return name in _BY_NAME


def get(name: str) -> Enlightenment:
    """The entry for ``name`` in any accepted spelling; raises :class:`UnknownOptionError`."""
    entry = _BY_NAME.get(name)  # fast path: already canonical (the model and rules ask so)
    if entry is not None:
        return entry
    canonical = canonical_name(name)
    if canonical is None:
        raise UnknownOptionError(name)
    return _BY_NAME[canonical]


def names() -> tuple[str, ...]:
    """All canonical names, in catalog order."""
    return tuple(_BY_NAME)


def order_key(name: str) -> int:
    """Sort key putting options in catalog order (unknown names last)."""
    return _ORDER.get(name, len(_ORDER))


def suggest(name: str, limit: int = 3) -> list[str]:
    """Close canonical names for a misspelling (``relaxd`` -> ``relaxed``)."""
    key = normalize(name)
    pool = list(_BY_NAME) + list(_ALIASES)
    import difflib  # here: every command loads the catalog, few misspell a name

    found = difflib.get_close_matches(key, pool, n=limit, cutoff=0.6)
    result: list[str] = []
    for match in found:
        canonical = _ALIASES.get(match, match)
        if canonical not in result:
            result.append(canonical)
    return result


def dependents(name: str) -> tuple[str, ...]:
    """Options that directly require ``name`` (QEMU-enforced), in catalog order."""
    return _DEPENDENTS.get(get(name).name, ())


def all_requirements(name: str) -> tuple[str, ...]:
    """Hard requirements of ``name``, transitively, nearest first, without duplicates."""
    seen: list[str] = []
    queue = list(get(name).requires)
    while queue:
        current = queue.pop(0)
        if current not in seen:
            seen.append(current)
            queue.extend(_BY_NAME[current].requires)
    return tuple(seen)


def all_dependents(name: str) -> tuple[str, ...]:
    """Options that need ``name`` directly or through others, nearest first."""
    seen: list[str] = []
    queue = list(dependents(name))
    while queue:
        current = queue.pop(0)
        if current not in seen:
            seen.append(current)
            queue.extend(_DEPENDENTS[current])
    return tuple(seen)


def by_group() -> Iterator[tuple[Group, tuple[Enlightenment, ...]]]:
    """Entries grouped for the sidebar and listings, groups in declaration order."""
    for group in Group:
        members = tuple(e for e in ENTRIES if e.group is group)
        if members:
            yield group, members


def sort_names(items: Iterable[str]) -> list[str]:
    """Names sorted into catalog order."""
    return sorted(items, key=lambda n: (order_key(n), n))


def to_json(entry: Enlightenment) -> dict[str, object]:
    """Every fact of one entry as plain data (``hvtui explain --json``, tools, docs)."""
    from hvtui.catalog.entry_json import entry_json

    return entry_json(entry)
