"""Live-only probes, gathered raw: ioctls, raw CPUID, processes, binaries, py-cpuinfo.

Files under ``/proc`` and ``/sys`` can be read from any root; these answers
cannot, so they are collected into one :class:`LiveData` that is either probed
now, loaded from a snapshot's manifest, or absent with a reason.  Interpretation
never cares which: a replayed snapshot decodes the very same raw answers.
"""

from __future__ import annotations

import os

from hvtui.detect.kvm_ioctl import KvmAnswer, catalog_caps, probe_kvm
from hvtui.detect.report import (
    FAILED,
    NOT_LINUX,
    NOT_REQUESTED,
    UNPARSABLE,
    Fact,
    known,
    unknown,
)
from hvtui.detect.versions import CommandAnswer, PendingVersions, start_versions
from hvtui.detect.vms import ProcessAnswer, scan_processes
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable, Mapping
    from typing import Any, TypeVar

    T = TypeVar("T")

RawCpuid = dict[int, tuple[int, int, int, int]]

#: The snapshot manifest the ``live`` answers are stored in (named in reasons).
MANIFEST_NAME = "hvtui-snapshot.json"


@record()
class LiveData:
    """Raw answers of every live-only probe (each known, or unknown with a reason)."""

    platform: Fact[dict[str, str]]
    """``system``, ``machine``, ``release`` from ``uname``."""
    kvm: Fact[KvmAnswer]
    raw_cpuid: Fact[RawCpuid]
    processes: Fact[list[ProcessAnswer]]
    commands: Fact[dict[str, CommandAnswer]]
    deep: Fact[dict[str, Any]]

    def collect(self, pending: PendingVersions) -> None:
        """Wait for the ``--version`` commands and record their answers."""
        self.commands = known(pending.finish())

    @classmethod
    def absent(cls, reason: str) -> LiveData:
        """No live answers at all (``--sysroot`` without a manifest, or ``live=False``)."""
        return cls(*(Fact(None, reason) for _ in range(6)))

    def to_json(self) -> dict[str, Any]:
        """The ``live`` part of a snapshot manifest: each probe as value or reason."""
        return {
            "platform": _fact_json(self.platform, dict),
            "kvm": _fact_json(self.kvm, lambda k: k.to_json()),
            "raw_cpuid": _fact_json(
                self.raw_cpuid, lambda d: {f"{leaf:#010x}": list(r) for leaf, r in d.items()}
            ),
            "processes": _fact_json(self.processes, lambda ps: [p.to_json() for p in ps]),
            "commands": _fact_json(
                self.commands, lambda cs: {k: c.to_json() for k, c in cs.items()}
            ),
            "deep": _fact_json(self.deep, dict),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LiveData:
        """Inverse of :meth:`to_json`, one probe at a time.

        A manifest is untrusted input: a probe whose entry is missing, of the
        wrong type or out of range (``Infinity``, a 5,000-digit number, an
        odd-length ``hv_raw``) becomes unknown with the reason, and every other
        probe is still used.  Raises TypeError only when ``data`` is not an object.
        """
        from collections.abc import Mapping  # here: a live ``hvtui detect`` reads no manifest

        if not isinstance(data, Mapping):
            raise TypeError(f"'live' must be an object, not {type(data).__name__}")
        return cls(
            platform=_fact_load(data, "platform", lambda v: {str(k): str(x) for k, x in v.items()}),
            kvm=_fact_load(data, "kvm", KvmAnswer.from_json),
            raw_cpuid=_fact_load(data, "raw_cpuid", _load_cpuid),
            processes=_fact_load(
                data, "processes", lambda v: [ProcessAnswer.from_json(p) for p in v]
            ),
            commands=_fact_load(
                data,
                "commands",
                lambda v: {str(k): CommandAnswer.from_json(c) for k, c in v.items()},
            ),
            deep=_fact_load(data, "deep", dict),
        )


def _load_cpuid(value: Mapping[str, Any]) -> RawCpuid:
    from hvtui.untrusted import parse_int  # a manifest's reader's, not the live probes'

    out: RawCpuid = {}
    for leaf, regs in value.items():
        a, b, c, d = (_register(r) for r in regs)
        digits = leaf[2:] if leaf[:2].lower() == "0x" else leaf
        out[parse_int(digits, 16)] = (a, b, c, d)
    return out


def _register(value: object) -> int:
    """A 32-bit register value from JSON (an integer, never a float or a string)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 32:
        raise ValueError(f"{value!r} is not a 32-bit register value")
    return value


def _fact_json(fact: Fact[T], dump: Callable[[T], Any]) -> dict[str, Any]:
    if fact.value is None:
        return {"reason": fact.reason}
    return {"value": dump(fact.value)}


def _fact_load(data: Mapping[str, Any], name: str, load: Callable[[Any], T]) -> Fact[T]:
    """Probe ``name`` of a manifest's ``live`` object; a bad entry is unknown on its own.

    :mod:`hvtui.untrusted` is imported here: a live host's probes (on the way to the
    wizard's first frame there) read no manifest (issue #13)."""
    from collections.abc import Mapping

    from hvtui.untrusted import find_bad_number

    where = f"{MANIFEST_NAME} live.{name}"
    entry = data.get(name)
    if not isinstance(entry, Mapping):
        return unknown(UNPARSABLE, f"{where}: missing or not an object")
    if "value" not in entry:
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason:
            return unknown(UNPARSABLE, f"{where}: neither a value nor a reason")
        return Fact(None, reason)
    bad = find_bad_number(entry["value"])
    if bad is not None:
        return unknown(UNPARSABLE, f"{where}: {bad.problem}")
    try:
        return known(load(entry["value"]))
    except Exception as exc:  # untrusted data: any failure spoils this probe only
        return unknown(UNPARSABLE, f"{where}: {type(exc).__name__}: {_short(str(exc))}")


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gather(*, deep: bool = False, pending: PendingVersions | None = None) -> LiveData:
    """Probe this machine now; never raises.

    Ordering matters for speed: the ``--version`` commands start first and are
    collected last, so their run time overlaps everything else.  A caller that
    passes its own ``pending`` (started even earlier) collects it itself with
    :meth:`LiveData.collect` once it has done its own work.
    """
    uname = os.uname()
    platform = known({"system": uname.sysname, "machine": uname.machine, "release": uname.release})
    own = pending is None
    if pending is None:
        pending = start_versions()
    if uname.sysname != "Linux":
        why = unknown(NOT_LINUX, f"this is {uname.sysname}; KVM exists only on Linux")
        kvm: Fact[KvmAnswer] = why
        raw_cpuid: Fact[RawCpuid] = why
        processes: Fact[list[ProcessAnswer]] = why
    else:
        # Here, not with the module: a snapshot (a demo host, on the way to the wizard's
        # first frame) brings its raw CPUID along and never reads the device (issue #13).
        from hvtui.detect.raw_cpuid import read_raw_cpuid

        kvm = known(probe_kvm(catalog_caps()))
        raw_cpuid = read_raw_cpuid()
        processes = scan_processes(exclude=pending.pids())
    deep_raw: Fact[dict[str, Any]]
    if deep:
        from hvtui.detect.deep import run_deep

        deep_raw = run_deep()
    else:
        deep_raw = unknown(NOT_REQUESTED, "run with --deep (py-cpuinfo, about a second)")
    data = LiveData(platform, kvm, raw_cpuid, processes, unknown(FAILED, "not collected"), deep_raw)
    if own:
        data.collect(pending)
    return data
