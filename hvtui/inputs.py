"""Reading files hvtui did not create, without blocking, without reading too much.

Every read of an input goes through here: presets, VM definitions (``audit
FILE``, ``export --into``), reports (``recommend --report``), a snapshot's
manifest and every ``/proc`` and ``/sys`` file under ``/`` or ``--sysroot``.
So the rules hold everywhere at once:

- a path is ``stat()``-ed before it is opened, and anything but a regular file
  (a FIFO, a device, a socket, a directory) is refused *without* opening it:
  opening a FIFO waits for a writer that never comes, and opening some
  devices (a watchdog, a tape) does something;
- the open itself is non-blocking and ``fstat()`` checks again what was
  opened, since the path may have been swapped in between;
- at most ``limit + 1`` bytes are read, so a huge or endless file costs its
  limit, not its size, and one byte over tells "too large" from "exactly the
  limit";
- standard input is read only when the user gave ``-``, and then it may be a
  pipe (it is what the user asked for).

A failure is an :class:`InputError` whose text is one line naming the file and
what was expected; the mapping from ``errno`` to words is here and nowhere else.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

from hvtui.limits import describe_size

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable
    from pathlib import Path

#: ``-`` as a file name: standard input, where the command allows it.
STDIN = "-"
STDIN_LABEL = "<stdin>"

#: Read-only, non-blocking (a FIFO or device must not wait), never our terminal.
OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_CHUNK = 1 << 20

# Indirection so tests can simulate EACCES even when they run as root.
_open = os.open

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputError(ValueError):
    """An input that cannot be read; ``str()`` is one line: ``LABEL: PROBLEM``."""

    def __init__(self, label: str, problem: str) -> None:
        self.label = label
        self.problem = problem
        super().__init__(f"{label}: {problem}")


class NotRegularFileError(OSError):
    """The path is a FIFO, device, socket or directory; ``kind`` says which, in words."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"is {kind}, not a regular file")
        self.path = path  # not ``filename``: OSError's str() would then show errno None
        self.kind = kind


def file_kind(mode: int) -> str:
    """``a FIFO (named pipe)``, ``a directory``...: what a ``st_mode`` is, in words."""
    if stat.S_ISREG(mode):
        return "a regular file"
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a special file"


def open_regular(path: str, *, opener: Callable[[str, int], int] | None = None) -> int:
    """A file descriptor for ``path``, which must be a regular file (links followed).

    Raises :class:`NotRegularFileError` for anything else, before opening it,
    and ``OSError`` as the system reports it.  ``opener`` replaces ``os.open``
    (``(path, flags) -> fd``), for callers whose tests simulate failures.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(path, file_kind(mode))
    fd = (opener or _open)(path, OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(path, file_kind(mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of ``fd``: more than ``limit`` means "too large"."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_regular(
    path: str, limit: int, *, opener: Callable[[str, int], int] | None = None
) -> bytes:
    """:func:`open_regular` then :func:`read_at_most`; the caller checks the length."""
    fd = open_regular(path, opener=opener)
    try:
        return read_at_most(fd, limit)
    finally:
        os.close(fd)


def describe_error(exc: OSError) -> str:
    """What went wrong, in the words every one-line error uses."""
    if isinstance(exc, NotRegularFileError):
        return str(exc)
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    if exc.errno == errno.ELOOP:
        return "cannot read: too many levels of symbolic links"
    text = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    return f"cannot read: {text}"


def label_of(path: str | Path, *, stdin: bool = False) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return STDIN_LABEL if stdin and str(path) == STDIN else str(path)


def read_input(path: str | Path, *, limit: int, what: str, stdin: bool = False) -> bytes:
    """The bytes of the file ``path`` (of standard input for ``-`` when ``stdin``).

    ``what`` names the expected kind of file with its article (``a preset
    file``); it completes the messages: ``x.toml: is a FIFO (named pipe), not a
    preset file``.  Raises :class:`InputError`.
    """
    label = label_of(path, stdin=stdin)
    try:
        if stdin and str(path) == STDIN:
            data = _read_stdin(limit)
        else:
            data = read_regular(os.fspath(path), limit)
    except NotRegularFileError as exc:
        raise InputError(label, f"is {exc.kind}, not {what}") from None
    except OSError as exc:
        raise InputError(label, describe_error(exc)) from None
    if len(data) > limit:
        raise InputError(label, too_large(limit, what))
    return data


def too_large(limit: int, what: str, size: int | None = None) -> str:
    """``too large (a preset file is at most 1 MiB: 1048576 bytes)``, the size first if known."""
    have = f"{size} bytes; " if size is not None else ""
    return f"too large ({have}{what} is at most {describe_size(limit)}: {limit} bytes)"


def _read_stdin(limit: int) -> bytes:
    stream = sys.stdin
    if stream is None:
        raise OSError(errno.EBADF, "standard input is closed")
    data: bytes = stream.buffer.read(limit + 1)
    return data


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (links followed), without opening it."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def hvtui_dir(variable: str, default: str) -> Path | None:
    """hvtui's directory under an XDG base directory: ``$VARIABLE/hvtui`` when the
    variable holds an absolute path, else ``~/DEFAULT/hvtui``; ``None`` without a home
    directory (``XDG_CONFIG_HOME``/``.config``, ``XDG_CACHE_HOME``/``.cache``,
    ``XDG_STATE_HOME``/``.local/state``)."""
    name = hvtui_dir_name(variable, default)
    if name is None:
        return None
    from pathlib import Path

    return Path(name)


def hvtui_dir_name(variable: str, default: str) -> str | None:
    """:func:`hvtui_dir` as a string, for ``hvtui detect``'s ``--version`` cache: the
    one command whose start-up counts milliseconds does not load :mod:`pathlib`.

    ``~`` is what :meth:`pathlib.Path.home` reads (``$HOME``, else the password
    database); a home that cannot be found or is not absolute gives ``None``."""
    base = os.environ.get(variable, "")
    if base and os.path.isabs(base):
        return os.path.join(base, "hvtui")
    home = os.path.expanduser("~")
    if home.startswith("~") or not os.path.isabs(home):
        return None
    return os.path.join(home, default, "hvtui")


__all__ = [
    "OPEN_FLAGS",
    "STDIN",
    "STDIN_LABEL",
    "InputError",
    "NotRegularFileError",
    "describe_error",
    "file_kind",
    "hvtui_dir",
    "hvtui_dir_name",
    "is_regular_file",
    "label_of",
    "open_regular",
    "read_at_most",
    "read_input",
    "read_regular",
    "too_large",
]
