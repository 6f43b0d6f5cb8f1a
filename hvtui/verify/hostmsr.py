"""An MSR this host's KVM refused while QEMU created the vCPU: which, and what to do.

QEMU writes the vCPU's MSRs with one ``KVM_SET_MSRS``; when KVM refuses one, QEMU's
``kvm_buf_set_msrs()`` (target/i386/kvm/kvm.c; ``kvm_put_msrs()`` in older ones, 2.11)
prints ``error: failed to set MSR 0x%x to 0x%x`` and then fails an assertion, so
QEMU aborts before the guest runs (SIGABRT, observed with QEMU 7.2).

The first MSR it writes is IA32_ARCH_CAPABILITIES (0x10a, ``kvm_init_msrs()``),
with the value ``-cpu host`` copied from KVM's own feature-MSR answer.  Some hosts'
KVM refuses that very value (nested KVM on AMD EPYC with kernel 6.18, GitHub's
runners since early 2026: asterinas/asterinas issue #2980, the same two lines
from QEMU), and then *every* ``-cpu host`` VM aborts, Hyper-V or not: the host's
problem, not the configuration's.  ``arch-capabilities=off`` clears the CPUID bit
(7.0 EDX bit 29), and QEMU's feature dependency (target/i386/cpu.c
``feature_dependencies``: CPUID_7_0_EDX_ARCH_CAPABILITIES -> FEAT_ARCH_CAPABILITIES)
then writes 0, which KVM accepts.  Neither the bit nor the MSR enters the
hypervisor leaves (0x40000000 and up: QEMU builds them from the hv-* properties and
KVM's Hyper-V and KVM-feature answers), which is all verify compares;
``tests/verify/test_real_kvm.py`` boots with and without it to show it.

A Hyper-V MSR (0x40000000 and up) refused on a KVM without Hyper-V is the
configuration's business (the catalog's ``without_hyperv_error``); any other MSR is
this host's KVM, named when known.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.lazyre import LazyPattern
from hvtui.records import record
from hvtui.verify.codes import HostWorkaround

#: QEMU's message (without ``error: ``) as :func:`~hvtui.verify.runner.qemu_message`
#: gives it: ``kvm_buf_set_msrs()``'s format, ``0x%" PRIx32 " to 0x%" PRIx64``.
#: verify may add `` (QEMU aborted: signal 6)``.
_REFUSED = LazyPattern(r"failed to set MSR 0x([0-9a-f]{1,8}) to 0x([0-9a-f]{1,16})(?: |$)")

ARCH_CAPABILITIES = 0x10A
#: What to add to ``-cpu`` for each workaround: QEMU's property, as ``-cpu`` takes it.
CPU_PROPERTY = {HostWorkaround.ARCH_CAPABILITIES_OFF: "arch-capabilities=off"}
#: MSRs outside Hyper-V's range that verify can name (Intel SDM vol. 4, table 2-2).
_NAMES = {ARCH_CAPABILITIES: "IA32_ARCH_CAPABILITIES"}
#: Where Hyper-V's synthetic MSRs (the TLFS's HV_X64_MSR_*) start.
_HYPERV_MSRS = 0x40000000


@record(frozen=True)
class RefusedMsr:
    """The MSR and value of QEMU's ``failed to set MSR`` message."""

    index: int
    value: int

    @property
    def name(self) -> str | None:
        """``IA32_ARCH_CAPABILITIES``; ``None`` for one verify does not know."""
        return _NAMES.get(self.index)

    @property
    def workaround(self) -> HostWorkaround | None:
        """What makes QEMU start on this host without changing what verify compares."""
        return HostWorkaround.ARCH_CAPABILITIES_OFF if self.index == ARCH_CAPABILITIES else None

    def hyperv_options(self) -> tuple[str, ...]:
        """The hv-* properties whose register this is, on a KVM without Hyper-V."""
        if self.index < _HYPERV_MSRS:
            return ()
        message = f"failed to set MSR {self.index:#x} to {self.value:#x}"
        return tuple(
            entry.qemu_property
            for entry in catalog.ENTRIES
            if entry.without_hyperv_error == message
        )

    def words(self) -> str:
        """What the refusal means, in one line (after QEMU's own message)."""
        msr = f"MSR {self.index:#x}" + (f" ({self.name})" if self.name else "")
        if self.workaround is not None:
            return (
                f"this host's KVM refused the value of {msr} that QEMU copies from the host "
                "CPU: a problem of this host (seen on nested KVM, cloud VMs and CI runners), "
                "not of the configuration"
            )
        options = self.hyperv_options()
        if options:
            return (
                f"{msr} is the register of {', '.join(options)}, which this host's KVM "
                "refuses: it has no Hyper-V (no KVM_CAP_HYPERV)"
            )
        return f"this host's KVM refused {msr} while QEMU created the vCPU: a limit of this host"

    @property
    def cpu_property(self) -> str | None:
        """The workaround as a ``-cpu`` item (``arch-capabilities=off``)."""
        return CPU_PROPERTY[self.workaround] if self.workaround is not None else None


def refused_msr(qemu_error: str | None) -> RefusedMsr | None:
    """The MSR of QEMU's one-line reason, when it is ``kvm_buf_set_msrs()``'s refusal."""
    if qemu_error is None:
        return None
    found = _REFUSED.match(qemu_error)
    if found is None:
        return None
    return RefusedMsr(int(found.group(1), 16), int(found.group(2), 16))


def with_workaround(cpu: str, workaround: HostWorkaround) -> str | None:
    """``cpu`` with the workaround's property added last (QEMU applies ``-cpu`` items in
    order, so it wins); ``None`` when ``cpu`` already ends with it (nothing to retry)."""
    item = CPU_PROPERTY[workaround]
    if cpu.rsplit(",", 1)[-1] == item:
        return None
    return f"{cpu},{item}"


__all__ = ["ARCH_CAPABILITIES", "CPU_PROPERTY", "RefusedMsr", "refused_msr", "with_workaround"]
