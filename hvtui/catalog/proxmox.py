"""What Proxmox VE's qemu-server does with Hyper-V options, rule by rule, with its source.

qemu-server builds the ``-cpu`` of a VM from its ``/etc/pve/qemu-server/VMID.conf``
(``PVE/QemuServer/CPUConfig.pm`` ``get_cpu_options``): its own flags, then an
*automatic* Hyper-V set for Windows guests (``get_hyperv_enlightenments``), then
the flags of a built-in or custom CPU model, then the VM's own ``cpu: flags=``,
then what it forces (``kvm=off`` for ``hidden``).  This module is the one place
that states those rules; :mod:`hvtui.formats.proxmox` evaluates them and the
importer, the export, ``explain`` and ``compare`` read them from here.

Read in proxmox/qemu-server (the ``src/`` layout of qemu-server 9.x):

- ``src/PVE/QemuServer/CPUConfig.pm`` at bd0347878e82 (also 0538c83c41603b50):
  ``get_hyperv_enlightenments``, ``get_cpu_options``, ``resolve_cpu_flags``,
  ``$cpu_fmt`` (``hv-vendor-id`` pattern, ``flags`` pattern) and
  ``$supported_cpu_flags`` (the per-VM allow-list);
- ``src/PVE/QemuServer.pm`` at 006dbac7c6fc ``config_to_command`` (``kvm``
  default, ``args`` appended last, ``force-cpu`` on migration);
- ``src/PVE/QemuServer/PCI.pm`` at 058e0f652068 ``print_hostpci_devices``
  (``x-vga``: ``kvm_off`` and ``gpu_passthrough``);
- ``src/PVE/QemuServer/Machine.pm`` at 0c14d454f482 ``get_vm_machine``,
  ``windows_get_pinned_machine_version``, ``extract_version``;
- ``src/PVE/QemuServer/Helpers.pm`` at 56129974d4db ``windows_version``,
  ``min_version``;
- ``src/test/cfg2cmd/i440fx-win10-hostpci.conf.cmd`` and
  ``custom-cpu-model.conf{,.cmd}`` at 0bde956c51fd / 54396a397eae (a win10 VM
  without ``machine:`` runs ``pc-i440fx-5.1+pve0`` with ``hv_ipi,hv_relaxed,
  hv_reset,hv_runtime,hv_spinlocks=0x1fff,hv_stimer,hv_synic,hv_time,hv_vapic,
  hv_vpindex``).
"""

from __future__ import annotations

from hvtui.catalog.types import FactKind, Source, Value
from hvtui.records import record
from hvtui.versions import V, Version

#: The qemu-server whose source the rules were read in.
QEMU_SERVER = "qemu-server 9.x"
CPUCONFIG = "proxmox/qemu-server src/PVE/QemuServer/CPUConfig.pm (bd0347878e82)"
QEMUSERVER = "proxmox/qemu-server src/PVE/QemuServer.pm (006dbac7c6fc)"
PCI = "proxmox/qemu-server src/PVE/QemuServer/PCI.pm (058e0f652068)"
MACHINE = "proxmox/qemu-server src/PVE/QemuServer/Machine.pm (0c14d454f482)"
HELPERS = "proxmox/qemu-server src/PVE/QemuServer/Helpers.pm (56129974d4db)"


@record(frozen=True)
class AutoRule:
    """One option of qemu-server's automatic Windows set and when it is added."""

    option: str
    """Catalog name (``relaxed``)."""
    value: Value
    """What it is set to (``True``, or ``0x1fff`` for spinlocks)."""
    machine: Version | None
    """Added from this machine version on (``None``: whatever the machine)."""
    windows: int
    """Added from this Windows version on (``windows_version``: 6 Vista/2008, 7, 8, 10, 11)."""
    before_machine: Version | None = None
    """Added only *below* this machine version (spinlocks 0xffff before 2.3)."""
    where: str = f"{CPUCONFIG} get_hyperv_enlightenments"
    verified: bool = True
    intel_only: bool = False
    """Only on a host whose CPU is GenuineIntel."""
    qemu_server: Version | None = None
    """First qemu-server release with the rule (``None``: every release modelled)."""

    def describe(self) -> str:
        """``machine >= 2.12, Windows 7+`` for messages."""
        parts = []
        if self.machine is not None:
            parts.append(f"machine {machine_text(self.machine)} or newer")
        if self.before_machine is not None:
            parts.append(f"machine older than {machine_text(self.before_machine)}")
        parts.append(f"Windows {_WINDOWS_NAMES.get(self.windows, str(self.windows))} or later")
        if self.intel_only:
            parts.append("an Intel host")
        if self.qemu_server is not None:
            parts.append(f"qemu-server {self.qemu_server.short()} or later")
        return ", ".join(parts)


def machine_text(version: Version) -> str:
    """A machine version as Proxmox writes it: ``11.0+pve2`` (the third part is the
    ``+pveN`` revision, which ``min_version`` compares after major and minor)."""
    base = f"{version.major}.{version.minor}"
    return f"{base}+pve{version.micro}" if version.micro else base


_WINDOWS_NAMES = {6: "Vista/2008", 7: "7", 8: "8", 10: "10", 11: "11"}

#: ``get_hyperv_enlightenments($winversion, $machine_version, $bios, $gpu_passthrough,
#: $hv_vendor_id)``, in the order the function adds them.  Nothing at all below
#: Windows version 6 or with ``bios: ovmf`` below Windows 8 (both ``return``
#: first); the vendor id is not a rule here (see :data:`VENDOR_ID_DEFAULT`).
AUTO_RULES: tuple[AutoRule, ...] = (
    AutoRule("spinlocks", 0x1FFF, V("2.3"), 6),
    AutoRule("vapic", True, V("2.3"), 6),
    AutoRule("time", True, V("2.3"), 6),
    AutoRule("spinlocks", 0xFFFF, None, 6, before_machine=V("2.3")),
    AutoRule("reset", True, V("2.6"), 6),
    AutoRule("vpindex", True, V("2.6"), 6),
    AutoRule("runtime", True, V("2.6"), 6),
    AutoRule("relaxed", True, None, 7),
    AutoRule("synic", True, V("2.12"), 7),
    AutoRule("stimer", True, V("2.12"), 7),
    AutoRule("ipi", True, V("3.1"), 7),
    # Not in any CPUConfig.pm the search index holds (the newest read, bd0347878e82,
    # has none); stated by the project's peer notes: qemu-server 9.2.0, commit
    # 30531026 (July 2026), machine 11.0+pve2, for VBS/MBEC hangs (forum thread 184178).
    AutoRule(
        "evmcs",
        True,
        Version(11, 0, 2),
        11,
        where="qemu-server 9.2.0 commit 30531026 per the project's peer notes "
        "(/work/shared/reference/peers.md); not in the CPUConfig.pm read",
        verified=False,
        intel_only=True,
        qemu_server=V("9.2.0"),
    ),
)

#: The automatic set is empty below this Windows version (``return if $winversion < 6``).
MIN_WINDOWS = 6
#: With ``bios: ovmf`` the automatic set is empty below this Windows version.
MIN_WINDOWS_OVMF = 8
#: ``hv_vendor_id`` when a GPU is passed through with ``x-vga`` and no ``hv-vendor-id``
#: is set ("NVIDIA workaround for GPU passthrough"); a set ``hv-vendor-id`` is added
#: whatever the GPU ("custom hv_vendor_id set").
VENDOR_ID_DEFAULT = "proxmox"
#: The pinned machine of a Windows VM without a machine version and without
#: ``meta: creation-qemu=`` 9.1 or newer (Machine.pm ``get_vm_machine``: QEMU 5.2's
#: ACPI change confused Windows); from 9.1 on it pins the creating QEMU's version.
WINDOWS_PINNED_MACHINE = V("5.1")
WINDOWS_PIN_FROM_CREATION = V("9.1")

#: ``windows_version($ostype)`` (Helpers.pm): 0 for anything not Windows.
WINDOWS_VERSIONS: dict[str, int] = {
    "wxp": 5,
    "w2k": 5,
    "w2k3": 5,
    "w2k8": 6,
    "wvista": 6,
    "win7": 7,
    "win8": 8,
    "win10": 10,
    "win11": 11,
}
#: The ``ostype`` values Proxmox accepts (``$confdesc`` in QemuServer.pm).
OSTYPES = ("other", *WINDOWS_VERSIONS, "l24", "l26", "solaris")

#: ``$supported_cpu_flags``: the only flags a VM's own ``cpu: flags=`` may set
#: (``validate_vm_cpu_conf``); custom models may set any ``[+-]name``.
VM_FLAGS: tuple[str, ...] = (
    "nested-virt",
    "md-clear",
    "pcid",
    "spec-ctrl",
    "ssbd",
    "ibpb",
    "virt-ssbd",
    "amd-ssbd",
    "amd-no-ssb",
    "pdpe1gb",
    "hv-tlbflush",
    "hv-evmcs",
    "aes",
)
#: ``hv-vendor-id`` in ``cpu:`` or a custom model (``$cpu_fmt`` pattern).
VENDOR_ID_PATTERN = r"[a-zA-Z0-9]{1,12}"
#: One custom-model flag (``$cpu_flag_any_re``): no value, so only switches.
FLAG_PATTERN = r"[+-][a-zA-Z0-9\-_.]+"

#: Where each fact was read, for ``explain`` and the peers table.
SOURCES: tuple[Source, ...] = (
    Source(FactKind.DEFAULTS, f"{CPUCONFIG} get_hyperv_enlightenments, get_cpu_options"),
    Source(FactKind.DEFAULTS, f"{HELPERS} windows_version"),
    Source(FactKind.DEFAULTS, f"{PCI} print_hostpci_devices (x-vga)"),
    Source(FactKind.DEFAULTS, f"{MACHINE} get_vm_machine (Windows machine pinning)"),
    Source(FactKind.DEFAULTS, f"{QEMUSERVER} config_to_command (args appended last)"),
)


def spelling(option: str, kind_is_switch: bool) -> str:
    """How a VM gets ``option`` on Proxmox, for ``explain``: automatic, its ``flags=``
    name (per VM or in a custom CPU model) or only through ``args:``."""
    parts: list[str] = []
    autos = [r for r in AUTO_RULES if r.option == option and r.value is not False]
    for rule in autos:
        value = f" = {rule.value:#x}" if isinstance(rule.value, int) and rule.value > 1 else ""
        mark = "" if rule.verified else " (not verified)"
        parts.append(f"automatic{value} for ostype win* with {rule.describe()}{mark}")
    if option == "vendor-id":
        parts.append(
            f'cpu: hv-vendor-id=ID ({VENDOR_ID_PATTERN}); automatic "{VENDOR_ID_DEFAULT}" '
            "with a GPU passed through with x-vga; other values only via args"
        )
    elif f"hv-{option}" in VM_FLAGS:
        parts.append(f"cpu: flags=+hv-{option} (per VM)")
    elif kind_is_switch:
        parts.append(f"flags +hv-{option} in a custom CPU model (cpu-models.conf)")
    elif not autos:
        parts.append("only via args: -cpu")
    else:
        parts.append("another value only via args: -cpu")
    return "; ".join(parts)


__all__ = [
    "AUTO_RULES",
    "FLAG_PATTERN",
    "MIN_WINDOWS",
    "MIN_WINDOWS_OVMF",
    "OSTYPES",
    "QEMU_SERVER",
    "SOURCES",
    "VENDOR_ID_DEFAULT",
    "VENDOR_ID_PATTERN",
    "VM_FLAGS",
    "WINDOWS_PINNED_MACHINE",
    "WINDOWS_PIN_FROM_CREATION",
    "WINDOWS_VERSIONS",
    "AutoRule",
    "machine_text",
    "spelling",
]
