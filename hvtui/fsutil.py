"""Safe file writing: atomic, and never over an existing file without consent.

Every file hvtui writes (presets, exports, snapshots) goes through
:func:`atomic_write`, so an interrupted write leaves either the old file or
the new one, never half of each, and a user's file is only replaced when they
asked for it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


class WriteError(OSError):
    """A write hvtui refused or could not do; ``str()`` is one line for the user."""


def atomic_write(path: Path, data: str | bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically.

    The data goes to a temporary file in the same directory, is flushed to
    disk, and then takes the final name.  Without ``force`` the final step is
    ``link()``, which fails if the name exists, so there is no window in which
    a file that appeared meanwhile could be overwritten.  With ``force`` an
    existing file is replaced and keeps its permission bits.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise WriteError(f"{path}: is a directory")
    if path.exists() and not force:
        raise WriteError(f"{path}: already exists; use --force to replace it")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        _set_mode(tmp, path)
        if force:
            os.replace(tmp, path)
        else:
            _link_no_clobber(tmp, path)
        _fsync_dir(directory)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _link_no_clobber(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError as exc:
        raise WriteError(f"{path}: already exists; use --force to replace it") from exc
    except OSError as exc:
        # Filesystems without hard links: fall back to check-then-rename.
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if path.exists():
            raise WriteError(f"{path}: already exists; use --force to replace it") from exc
        os.replace(tmp, path)


def _set_mode(tmp: Path, path: Path) -> None:
    """Keep an existing file's mode; new files get 0644 minus the umask."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o644 & ~umask
    os.chmod(tmp, mode)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
