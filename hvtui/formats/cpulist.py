"""The kernel's cpu-list notation (``0-3,8,10-11``), parsed and written back.

sysfs writes plain ranges; the kernel command line also accepts strides
(``0-7:2/4``: 2 CPUs of every group of 4) and ``N`` for the last CPU, which
``isolcpus=``/``nohz_full=`` users write, so both are read here.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # collections stays unloaded at run time (issue #13)
    from collections.abc import Iterable

#: A CPU number is 1 to 6 ASCII digits (CPU numbers stop at 65535): ``\d+`` matched any
#: script's digits and any length, and ``int()`` of 5,000 digits raised ValueError, not
#: CpuListError.
_NUM_DIGITS = 6
_ASCII_DIGITS = "0123456789"
#: Highest CPU number accepted (the kernel's NR_CPUS limit is 8192; this is generous).
MAX_CPU = 65535


class CpuListError(ValueError):
    """Text that is not a cpu-list."""


def parse_cpulist(text: str, last_cpu: int | None = None) -> frozenset[int]:
    """The CPUs a cpu-list names; ``""`` and ``(null)`` (old kernels) are empty.

    ``last_cpu`` resolves the ``N`` shorthand; without it ``N`` is an error.
    """
    if len(text) <= _NUM_DIGITS and text.isascii() and text.isdigit():  # one CPU: "3"
        cpu = int(text)
        if cpu <= MAX_CPU:
            return frozenset((cpu,))
    value = text.strip()
    if value in ("", "(null)"):
        return frozenset()
    cpus: set[int] = set()
    for part in value.split(","):
        match = _range(part.strip())
        if match is None:
            raise CpuListError(f"{_shorten(part.strip())!r} is not a CPU number or range")
        first_text, last_text, used_text, group_text = match
        first = _number(first_text, last_cpu)
        last = _number(last_text, last_cpu) if last_text else first
        if last < first or last > MAX_CPU:
            raise CpuListError(f"{part.strip()!r} is not a valid range")
        if used_text is not None and group_text is not None:
            used, group = int(used_text), int(group_text)
            if group == 0 or used == 0 or used > group:
                raise CpuListError(f"{part.strip()!r} has an invalid stride")
            cpus.update(c for c in range(first, last + 1) if (c - first) % group < used)
        else:
            cpus.update(range(first, last + 1))
    return frozenset(cpus)


def _range(
    text: str,
) -> tuple[str, str | None, str | None, str | None] | None:
    """The parts of ``A[-B[:U/G]]`` (``A``, ``B``: a CPU number or ``N``; ``U``, ``G``: a
    number), ``None`` for parts absent, or ``None`` when ``text`` is not that.  The
    regular expression ``(NUM|N)(?:-(NUM|N)(?::(NUM)/(NUM))?)?`` said the same; string
    methods keep :mod:`re` out of ``hvtui detect`` (issue #13)."""
    first, dash, rest = text.partition("-")
    if not _is_cpu(first):
        return None
    if not dash:
        return first, None, None, None
    last, colon, stride = rest.partition(":")
    if not _is_cpu(last):
        return None
    if not colon:
        return first, last, None, None
    used, slash, group = stride.partition("/")
    if not (slash and _is_num(used) and _is_num(group)):
        return None
    return first, last, used, group


def _is_num(text: str) -> bool:
    """1 to 6 ASCII digits."""
    return 0 < len(text) <= _NUM_DIGITS and not text.strip(_ASCII_DIGITS)


def _is_cpu(text: str) -> bool:
    """A CPU number or ``N`` (the last CPU)."""
    return text == "N" or _is_num(text)


def _number(token: str, last_cpu: int | None) -> int:
    if token == "N":
        if last_cpu is None:
            raise CpuListError("'N' (the last CPU) needs the number of CPUs")
        return last_cpu
    return int(token)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_cpulist(cpus: Iterable[int]) -> str:
    """``{0,1,2,3,8}`` -> ``0-3,8``; empty -> ``""``."""
    ordered = sorted(set(cpus))
    parts: list[str] = []
    start = prev = None
    for cpu in ordered:
        if start is None:
            start = prev = cpu
        elif prev is not None and cpu == prev + 1:
            prev = cpu
        else:
            parts.append(_span(start, prev))
            start = prev = cpu
    if start is not None:
        parts.append(_span(start, prev))
    return ",".join(parts)


def _span(start: int, end: int | None) -> str:
    return str(start) if end is None or end == start else f"{start}-{end}"
