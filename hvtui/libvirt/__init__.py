"""libvirt connections: apply presets to domains, audit and detect over libvirt.

Plain Python (never Textual), through libvirt's official binding
(:mod:`hvtui.libvirt.binding` says where it comes from).  The CLI's ``apply``,
``audit --connect``, ``detect --connect`` and ``recommend --connect`` and the
wizard call the same functions::

    from hvtui.libvirt import connect, plan_apply, execute, host_report

    with connect("qemu:///system") as conn:
        names = [d.name for d in conn.domains()]
        plan = plan_apply(conn, "win11", preset)   # plan.diff: unified diff, nothing changed
        result = execute(conn, plan)               # backup, define, verify: result.verified

Every failure is a :class:`LibvirtError` (one line, the CLI's exit 2), or
:class:`~hvtui.libvirt.binding.BindingError` when the binding is not installed.
"""

from __future__ import annotations

from hvtui.libvirt.apply import (
    APPLY,
    UNDO,
    ApplyError,
    ApplyPlan,
    ApplyResult,
    default_backup_dir,
    execute,
    native_config,
    plan_apply,
    plan_undo,
    recommended_preset,
)
from hvtui.libvirt.binding import BindingError
from hvtui.libvirt.connection import (
    DEFAULT_URI,
    Connection,
    Domain,
    LibvirtError,
    connect,
)
from hvtui.libvirt.hostfacts import host_report, host_reports

__all__ = [
    "APPLY",
    "DEFAULT_URI",
    "UNDO",
    "ApplyError",
    "ApplyPlan",
    "ApplyResult",
    "BindingError",
    "Connection",
    "Domain",
    "LibvirtError",
    "connect",
    "default_backup_dir",
    "execute",
    "host_report",
    "host_reports",
    "native_config",
    "plan_apply",
    "plan_undo",
    "recommended_preset",
]
