"""Safe file writing: atomic, never through a link, never over a file without consent.

Every file hvtui writes goes through here: presets and exports through
:func:`atomic_write`, snapshot directories through :func:`atomic_write_tree`.
So an interrupted or failed write (a full file system, a signal) leaves either
the old content or the new, never half of each and never a stray temporary
file; a user's file is only replaced when they asked for it; and nothing is
ever written through a symbolic link, so a link planted in a directory (a
snapshot unpacked from a bug report) cannot aim a write elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path, PurePosixPath

from hvtui.inputs import file_kind


class WriteError(OSError):
    """A write hvtui refused or could not do; ``str()`` is one line for the user."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """``a`` and ``b`` name one file: the same path once resolved, or hard links,
    bind mounts and symlinks to one inode.  ``False`` when it cannot be told (a
    path the system refuses, a NUL byte in one)."""
    try:
        first, second = Path(a), Path(b)
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and first.samefile(second)
    except (OSError, ValueError):
        return False


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
    if os.path.lexists(path) and not force:
        raise WriteError(f"{path}: already exists; use --force to replace it")
    _check_replaceable(path)
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


def _check_replaceable(path: Path) -> None:
    """Only a regular file is ever replaced: not a link (whose target the user may
    think is written), not a FIFO or device (``-o /dev/null --force`` as root)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(mode):
        raise WriteError(
            f"{path}: is a symbolic link; hvtui does not write through links (name the file itself)"
        )
    if not stat.S_ISREG(mode):
        raise WriteError(f"{path}: is {file_kind(mode)}; hvtui replaces only regular files")


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


# -- whole directory trees (snapshots) ----------------------------------------------

_STAGING_PREFIX = ".hvtui-new-"
_TRASH_PREFIX = ".hvtui-old-"


def atomic_write_tree(
    directory: Path,
    files: Mapping[str, bytes],
    dirs: Iterable[str] = (),
    *,
    force: bool = False,
    owned: Collection[str] = (),
    is_ours: Callable[[Path], bool] | None = None,
) -> None:
    """Write a tree of files (relative POSIX paths) as ``directory``, all or nothing.

    Everything is first written into a fresh private directory: beside
    ``directory`` when it does not exist yet (then renamed to it), inside it
    when it does (then its top-level entries are renamed in, the ones they
    replace renamed out).  Until that final step nothing in ``directory``
    changed, and on any failure every rename is undone and the temporary
    directories are removed, so ``directory`` is exactly as before.

    Nothing is written through a link: files are created with ``O_EXCL`` and
    ``O_NOFOLLOW`` in a directory hvtui just made, and an old entry (a file, a
    tree, or a link planted there) is moved aside and deleted, never written
    into.  A non-empty ``directory`` needs ``force``; its entries named like
    the new tree's top level or in ``owned`` are replaced only when ``is_ours``
    says the directory holds hvtui's own earlier tree.  Everything else in it
    is left alone.  Raises :class:`WriteError` (one line).
    """
    exists = _existing_target(directory)
    names = {PurePosixPath(p).parts[0] for p in [*files, *dirs] if PurePosixPath(p).parts}
    replaced: list[str] = []
    if exists:
        replaced = _replaced_entries(directory, names | set(owned), force, is_ours, _NOT_OURS)
    created_parents = [] if exists else _make_parents(directory.parent)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=directory if exists else directory.parent)
        )
    except OSError as exc:
        _remove_empty(created_parents)
        raise WriteError(f"{directory}: cannot write: {exc.strerror or exc}") from exc
    try:
        _fill(staging, files, dirs)
        if exists:
            _swap_in(staging, directory, sorted(names), replaced)
        else:
            os.chmod(staging, _default_mode(0o777))
            os.rename(staging, directory)
            _fsync_dir(directory.parent)
    except OSError as exc:
        _discard(staging)
        _remove_empty(created_parents)
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"{directory}: cannot write: {exc.strerror or exc}") from exc
    _discard(staging)


#: How :func:`atomic_write_tree` says a directory is not hvtui's own earlier tree.
_NOT_OURS = "holds nothing hvtui wrote"


def check_tree_target(
    directory: Path,
    owned: Collection[str],
    *,
    force: bool,
    is_ours: Callable[[Path], bool] | None = None,
    not_ours: str = _NOT_OURS,
) -> None:
    """Refuse now what :func:`atomic_write_tree` would refuse for ``directory`` and the
    top-level entries ``owned`` (before slow work, such as detection, makes the tree):
    a link or a non-directory in its place, a non-empty directory without ``force``,
    and replacing ``owned`` entries of a directory ``is_ours`` does not claim (said as
    ``DIR/ENTRY: exists and DIR <not_ours>``).  Raises :class:`WriteError` (one line).
    """
    if _existing_target(directory):
        _replaced_entries(directory, set(owned), force, is_ours, not_ours)


def _existing_target(directory: Path) -> bool:
    """Whether ``directory`` exists; refuses a link or a non-directory in its place."""
    try:
        mode = os.lstat(directory).st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise WriteError(f"{directory}: cannot write: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(mode):
        raise WriteError(
            f"{directory}: is a symbolic link; hvtui does not write through links "
            "(name the directory itself)"
        )
    if not stat.S_ISDIR(mode):
        raise WriteError(f"{directory}: exists and is not a directory")
    return True


def _replaced_entries(
    directory: Path,
    names: set[str],
    force: bool,
    is_ours: Callable[[Path], bool] | None,
    not_ours: str,
) -> list[str]:
    """The entries of an existing ``directory`` the new tree replaces; checks consent."""
    try:
        present = {entry.name for entry in os.scandir(directory)}
    except OSError as exc:
        raise WriteError(f"{directory}: cannot read: {exc.strerror or exc}") from exc
    if present and not force:
        raise WriteError(f"{directory}: directory is not empty (use --force to write into it)")
    replaced = sorted(names & present)
    if replaced and (is_ours is None or not is_ours(directory)):
        raise WriteError(
            f"{directory / replaced[0]}: exists and {directory} {not_ours}; "
            "--force replaces only hvtui's own files"
        )
    return replaced


def _fill(staging: Path, files: Mapping[str, bytes], dirs: Iterable[str]) -> None:
    """Create ``dirs`` and ``files`` under the fresh ``staging`` directory."""
    for rel in sorted(dirs):
        _inside(staging, rel).mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(files.items()):
        target = _inside(staging, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(target, flags, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)


def _inside(base: Path, rel: str) -> Path:
    """``base/rel`` for a relative path that cannot climb out (no ``..``, not absolute)."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise WriteError(f"refusing to write {rel!r} outside the target directory")
    return base.joinpath(*pure.parts)


def _swap_in(staging: Path, directory: Path, names: list[str], replaced: list[str]) -> None:
    """Rename the staged entries into ``directory``; undo everything on failure.

    A name that ends in ``.json`` (the manifest) goes last, so even a reader
    racing the renames never sees a new manifest beside old files.
    """
    trash = Path(tempfile.mkdtemp(prefix=_TRASH_PREFIX, dir=directory))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in replaced:
            os.rename(directory / name, trash / name)
            moved_out.append(name)
        for name in sorted(names, key=lambda n: (n.endswith(".json"), n)):
            os.rename(staging / name, directory / name)
            moved_in.append(name)
        _fsync_dir(directory)
    except OSError as exc:
        undone = True
        for name in reversed(moved_in):
            try:
                os.rename(directory / name, staging / name)
            except OSError:
                undone = False
        for name in reversed(moved_out):
            try:
                os.rename(trash / name, directory / name)
            except OSError:
                undone = False
        if undone:
            _discard(trash)
            raise
        # Never delete what could not be put back: say where it is.
        raise WriteError(
            f"{directory}: cannot write: {exc.strerror or exc}, and could not undo it: "
            f"the earlier files are in {trash}"
        ) from exc
    _discard(trash)


def _make_parents(parent: Path) -> list[Path]:
    """``mkdir -p parent``; returns the directories it created, deepest last."""
    missing: list[Path] = []
    current = parent if str(parent) else Path(".")
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
    except OSError as exc:
        _remove_empty(created)
        raise WriteError(f"{path}: cannot create: {exc.strerror or exc}") from exc
    return created


def _remove_empty(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir()


def _discard(path: Path) -> None:
    """Delete a temporary tree hvtui made; a link in it is removed, never followed."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _default_mode(bits: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return bits & ~umask
