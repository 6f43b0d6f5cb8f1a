"""Auditing deployed VMs: read what they run, judge it for a host, compare with hvtui's
recommendation.

Plain Python (no Textual); ``hvtui audit`` and the wizard's "start from" use the
same calls::

    from hvtui.audit import audit_vm, load_vm_source, scan_host

    host = scan_host()                        # or scan_host(Path("snapshot-dir"))
    vm = load_vm_source("win11.xml")          # a file, "-" (stdin) or pasted text
    for vm in host.running():                 # or every running QEMU
        result = audit_vm(vm, host.view, intent="desktop")
        result.findings, result.differences   # advice for this host; what to change

``vm.config`` is the configuration to open in the wizard; for a domain XML,
:func:`merged_domain_xml` writes the fixed configuration back into it (the
libvirt exporter's ``--into``).  Inputs are untrusted: every failure is a
:class:`SourceError` with a one-line message naming the input.
"""

from __future__ import annotations

from hvtui.audit.engine import (
    INPUT_PROBLEM,
    REFUSED_SPELLING,
    Difference,
    VmAudit,
    audit_vm,
    differences,
    effective_config,
    merged_domain_xml,
)
from hvtui.audit.host import HostScan, scan_host
from hvtui.audit.sources import (
    KIND_NAMES,
    LIBVIRT,
    MAX_INPUT_BYTES,
    PROXMOX,
    QEMU,
    RUNNING,
    VIRT_INSTALL,
    AuditInput,
    SourceError,
    VcpuThread,
    load_file,
    load_text,
    load_vm_source,
    running_vms,
)

__all__ = [
    "INPUT_PROBLEM",
    "KIND_NAMES",
    "LIBVIRT",
    "MAX_INPUT_BYTES",
    "PROXMOX",
    "QEMU",
    "REFUSED_SPELLING",
    "RUNNING",
    "VIRT_INSTALL",
    "AuditInput",
    "Difference",
    "HostScan",
    "SourceError",
    "VcpuThread",
    "VmAudit",
    "audit_vm",
    "differences",
    "effective_config",
    "load_file",
    "load_text",
    "load_vm_source",
    "merged_domain_xml",
    "running_vms",
    "scan_host",
]
