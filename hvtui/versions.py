"""Release numbers of QEMU and libvirt, compared as tuples.

QEMU says ``7.2``, ``7.2.22`` or ``7.2.0 (Debian 1:7.2+dfsg-7)``; libvirt says
``9.0.0``.  Comparisons only care about the leading numbers, so a version is
a tuple of ints padded to three parts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION_RE = re.compile(r"^\s*(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,6}))?\s*$")
_EMBEDDED_RE = re.compile(r"(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?")


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
    """Parse a strict ``N[.N[.N]]`` version, as written in presets and on the CLI."""
    match = _VERSION_RE.match(text)
    if match is None:
        raise VersionError(f"{text!r} is not a version like 7.2 or 9.0.0")
    major, minor, micro = (int(g) if g is not None else 0 for g in match.groups())
    return Version(major, minor, micro)


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
