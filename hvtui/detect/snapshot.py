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

import datetime
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hvtui import __version__
from hvtui.detect.live import LiveData
from hvtui.detect.report import UNPARSABLE, Fact, known, unknown
from hvtui.detect.sysroot import Trace

MANIFEST = "hvtui-snapshot.json"
FORMAT = "hvtui-snapshot"
SNAPSHOT_SCHEMA = 1


class SnapshotError(OSError):
    """The snapshot could not be written (the caller turns it into a one-line error)."""


@dataclass
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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return unknown(UNPARSABLE, f"{path}: {exc}")
    try:
        data = json.loads(text)
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


def _target(directory: Path, path: str) -> Path:
    """Where a host path goes inside the snapshot; refuses anything escaping it."""
    pure = PurePosixPath(path)
    if not pure.is_absolute() or ".." in pure.parts:
        raise SnapshotError(f"refusing to store {path!r} in a snapshot")
    return directory.joinpath(*pure.parts[1:])


def save_snapshot(
    directory: Path, trace: Trace, live: LiveData, *, source: str, argv: list[str] | None = None
) -> int:
    """Write the snapshot; returns how many files were stored.  Raises SnapshotError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path in sorted(trace.existing_dirs):
            _target(directory, path).mkdir(parents=True, exist_ok=True)
        for path, entries in sorted(trace.dirs.items()):
            base = _target(directory, path)
            base.mkdir(parents=True, exist_ok=True)
            for entry in entries:
                if "/" not in entry and entry not in (".", ".."):
                    (base / entry).mkdir(exist_ok=True)
        for path, data in sorted(trace.files.items()):
            target = _target(directory, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
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
        tmp = directory / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, directory / MANIFEST)
    except SnapshotError:
        raise
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot to {directory}: {exc.strerror or exc}") from exc
    return len(trace.files)
