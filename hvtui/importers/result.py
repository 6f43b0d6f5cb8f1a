"""What an importer found: the configuration plus everything it could not place."""

from __future__ import annotations

from hvtui.limits import cap_messages
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import field, record

#: :attr:`Imported.pinning` of anything read from a QEMU command line (the libvirt
#: importer gives it too for a domain without ``<qemu:commandline>``, without loading
#: the command-line importer).
CMDLINE_PINNING = "a QEMU command line does not say; pinning is done outside it"


@record(frozen=True)
class Imported:
    """The Hyper-V configuration read from a QEMU command line or a libvirt domain.

    Only ``config`` takes part in round-trip comparisons; the other fields are
    for the audit command, which reports them.
    """

    config: Config
    cpu_model: str | None = None
    """The ``-cpu`` model (``host``), or ``None`` when nothing names one."""
    extra_args: tuple[str, ...] = ()
    """Other QEMU arguments that belong to the set (``-device vmbus-bridge,irq=15``)."""
    other_properties: tuple[str, ...] = ()
    """``-cpu`` properties that are not Hyper-V options (``migratable=on``, ``+vmx``)."""
    problems: tuple[str, ...] = field(default_factory=tuple)
    """One line each: unknown ``hv-*`` names, values of the wrong type, ignored parts."""
    warnings: tuple[str, ...] = ()
    """Spellings read anyway that QEMU's own parser refuses (``hv-relaxed=1``,
    ``HV-RELAXED``): the value is in ``config``, but the VM may not start."""
    name: str = ""
    """The VM's name (``-name``, ``<name>``, Proxmox ``name:``), ``""`` when none is given."""
    vcpus: int | None = None
    """How many vCPUs the VM starts with (``-smp``, ``<vcpu>``), when the input says."""
    pinned: bool | None = None
    """Every vCPU pinned to its own host CPU; ``None`` when the input cannot say
    (a QEMU command line: pinning happens outside it)."""
    pinning: str = ""
    """Where ``pinned`` came from, or why it is unknown, in words."""
    hyperv_mode: str | None = None
    """libvirt's ``<hyperv mode=...>`` (``custom``, ``passthrough``, ``host-model``);
    ``None`` for other inputs or without ``<hyperv>``."""
    cpu_settings: CpuSettings = field(default_factory=CpuSettings)
    """The CPU settings around the options (``vmx``/``svm``, ``tsc-frequency``, ``invtsc``,
    hidden KVM) as a preset's ``[cpu]`` would state them; unset where the input says
    nothing.  The ``-cpu`` items stay in ``other_properties`` as written."""
    origins: tuple[tuple[str, str], ...] = ()
    """Where each option of ``config`` came from, ``(option, where)`` in catalog order,
    when the input composes the set from several places (a Proxmox guest: qemu-server's
    automatic set, a custom CPU model, ``cpu: flags=``, ``args:``)."""
    notes: tuple[str, ...] = ()
    """How the input was read: assumptions made (a Proxmox machine version), one line each."""

    def __post_init__(self) -> None:
        """Problems and warnings stop at :data:`~hvtui.limits.MAX_LISTED_ERRORS` each
        (then one line counts the rest), whichever importer made them, so a hostile
        input cannot flood the audit's output."""
        object.__setattr__(self, "problems", tuple(cap_messages(list(self.problems))))
        object.__setattr__(self, "warnings", tuple(cap_messages(list(self.warnings))))


__all__ = ["CMDLINE_PINNING", "Imported"]
