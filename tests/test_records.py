"""``hvtui.records.record`` behaves as ``dataclasses.dataclass`` for what hvtui uses.

Each case builds the same class both ways and compares what users of the class
see: construction (positional, keyword, defaults, factories, errors), equality,
hashing, ``repr`` (recursive too), frozenness, ``__post_init__``, inheritance,
``replace``/``fields``/``asdict``.  The point of ``record`` is its start-up cost,
so one test also checks that creating a class compiles nothing and that importing
the module loads neither ``typing`` nor ``dataclasses``.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from hvtui import records
from hvtui.records import FrozenInstanceError, field, record


@record(frozen=True)
class Frozen:
    a: int
    b: Any = None
    hidden: int = field(default=0, repr=False)
    ignored: int = field(default=0, compare=False)
    listed: tuple[int, ...] = field(default_factory=tuple)


@dataclasses.dataclass(frozen=True)
class FrozenTwin:
    a: int
    b: Any = None
    hidden: int = dataclasses.field(default=0, repr=False)
    ignored: int = dataclasses.field(default=0, compare=False)
    listed: tuple[int, ...] = dataclasses.field(default_factory=tuple)


@record(frozen=True)
class One:
    a: int


@dataclasses.dataclass(frozen=True)
class OneTwin:
    a: int


@record(frozen=True)
class Empty:
    pass


@dataclasses.dataclass(frozen=True)
class EmptyTwin:
    pass


def test_one_field_and_no_field_records_hash_and_compare_as_dataclasses() -> None:
    assert hash(One(5)) == hash(OneTwin(5)) and One(5) == One(5) and One(5) != One(6)
    assert hash(Empty()) == hash(EmptyTwin()) and Empty() == Empty()
    assert repr(One(5)) == "One(a=5)" and repr(Empty()) == "Empty()"


@record()
class Mutable:
    a: int
    b: list[Any] = field(default_factory=list)


@dataclasses.dataclass
class MutableTwin:
    a: int
    b: list[Any] = dataclasses.field(default_factory=list)


CASES: list[tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...], dict[str, Any]]] = [
    ((1,), {}, (1,), {}),
    ((1, "x"), {}, (1, "x"), {}),
    ((1, "x"), {}, (1, "y"), {}),
    ((1, None, 2), {}, (1, None, 3), {}),  # differ only in a field repr hides: unequal
    ((1, None, 0, 5), {}, (1, None, 0, 6), {}),  # differ only in a field compare ignores
    ((2, (1, 2.5)), {}, (2,), {"b": (1, 2.5)}),
    ((3,), {"listed": (1, 2)}, (3,), {"listed": (1,)}),
    ((), {"a": 4, "hidden": 1}, (4,), {"hidden": 1}),
]


@pytest.mark.parametrize(("args1", "kw1", "args2", "kw2"), CASES)
def test_frozen_record_is_a_frozen_dataclass_to_its_users(
    args1: tuple[Any, ...], kw1: dict[str, Any], args2: tuple[Any, ...], kw2: dict[str, Any]
) -> None:
    ours = Frozen(*args1, **kw1), Frozen(*args2, **kw2)
    theirs = FrozenTwin(*args1, **kw1), FrozenTwin(*args2, **kw2)
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] != ours[1]) == (theirs[0] != theirs[1])
    assert hash(ours[0]) == hash(theirs[0]) and hash(ours[1]) == hash(theirs[1])
    assert repr(ours[0]) == repr(theirs[0]).replace("FrozenTwin", "Frozen")
    assert records.asdict(ours[0]) == dataclasses.asdict(theirs[0])
    assert [f.name for f in records.fields(Frozen)] == [
        f.name for f in dataclasses.fields(FrozenTwin)
    ]
    assert records.replace(ours[0], b="z") == Frozen(**{**records.asdict(ours[0]), "b": "z"})
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'a'"):
        ours[0].a = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'b'"):
        del ours[0].b
    assert isinstance(FrozenInstanceError("x"), AttributeError)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), ((1, 2, 3, 4, 5, 6), {}), ((1,), {"a": 1}), ((1,), {"nope": 2})],
)
def test_bad_construction_fails_as_a_dataclass_does(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(TypeError) as theirs:
        FrozenTwin(*args, **kwargs)
    with pytest.raises(TypeError) as ours:
        Frozen(*args, **kwargs)
    assert str(ours.value).replace("Frozen", "X") == str(theirs.value).replace("FrozenTwin", "X")


def test_every_instance_gets_its_own_default_factory_value() -> None:
    one, two = Mutable(1), Mutable(2)
    one.b.append("x")
    assert two.b == [] and one.b == ["x"]


def test_mutable_record_compares_and_shows_as_a_dataclass_and_is_unhashable() -> None:
    ours, twin = Mutable(1, ["x"]), MutableTwin(1, ["x"])
    assert ours == Mutable(1, ["x"]) and ours != Mutable(1, ["y"])
    assert repr(ours) == repr(twin).replace("MutableTwin", "Mutable")
    ours.a = 5
    assert ours.a == 5
    with pytest.raises(TypeError, match="unhashable"):
        hash(ours)
    with pytest.raises(TypeError, match="unhashable"):
        hash(twin)


def test_a_record_is_not_equal_to_another_class_with_the_same_fields() -> None:
    assert Frozen(1) != FrozenTwin(1)  # type: ignore[comparison-overlap]
    assert Frozen(1).__eq__(FrozenTwin(1)) is NotImplemented
    assert Frozen(1) != (1, None, 0, 0, ())  # type: ignore[comparison-overlap]


def test_recursive_record_shows_dots_as_a_dataclass_does() -> None:
    ours, twin = Mutable(1), MutableTwin(1)
    ours.b.append(ours)
    twin.b.append(twin)
    assert repr(ours) == "Mutable(a=1, b=[...])"
    assert repr(twin) == "MutableTwin(a=1, b=[...])"


def test_options_post_init_and_inheritance_follow_dataclass_rules() -> None:
    seen: list[int] = []

    @record(frozen=True, eq=False)
    class Plain:
        a: int
        limit: ClassVar[int] = 3

        def __post_init__(self) -> None:
            seen.append(self.a)

    @record(frozen=True)
    class Child(Frozen):
        c: str = "c"

    first, second = Plain(1), Plain(1)
    assert seen == [1, 1] and first != second and hash(first) != hash(second)
    assert [f.name for f in records.fields(Plain)] == ["a"] and Plain.limit == 3
    child = Child(1, c="d")
    assert [f.name for f in records.fields(child)] == ["a", "b", "hidden", "ignored", "listed", "c"]
    assert repr(child).endswith(".<locals>.Child(a=1, b=None, ignored=0, listed=(), c='d')")
    assert child == Child(1, c="d") and child != Child(1)
    assert Child.__match_args__ == ("a", "b", "hidden", "ignored", "listed", "c")
    assert not records.is_record(FrozenTwin(1)) and records.is_record(child)
    with pytest.raises(TypeError, match="record"):
        records.fields(FrozenTwin)


def test_a_field_without_default_after_one_with_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record()
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]


def test_bound_and_compiled_init_build_the_same_objects() -> None:
    """A class binds its arguments itself for its first objects, then compiles its
    ``__init__``: both make the same objects, call ``__post_init__`` and each
    default factory once per object, and fail as dataclass does."""
    posts: list[object] = []

    def make() -> type:
        @record(frozen=True)
        class Fresh:
            a: int
            b: str = "b"
            c: list[int] = field(default_factory=list)

            def __post_init__(self) -> None:
                posts.append(self)

        return Fresh

    @dataclasses.dataclass(frozen=True)
    class Twin:
        a: int
        b: str = "b"
        c: list[int] = dataclasses.field(default_factory=list)

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((1,), {}), ((1, "x"), {}), ((1,), {"c": [2]}), ((), {"a": 3, "b": "y"}),
        ((1, "x", [4]), {}),
    ]  # fmt: skip
    bad: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {}), ((1, 2, 3, 4), {}), ((1,), {"a": 1}), ((1,), {"d": 1}), ((), {"b": "z"}),
    ]  # fmt: skip
    fresh = make()
    for round_ in range(2 * records.COMPILE_AFTER // len(calls) + 2):
        for args, kwargs in calls:
            ours, twin = fresh(*args, **kwargs), Twin(*args, **kwargs)
            assert records.asdict(ours) == dataclasses.asdict(twin), round_
            assert posts[-1] is ours
        assert fresh(1).c is not fresh(1).c
    assert fresh.__dict__["__init__"].__code__.co_varnames[:4] == ("self", "a", "b", "c")
    for args, kwargs in bad:
        for cls in (make(), fresh):  # one still binding (it compiles for the error), one compiled
            with pytest.raises(TypeError) as ours_error:
                cls(*args, **kwargs)
            with pytest.raises(TypeError) as twin_error:
                Twin(*args, **kwargs)
            assert (
                str(ours_error.value).split("__init__()")[1]
                == str(twin_error.value).split("__init__()")[1]
            )


def test_creating_a_record_class_compiles_nothing_and_imports_stay_light() -> None:
    """What ``record`` is for: a fresh process that defines and uses records loads
    neither typing nor dataclasses; a class compiles its ``__init__`` only once it
    has made COMPILE_AFTER objects, and a class never used compiles nothing."""
    script = (
        "import sys, builtins\n"
        "compiled = []\n"
        "real = builtins.exec\n"
        "builtins.exec = lambda *a, **k: (compiled.append(1), real(*a, **k))[1]\n"
        "from hvtui.records import record, field, COMPILE_AFTER\n"
        "compiled.clear()\n"
        "@record(frozen=True)\n"
        "class Used:\n"
        "    a: int\n"
        "    b: tuple = field(default_factory=tuple)\n"
        "@record(frozen=True)\n"
        "class Unused:\n"
        "    a: int\n"
        "assert not compiled, compiled\n"
        "assert Used(1) == Used(1) and Used(1, (2,)).b == (2,)\n"
        "assert not compiled, compiled\n"
        "for i in range(COMPILE_AFTER):\n"
        "    assert Used(i).a == i\n"
        "assert len(compiled) == 1, compiled\n"
        "print(sorted(m for m in ('typing', 'dataclasses', 'inspect') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("default", [[], {}, set()], ids=["list", "dict", "set"])
def test_a_mutable_default_is_refused_at_definition_as_dataclass_refuses_it(
    default: object,
) -> None:
    """The three shared-by-every-object defaults dataclass refuses, plain or through
    ``field(default=...)``; a tuple (immutable) stays a default."""
    with pytest.raises(ValueError, match=f"mutable default {type(default)} for field a"):

        @record()
        class Plain:
            a: object = default

    with pytest.raises(ValueError, match=f"mutable default {type(default)} for field a"):

        @record(frozen=True)
        class Given:
            a: object = field(default=default)

    with pytest.raises(ValueError, match=f"mutable default {type(default)} for field a"):

        @dataclasses.dataclass
        class Twin:
            a: object = default

    @record()
    class Fine:
        a: object = ()

    assert Fine().a == ()


def test_post_init_of_any_base_runs_as_in_a_dataclass() -> None:
    """``__post_init__`` found on a base (a plain class or a record), not in the
    record's own body, is called by the bound and by the compiled ``__init__``, as
    dataclass calls it; a record with no ``__post_init__`` anywhere calls none."""
    seen: list[object] = []

    class Mixin:
        def __post_init__(self) -> None:
            seen.append(self)

    @record(frozen=True)
    class FromPlain(Mixin):
        a: int

    @record(frozen=True)
    class Base:
        a: int

        def __post_init__(self) -> None:
            seen.append(self)

    @record(frozen=True)
    class FromRecord(Base):
        b: int = 0

    @record(frozen=True)
    class Without:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Twin(Mixin):
        a: int

    for cls in (FromPlain, FromRecord, Twin):
        made = [cls(i) for i in range(records.COMPILE_AFTER + 2)]  # bound, then compiled
        assert seen == made, cls
        seen.clear()
    assert [Without(i).a for i in range(records.COMPILE_AFTER + 2)][-1] == records.COMPILE_AFTER + 1
    assert not seen


def test_bound_init_assigns_through_whatever_dataclass_assigns_through() -> None:
    """The bound ``__init__`` writes the values straight into ``__dict__`` only when that
    is all assigning them does: a property or a slot by a field's name, a mutable
    record's own ``__setattr__`` and an object of an undecorated subclass (which may
    have any of these) see every assignment, in field order, as under a dataclass."""
    writes: list[tuple[str, object]] = []

    class Guarded:
        def __setattr__(self, name: str, value: object) -> None:
            writes.append((name, value))
            object.__setattr__(self, name, value)

    def recorded(name: str) -> Any:
        """A property ``name`` whose every assignment is written down."""

        def write(self: object, value: object) -> None:
            writes.append((name, value))
            self.__dict__["_" + name] = value

        return property(lambda self: self.__dict__["_" + name], write)

    class Setter:
        b = recorded("b")

    def made(cls: type) -> list[tuple[str, object]]:
        writes.clear()
        cls(1, b="x")
        return list(writes)

    @record()
    class OwnSetattr(Guarded):
        a: int
        b: str = "b"
        c: tuple[int, ...] = field(default_factory=tuple)

    @dataclasses.dataclass
    class OwnSetattrTwin(Guarded):
        a: int
        b: str = "b"
        c: tuple[int, ...] = dataclasses.field(default_factory=tuple)

    @record(frozen=True)
    class ThroughProperty(Setter):
        a: int
        b: str  # no default: a default would be a class attribute hiding the property

    @dataclasses.dataclass(frozen=True)
    class ThroughPropertyTwin(Setter):
        a: int
        b: str

    @record(frozen=True)
    class Base:
        a: int
        b: str = "b"

    @dataclasses.dataclass(frozen=True)
    class BaseTwin:
        a: int
        b: str = "b"

    class Undecorated(Base):  # Base's __init__, with a property by a field's name
        a = recorded("a")

    class UndecoratedTwin(BaseTwin):
        a = recorded("a")

    assert made(OwnSetattr) == made(OwnSetattrTwin) == [("a", 1), ("b", "x"), ("c", ())]
    assert made(Base) == made(BaseTwin) == []  # Base's own objects: straight into __dict__
    assert made(Undecorated) == made(UndecoratedTwin) == [("a", 1)]
    assert Undecorated(2).a == 2
    assert made(ThroughProperty) == made(ThroughPropertyTwin) == [("b", "x")]
    assert ThroughProperty(1, b="y").b == "y"

    @record(frozen=True)
    class Slotted:
        __slots__ = ("a", "b")
        a: int
        b: int

    slotted = Slotted(1, b=2)
    assert (slotted.a, slotted.b) == (1, 2) and not hasattr(slotted, "__dict__")
    plain = Frozen(1, listed=(2,))
    assert list(vars(plain)) == ["a", "b", "hidden", "ignored", "listed"]
    assert vars(plain) == vars(FrozenTwin(1, listed=(2,)))
