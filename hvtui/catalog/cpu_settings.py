"""The CPU settings around the hv-* options: what decides whether the enlightenments work.

They are not Hyper-V enlightenments, but admins trip on them with every one:
nested Hyper-V and VBS need the guest CPU to show VMX/SVM, hv-reenlightenment
only migrates with a fixed TSC frequency, ``invtsc`` only helps on a host whose
TSC is invariant, and some GPU drivers need KVM hidden.  Like the enlightenment
table, this is the one place that states how each is spelled in QEMU, libvirt
and virt-install, what it costs and where that was checked; presets
(``[cpu]``), advice, exports and the audit all read it.
"""

from __future__ import annotations

import enum

from hvtui.catalog.types import FactKind, Migration, Source, ValueKind
from hvtui.records import record
from hvtui.versions import V, Version


class CpuSettingKey(enum.StrEnum):
    """Preset keys of the ``[cpu]`` table."""

    NESTED_VIRT = "nested-virt"
    TSC_FREQUENCY = "tsc-frequency"
    INVTSC = "invtsc"
    HIDE_KVM = "hide-kvm"


@record(frozen=True)
class CpuSetting:
    """Every fact hvtui knows about one CPU setting."""

    key: CpuSettingKey
    summary: str
    doc: str
    kind: ValueKind
    qemu: str
    """How QEMU spells it on ``-cpu`` (for docs; the exporter builds the words)."""
    libvirt: str
    virt_install: str
    migration: Migration
    migration_note: str
    sources: tuple[Source, ...]
    minimum: int = 0
    maximum: int = 0
    """Range of a UINT value (``tsc-frequency`` in Hz)."""
    qemu_since: Version | None = None


CPU_SETTINGS: tuple[CpuSetting, ...] = (
    CpuSetting(
        CpuSettingKey.NESTED_VIRT,
        "The guest CPU shows VMX (Intel) or SVM (AMD), so Hyper-V, WSL2 and VBS can run inside.",
        """\
Nested Hyper-V, WSL2, Docker Desktop and virtualization-based security (VBS,
Credential Guard, HVCI) run a hypervisor inside the guest. It only starts when
the guest CPU has the virtualization extension: `vmx` on Intel, `svm` on AMD.
The `host` CPU model (libvirt's host-passthrough) passes it through when KVM's
`nested` parameter is on; a named model (`Cascadelake-Server`, `EPYC`) does not
show it unless asked.

**When to set it:** with a named CPU model, for the nested-hyperv and vbs
intents and whenever a nested-only option (evmcs, stimer-direct ...) is on.
""",
        ValueKind.SWITCH,
        qemu="-cpu MODEL,vmx=on (Intel) or svm=on (AMD)",
        libvirt="<cpu mode='custom'><model>MODEL</model>"
        "<feature policy='require' name='vmx'/></cpu>",
        virt_install="--cpu MODEL,require=vmx (or svm; +vmx would be policy='force')",
        migration=Migration.SAFE,
        migration_note="Migrates where KVM's nested parameter is on at the destination too "
        "(QEMU 5.2+ and Linux 5.8+ migrate nested state).",
        sources=(
            Source(
                FactKind.DOCS,
                "QEMU docs/system/i386/hyperv.rst (nested Hyper-V needs vmx); "
                "libvirt formatdomain.rst <cpu><feature policy='require'>",
            ),
            Source(FactKind.VALUE, "qemu-system-x86_64 -cpu help (QEMU 7.2): vmx, svm flags"),
        ),
    ),
    CpuSetting(
        CpuSettingKey.TSC_FREQUENCY,
        "A fixed guest TSC frequency (Hz): what lets hv-reenlightenment and invtsc migrate.",
        """\
With `tsc-frequency` the guest TSC runs at the given rate on every host (with
TSC scaling where the host's own rate differs). QEMU refuses to migrate a guest
that enabled re-enlightenment notifications unless it is set ("'tsc-frequency='
has to be specified"), and `invtsc` migrates only with it.

**Value:** Hz, the TSC rate of the slowest host in the pool (for example
`2800000000`). libvirt takes it as `<timer name='tsc' frequency='...'/>`.
""",
        ValueKind.UINT,
        qemu="-cpu MODEL,tsc-frequency=HZ",
        libvirt="<clock><timer name='tsc' frequency='HZ'/></clock>",
        virt_install="--clock timerN.name=tsc,timerN.frequency=HZ (N: after the timers "
        "NAME_present adds)",
        migration=Migration.SAFE,
        migration_note="Needed for migration with reenlightenment or invtsc; a destination "
        "without TSC scaling must run at exactly this rate.",
        sources=(
            Source(
                FactKind.DEPENDENCIES,
                "QEMU target/i386/kvm/kvm.c: the reenlightenment "
                "migration blocker and kvm_arch_set_tsc_khz()",
            ),
            Source(FactKind.LIBVIRT, "libvirt formatdomain.rst: <timer name='tsc' frequency>"),
        ),
        minimum=1_000_000,
        maximum=100_000_000_000,
    ),
    CpuSetting(
        CpuSettingKey.INVTSC,
        "Tells the guest its TSC is invariant, so Windows may use it as its clock source.",
        """\
`invtsc` sets the invariant-TSC CPUID bit. It is only true on a host whose TSC
is invariant (`constant_tsc` and `nonstop_tsc`) and whose kernel clocksource is
`tsc`; there it lets Windows read time from the TSC directly, on top of what
hv-time's reference page gives.

**What it costs:** QEMU blocks migration of a VM with `invtsc` unless
`tsc-frequency` is set.
""",
        ValueKind.SWITCH,
        qemu="-cpu MODEL,invtsc=on",
        libvirt="<cpu><feature policy='require' name='invtsc'/></cpu>",
        virt_install="--cpu MODEL,require=invtsc",
        migration=Migration.NEEDS_TSC,
        migration_note="QEMU blocks migration unless tsc-frequency is set.",
        sources=(
            Source(
                FactKind.DEPENDENCIES,
                "QEMU target/i386/kvm/kvm.c invtsc_mig_blocker (lifted "
                "when tsc-frequency is given)",
            ),
        ),
    ),
    CpuSetting(
        CpuSettingKey.HIDE_KVM,
        "Hides the KVM signature from the guest (old NVIDIA drivers refused to run in a VM).",
        """\
NVIDIA's consumer drivers before 465 stopped with "code 43" when they saw a
hypervisor. Hiding KVM (`kvm=off`, libvirt's `<kvm><hidden state='on'/>`) removes
KVM's CPUID signature; hv-vendor-id then also hides the Hyper-V vendor string.

**What it costs:** the guest loses KVM's own paravirtual features (kvmclock,
PV EOI, PV TLB flush, steal time), so only turn it on when a driver needs it.
It is an opt-in of the gpu-passthrough intent, never a default.
""",
        ValueKind.SWITCH,
        qemu="-cpu MODEL,kvm=off",
        libvirt="<features><kvm><hidden state='on'/></kvm></features>",
        virt_install="--features kvm.hidden.state=on",
        migration=Migration.SAFE,
        migration_note="",
        sources=(
            Source(FactKind.LIBVIRT, "libvirt formatdomain.rst <kvm><hidden> (since 1.2.8)"),
            Source(
                FactKind.DOCS,
                "NVIDIA driver 465 release notes (virtualization allowed for GeForce passthrough)",
            ),
        ),
        qemu_since=V("2.1"),
    ),
)

_BY_KEY = {s.key: s for s in CPU_SETTINGS}


def cpu_setting(key: CpuSettingKey | str) -> CpuSetting:
    """The setting for ``key``; raises ``KeyError`` naming the valid keys."""
    try:
        return _BY_KEY[CpuSettingKey(key)]
    except ValueError:
        keys = ", ".join(k.value for k in CpuSettingKey)
        raise KeyError(f"unknown CPU setting {key!r} (choose from {keys})") from None


#: CPU models whose vendor is AMD (``svm``); every other named model is Intel (``vmx``).
AMD_MODEL_PREFIXES = ("EPYC", "Opteron", "Phenom", "Dhyana", "athlon")


def virt_flag(cpu_model: str, host_vendor: str | None = None) -> str:
    """``vmx`` or ``svm``: the extension a guest on ``cpu_model`` needs for nested guests."""
    if cpu_model in ("host", "max"):
        return "svm" if host_vendor in ("amd", "hygon") else "vmx"
    return "svm" if cpu_model.startswith(AMD_MODEL_PREFIXES) else "vmx"


__all__ = [
    "AMD_MODEL_PREFIXES",
    "CPU_SETTINGS",
    "CpuSetting",
    "CpuSettingKey",
    "cpu_setting",
    "virt_flag",
]
