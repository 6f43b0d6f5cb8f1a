"""The configuration model: which enlightenments are set, and to what.

A :class:`Config` is immutable.  Editing operations return a :class:`Change`
holding the new configuration plus every side effect and its reason, so the
CLI can print "also turned on synic (stimer needs it)" and the TUI can toast
and undo without recomputing anything.

Absent options mean "QEMU's default" (off); a switch set to ``False`` is kept
as an explicit "off" because presets distinguish the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from hvtui import catalog
from hvtui.catalog import Enlightenment, Value, ValueKind
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # type checkers read functools' own
    from functools import cached_property as _Cached  # noqa: N812 - a class below
else:

    class _Cached:
        """``functools.cached_property`` without its lock (Python 3.11's takes one on every
        first read: a configuration is immutable, so two threads that both work a value out
        get equal ones), for :class:`Config`'s derived sets, worked out once for each of
        the thousand configurations an audit judges."""

        def __init__(self, func):
            self.func = func
            self.attrname = func.__name__
            self.__doc__ = func.__doc__

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            value = instance.__dict__[self.attrname] = self.func(instance)
            return value


@record(frozen=True)
class ChangeItem:
    """One option that changed, and why."""

    option: str
    before: Value | None
    after: Value | None
    reason: str


@record(frozen=True)
class Change:
    """The result of an edit: the new configuration and what else happened."""

    before: Config
    after: Config
    items: tuple[ChangeItem, ...]
    """Every option whose value changed, the requested one first."""
    still_needed_by: tuple[str, ...] = ()
    """After turning an option off without cascade: options still on that need it."""

    @property
    def side_effects(self) -> tuple[ChangeItem, ...]:
        """Changes beyond the one requested (dependencies pulled in or dropped)."""
        return self.items[1:]


#: The catalog's names (it is fixed): ``name in _CANONICAL`` is
#: :func:`hvtui.catalog.is_canonical` without a call.
_CANONICAL = frozenset(catalog.names())


def _value_is_on(kind: ValueKind, explicit: Value) -> bool:
    """Whether an explicit value turns an option of this ``kind`` on (a switch true, a
    tri-state not "off", any value of a number or string option)."""
    if kind is ValueKind.SWITCH:
        return explicit is True
    if kind is ValueKind.TRISTATE:
        return explicit != "off"
    return True


#: Each catalog name's kind of value (the names of :data:`_CANONICAL`, no other).
_KIND = {name: catalog.get(name).kind for name in catalog.names()}

#: Each catalog name's place in the catalog (:func:`hvtui.catalog.order_key`'s numbers).
_PLACE = catalog.PLACE


#: The options that replace the whole list when on (``hv-passthrough``).
_OVERRIDING = frozenset(e.name for e in catalog.ENTRIES if e.overrides_list)


def _sorted_items(values: Mapping[str, Value]) -> tuple[tuple[str, Value], ...]:
    if _PLACE.keys() >= values.keys():  # catalog names only (no two share a place): sorted
        return tuple((name, values[name]) for name in sorted(values, key=_PLACE.__getitem__))
    return tuple(sorted(values.items(), key=lambda kv: (catalog.order_key(kv[0]), kv[0])))


@record(frozen=True)
class Config:
    """An immutable set of explicitly configured options, in catalog order.

    Unknown option names and out-of-range values can be held (a preset file may
    contain them) so that :func:`hvtui.model.validate.validate` can report them
    all at once; editing operations only accept catalog names.
    """

    values: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, Value] | None = None, /, **kwargs: Value) -> Config:
        """Build from a mapping; names in any accepted spelling, aliases folded.

        Keyword arguments use underscores (``stimer_direct=True``).
        """
        merged: dict[str, Value] = {}
        for raw, value in [*(values or {}).items(), *kwargs.items()]:
            name = catalog.canonical_name(raw) or raw
            merged[name] = value
        return cls(_sorted_items(merged))

    @classmethod
    def from_items(cls, values: Mapping[str, Value]) -> Config:
        """Build from names exactly as given (no folding); the preset loader uses it
        so that a key like ``hv-relaxed`` stays visible as an unknown option."""
        return cls(_sorted_items(values))

    # -- reading -----------------------------------------------------------

    def as_dict(self) -> dict[str, Value]:
        """The explicit values as a new dict."""
        return dict(self.values)

    def __iter__(self) -> Iterator[tuple[str, Value]]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def get(self, name: str) -> Value | None:
        """The explicit value, or ``None`` when the option is absent."""
        if name in _CANONICAL:  # the rules ask by catalog name: no spelling to fold
            return self._by_name.get(name)
        return self._by_name.get(catalog.canonical_name(name) or name)

    @_Cached
    def _by_name(self) -> dict[str, Value]:
        """``values`` as a dict, the first of a name winning (an audit asks a configuration
        about every catalog option several times)."""
        return dict(reversed(self.values))

    def value(self, name: str) -> Value:
        """The effective value: explicit, else QEMU's default."""
        explicit = self.get(name)
        return catalog.get(name).default if explicit is None else explicit

    def is_on(self, name: str) -> bool:
        """Whether the option is turned on (a value set, a switch true, not "off")."""
        if name in _CANONICAL:  # answered from the set worked out once
            return name in self._on_names
        explicit = self.get(name)
        return explicit is not None and _value_is_on(catalog.get(name).kind, explicit)

    def on_names(self) -> frozenset[str]:
        """The catalog options that are on (:meth:`is_on`), as a set: an audit asks each
        configuration about every catalog option several times."""
        return self._on_names

    @_Cached
    def _on_names(self) -> frozenset[str]:
        # One rule for "on" (_value_is_on): writing it out here saved ~0.04% of an audit.
        kind_of = _KIND.get
        return frozenset(
            [
                name
                for name, value in self._by_name.items()
                if (kind := kind_of(name)) is not None and _value_is_on(kind, value)
            ]
        )

    def enabled(self) -> tuple[str, ...]:
        """Known options that are on, in catalog order."""
        return self._enabled

    @_Cached
    def _enabled(self) -> tuple[str, ...]:
        """:meth:`enabled`, worked out once (the advice rules ask for it many times)."""
        on = self._on_names
        return tuple(n for n, _ in self.values if n in on)

    def unknown(self) -> tuple[str, ...]:
        """Option names the catalog does not know."""
        return tuple(n for n, _ in self.values if not catalog.is_canonical(n))

    # -- raw edits (no dependency handling) --------------------------------

    def with_value(self, name: str, value: Value | None) -> Config:
        """A copy with one option set (``None`` removes it); no side effects."""
        values = self.as_dict()
        key = catalog.canonical_name(name) or name
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
        return Config(_sorted_items(values))

    def with_values(self, changes: Iterable[tuple[str, Value | None]]) -> Config:
        """A copy with several options set or removed at once."""
        config = self
        for name, value in changes:
            config = config.with_value(name, value)
        return config

    # -- edits that follow dependencies ------------------------------------

    def _step(self, items: list[ChangeItem], name: str, value: Value | None, reason: str) -> Config:
        """A copy with ``name`` set to ``value`` (``None``: removed); the change is added
        to ``items``."""
        items.append(ChangeItem(name, self.get(name), value, reason))
        return self.with_value(name, value)

    def enable(self, name: str, value: Value | None = None) -> Change:
        """Turn ``name`` on (with ``value`` if given) and pull in what it needs.

        Hard requirements (the ones QEMU enforces) are switched on transitively,
        even if they were explicitly off, and each is reported with its reason.
        """
        entry = catalog.get(name)
        items: list[ChangeItem] = []
        new_value = on_value(entry) if value is None else value
        config = self._step(items, entry.name, new_value, "requested")
        for required, needed_by in _requirement_chain(entry):
            if not config.is_on(required):
                why = f"{needed_by} needs {required} (QEMU refuses {needed_by} without it)"
                config = config._step(items, required, on_value(catalog.get(required)), why)
        return Change(self, config, tuple(items))

    def disable(self, name: str, *, cascade: bool = False) -> Change:
        """Turn ``name`` off; report, or with ``cascade`` also turn off, what needs it.

        Switches become an explicit ``False``, the tri-state ``"off"``; value
        options are removed (QEMU's default).
        """
        entry = catalog.get(name)
        items: list[ChangeItem] = []
        config = self._step(items, entry.name, off_value(entry), "requested")
        needing = tuple(d for d in catalog.all_dependents(entry.name) if self.is_on(d))
        if not cascade:
            return Change(self, config, tuple(items), still_needed_by=needing)
        for dependent in needing:
            why = f"{dependent} needs {_why_needs(dependent, entry.name)}, which was turned off"
            config = config._step(items, dependent, off_value(catalog.get(dependent)), why)
        return Change(self, config, tuple(items))

    def set(self, name: str, value: Value | None) -> Change:
        """Set a value, following dependencies: on pulls in, off reports dependents."""
        entry = catalog.get(name)
        if value is None:
            before = self.get(entry.name)
            after = self.with_value(entry.name, None)
            needing = tuple(d for d in catalog.all_dependents(entry.name) if after.is_on(d))
            return Change(
                self,
                after,
                (ChangeItem(entry.name, before, None, "requested"),),
                still_needed_by=needing,
            )
        probe = self.with_value(entry.name, value)
        if probe.is_on(entry.name):
            return self.enable(entry.name, value)
        change = self.disable(entry.name)
        if change.after.get(entry.name) != value:
            after = change.after.with_value(entry.name, value)
            item = ChangeItem(entry.name, self.get(entry.name), value, "requested")
            return Change(self, after, (item,), change.still_needed_by)
        return change

    def overridden_by_passthrough(self) -> tuple[str, ...]:
        """Options set explicitly that hv-passthrough makes QEMU ignore.

        Passthrough replaces the list with what KVM supports; only what the catalog
        marks ``kept_by_passthrough`` (syndbg, no-nonarch-coresharing,
        enforce-cpuid) still takes effect.
        """
        if self._on_names.isdisjoint(_OVERRIDING):  # nothing on replaces the list
            return ()
        keeps = {e.name for e in catalog.ENTRIES if e.overrides_list or e.kept_by_passthrough}
        return tuple(n for n, _ in self.values if catalog.is_canonical(n) and n not in keeps)


def on_value(entry: Enlightenment) -> Value:
    """The value that means "on" for an option (its suggested value for numbers/strings)."""
    if entry.kind is ValueKind.SWITCH:
        return True
    if entry.kind is ValueKind.TRISTATE:
        return "on"
    if entry.suggested is not None:
        return entry.suggested
    return entry.default


def off_value(entry: Enlightenment) -> Value | None:
    """The value that means "off" (``None``: remove it, back to QEMU's default)."""
    if entry.kind is ValueKind.SWITCH:
        return False
    if entry.kind is ValueKind.TRISTATE:
        return "off"
    return None


def _requirement_chain(entry: Enlightenment) -> list[tuple[str, str]]:
    """``(required, needed_by)`` pairs, breadth first, each requirement once."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    queue = [(r, entry.name) for r in entry.requires]
    while queue:
        required, needed_by = queue.pop(0)
        if required in seen:
            continue
        seen.add(required)
        pairs.append((required, needed_by))
        queue.extend((r, required) for r in catalog.get(required).requires)
    return pairs


def _why_needs(dependent: str, target: str) -> str:
    """``synic`` or ``stimer -> synic``: the path by which ``dependent`` needs ``target``."""
    for required in catalog.get(dependent).requires:
        if required == target:
            return target
        if target in catalog.all_requirements(required):
            return f"{required} -> {_why_needs(required, target)}"
    return target
