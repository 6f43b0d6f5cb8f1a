"""The host an audit is for: one detection run gives both its facts and its VMs.

``hvtui audit --running`` must judge each VM against the same moment's host
(how many vCPUs run in total feeds the overcommit advice), so the running VMs
come from the processes the detection run scanned (or the snapshot recorded),
not from a second scan.
"""

from __future__ import annotations

from hvtui.advice import HostView
from hvtui.audit.sources import AuditInput, running_vms
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from pathlib import Path

    from hvtui.detect.report import Fact, HostReport
    from hvtui.detect.vms import ProcessAnswer


@record(frozen=True)
class HostScan:
    """A host's report, its advice view, and the QEMU processes seen with it."""

    view: HostView
    report: HostReport
    processes: Fact[list[ProcessAnswer]]

    def running(self) -> list[AuditInput]:
        """The running (or recorded) VMs; raises :class:`~hvtui.audit.SourceError`
        when the processes could not be listed."""
        return running_vms(self.processes)

    @property
    def running_names(self) -> frozenset[str]:
        """Names of the VMs running on the host (a file of the same name is one of them,
        so its vCPUs are already counted)."""
        vms = self.report.vms.value or ()
        return frozenset(vm.name for vm in vms if vm.name)


def scan_host(sysroot: Path | None = None, *, label: str | None = None) -> HostScan:
    """Detect this host (or read the snapshot under ``sysroot``); never raises.

    ``label`` names the host in reports (default: ``this host`` or the path)."""
    from hvtui.detect import detect_traced

    detection = detect_traced(sysroot)
    if label is None:
        label = "this host" if sysroot is None else str(sysroot)
    return HostScan(
        HostView.from_report(detection.report, label=label),
        detection.report,
        detection.live.processes,
    )


__all__ = ["HostScan", "scan_host"]
