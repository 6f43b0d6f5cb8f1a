"""Reading Hyper-V options back from QEMU command lines.

Covers what hvtui writes (``-cpu MODEL,hv-x=on,...``, ``-global
TYPE.hv-x=V``, ``-device ...``) and the other spellings QEMU accepts that the
audit command will meet: bare ``hv-x`` for on, the legacy ``hv_x`` and
``+hv-x``/``-hv-x`` forms, ``--cpu``/``-cpu=``, ``,,`` as an escaped comma,
aliases (``hv-apicv``), and ``-global driver=T,property=P,value=V``.

Precedence follows QEMU: only the last ``-cpu`` counts, and its properties
are registered after every ``-global``, so they win over a ``-global`` of the
same property.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hvtui import catalog
from hvtui.catalog import Value
from hvtui.importers.result import Imported
from hvtui.importers.spelling import ValueSpellingError, model_of_cpu_type, parse_qemu_value
from hvtui.model import Config

_CONTINUATION = re.compile(r"\\\r?\n")


class CommandLineError(ValueError):
    """A command line that cannot be split (unbalanced quotes); ``str()`` is one line."""


@dataclass(frozen=True)
class CpuOption:
    """A parsed ``-cpu`` value: the model and its ``key[=value]`` items in order."""

    model: str
    items: tuple[tuple[str, str | None], ...]


def split_opts(text: str) -> list[str]:
    """Split a QemuOpts string on commas; ``,,`` stands for a literal comma."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == ",":
            if i + 1 < len(text) and text[i + 1] == ",":
                current.append(",")
                i += 2
                continue
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def parse_cpu_option(text: str) -> CpuOption:
    """``host,hv-relaxed=on,hv-crash`` -> model ``host`` and its items."""
    model, *rest = split_opts(text)
    items: list[tuple[str, str | None]] = []
    for item in rest:
        if not item:
            continue
        if item[0] in "+-" and "=" not in item:
            # Legacy "+feature" / "-feature" spelling.
            items.append((item[1:], "on" if item[0] == "+" else "off"))
            continue
        key, sep, value = item.partition("=")
        items.append((key, value if sep else None))
    return CpuOption(model, tuple(items))


def split_command(text: str) -> list[str]:
    """Shell words of a pasted command: comments and line continuations removed."""
    try:
        return shlex.split(_CONTINUATION.sub(" ", text), comments=True)
    except ValueError as exc:
        raise CommandLineError(f"cannot split the command line: {exc}") from exc


def _options(argv: Sequence[str]) -> Iterator[tuple[str, str]]:
    """``(name, value)`` for each ``-name value`` / ``--name=value`` option."""
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-") or word == "-":
            continue
        name = word.lstrip("-")
        if "=" in name:
            name, _, value = name.partition("=")
            yield name, value
            continue
        if i < len(argv):
            yield name, argv[i]
            i += 1


def _global_parts(text: str) -> tuple[str, str, str] | None:
    """``(driver, property, value)`` from either ``-global`` spelling."""
    if text.startswith("driver=") or ",property=" in text:
        fields: dict[str, str] = {}
        for part in split_opts(text):
            key, _, value = part.partition("=")
            fields[key] = value
        if {"driver", "property"} <= fields.keys():
            return fields["driver"], fields["property"], fields.get("value", "")
        return None
    head, sep, value = text.partition("=")
    driver, dot, prop = head.rpartition(".")
    if not sep or not dot:
        return None
    return driver, prop, value


class _Collector:
    """Accumulates values with their origin so precedence can be applied at the end."""

    def __init__(self) -> None:
        self.values: dict[str, Value] = {}
        self.problems: list[str] = []

    def set(self, key: str, raw: str | None, where: str) -> bool:
        """Record ``key=raw`` if ``key`` is a Hyper-V property; False if it is another one.

        Only ``hv-``/``hv_`` names count: QEMU's CPU has unrelated properties
        that happen to share a catalog name without the prefix.
        """
        if not key.strip().lower().startswith(("hv-", "hv_")):
            return False
        canonical = catalog.canonical_name(key)
        if canonical is None:
            self.problems.append(f"{where}: unknown Hyper-V property {key!r}")
            return True
        entry = catalog.get(canonical)
        try:
            self.values[entry.name] = parse_qemu_value(entry, raw)
        except ValueSpellingError as exc:
            self.problems.append(f"{where}: {exc}")
        return True


def parse_qemu_args(argv: Sequence[str], *, default_cpu_model: str | None = None) -> Imported:
    """The Hyper-V configuration a QEMU argument vector gives the guest.

    Only x86 CPU drivers are read from ``-global``; one for another CPU type
    than the model in use (the ``-cpu`` model, else ``default_cpu_model``, which
    libvirt supplies for ``<qemu:commandline>``) is reported and left out, since
    QEMU does not apply it.
    """
    cpu: CpuOption | None = None
    globals_: list[tuple[str, str, str]] = []
    extra: list[str] = []
    problems: list[str] = []
    for name, value in _options(argv):
        if name == "cpu":
            cpu = parse_cpu_option(value)
        elif name == "global":
            parts = _global_parts(value)
            if parts is None:
                problems.append(f"-global {value}: not DRIVER.PROPERTY=VALUE")
            elif model_of_cpu_type(parts[0]) is not None:
                globals_.append(parts)
        elif name == "device":
            extra.extend(("-device", value))
    hv = _Collector()
    in_use = cpu.model if cpu is not None else default_cpu_model
    for driver, prop, value in globals_:
        model = model_of_cpu_type(driver)
        if in_use is not None and model != in_use:
            problems.append(
                f"-global {driver}.{prop}: QEMU applies it to CPU model {model!r}, "
                f"but the CPU model in use is {in_use!r}"
            )
            continue
        hv.set(prop, value, f"-global {driver}.{prop}")
    others: list[str] = []
    if cpu is not None:
        for key, raw in cpu.items:
            if not hv.set(key, raw, "-cpu"):
                others.append(key if raw is None else f"{key}={raw}")
    return Imported(
        Config.of(hv.values),
        cpu.model if cpu is not None else None,
        tuple(extra),
        tuple(others),
        tuple(problems + hv.problems),
    )


def parse_qemu_command(text: str) -> Imported:
    """Parse a pasted command line or hvtui's ``--format qemu`` output."""
    return parse_qemu_args(split_command(text))


__all__ = [
    "CommandLineError",
    "CpuOption",
    "parse_cpu_option",
    "parse_qemu_args",
    "parse_qemu_command",
    "split_command",
    "split_opts",
]
