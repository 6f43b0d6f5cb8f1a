"""Value classes (records) without what :mod:`dataclasses` costs at start-up.

Every ``hvtui`` command is a fresh process, and each one defines dozens of small
value classes (catalog entries, the host report, findings, exports).  Python
3.11's ``@dataclass`` is expensive for that: importing it loads :mod:`inspect`
(and with it :mod:`ast`, :mod:`dis` and :mod:`tokenize`), and it writes every
method it adds as source text and compiles it on the spot, three to six
compilations per class, whether the class is ever used or not.  On this
project's 2-core test machine that was the largest part of ``hvtui detect``'s
time (issue #13).

:func:`record` gives a class the same methods with the same behaviour, for the
subset of dataclass features hvtui uses (``frozen``, ``eq``, ``repr``; fields
with a ``default``, a ``default_factory``, ``compare=False``, ``repr=False``;
``__post_init__``; inheritance of fields), but:

- nothing is compiled when the class is created: ``__eq__``, ``__hash__``,
  ``__repr__`` and the frozen guards are shared functions that read the class's
  field names (through :func:`operator.attrgetter`, as fast as the generated code);
- ``__init__`` binds its arguments itself for a class's first few objects and is
  compiled, to exactly the code dataclass writes, once a class has made
  :data:`COMPILE_AFTER` of them: a class used a few times per run never pays for
  the compiler, and one used thousands of times is as fast as before;
- neither :mod:`typing` nor :mod:`dataclasses` is imported at run time.

Type checkers understand :func:`record` through ``typing.dataclass_transform``
(the decorator's ``frozen`` argument and the :func:`field` specifier).
``tests/test_records.py`` compares every method with a real dataclass's.
"""

from __future__ import annotations

import reprlib
from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time; only type checkers read this
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform

    _T = TypeVar("_T")
    #: What :func:`_lazy_init`'s binding needs: the defaults in field order (``MISSING``
    #: for the rest), how many leading fields a call must give, the default factories by
    #: index and name, and whether values may go straight into ``__dict__``.
    _Plan = tuple[dict[str, Any], int, tuple[tuple[int, str, Any], ...], bool]
else:

    def dataclass_transform(**_: object) -> object:
        """At run time the marker does nothing: it only informs type checkers."""
        return lambda function: function


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record (as :class:`dataclasses.FrozenInstanceError`)."""


class _Missing:
    """The marker for "no default" (a class so that its repr says what it is)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

#: Annotations that declare class attributes, not fields (as dataclass reads them).
_CLASS_VARIABLES = ("ClassVar[", "typing.ClassVar[")


class Field:
    """One field of a record: its name and the options :func:`field` was given."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(
        self,
        default: object = MISSING,
        default_factory: Callable[[], object] | _Missing = MISSING,
        compare: bool = True,
        repr: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field with options, as :func:`dataclasses.field` (the subset hvtui uses)."""
    return Field(default, default_factory, compare, repr)


def _tuple_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A function returning the named attributes as a tuple (a 1-tuple for one name,
    ``()`` for none), so that hashes equal dataclass's ``hash((self.a, ...))``."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    getter: Callable[[object], tuple[object, ...]] = attrgetter(*names)
    return getter


def _eq(self: Any, other: object) -> bool:
    compared: Callable[[object], tuple[object, ...]] = self.__class__.__record_compared__
    if other.__class__ is not self.__class__:
        return NotImplemented  # type: ignore[no-any-return]
    return compared(self) == compared(other)


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_compared__(self))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shown__)
    return f"{self.__class__.__qualname__}({inner})"


def _frozen_setattr(self: Any, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


#: How many objects a record class builds by binding its arguments itself before its
#: ``__init__`` is compiled.  Binding costs ~1.5 microseconds more per small object
#: than compiled code (a two-field record: ~11 K instructions against ~5 K), and for
#: a wide one about what compiled code costs (the catalog's entries, 46 fields);
#: compiling costs ~0.2 ms in a warm process and ~0.45 ms while a command starts (at
#: 16, the nine classes compiled on the way to the wizard's first frame took 4.3 ms),
#: so compiling pays for itself after ~100-300 small objects.  At 128
#: the catalog's classes (17-50 objects each, all made at import) never pay for the
#: compiler and the host's facts (~160) alone do (callgrind to the first frame:
#: -8 M instructions against 16; 200 measured the same); a class made thousands of
#: times (the audit's findings) is compiled early all the same.
COMPILE_AFTER = 128


def _init_source(
    fields: tuple[Field, ...], frozen: bool, post_init: bool
) -> tuple[str, dict[str, Any]]:
    """The text of ``__init__`` as dataclass writes it, and the names it reads."""
    names: dict[str, Any] = {"__MISSING": MISSING, "__setattr": object.__setattr__}
    parameters = ["self"]
    lines = []
    for f in fields:
        if f.default_factory is not MISSING:
            names[f"__factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=__MISSING")
            value = f"__factory_{f.name}() if {f.name} is __MISSING else {f.name}"
        else:
            if f.default is not MISSING:
                names[f"__default_{f.name}"] = f.default
                parameters.append(f"{f.name}=__default_{f.name}")
            else:
                parameters.append(f.name)
            value = f.name
        if frozen:
            lines.append(f"    __setattr(self, {f.name!r}, {value})")
        else:
            lines.append(f"    self.{f.name} = {value}")
    if post_init:
        lines.append("    self.__post_init__()")
    body = "\n".join(lines) or "    pass"
    return f"def __init__({', '.join(parameters)}):\n{body}\n", names


def _lazy_init(
    cls: type, fields: tuple[Field, ...], names: tuple[str, ...], frozen: bool
) -> Callable[..., None]:
    """An ``__init__`` that binds the arguments itself for the first :data:`COMPILE_AFTER`
    objects, then compiles the real one (dataclass's text) and puts it in its place.

    Binding is a few dictionary operations, not a loop over the fields: the defaults
    are a template dictionary, in field order, that each call copies and updates with
    its arguments (the catalog's 32 entries, 46 fields each, are made this way on the
    way to the wizard's first frame; issue #13).  The values are then written into the
    object's ``__dict__`` at once when that is all assigning them would do (see
    :func:`_assigns_plainly`), else assigned one by one, as the compiled code does.

    Only a well-formed call is bound here; any other (too many arguments, a missing
    or unknown one, one given twice) goes to the compiled ``__init__``, so that the
    ``TypeError`` is Python's own, word for word.
    """
    post_init = _has_post_init(cls)
    assign = object.__setattr__ if frozen else setattr
    count = len(fields)
    calls = 0
    plan: _Plan | None = None
    """How to bind, made at the first call (most record classes make no object while a
    command starts, and the class is complete by then)."""

    def compiled() -> Callable[..., None]:
        if cls.__dict__.get("__init__") is bind:
            source, namespace = _init_source(fields, frozen, post_init)
            exec(source, namespace)
            init = namespace["__init__"]
            init.__qualname__ = f"{cls.__qualname__}.__init__"
            type.__setattr__(cls, "__init__", init)
        real: Callable[..., None] = cls.__dict__["__init__"]
        return real

    def bind(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls, plan
        calls += 1
        given = len(args)
        if calls > COMPILE_AFTER or given > count:
            compiled()(self, *args, **kwargs)
            return
        if plan is None:
            plan = _plan(cls, fields, names, frozen)
        template, required, factories, plain = plan
        values = template.copy()
        if given:
            values.update(zip(names, args, strict=False))  # the first ``given`` names
        if kwargs:
            values.update(kwargs)
            # An unknown keyword adds a name; one that repeats a positional argument
            # replaces its value: both are refused, by the compiled code's TypeError.
            if len(values) != count or (given and not kwargs.keys().isdisjoint(names[:given])):
                compiled()(self, *args, **kwargs)
                return
        for name in names[given:required]:
            if name not in kwargs:
                compiled()(self, *args, **kwargs)  # raises: a required argument is missing
                return
        for index, name, factory in factories:
            if index >= given and name not in kwargs:
                values[name] = factory()
        if plain and self.__class__ is cls:  # an undecorated subclass may add a property
            self.__dict__.update(values)
        else:
            for name, value in values.items():
                assign(self, name, value)
        if post_init:
            self.__post_init__()

    bind.__name__ = "__init__"
    bind.__qualname__ = f"{cls.__qualname__}.__init__"
    return bind


def _plan(cls: type, fields: tuple[Field, ...], names: tuple[str, ...], frozen: bool) -> _Plan:
    """The binding plan of ``cls`` (see :data:`_Plan`)."""
    required = 0  # the order rule makes the fields a call must give a prefix
    for f in fields:
        if f.default is not MISSING or not isinstance(f.default_factory, _Missing):
            break
        required += 1
    template = {f.name: f.default for f in fields}
    factories = tuple(
        (index, f.name, f.default_factory)
        for index, f in enumerate(fields)
        if not isinstance(f.default_factory, _Missing)
    )
    return template, required, factories, _assigns_plainly(cls, names, frozen)


def _assigns_plainly(cls: type, names: tuple[str, ...], frozen: bool) -> bool:
    """Whether assigning each field as ``__init__`` does (``object.__setattr__`` for a
    frozen record, ``setattr`` otherwise) only stores the value in the object's
    ``__dict__``: the objects have one, a mutable record keeps ``object.__setattr__``,
    and no class in the MRO has a data descriptor (a property, a slot) by a field's name.
    """
    if not any("__dict__" in base.__dict__ for base in cls.__mro__):
        return False
    if not frozen and cls.__setattr__ is not object.__setattr__:  # type: ignore[comparison-overlap]
        return False
    for name in names:
        for base in cls.__mro__:
            if name in base.__dict__:
                kind = type(base.__dict__[name])
                if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
                    return False
                break
    return True


#: Defaults that would be shared between objects (dataclass refuses the same three).
_MUTABLE_DEFAULTS = (list, dict, set)


def _own_fields(cls: type) -> list[Field]:
    """The fields declared in ``cls``'s own body, in order, with defaults taken out.

    This runs once per record class while a command starts (~45 on the way to the
    wizard's first frame), so it does only what it must: no union type is built per
    field (``isinstance`` with a tuple), annotations are compared as the strings
    ``from __future__ import annotations`` leaves (never evaluated).
    """
    own = []
    namespace = cls.__dict__
    # The class's own annotations (inspect.get_annotations would load inspect).
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in annotations.items():
        if isinstance(annotation, str) and annotation.startswith(_CLASS_VARIABLES):
            continue
        value = namespace.get(name, MISSING)
        if isinstance(value, Field):
            f = value
            if f.default is MISSING:
                delattr(cls, name)
            else:
                type.__setattr__(cls, name, f.default)
        else:
            f = Field(value)
        if isinstance(f.default, _MUTABLE_DEFAULTS):
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed")
        f.name = name
        own.append(f)
    return own


def _has_post_init(cls: type) -> bool:
    """Whether ``cls`` or a base defines ``__post_init__`` (as ``hasattr`` answers for a
    class whose metaclass is :class:`type`, without raising and formatting the
    ``AttributeError`` of a miss, which most records are)."""
    return any("__post_init__" in base.__dict__ for base in cls.__mro__)


def _process(cls: type, frozen: bool, eq: bool, show: bool) -> type:
    """Make ``cls`` a record (what :func:`record` does).  It runs once per class while
    a command starts (64 classes, 349 fields on the way to the wizard's first frame),
    hence one pass over the fields and no merge when no base is a record."""
    own = cls.__dict__
    inherited = [
        base.__dict__["__record_fields__"]
        for base in reversed(cls.__mro__[1:])
        if "__record_fields__" in base.__dict__
    ]
    fields: tuple[Field, ...]
    if inherited:
        by_name: dict[str, Field] = {}
        for base_fields in inherited:
            for f in base_fields:
                by_name[f.name] = f
        for f in _own_fields(cls):
            by_name[f.name] = f
        fields = tuple(by_name.values())
    else:  # most records: no record base, no name to merge
        fields = tuple(_own_fields(cls))
    # One pass for the order rule and the three name lists.
    names = []
    compared = []
    shown = []
    seen_default = False
    for f in fields:
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        names.append(f.name)
        if f.compare:
            compared.append(f.name)
        if f.repr:
            shown.append(f.name)

    cls.__record_fields__ = fields  # type: ignore[attr-defined]
    cls.__record_compared__ = _tuple_getter(tuple(compared))  # type: ignore[attr-defined]
    cls.__record_shown__ = tuple(shown)  # type: ignore[attr-defined]
    match_args = tuple(names)
    cls.__match_args__ = match_args  # type: ignore[attr-defined,misc]
    if "__init__" not in own:
        cls.__init__ = _lazy_init(cls, fields, match_args, frozen)  # type: ignore[misc]
    if show and "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[assignment]
    if eq and "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[assignment]
    # dataclass's rule for __hash__: an explicit one stays; else frozen records that
    # compare by value hash by value, mutable ones that do are unhashable.
    class_hash = own.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in own))
    if eq and not explicit_hash:
        cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"cannot overwrite __setattr__ or __delattr__ in frozen {cls.__name__}")
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    return cls


@dataclass_transform(field_specifiers=(field, Field))
def record(
    *,
    frozen: bool = False,
    eq: bool = True,
    repr: bool = True,
) -> Callable[[type[_T]], type[_T]]:
    """Make the decorated class a record: ``__init__``, ``__repr__``, ``__eq__``,
    ``__hash__`` (and, when ``frozen``, no assignment) from its annotated fields,
    exactly as ``@dataclasses.dataclass(frozen=..., eq=..., repr=...)`` would."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _process(cls, frozen, eq, repr)

    return wrap


def is_record(obj: object) -> bool:
    """Whether ``obj`` is a record class or an instance of one."""
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, "__record_fields__")


def fields(obj: object) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order (as :func:`dataclasses.fields`)."""
    cls = obj if isinstance(obj, type) else type(obj)
    try:
        found: tuple[Field, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None
    return found


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record ``obj`` with some fields changed (as :func:`dataclasses.replace`)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def asdict(obj: object) -> dict[str, Any]:
    """The fields of a record as a dictionary, records inside it converted as well
    (as :func:`dataclasses.asdict`, for lists, tuples and dictionaries too)."""
    result: dict[str, Any] = _convert(obj)
    return result


def _convert(value: object) -> Any:
    if is_record(value) and not isinstance(value, type):
        return {f.name: _convert(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_convert(v) for v in value])
    if isinstance(value, list | tuple):
        return type(value)(_convert(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_convert(k), _convert(v)) for k, v in value.items())
    return value


__all__ = [
    "MISSING",
    "Field",
    "FrozenInstanceError",
    "asdict",
    "field",
    "fields",
    "is_record",
    "record",
    "replace",
]
