"""Host detection (``hvtui detect``): what this host can give a Windows guest.

Plain Python, no Textual.  :func:`detect` returns a typed
:class:`~hvtui.detect.report.HostReport` in which every fact is known or
unknown-with-a-reason; nothing here raises to the caller.

Sources: ``/proc`` and ``/sys`` (under any root, like ``lscpu --sysroot``) and
live-only probes (``/dev/kvm`` ioctls, raw CPUID, running QEMU processes, the
QEMU/libvirt binaries, optionally py-cpuinfo), which a snapshot records so a
replay reports the same.

This module imports nothing heavy at import time: the CLI imports
:mod:`hvtui.detect.versions` first to start ``qemu --version`` before the rest
of detection is even loaded.  ``Fact``, ``HostReport``, ``ReportError`` and
``Detection`` are available from here lazily.
"""

from __future__ import annotations

from hvtui.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from pathlib import Path

    from hvtui.detect.pipeline import Detection
    from hvtui.detect.report import Fact, HostReport, ReportError
    from hvtui.detect.versions import PendingVersions

#: What ``recommend --report`` and :func:`load_report` read, for messages.
REPORT_FILE = "a host report (hvtui detect --json)"

__all__ = [
    "REPORT_FILE",
    "Detection",
    "Fact",
    "HostReport",
    "ReportError",
    "detect",
    "detect_traced",
    "load_report",
]

_LAZY = {
    "Fact": "hvtui.detect.report",
    "HostReport": "hvtui.detect.report",
    "ReportError": "hvtui.detect.report",
    "Detection": "hvtui.detect.pipeline",
}


if not TYPE_CHECKING:  # hidden from type checkers, which would type every unknown name Any
    __getattr__, __dir__ = exports(__name__, _LAZY, globals())


def detect(
    sysroot: Path | None = None, *, deep: bool = False, live: bool | None = None
) -> HostReport:
    """Probe the host (or the tree under ``sysroot``) and return the report.

    ``live`` decides whether live-only probes run: by default yes for the real
    root and no for a sysroot (whose snapshot manifest, if any, supplies them).
    ``deep`` adds py-cpuinfo (about a second).  Never raises.
    """
    return detect_traced(sysroot, deep=deep, live=live).report


def detect_traced(
    sysroot: Path | None = None,
    *,
    deep: bool = False,
    live: bool | None = None,
    started: PendingVersions | None = None,
) -> Detection:
    """Like :func:`detect`, also returning the reads and raw answers behind the report
    (for ``--save-snapshot``).  ``started`` takes ``--version`` commands the caller
    already launched with :func:`hvtui.detect.versions.start_versions`."""
    from hvtui.detect.pipeline import run_detection

    return run_detection(sysroot, deep=deep, live=live, started=started)


def load_report(path: Path) -> HostReport:
    """Read a ``hvtui detect --json`` file back; raises :class:`ReportError`.

    The file is read like every input (:func:`hvtui.inputs.read_input`): a FIFO
    is refused unopened, and at most :data:`hvtui.limits.MAX_JSON_BYTES` are read.
    """
    from hvtui.detect.report import HostReport, ReportError
    from hvtui.inputs import InputError, read_input
    from hvtui.limits import MAX_JSON_BYTES
    from hvtui.untrusted import UntrustedError, load_json

    try:
        data = load_json(read_input(path, limit=MAX_JSON_BYTES, what=REPORT_FILE))
    except InputError as exc:
        raise ReportError(str(exc)) from exc
    except UntrustedError as exc:
        raise ReportError(f"{path}: {exc}") from exc
    return HostReport.from_json(data)
