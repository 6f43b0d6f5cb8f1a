"""Release numbers of QEMU and libvirt, compared as tuples.

QEMU says ``7.2``, ``7.2.22`` or ``7.2.0 (Debian 1:7.2+dfsg-7)``; libvirt says
``9.0.0``.  Comparisons only care about the leading numbers, so a version is
a tuple of ints padded to three parts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# ``[0-9]``, not ``\d``: ``\d`` matches any script's digits ("７.２"), which int() accepts.
_PART = r"(0|[1-9][0-9]{0,3})"
_MICRO = r"(0|[1-9][0-9]{0,5})"
_VERSION_RE = re.compile(rf"\s*{_PART}(?:\.{_PART})?(?:\.{_MICRO})?\s*")
_LOOSE_RE = re.compile(r"\s*[0-9]+(?:\.[0-9]+){0,2}\s*")
_EMBEDDED_RE = re.compile(r"(?<![0-9])([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,6}))?")


class Version(NamedTuple):
    """A ``major.minor.micro`` release; tuple order is release order."""

    major: int
    minor: int = 0
    micro: int = 0

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.micro}"

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
    match = _VERSION_RE.fullmatch(text)
    if match is None:
        raise VersionError(f"{text!r} is not a version like 7.2 or 9.0.0{_why_not(text)}")
    major, minor, micro = (int(g) if g is not None else 0 for g in match.groups())
    if (major, minor, micro) == (0, 0, 0):
        raise VersionError(f"{text!r} is not a release (no QEMU or libvirt version is 0.0)")
    return Version(major, minor, micro)


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
    match = _EMBEDDED_RE.search(text)
    if match is None:
        return None
    major, minor, micro = (int(g) if g is not None else 0 for g in match.groups())
    return Version(major, minor, micro)


def V(text: str) -> Version:  # noqa: N802 - reads like a literal in the catalog table
    """Shorthand used by the catalog table: ``V("7.1")``."""
    return parse_version(text)
