"""QEMU's two ``key=value,...`` readers, as QEMU 7.2 reads option values with them.

QEMU has two syntaxes that look alike and differ in the corners, and each option
uses one of them (qemu/qemu ``softmmu/vl.c``, ``system/vl.c`` since QEMU 8.1):

- **QemuOpts** (qemu/qemu ``util/qemu-option.c``: ``qemu_opts_parse_noisily``,
  ``opts_parse``, ``opts_do_parse``, ``get_opt_name_value``): ``-global``'s long
  form, ``-accel`` (implied key ``accel``), ``-device`` (implied key
  ``driver``) and ``-name`` (implied key ``guest``), read by :func:`opts_items`.
  A name ends at the first ``=`` or ``,`` and has no escaped comma; ``,,`` is
  one comma only inside a value (the implied first value too: ``-accel tcg,,x``
  names the accelerator ``tcg,x``); a bare ``name`` is ``name=on`` and
  ``noname`` is ``name=off`` (deprecated); the first item is the implied key's
  value when it has no ``=``.
- **keyval** (qemu/qemu ``util/keyval.c``: ``keyval_parse_into``,
  ``keyval_parse_one``, ``keyval_merge``): ``-machine``/``-M`` (implied key
  ``type``) and ``-smp`` (implied key ``cpus``), read by :func:`keyval_parse_into`.
  Every item but an implied first one needs ``=``; a key is ``.``-separated
  fragments, each a QAPI name (or, after the first, a list index); the implied
  first value runs to the first ``,`` or ``=`` with no escaped comma
  (``-machine q35,,x`` is ``q35`` and then an empty key, which QEMU refuses);
  ``help`` or ``?`` alone asks for help, which QEMU prints before it stops.
  Every ``-machine`` goes into one dictionary (``keyval_parse_into``) and every
  ``-smp`` is merged into its ``smp`` member (``machine_parse_property_opt``,
  ``keyval_merge``): ``-smp 2 -smp maxcpus=4`` has both, ``-machine
  smp.cpus=2`` sets the same count as ``-smp 2``.  The topology QEMU then makes of
  the ``smp`` member, and the ones it refuses, are :mod:`hvtui.formats.qemu_smp`'s.

``-device`` also takes a JSON object when its value starts with ``{`` (QEMU 6.2
and later; :func:`device_driver`).  ``-cpu`` is neither syntax (see
:func:`hvtui.importers.qemu_cmdline.split_cpu_option`), and neither is
``-global``'s short form (:mod:`hvtui.formats.qemu_global`).

Every case in ``tests/importers/test_qemu_opts.py`` is checked against QEMU 7.2's
``qemu-system-x86_64``; ``tests/test_linear_parsing.py`` checks both readers
against transcriptions of the C loops.  Each reader is one pass over the text:
the items are cut with :meth:`str.find` and possessive patterns, and an option
read into a dictionary that earlier options filled costs time for its own text
only, so a hostile 4 MiB command line costs linear time.
"""

from __future__ import annotations

from hvtui.lazyre import LazyPattern
from hvtui.limits import MAX_OPTION_ITEMS
from hvtui.textsafe import clipped

#: A QemuOpts or keyval value: text without commas and ``,,`` pairs, from the left.
_VALUE = LazyPattern(r"(?:[^,]++|,,)*+")
#: ``parse_qapi_name(s, false)`` (qemu/qemu ``qapi/qapi-util.c``): an optional
#: downstream ``__RFQDN_`` prefix, an ASCII letter, then letters, digits, ``-``, ``_``.
_QAPI_NAME = LazyPattern(r"(?:__[A-Za-z0-9.\-]*+_)?[A-Za-z][A-Za-z0-9_\-]*+")
#: ``key_to_index``: a list index is decimal digits (any number of them).
_INDEX = LazyPattern(r"[0-9]++")
#: ``qemu_strtoi64(text, NULL, 0, ...)``, that is ``strtoll`` in base 0 with nothing
#: after the number: C blanks, a sign, then ``0x`` hex, ``0`` octal or decimal digits.
_C_INTEGER = LazyPattern(
    r"[ \t\n\v\f\r]*+([+-]?)(?:0[xX]([0-9a-fA-F]++)|(0[0-7]*+)|([1-9][0-9]*+))"
)
#: C's ``INT_MAX``: ``key_to_index`` caps a list index there.
_INT_MAX = 2**31 - 1
#: ``key_in_cur[128]``: the longest key fragment is 127 bytes.
MAX_KEY_FRAGMENT = 127
#: Parts of one keyval key that are read (QEMU has no limit): each is a level of
#: nesting, and no QEMU property is nested more than a few levels deep.
MAX_KEY_PARTS = 64
#: The words that ask for help where help is offered (``is_help_option``).
HELP_WORDS = ("help", "?")
#: A keyval key's rules, for error messages.
_KEY_RULE = (
    "a key is a letter, then letters, digits, '-' and '_', with '.' between parts; "
    "',,' is a comma only inside a value"
)

#: A keyval tree: a member is a value, a nested tree, or a list (keys ``0``, ``1``...).
KeyvalTree = dict[str, "str | KeyvalTree | list[object]"]


class OptionSyntaxError(ValueError):
    """An option value QEMU refuses as it reads it; ``str()`` is QEMU's reason and what
    is allowed, in one line (the caller names the option)."""


def _value_at(text: str, start: int) -> tuple[str, int]:
    """``get_opt_value`` (QemuOpts) and a keyval value: from ``start`` to the first
    comma that is not part of a ``,,`` pair (pairs counted from the left), each pair
    one comma; and where the value ends (that comma, or the end).  One match, in C."""
    comma = text.find(",", start)
    if comma < 0:
        return text[start:], len(text)
    if not text.startswith(",", comma + 1):  # no ,, pair: re stays unloaded (hvtui detect)
        return text[start:comma], comma
    found = _VALUE.compiled.match(text, start)
    assert found is not None  # the pattern matches the empty string
    return found[0].replace(",,", ","), found.end()


# -- QemuOpts ---------------------------------------------------------------------------


def opts_items(text: str, implied: str | None = None) -> list[tuple[str, str, str]]:
    """``(name, value, bare)`` for each item of a QemuOpts string, as
    ``opts_do_parse`` and ``get_opt_name_value`` read them.

    ``implied`` is the option list's ``implied_opt_name`` when QEMU permits it
    (``accel`` for ``-accel``, ``driver`` for ``-device``): a first item with no
    ``=`` before its first comma is that key's value, read as any value (``,,`` is
    a comma).  Otherwise a name ends at the first ``=`` or ``,``: in ``driver,,x=1``
    the item after ``driver`` is named ``""``.  A bare ``noNAME`` is ``NAME=off``,
    any other bare name ``NAME=on``; ``bare`` keeps the word as written (``""``
    for a ``name=value`` item and an implied one).  A comma at the very end ends
    the last item and starts none.  Nothing here is refused: which names a list
    takes, ``id`` and ``help`` are the caller's (each list has its own rules).

    Raises :class:`OptionSyntaxError` past :data:`~hvtui.limits.MAX_OPTION_ITEMS`
    items, which are not read.
    """
    items: list[tuple[str, str, str]] = []
    at, end = 0, len(text)
    while at < end:
        if len(items) == MAX_OPTION_ITEMS:
            raise OptionSyntaxError(f"more than {MAX_OPTION_ITEMS} items; not read")
        comma = text.find(",", at)
        stop = end if comma < 0 else comma
        equals = text.find("=", at, stop)
        if equals < 0 and implied is not None and at == 0:
            value, at = _value_at(text, 0)
            items.append((implied, value, ""))
        elif equals >= 0:
            value, after = _value_at(text, equals + 1)
            items.append((text[at:equals], value, ""))
            at = after
        else:
            word = text[at:stop]
            if word.startswith("no"):
                items.append((word[2:], "off", word))
            else:
                items.append((word, "on", word))
            at = stop
        at += 1  # the comma that ended the item (or past the end)
    return items


def opts_value(items: list[tuple[str, str, str]], name: str) -> str | None:
    """``qemu_opt_get``: the value of the last item named ``name``; ``None`` when none is."""
    for item_name, value, _ in reversed(items):
        if item_name == name:
            return value
    return None


def opts_escape(value: str) -> str:
    """``value`` written back into a QemuOpts or keyval string: each comma doubled."""
    return value.replace(",", ",,")


def device_driver(text: str) -> str | None:
    """The driver QEMU 7.2 creates for ``-device TEXT``; ``None`` when it names none.

    A value starting with ``{`` is a JSON object (``qobject_from_json``, QEMU 6.2 and
    later) whose ``driver`` member names it; hvtui reads standard JSON only, so an
    object in QEMU's own extensions (single-quoted strings) names none here.  Any
    other value is QemuOpts with the implied key ``driver``: ``vmbus-bridge,irq=15``
    and ``irq=15,driver=vmbus-bridge`` name the same driver, and the last
    ``driver`` counts (``qemu_opt_get``).  A ``,,`` in the first item is a comma in
    the driver's name, which no driver has.
    """
    if text.startswith("{"):
        from hvtui.untrusted import load_json

        try:
            document = load_json(text)
        except ValueError:
            return None
        driver = document.get("driver") if isinstance(document, dict) else None
        return driver if isinstance(driver, str) else None
    try:
        return opts_value(opts_items(text, "driver"), "driver")
    except OptionSyntaxError:
        return None


# -- keyval -----------------------------------------------------------------------------


def _inconsistent(path: str) -> OptionSyntaxError:
    """``keyval_parse_put``'s refusal: one key is both a value and a parent of others."""
    return OptionSyntaxError(
        f"Parameters {clipped(path + '.*')!r} used inconsistently "
        "(a key holds a value or further keys, not both)"
    )


#: What a text changed, to undo it when QEMU refuses the text: each tree and the name
#: in it whose member was added (``None``) or replaced (the member before).
_Undo = list[tuple[KeyvalTree, str, "str | KeyvalTree | list[object] | None"]]
#: The trees a text added members to, by path: the names it added to a tree that was
#: there before, or ``None`` for a tree the text made (:func:`_listify_grown`).
_Grown = dict[tuple[str, ...], "set[str] | None"]


def _added(grown: _Grown, path: tuple[str, ...], name: str) -> None:
    """Note that ``name`` is a new member of the tree at ``path``."""
    names = grown.setdefault(path, set())
    if names is not None:
        names.add(name)


def _parent_of_leaf(
    tree: KeyvalTree, key: str, grown: _Grown, undo: _Undo
) -> tuple[KeyvalTree, str, tuple[str, ...]]:
    """The tree a ``KEY=`` value goes into, its name there and the tree's path, as
    ``keyval_parse_one`` walks the key: each fragment is checked in turn (the first a
    QAPI name, each later one a list index or a QAPI name, ``.`` between them, at most
    :data:`MAX_KEY_FRAGMENT` bytes), and the one before it is put in as a tree first,
    so ``a=1,a.b.$=2`` is refused for ``a``, not for ``$``."""
    if "." not in key:  # one fragment, as nearly every key is: no walk
        found = _QAPI_NAME.compiled.match(key)
        if found is None or found.end() != len(key):
            raise OptionSyntaxError(f"Invalid parameter {clipped(key)!r} ({_KEY_RULE})")
        if len(key) > MAX_KEY_FRAGMENT:
            raise OptionSyntaxError(
                f"Parameter {clipped(key)!r} is too long (at most {MAX_KEY_FRAGMENT} bytes)"
            )
        return tree, key, ()
    cur: KeyvalTree = tree
    path: tuple[str, ...] = ()
    previous: str | None = None
    at, end = 0, len(key)
    while True:
        found = _INDEX.compiled.match(key, at, end) if at else None
        if found is None:
            found = _QAPI_NAME.compiled.match(key, at, end)
        size = 0 if found is None else found.end() - at
        if not size or (at + size < end and key[at + size] != "."):
            raise OptionSyntaxError(f"Invalid parameter {clipped(key)!r} ({_KEY_RULE})")
        if size > MAX_KEY_FRAGMENT:
            fragment = " fragment" if at or at + size != end else ""
            raise OptionSyntaxError(
                f"Parameter{fragment} {clipped(key[at : at + size])!r} is too long "
                f"(at most {MAX_KEY_FRAGMENT} bytes)"
            )
        if previous is not None:  # keyval_parse_put(cur, previous, NULL): a tree
            if len(path) == MAX_KEY_PARTS:
                raise OptionSyntaxError(f"a key of more than {MAX_KEY_PARTS} parts; not read")
            member = cur.get(previous)
            if member is None:
                _added(grown, path, previous)
                member = cur[previous] = {}
                undo.append((cur, previous, None))
                grown[(*path, previous)] = None
            elif not isinstance(member, dict):
                raise _inconsistent(key[: at - 1])
            cur, path = member, (*path, previous)
        previous = key[at : at + size]
        at += size
        if at == end:
            return cur, previous, path
        at += 1  # the '.'


def _index(key: str) -> int | None:
    """``key_to_index(key, NULL)``: the list index ``key`` is (capped as an ``int``)."""
    if not key.isascii() or not key.isdigit():
        return None
    digits = key.lstrip("0") or "0"
    return min(int(digits), _INT_MAX) if len(digits) <= 10 else _INT_MAX


def _listified(tree: KeyvalTree, path: str) -> KeyvalTree | list[object]:
    """``keyval_listify`` of one tree whose members are already listified: a tree whose
    keys are all indexes becomes a list, which must have no gaps; one that mixes
    indexes and names is refused."""
    indexes = [_index(key) for key in tree]
    if all(index is None for index in indexes):
        return tree
    if any(index is None for index in indexes):
        raise _inconsistent(path)
    slots: list[object | None] = [None] * (len(tree) + 1)
    for index, member in zip(indexes, tree.values(), strict=True):
        assert index is not None
        if index < len(tree):
            slots[index] = member
    top = max(index for index in indexes if index is not None)
    for n in range(min(len(slots), top + 1)):
        if slots[n] is None:
            raise OptionSyntaxError(
                f"Parameter {clipped(f'{path}.{n}')!r} missing (list indexes start at 0, "
                "with no gaps)"
            )
    return slots[: top + 1]


def _listify_grown(tree: KeyvalTree, grown: _Grown, undo: _Undo) -> None:
    """``keyval_listify(tree)``, for the trees a text added members to, deepest first.

    QEMU listifies the whole dictionary after each option; a tree no option since
    touched keeps its form, and one that was there before holds names only (one of
    indexes is a list by now, which takes no new members), so only the names added
    to it are checked: each option costs time for its own text, not for what the
    earlier ones put in (a command line may have thousands of ``-machine``).
    """
    for path in sorted(grown, key=len, reverse=True):
        names = grown[path]
        if not path:
            continue  # the root's keys are names, never indexes
        parent: KeyvalTree = tree
        for name in path[:-1]:
            member = parent[name]
            assert isinstance(member, dict)
            parent = member
        member = parent[path[-1]]
        assert isinstance(member, dict)
        if names is None:
            undo.append((parent, path[-1], member))
            parent[path[-1]] = _listified(member, ".".join(path))
        elif any(_index(name) is not None for name in names):
            raise _inconsistent(".".join(path))


def _undone(undo: _Undo) -> None:
    """Put back what a text changed, latest first."""
    for parent, name, before in reversed(undo):
        if before is None:
            del parent[name]
        else:
            parent[name] = before


def keyval_parse_into(tree: KeyvalTree, text: str, implied: str | None = None) -> bool:
    """Read ``text`` into ``tree`` as ``keyval_parse_into`` does; whether it asks for help.

    ``implied`` is the key a first item without ``=`` is the value of (``type`` for
    ``-machine``, ``cpus`` for ``-smp``); that value is verbatim up to the first
    ``,`` or ``=``.  Any other item is ``KEY=VALUE`` with ``,,`` a comma in the
    value; ``help`` or ``?`` alone asks for help (QEMU then prints it and stops,
    once every item is read).  A later value of a key replaces an earlier one, in
    ``tree`` as across the options QEMU reads into one dictionary.  The time is
    linear in ``text``, whatever ``tree`` holds.

    Raises :class:`OptionSyntaxError` for what QEMU refuses, with QEMU's words, and
    past :data:`~hvtui.limits.MAX_OPTION_ITEMS` items, which are not read; ``tree``
    is then as it was (QEMU stops there, and the caller reports the text, not reads it).
    """
    undo: _Undo = []
    try:
        return _parse_into(tree, text, implied, undo)
    except OptionSyntaxError:
        _undone(undo)
        raise


def _parse_into(tree: KeyvalTree, text: str, implied: str | None, undo: _Undo) -> bool:
    """:func:`keyval_parse_into`, noting each change in ``undo``."""
    wants_help = False
    grown: _Grown = {}
    at, end, count = 0, len(text), 0
    while at < end:
        if count == MAX_OPTION_ITEMS:
            raise OptionSyntaxError(f"more than {MAX_OPTION_ITEMS} items; not read")
        count += 1
        comma = text.find(",", at)
        stop = end if comma < 0 else comma
        equals = text.find("=", at, stop)
        key_end = stop if equals < 0 else equals
        key = text[at:key_end]
        value: str | None = None
        if key and key_end != equals:
            if key in HELP_WORDS:
                wants_help, at = True, key_end + 1
                continue
            if implied is not None and at == 0:
                key, value = implied, key
        parent, name, path = _parent_of_leaf(tree, key, grown, undo)
        if value is not None:
            at = key_end
        elif key_end != equals:
            raise OptionSyntaxError(
                f"Expected '=' after parameter {clipped(key)!r} (only the first item "
                "may be a bare value)"
                if implied is not None
                else f"Expected '=' after parameter {clipped(key)!r}"
            )
        else:
            value, at = _value_at(text, equals + 1)
        member = parent.get(name)
        if member is None:
            if path:  # the root's members are names, never listified
                _added(grown, path, name)
        elif not isinstance(member, str):
            raise _inconsistent(key)
        undo.append((parent, name, member))
        parent[name] = value
        at += 1  # the comma that ended the item (or past the end)
    if grown:
        _listify_grown(tree, grown, undo)
    return wants_help


def _merge_refused(dest: KeyvalTree, merged: KeyvalTree, path: str = "") -> str | None:
    """Why ``keyval_merge(dest, merged)`` fails, before it changes anything: a member
    that is a value in one and a tree or list in the other."""
    for key, member in merged.items():
        old = dest.get(key)
        if old is not None and type(old) is not type(member):
            return f"{path}{key}"
        if isinstance(old, dict) and isinstance(member, dict):
            refused = _merge_refused(old, member, f"{path}{key}.")
            if refused is not None:
                return refused
    return None


def keyval_merge(dest: KeyvalTree, merged: KeyvalTree) -> None:
    """``keyval_merge``: ``merged``'s members into ``dest``: trees merge, lists append,
    values replace.  A member that is a value in one and a tree or list in the other
    is refused (:class:`OptionSyntaxError`), and ``dest`` is then as it was."""
    refused = _merge_refused(dest, merged)
    if refused is not None:
        raise OptionSyntaxError(
            f"Parameter {clipped(refused)!r} used inconsistently "
            "(a key holds a value or further keys, not both)"
        )
    for key, member in merged.items():
        old = dest.get(key)
        if isinstance(old, dict) and isinstance(member, dict):
            keyval_merge(old, member)
        elif isinstance(old, list) and isinstance(member, list):
            old.extend(member)
        else:
            dest[key] = member


class MachineOptions:
    """``machine_opts_dict``: what every ``-machine``/``-M`` and ``-smp`` of one command
    line sets, read in order as QEMU 7.2 reads them (qemu/qemu ``softmmu/vl.c``).

    ``-machine TEXT`` is ``keyval_parse_into(machine_opts_dict, TEXT, "type")``;
    ``-smp TEXT`` is ``keyval_parse(TEXT, "cpus")`` merged into the ``smp`` member
    (``machine_parse_property_opt``).  An option QEMU refuses raises
    :class:`OptionSyntaxError` and leaves :attr:`tree` as it was: QEMU stops there,
    and the caller reports the option rather than reading it.
    """

    def __init__(self) -> None:
        self.tree: KeyvalTree = {}

    def add_machine(self, text: str) -> None:
        """Read one ``-machine`` value; ``help``/``?`` in it is refused (QEMU prints the
        machine types or a machine's properties and stops).

        A value QEMU refuses leaves :attr:`tree` as it was.
        """
        undo: _Undo = []
        try:
            wants_help = _parse_into(self.tree, text, "type", undo)
        except OptionSyntaxError:
            _undone(undo)
            raise
        if wants_help:
            _undone(undo)
            raise OptionSyntaxError(
                "'help' asks for the machine types or a machine's properties, "
                "which QEMU prints before it stops"
            )

    def add_smp(self, text: str) -> None:
        """Read one ``-smp`` value into the ``smp`` member; ``help``/``?`` is refused
        (QEMU prints -smp's keys and stops)."""
        smp: KeyvalTree = {}
        if keyval_parse_into(smp, text, "cpus"):
            raise OptionSyntaxError(
                "'help' asks for -smp's keys, which QEMU prints before it stops"
            )
        keyval_merge(self.tree, {"smp": smp})


def c_integer(text: str) -> int:
    """``qemu_strtoi64(text, NULL, 0, ...)``, which QEMU's keyval visitor uses for an
    integer (``-smp 0x4`` is 4 and ``010`` is 8): leading C blanks, a sign, ``0x`` hex,
    ``0`` octal or decimal, nothing after, within ``int64_t``.

    Raises :class:`ValueError` otherwise ("expects integer", QEMU says).
    """
    if text.isdigit() and text.isascii() and len(text) < 19 and text[0] != "0":
        return int(text)  # plain decimal, as nearly every value is
    found = _C_INTEGER.compiled.fullmatch(text)
    if found is None:
        raise ValueError(f"{clipped(text)!r} is not an integer")
    sign, hexa, octal, decimal = found.groups()
    digits, base = (hexa, 16) if hexa else (octal, 8) if octal else (decimal, 10)
    if len(digits.lstrip("0")) > 22:  # more than int64_t has, whatever the base
        raise ValueError(f"{clipped(text)!r} is out of range")
    value = int(digits, base) * (-1 if sign == "-" else 1)
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{clipped(text)!r} is out of range")
    return value


__all__ = [
    "HELP_WORDS",
    "MAX_KEY_FRAGMENT",
    "MAX_KEY_PARTS",
    "KeyvalTree",
    "MachineOptions",
    "OptionSyntaxError",
    "c_integer",
    "device_driver",
    "keyval_merge",
    "keyval_parse_into",
    "opts_escape",
    "opts_items",
    "opts_value",
]
