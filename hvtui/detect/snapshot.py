"""``--save-snapshot DIR``: everything detection read, replayable with ``--sysroot DIR``.

A snapshot is a sysroot plus a manifest:

- every file detection read, byte for byte, at its path under DIR
  (``DIR/proc/cpuinfo``, ``DIR/sys/module/kvm_intel/parameters/nested`` ...);
- the directories it listed or checked, so listings replay the same;
- ``DIR/hvtui-snapshot.json``: reads that failed and why (so a replay answers
  "permission denied" where the original user got it, and "missing" even if a
  stale file is lying around), and the raw answers of the live-only probes
  (``/dev/kvm`` ioctls including the raw KVM_GET_SUPPORTED_HV_CPUID buffer, raw
  CPUID, QEMU processes and their threads, ``--version`` outputs, py-cpuinfo).

Users attach the directory (tarred) to bug reports; a developer runs
``hvtui detect --sysroot DIR`` and sees the same report.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from hvtui import __version__
from hvtui.detect.live import MANIFEST_NAME, LiveData
from hvtui.detect.report import UNPARSABLE, Fact, known, unknown
from hvtui.detect.sysroot import Trace
from hvtui.inputs import InputError, read_input
from hvtui.limits import MAX_JSON_BYTES
from hvtui.records import record
from hvtui.untrusted import load_json

MANIFEST = MANIFEST_NAME
FORMAT = "hvtui-snapshot"
SNAPSHOT_SCHEMA = 1


class SnapshotError(OSError):
    """The snapshot could not be written (the caller turns it into a one-line error)."""


@record()
class Manifest:
    """A loaded ``hvtui-snapshot.json``."""

    failures: dict[str, str]
    live: LiveData
    hvtui: str
    created: str


def load_manifest(directory: Path) -> Fact[Manifest] | None:
    """The manifest of a snapshot directory; ``None`` for a plain sysroot without one.

    A damaged manifest is not an exception but an unknown fact: detection then
    reads the files and reports the live probes as unparsable.
    """
    path = directory / MANIFEST
    if not os.path.lexists(path):
        return None
    try:
        text = read_input(path, limit=MAX_JSON_BYTES, what="an hvtui snapshot manifest").decode(
            "utf-8"
        )
    except InputError as exc:
        return unknown(UNPARSABLE, str(exc))
    except UnicodeDecodeError as exc:
        return unknown(UNPARSABLE, f"{path}: not UTF-8 text (bad byte at offset {exc.start})")
    try:
        data = load_json(text, lenient=True)  # a bad number spoils only its probe
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ValueError(f"not an {FORMAT} manifest")
        if data.get("schema") != SNAPSHOT_SCHEMA:
            raise ValueError(f"snapshot schema {data.get('schema')!r} is not {SNAPSHOT_SCHEMA}")
        failures = {str(k): str(v) for k, v in dict(data.get("failures", {})).items()}
        live = LiveData.from_json(data["live"])
        return known(
            Manifest(failures, live, str(data.get("hvtui", "")), str(data.get("created", "")))
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return unknown(UNPARSABLE, f"{path}: {type(exc).__name__}: {exc}")


def _relative(path: str) -> str:
    """Where a host path goes inside the snapshot; refuses anything escaping it."""
    pure = PurePosixPath(path)
    if not pure.is_absolute() or ".." in pure.parts or len(pure.parts) < 2:
        raise SnapshotError(f"refusing to store {path!r} in a snapshot")
    return str(PurePosixPath(*pure.parts[1:]))


#: Top-level entries of a snapshot directory that ``--force`` replaces: detection
#: reads only ``/proc`` and ``/sys``.
OWNED = ("proc", "sys", MANIFEST)


def is_snapshot(directory: Path) -> bool:
    """Whether ``directory`` holds an earlier hvtui snapshot: its manifest is a regular
    file (not a link) that says so.  Only then may ``--force`` replace its trees."""
    import json  # here: reading a snapshot (the wizard on a demo host) never loads it

    path = directory / MANIFEST
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        data = json.loads(read_input(path, limit=MAX_JSON_BYTES, what="a manifest"))
    except (OSError, InputError, ValueError, RecursionError):
        return False
    return isinstance(data, Mapping) and data.get("format") == FORMAT


def check_target(directory: Path, *, force: bool) -> None:
    """Refuse early (before detection runs) what :func:`save_snapshot` would refuse.

    :mod:`hvtui.fsutil` is imported by the writing functions: reading a snapshot (the
    wizard on a demo host, before its first frame) writes nothing (issue #13)."""
    from hvtui.fsutil import WriteError, check_tree_target

    not_ours = f"is not an hvtui snapshot (no valid {MANIFEST})"
    try:
        check_tree_target(directory, OWNED, force=force, is_ours=is_snapshot, not_ours=not_ours)
    except WriteError as exc:
        raise SnapshotError(str(exc)) from None


def save_snapshot(
    directory: Path,
    trace: Trace,
    live: LiveData,
    *,
    source: str,
    argv: list[str] | None = None,
    force: bool = False,
) -> int:
    """Write the snapshot; returns how many files were stored.  Raises SnapshotError.

    All or nothing (:func:`hvtui.fsutil.atomic_write_tree`): the snapshot is
    written complete into a fresh directory and moved into place, so a full
    disk leaves ``directory`` as it was, never a mix of two hosts.  Nothing is
    written through a link found in ``directory``.  A directory that is not
    empty needs ``force``, and then only an earlier snapshot's ``proc``, ``sys``
    and manifest are replaced; other files stay.
    """
    import datetime
    import json

    from hvtui.fsutil import WriteError, atomic_write_tree

    check_target(directory, force=force)
    dirs: set[str] = set()
    for path in trace.existing_dirs:
        if path != "/":
            dirs.add(_relative(path))
    for path, entries in trace.dirs.items():
        base = _relative(path)
        dirs.add(base)
        for entry in entries:
            if entry and "/" not in entry and entry not in (".", ".."):
                dirs.add(f"{base}/{entry}")
    files = {_relative(path): data for path, data in trace.files.items()}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "schema": SNAPSHOT_SCHEMA,
        "hvtui": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "source": source,
        "argv": argv or [],
        "files": sorted(trace.files),
        "failures": dict(sorted(trace.failures.items())),
        "live": live.to_json(),
    }
    files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    try:
        atomic_write_tree(directory, files, dirs, force=force, owned=OWNED, is_ours=is_snapshot)
    except WriteError as exc:
        raise SnapshotError(f"cannot write snapshot: {exc}") from exc
    return len(trace.files)
