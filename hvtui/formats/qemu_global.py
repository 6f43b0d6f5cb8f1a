"""QEMU's ``-global`` option as QEMU reads it: which driver, property and value.

One reading for every module that looks at ``-global`` (the command-line
importer, the VM ``hvtui verify`` builds from a command line, the lines
``export --into`` replaces), so that they can not disagree with each other or
with QEMU.  It follows ``qemu_global_option()``
(qemu/qemu ``system/qdev-monitor.c``; ``softmmu/qdev-monitor.c`` before QEMU 8.1)::

    rc = sscanf(str, "%63[^.=].%63[^=]%n", driver, property, &offset);
    if (rc == 2 && str[offset] == '=') { ... value = str + offset + 1 ... }
    opts = qemu_opts_parse_noisily(&qemu_global_opts, str, false);
    ... "options 'driver', 'property', and 'value' are required"

- The short form ``DRIVER.PROPERTY=VALUE`` is tried first and wins whenever it
  matches: the driver ends at the first ``.`` (``a.b.c=1`` is driver ``a``,
  property ``b.c``), the property at the first ``=``, each is 1 to 63 bytes,
  and the value is the rest *verbatim*: ``T.p=x,property=y`` sets ``p`` to
  ``x,property=y``, and ``,,`` stays two commas.
- Anything else is the long form, a QemuOpts string without an implied key,
  read by :func:`hvtui.formats.qemu_opts.opts_items` (qemu/qemu
  ``util/qemu-option.c``: ``get_opt_name_value``, ``opts_parse_id``): items
  split at commas, ``,,`` an escaped comma in a value (not in a name), a bare
  ``name`` is ``name=on`` and ``noname`` is ``name=off`` (deprecated), only
  ``driver``, ``property``, ``value`` and ``id`` are known keys, the last of a
  repeated key counts, ``help``/``?`` prints the keys and stops, and all three of
  ``driver``, ``property`` and ``value`` are required.  ``id`` must be an
  identifier (qemu/qemu ``util/id.c``: ``id_wellformed``) and unique among the
  ``-global`` options (:class:`GlobalRegistry`).

Checked with QEMU 7.2's ``qemu-system-x86_64`` (``tests/importers/test_qemu_global.py``
runs each case of its table through it).  QEMU only parses here: whether the driver
exists and takes the property and value is decided when a device is created.

Which objects a global reaches is QEMU's class hierarchy: ``object_apply_global_props``
(qemu/qemu ``qom/object.c``) applies each global, in the order they were given, to
every object for which ``object_dynamic_cast(obj, p->driver)`` succeeds, that is
whose type is the driver, a subclass of it, or implements it as an interface.
:func:`reaches_cpu` and :func:`reaches_every_device` answer that for an x86 CPU
(``tests/importers/test_qemu_global_reach.py`` checks them against QEMU 7.2).
``-cpu`` properties are registered as globals of the CPU's type after every
``-global`` (``x86_cpu_parse_featurestr``), so they win over all of them.
"""

from __future__ import annotations

from hvtui.formats.qemu_opts import OptionSyntaxError, opts_items
from hvtui.formats.spelling import model_of_cpu_type
from hvtui.records import record
from hvtui.textsafe import clipped

#: ``%63[^.=]`` and ``%63[^=]``: the longest driver and property of the short form.
SHORT_FORM_MAX_BYTES = 63
#: The keys of ``qemu_global_opts`` (``id`` is QemuOpts' own).
LONG_FORM_KEYS = ("driver", "property", "value")
_HELP = ("help", "?")
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")

# The types an x86 CPU is besides its own, from ``qom-list-types`` of QEMU 7.2 (with
# ``abstract`` and ``implements``; qemu/qemu ``target/i386/cpu.c``, ``hw/core/cpu-common.c``,
# ``hw/core/qdev.c``).  Type names are case-sensitive, as QEMU's type table is.

#: Ancestors that only CPUs have: every model's type is a ``x86_64-cpu``
#: (``TYPE_X86_CPU``), which is a ``cpu`` (``TYPE_CPU``).
CPU_ANCESTORS = frozenset({"x86_64-cpu", "cpu"})
#: What every device is: ``cpu``'s parent ``device``, its parent ``object``, and the
#: interfaces ``device`` implements.  QEMU's ``migration`` object is a device made
#: before any CPU, so a global for one of these with a CPU property stops QEMU there
#: ("can't apply global device.hv-relaxed=on: Property 'migration.hv-relaxed' not found").
DEVICE_ANCESTORS = frozenset({"device", "object", "vmstate-if", "resettable"})
#: The models whose type is a subclass of another model's: ``host-x86_64-cpu``'s parent
#: is ``max-x86_64-cpu`` (every other model's type is a direct ``x86_64-cpu``).
MODEL_PARENTS = {"host": "max"}


class GlobalOptionError(ValueError):
    """A ``-global`` value QEMU does not start with; ``str()`` says why, in one line."""


class DuplicateGlobalIdError(GlobalOptionError):
    """A long-form ``-global`` whose ``id`` an earlier one has (:class:`GlobalRegistry`)."""


@record(frozen=True)
class GlobalOption:
    """One ``-global`` as QEMU registers it."""

    driver: str
    property: str
    value: str
    long_form: bool = False
    """Written as ``driver=D,property=P,value=V``."""
    id: str | None = None
    """The long form's ``id``: QEMU refuses a second ``-global`` with the same one."""
    warnings: tuple[str, ...] = ()
    """What QEMU warns about but accepts: bare ``value``/``novalue`` items, say."""


def _c_bytes(text: str) -> int:
    """The bytes ``text`` has in QEMU's argv: ``sscanf``'s widths count bytes, not
    characters (undecodable bytes come back as ``surrogateescape`` characters)."""
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate no argv holds; count it as 3 bytes
        return len(text.encode("utf-8", "surrogatepass"))


def _short_form(text: str) -> GlobalOption | None:
    """``sscanf(str, "%63[^.=].%63[^=]%n", ...)`` and ``str[offset] == '='``: ``None``
    when that does not match and QEMU reads the long form instead."""
    head, equals, value = text.partition("=")
    driver, dot, prop = head.partition(".")
    if not (equals and dot and driver and prop):
        return None
    if _c_bytes(driver) > SHORT_FORM_MAX_BYTES or _c_bytes(prop) > SHORT_FORM_MAX_BYTES:
        return None
    return GlobalOption(driver, prop, value)


def _well_formed_id(text: str) -> bool:
    """``id_wellformed``: an ASCII letter, then letters, digits, ``-``, ``.`` and ``_``."""
    return text[:1].isascii() and text[:1].isalpha() and _ID_CHARS.issuperset(text)


def _long_form(text: str, ids: set[str]) -> GlobalOption:
    """``qemu_opts_parse_noisily(&qemu_global_opts, str, false)`` and the check after it.

    QemuOpts takes the ``id`` first (the first item named ``id``; ``ids`` are those
    of the earlier ``-global`` options), then checks the items in order and stops
    at the first it refuses.
    """
    try:
        items = opts_items(text)
    except OptionSyntaxError as exc:  # past MAX_OPTION_ITEMS items
        raise GlobalOptionError(str(exc)) from exc
    ident = next((value for name, value, _ in items if name == "id"), None)
    if ident is not None and not _well_formed_id(ident):
        raise GlobalOptionError("QEMU refuses it: Parameter 'id' expects an identifier")
    if ident is not None and ident in ids:
        raise DuplicateGlobalIdError(f"QEMU refuses it: Duplicate ID {clipped(ident)!r} for global")
    fields: dict[str, str] = {}
    warnings: list[str] = []
    for name, value, bare in items:
        if bare in _HELP:
            raise GlobalOptionError(
                f"QEMU refuses it: {bare!r} asks for the list of -global's keys, "
                "which QEMU prints before it stops"
            )
        if bare:
            warnings.append(
                f"QEMU reads the bare {clipped(bare)!r} as {clipped(name)}={value} "
                "(a deprecated short-form boolean)"
            )
        if name == "id":
            continue
        if name not in LONG_FORM_KEYS:
            raise GlobalOptionError(f"QEMU refuses it: Invalid parameter {clipped(name)!r}")
        fields[name] = value
    if len(fields) < len(LONG_FORM_KEYS):
        raise GlobalOptionError(
            "QEMU refuses it: options 'driver', 'property', and 'value' are required"
        )
    return GlobalOption(
        fields["driver"],
        fields["property"],
        fields["value"],
        long_form=True,
        id=ident,
        warnings=tuple(warnings),
    )


def parse_global(text: str) -> GlobalOption:
    """The driver, property and value QEMU registers for ``-global TEXT``.

    Raises :class:`GlobalOptionError` for a value QEMU refuses (it does not start),
    and for one with more than :data:`~hvtui.limits.MAX_OPTION_ITEMS` items, which
    is not read.  The options of a whole command line go through
    :class:`GlobalRegistry`, which also refuses a repeated ``id``.
    """
    return GlobalRegistry().add(text)


class GlobalRegistry:
    """The ``-global`` options of one command line, read in order as QEMU reads them.

    :func:`parse_global` for each, and an ``id`` at most once: QEMU creates the
    options of a list without ``merge_lists`` with ``fail_if_exists``
    (``qemu_opts_create``), so a second ``-global ...,id=g`` stops it ("Duplicate
    ID 'g' for global", checked with QEMU 7.2).
    """

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def add(self, text: str) -> GlobalOption:
        """The option QEMU registers for ``-global TEXT`` after the earlier ones.

        Raises :class:`DuplicateGlobalIdError` for an ``id`` an earlier option has and
        :class:`GlobalOptionError` as :func:`parse_global` does.
        """
        short = _short_form(text)
        option = short if short is not None else _long_form(text, self._ids)
        if option.id is not None:
            self._ids.add(option.id)
        return option


def reaches_every_device(driver: str) -> bool:
    """Whether QEMU applies a ``-global`` for ``driver`` to every device, CPUs among them
    (:data:`DEVICE_ANCESTORS`)."""
    return driver in DEVICE_ANCESTORS


def reaches_cpu(driver: str, model: str | None = None) -> bool:
    """Whether QEMU applies a ``-global`` for ``driver`` to the CPU of ``-cpu MODEL``.

    That is when the CPU's type is ``driver`` or a subclass of it: the model's own
    type, the type of the model it derives from (``max-x86_64-cpu`` for ``host``),
    and the types every x86 CPU is (:data:`CPU_ANCESTORS`, :data:`DEVICE_ANCESTORS`).
    ``model`` ``None`` asks whether it reaches some x86 CPU model.  This is the one
    place hvtui decides it: the importer, ``hvtui verify`` and ``export --into`` ask here.
    """
    if driver in CPU_ANCESTORS or driver in DEVICE_ANCESTORS:
        return True
    named = model_of_cpu_type(driver)
    if named is None:
        return False
    return model is None or named == model or MODEL_PARENTS.get(model) == named


__all__ = [
    "CPU_ANCESTORS",
    "DEVICE_ANCESTORS",
    "LONG_FORM_KEYS",
    "MODEL_PARENTS",
    "SHORT_FORM_MAX_BYTES",
    "DuplicateGlobalIdError",
    "GlobalOption",
    "GlobalOptionError",
    "GlobalRegistry",
    "parse_global",
    "reaches_cpu",
    "reaches_every_device",
]
