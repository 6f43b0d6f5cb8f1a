"""How QEMU and libvirt spell option values, in both directions.

Exporters write values with :func:`qemu_value` and :func:`libvirt_value`;
importers read them back with :func:`parse_qemu_value` and
:func:`parse_libvirt_value`.  Keeping both directions in one module is what
makes "parse our own output back" a meaningful test: a change to one side
that the other does not follow fails it.

Reading is deliberately wider than writing (the audit command meets every
spelling QEMU accepts): QEMU's boolean words ``on/yes/true/y`` and
``off/no/false/n``, and integers in decimal, ``0x`` hex or leading-zero octal
as its ``strtoull(..., 0)`` does.  It is wider than QEMU, too: ``1``/``0``
and upper case are read (people write them), and :func:`qemu_refuses` says
when QEMU's own parser would not take the spelling, so an audit can warn
that such a VM does not start (checked against QEMU 7.2: ``hv-relaxed=1``,
``hv-relaxed=ON`` and ``hv-no-nonarch-coresharing=AUTO`` are refused).
"""

from __future__ import annotations

from hvtui.catalog import Enlightenment, Value, ValueKind
from hvtui.textsafe import clipped
from hvtui.untrusted import UntrustedError, parse_int

#: QEMU's x86 CPU QOM types are ``<model>-x86_64-cpu`` (``host-x86_64-cpu``).
CPU_TYPE_SUFFIX = "-x86_64-cpu"

_TRUE = frozenset({"on", "yes", "true", "y"})
_FALSE = frozenset({"off", "no", "false", "n"})
#: Numeric booleans: read as on/off, though QEMU's property parser refuses them.
_NUMERIC = {"1": True, "0": False}


class ValueSpellingError(ValueError):
    """A value text that does not fit the option's kind; ``str()`` says why."""


def cpu_type(model: str) -> str:
    """The QOM type QEMU instantiates for ``-cpu MODEL`` (the ``-global`` driver name)."""
    return f"{model}{CPU_TYPE_SUFFIX}"


def names_hyperv(key: str) -> bool:
    """``key`` is spelled as one of QEMU's Hyper-V CPU properties: ``hv-`` or the legacy
    ``hv_`` prefix, in any case, with surrounding blanks (how people write them; what
    the name is then is :func:`hvtui.catalog.canonical_name`'s to say)."""
    return key.strip().lower().startswith(("hv-", "hv_"))


def model_of_cpu_type(driver: str) -> str | None:
    """``host`` for ``host-x86_64-cpu``; ``None`` for a driver that is not an x86 CPU."""
    if driver.endswith(CPU_TYPE_SUFFIX) and len(driver) > len(CPU_TYPE_SUFFIX):
        return driver[: -len(CPU_TYPE_SUFFIX)]
    return None


def qemu_value(entry: Enlightenment, value: Value) -> str:
    """The text after ``hv-x=`` on QEMU's command line.

    Switches are ``on``/``off`` (QEMU also takes a bare ``hv-x`` for on, but
    the explicit form survives ``-global`` too), numbers with
    ``hex_display`` are hex as in QEMU's documentation (``0x1fff``).
    """
    if entry.kind is ValueKind.SWITCH:
        return "on" if value is True else "off"
    if entry.kind is ValueKind.UINT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueSpellingError(f"{entry.name}: expected an integer, got {value!r}")
        return f"{value:#x}" if entry.hex_display else str(value)
    if not isinstance(value, str):
        raise ValueSpellingError(f"{entry.name}: expected a string, got {value!r}")
    return value


def parse_qemu_value(entry: Enlightenment, text: str | None) -> Value:
    """The value of ``hv-x=TEXT`` (``None`` for a bare ``hv-x``).

    A bare name is what QEMU makes of it: ``on``, which is a switch turned on,
    the tri-state ``on``, and a vendor ID that reads "on"; a number needs a value.
    """
    if entry.kind is ValueKind.SWITCH:
        return parse_qemu_switch(text, what=entry.qemu_property, numeric=True)
    if text is None:
        if entry.kind in (ValueKind.TRISTATE, ValueKind.STRING):
            return "on"
        raise ValueSpellingError(f"{entry.qemu_property} needs a value")
    if entry.kind is ValueKind.UINT:
        return parse_uint(text, what=entry.qemu_property)
    if entry.kind is ValueKind.TRISTATE:
        word = text.strip().lower()
        if word not in entry.choices:
            allowed = ", ".join(entry.choices)
            raise ValueSpellingError(f"{entry.qemu_property}={text!r}: expected {allowed}")
        return word
    return text


def parse_qemu_switch(text: str | None, *, what: str, numeric: bool = False) -> bool:
    """A QEMU boolean property (``what=TEXT``; ``None`` for a bare ``what``, which is on):
    on/off, yes/no, true/false or y/n in any case, and with ``numeric`` also 1/0 (which
    :func:`qemu_refuses` then points out).  The hv-* options and the CPU settings
    (``vmx``, ``invtsc``, ``kvm``) are read with it."""
    if text is None:
        return True
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    if numeric and word in _NUMERIC:
        return _NUMERIC[word]
    shown = clipped(text)
    raise ValueSpellingError(f"{what}={shown!r}: expected on or off")


def qemu_refuses(entry: Enlightenment, text: str | None) -> str | None:
    """Why QEMU's own parser refuses ``hv-x=TEXT`` that :func:`parse_qemu_value` read.

    ``None`` when QEMU takes it.  QEMU matches boolean and enum words exactly
    (lower case) and has no numeric booleans.
    """
    if text is None:
        if entry.kind is ValueKind.STRING:
            return f"a bare {entry.qemu_property} sets the value to 'on'"
        return None
    if entry.kind is ValueKind.SWITCH and text not in _TRUE | _FALSE:
        return "QEMU's boolean properties take on/off, yes/no, true/false or y/n, in lower case"
    if entry.kind is ValueKind.TRISTATE and text not in entry.choices:
        return f"QEMU takes {', '.join(entry.choices)} in lower case"
    return None


def parse_uint(text: str, *, what: str) -> int:
    """An unsigned integer as QEMU reads it: decimal, ``0x`` hex, or ``0``-prefixed octal."""
    raw = text.strip()
    try:  # parse_int: ASCII digits, bounded (a 100,000-digit hex number is refused here)
        if raw.lower().startswith("0x"):
            number = parse_int(raw[2:], 16)
        elif len(raw) > 1 and raw.startswith("0"):
            number = parse_int(raw[1:], 8)
        else:
            number = parse_int(raw, 10)
    except UntrustedError as exc:
        shown = clipped(text)
        why = f" ({exc})" if "too large" in str(exc) else ""
        raise ValueSpellingError(f"{what}={shown!r}: expected an unsigned integer{why}") from None
    if number < 0 or raw.startswith(("-", "+")):
        raise ValueSpellingError(f"{what}={text!r}: expected an unsigned integer")
    return number


def libvirt_value(entry: Enlightenment, value: Value) -> str:
    """The attribute text libvirt wants (``retries='8191'``: always decimal)."""
    if entry.kind is ValueKind.UINT:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueSpellingError(f"{entry.name}: expected an integer, got {value!r}")
        return str(value)
    if not isinstance(value, str):
        raise ValueSpellingError(f"{entry.name}: expected a string, got {value!r}")
    return value


def parse_libvirt_value(entry: Enlightenment, text: str) -> Value:
    """An attribute value read back from libvirt XML."""
    if entry.kind is ValueKind.UINT:
        # libvirt's schema says unsignedInt (decimal); its parser is as lenient as QEMU's.
        return parse_uint(text, what=f"{entry.libvirt.element} {entry.libvirt.attribute}")
    return text


def libvirt_state(on: bool) -> str:
    """``state='on'`` / ``state='off'``."""
    return "on" if on else "off"


def parse_libvirt_state(text: str | None) -> bool | None:
    """``on``/``off`` (libvirt also writes ``yes``/``no`` for timers); ``None`` if absent."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("on", "yes"):
        return True
    if word in ("off", "no"):
        return False
    raise ValueSpellingError(f"{text!r}: expected on or off")


__all__ = [
    "CPU_TYPE_SUFFIX",
    "ValueSpellingError",
    "cpu_type",
    "libvirt_state",
    "libvirt_value",
    "model_of_cpu_type",
    "parse_libvirt_state",
    "parse_libvirt_value",
    "parse_qemu_switch",
    "parse_qemu_value",
    "parse_uint",
    "qemu_refuses",
    "qemu_value",
]
