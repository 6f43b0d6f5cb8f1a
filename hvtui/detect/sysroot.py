"""Reading ``/proc`` and ``/sys`` under a root directory, without ever raising.

Every read answers with a :class:`~hvtui.detect.report.Fact`: the text, or the
reason it could not be had (missing, permission denied, unreadable, not Linux).
The root is ``/`` on the live host or a directory given with ``--sysroot``, the
way ``lscpu --sysroot`` works, so tests, bug reports and demos read real
machines' files.

A :class:`Root` also remembers everything it was asked and what it answered:
``--save-snapshot`` writes exactly that back out, so the snapshot replays to the
same report.  Overrides (from a snapshot's manifest) let a replay answer
"permission denied" for a file the original user could not read.
"""

from __future__ import annotations

import errno
import os

from hvtui.detect.report import (
    MISSING,
    PERMISSION,
    UNPARSABLE,
    UNREADABLE,
    Fact,
    known,
    reason_text,
    unknown,
)
from hvtui.inputs import NotRegularFileError, read_regular
from hvtui.limits import MAX_CPUINFO_BYTES, MAX_SYSFS_BYTES, describe_size
from hvtui.records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable, Mapping
    from os import PathLike
    from typing import Any

#: Largest file read, so a wrong path (a huge log) cannot stall detection: a sysfs
#: or procfs value is at most a page, ``/proc/cpuinfo`` of 8192 CPUs about 12 MiB.
MAX_READ = MAX_SYSFS_BYTES
#: Files allowed more than :data:`MAX_READ`.
MAX_READ_BY_PATH = {"/proc/cpuinfo": MAX_CPUINFO_BYTES}

# Indirection so tests can simulate EACCES even when they run as root.
_open = os.open


@record()
class Trace:
    """What a :class:`Root` was asked and answered, for ``--save-snapshot``."""

    files: dict[str, bytes] = field(default_factory=dict)
    """Absolute path -> exact bytes read."""
    failures: dict[str, str] = field(default_factory=dict)
    """Absolute path -> reason, for reads that failed (missing files included)."""
    dirs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Directory path -> the entries a listing returned (after filtering)."""
    existing_dirs: set[str] = field(default_factory=set)
    """Directories whose existence was checked and confirmed."""


class Root:
    """Files under ``base`` (``/`` for the live host).

    ``blocked`` makes every read fail with that reason: used on a non-Linux
    host, where ``/proc`` means nothing.  Paths are strings joined with
    :mod:`os.path`: ``hvtui detect`` does not load :mod:`pathlib` (issue #13).
    """

    def __init__(
        self,
        base: PathLike[str] | str = "/",
        *,
        overrides: Mapping[str, str] | None = None,
        blocked: str | None = None,
    ) -> None:
        self.base = os.fspath(base)
        self.overrides: dict[str, str] = dict(overrides or {})
        self.blocked = blocked
        self.trace = Trace()

    @property
    def is_live(self) -> bool:
        """True when reading the real ``/``."""
        return os.path.normpath(self.base) == "/"

    def host_path(self, path: str) -> str:
        """Where ``path`` (absolute, as on the host) lives under the root."""
        return os.path.join(self.base, path.lstrip("/"))

    def read_bytes(self, path: str) -> Fact[bytes]:
        """The exact bytes of ``path``, or why they could not be read."""
        if self.blocked is not None:
            return Fact(None, self.blocked)
        if path in self.overrides:
            return self._replayed_failure(path)
        limit = MAX_READ_BY_PATH.get(path, MAX_READ)
        try:
            # Not blocking on a FIFO, not opening a device, at most limit + 1 bytes.
            data = read_regular(self.host_path(path), limit, opener=_open)
        except OSError as exc:
            return self._fail(path, exc)
        if len(data) > limit:
            reason = reason_text(UNREADABLE, f"{path}: larger than {describe_size(limit)}")
            self.trace.failures[path] = reason
            return Fact(None, reason)
        self.trace.files[path] = data
        return known(data)

    def read(self, path: str) -> Fact[str]:
        """The text of ``path`` (invalid UTF-8 replaced), or why it could not be read."""
        raw = self.read_bytes(path)
        if raw.value is None:
            return Fact(None, raw.reason)
        return known(raw.value.decode("utf-8", errors="replace"))

    def read_line(self, path: str) -> Fact[str]:
        """The stripped content of a one-value sysfs file."""
        return self.read(path).map(str.strip)

    def listdir(
        self, path: str, wanted: Callable[[str], bool] | None = None
    ) -> Fact[tuple[str, ...]]:
        """Sorted entries of a directory (only those ``wanted`` says yes to)."""
        if self.blocked is not None:
            return Fact(None, self.blocked)
        if path in self.overrides:
            return self._replayed_failure(path)
        try:
            names = os.listdir(self.host_path(path))
        except OSError as exc:
            return self._fail(path, exc)
        if wanted is not None:
            names = [n for n in names if wanted(n)]
        result = tuple(sorted(names, key=_natural_key))
        self.trace.dirs[path] = result
        return known(result)

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` is a directory (a module's sysfs directory, say)."""
        if self.blocked is not None:
            return False
        if path in self.overrides:
            self._replayed_failure(path)
            return False
        found = os.path.isdir(self.host_path(path))  # False for any error, as before
        if found:
            self.trace.existing_dirs.add(path)
        else:
            self.trace.failures.setdefault(path, reason_text(MISSING, path))
        return found

    def _replayed_failure(self, path: str) -> Fact[Any]:
        """A failure the snapshot recorded; recorded again so a re-snapshot keeps it."""
        reason = self.overrides[path]
        self.trace.failures[path] = reason
        return Fact(None, reason)

    def _fail(self, path: str, exc: OSError) -> Fact[Any]:
        reason = describe_oserror(path, exc)
        self.trace.failures[path] = reason
        return Fact(None, reason)


def describe_oserror(path: str, exc: OSError) -> str:
    """A reason string for a failed read: the code tells scripts what kind of failure."""
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return reason_text(MISSING, path)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return reason_text(PERMISSION, path)
    if isinstance(exc, NotRegularFileError):
        return reason_text(UNREADABLE, f"{path}: {exc}")
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return reason_text(UNREADABLE, f"{path}: {text}")


def parse_int(text: Fact[str], path: str) -> Fact[int]:
    """A decimal integer from a sysfs/proc value, or ``unparsable``."""
    if text.value is None:
        return Fact(None, text.reason)
    value = text.value.strip()
    if is_decimal(value.removeprefix("-"), 12):
        return known(int(value))
    return unknown(UNPARSABLE, f"{path}: {_shorten(value)!r} is not a number")


def parse_bool(text: Fact[str], path: str) -> Fact[bool]:
    """A module parameter: bool params read ``Y``/``N``, int params ``1``/``0``."""
    if text.value is None:
        return Fact(None, text.reason)
    value = text.value.strip()
    if value in ("Y", "y", "1"):
        return known(True)
    if value in ("N", "n", "0"):
        return known(False)
    return unknown(UNPARSABLE, f"{path}: {_shorten(value)!r} is not Y/N or 1/0")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_decimal(text: str, most: int | None = None) -> bool:
    """``text`` is 1 to ``most`` decimal digits (``\\d{1,most}``, of any script, which
    :func:`int` reads): what sysfs numbers and ``cpuN`` names are checked with, by
    string methods rather than :mod:`re` (not loaded by ``hvtui detect``, issue #13)."""
    return text.isdecimal() and (most is None or len(text) <= most)


def prefixed_number(prefix: str) -> Callable[[str], bool]:
    """A :meth:`Root.listdir` filter for ``PREFIX`` followed by decimal digits (``cpu\\d+``)."""

    def wanted(name: str) -> bool:
        return name.startswith(prefix) and is_decimal(name[len(prefix) :])

    return wanted


def _natural_key(name: str) -> tuple[str, int]:
    """``cpu2`` before ``cpu10``: the name without its trailing digits, then their value
    (``(.*?)(\\d+)`` with ``.`` not matching a newline); ``(name, -1)`` without them."""
    start = len(name)
    while start and name[start - 1].isdecimal():
        start -= 1
    if start == len(name) or "\n" in name[:start]:
        return (name, -1)
    return (name[:start], int(name[start:]))
