"""Release numbers of QEMU and libvirt, compared as tuples.

QEMU says ``7.2``, ``7.2.22`` or ``7.2.0 (Debian 1:7.2+dfsg-7)``; libvirt says
``9.0.0``.  Comparisons only care about the leading numbers, so a version is
a tuple of ints padded to three parts.
"""

from __future__ import annotations

from hvtui.lazyre import LazyPattern

#: A near-version (``01.2``, ``7.20000``), for the error message only.
_LOOSE_RE = LazyPattern(r"\s*[0-9]+(?:\.[0-9]+){0,2}\s*")
_ASCII_DIGITS = "0123456789"


class Version(tuple[int, int, int]):
    """A ``major.minor.micro`` release; tuple order is release order.

    A named tuple written by hand: :class:`typing.NamedTuple` (and with it
    :mod:`typing`, ~15 ms) would be the only reason ``hvtui detect`` loads typing
    (issue #13).  It behaves as the named tuple it replaces: same fields
    (``_fields`` too), repr, equality and order with plain tuples, copying.
    """

    __slots__ = ()
    _fields = ("major", "minor", "micro")
    __match_args__ = ("major", "minor", "micro")

    def __new__(cls, major: int, minor: int = 0, micro: int = 0) -> Version:
        return tuple.__new__(cls, (major, minor, micro))

    @property
    def major(self) -> int:
        """The first number."""
        return self[0]

    @property
    def minor(self) -> int:
        """The second number (0 when not given)."""
        return self[1]

    @property
    def micro(self) -> int:
        """The third number (0 when not given)."""
        return self[2]

    def __repr__(self) -> str:
        return f"Version(major={self[0]!r}, minor={self[1]!r}, micro={self[2]!r})"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"

    def __getnewargs__(self) -> tuple[int, int, int]:
        return (self[0], self[1], self[2])

    def short(self) -> str:
        """``7.2`` instead of ``7.2.0``: the way QEMU releases are usually named."""
        return f"{self.major}.{self.minor}" if self.micro == 0 else str(self)


class VersionError(ValueError):
    """A version string that is not ``N``, ``N.N`` or ``N.N.N``."""


def parse_version(text: str) -> Version:
    """Parse a strict ``N[.N[.N]]`` version, as written in presets and on the CLI.

    ASCII digits without leading zeros (``01.02`` would read back as ``1.2``, so
    it is refused rather than silently changed), and not all zero: no QEMU or
    libvirt release is ``0.0``, and a target of ``0.0`` would make every option
    "too new".  The message says which rule was broken.
    """
    numbers = _strict_parts(text)
    if numbers is None:
        raise VersionError(f"{text!r} is not a version like 7.2 or 9.0.0{_why_not(text)}")
    major, minor, micro = numbers
    if (major, minor, micro) == (0, 0, 0):
        raise VersionError(f"{text!r} is not a release (no QEMU or libvirt version is 0.0)")
    return Version(major, minor, micro)


def _strict_parts(text: str) -> tuple[int, int, int] | None:
    """The numbers ``\\s*P(?:\\.P)?(?:\\.M)?\\s*`` matches, where ``P`` is ``0`` or up to 4
    ASCII digits without a leading zero and ``M`` the same with up to 6; ``None`` when it
    does not match.  That pattern reads ``7.12345`` as 7.0.12345 (the minor part cannot
    have 5 digits, the micro part can), and so does this.  String methods, not a regular
    expression: the catalog parses ~200 versions when it is imported."""
    parts = text.strip().split(".")  # str.strip() strips exactly what \s matches
    if not all(_is_part(part, 6) for part in parts):
        return None
    numbers = [int(part) for part in parts]
    if len(parts) == 1 and _is_part(parts[0], 4):
        return numbers[0], 0, 0
    if len(parts) == 2 and _is_part(parts[0], 4):
        return (numbers[0], numbers[1], 0) if _is_part(parts[1], 4) else (numbers[0], 0, numbers[1])
    if len(parts) == 3 and _is_part(parts[0], 4) and _is_part(parts[1], 4):
        return numbers[0], numbers[1], numbers[2]
    return None


def _is_part(text: str, digits: int) -> bool:
    """``0``, or 1 to ``digits`` ASCII digits without a leading zero."""
    return text == "0" or (
        0 < len(text) <= digits and text[0] != "0" and not text.strip(_ASCII_DIGITS)
    )


def _why_not(text: str) -> str:
    """The rule a near-version breaks, for the error message (``""`` for plain garbage)."""
    if any(c.isdigit() and not "0" <= c <= "9" for c in text):
        return " (use the digits 0-9)"
    if _LOOSE_RE.fullmatch(text):
        parts = text.strip().split(".")
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            return " (no leading zeros: write " + ".".join(str(int(p)) for p in parts) + ")"
        return " (too many digits)"
    return ""


def find_version(text: str) -> Version | None:
    """The first ``N.N[.N]`` inside free text such as ``--version`` output."""
    # What ``(?<![0-9])([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,6}))?`` finds first: a
    # run of at most 4 ASCII digits, a dot and a digit; the minor and micro parts take
    # the first 4 and 6 digits of their runs.
    start = _next_digit(text, 0)
    while start < len(text):
        end = _digits_end(text, start)
        if end - start <= 4 and text[end : end + 1] == "." and _is_digit(text, end + 1):
            minor_end = _digits_end(text, end + 1)
            minor = text[end + 1 : min(minor_end, end + 5)]
            micro = 0
            dot = text[minor_end : minor_end + 1] == "."
            if minor_end <= end + 5 and dot and _is_digit(text, minor_end + 1):
                micro_end = min(_digits_end(text, minor_end + 1), minor_end + 7)
                micro = int(text[minor_end + 1 : micro_end])
            return Version(int(text[start:end]), int(minor), micro)
        start = _next_digit(text, end)
    return None


def _is_digit(text: str, index: int) -> bool:
    return text[index : index + 1] in _DIGIT_SET


def _next_digit(text: str, index: int) -> int:
    """Where the next ASCII digit at or after ``index`` is (``len(text)``: none)."""
    while index < len(text) and text[index] not in _DIGIT_SET:
        index += 1
    return index


def _digits_end(text: str, index: int) -> int:
    """Where the run of ASCII digits starting at ``index`` ends."""
    while index < len(text) and text[index] in _DIGIT_SET:
        index += 1
    return index


_DIGIT_SET = frozenset(_ASCII_DIGITS)


def V(text: str) -> Version:  # noqa: N802 - reads like a literal in the catalog table
    """Shorthand used by the catalog table: ``V("7.1")``."""
    return parse_version(text)
