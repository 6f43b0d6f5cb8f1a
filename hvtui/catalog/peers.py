"""What other tools enable for Windows guests, per option (``hvtui compare``).

Sources: each peer's own code and documentation (virt-install >= 5.0,
Proxmox qemu-server, OpenStack Nova >= 29.0.0, KubeVirt's "windows"
preference, quickemu with QEMU > 6.0; and, in :data:`MORE_PEERS`, Incus/LXD,
Apache CloudStack, OpenNebula, TrueNAS, Harvester and dockur/windows, each
cited at its entry with the file and commit read).  Kept in the catalog package because
it is a per-option fact like the others; nothing else spells it out.
"""

from __future__ import annotations

import enum

from hvtui.catalog import proxmox
from hvtui.catalog.types import Value
from hvtui.records import record
from hvtui.versions import Version


class PeerState(enum.Enum):
    """How a peer treats an option by default."""

    ON = "on"
    """Enabled by default."""
    CONDITIONAL = "conditional"
    """Enabled only under a condition (host vendor, machine type, another option)."""
    OPTIONAL = "optional"
    """Available, off by default."""
    OFF = "off"
    """Not offered, or deliberately left out."""
    PASSTHROUGH = "passthrough"
    """Comes in through hv-passthrough (whatever KVM supports)."""


@record(frozen=True)
class PeerDefault:
    """One peer's default for one option."""

    state: PeerState
    value: Value | None = None
    """The value it sets, for value options (spinlocks 8191)."""
    note: str = ""
    """The condition, or the reason it is left out, where known."""

    def short(self) -> str:
        """A table cell: ``on``, ``8191``, ``cond.``, ``opt``, ``-``, ``PT``."""
        if self.state is PeerState.ON:
            return (
                f"{self.value:#x}"
                if isinstance(self.value, int) and not isinstance(self.value, bool)
                else (str(self.value) if self.value is not None else "on")
            )
        return {
            PeerState.CONDITIONAL: "cond.",
            PeerState.OPTIONAL: "opt",
            PeerState.OFF: "-",
            PeerState.PASSTHROUGH: "PT",
        }[self.state]


@record(frozen=True)
class Peer:
    """A management tool and its defaults for a Windows guest."""

    key: str
    name: str
    version: str
    """Which release the table describes."""
    defaults: dict[str, PeerDefault]
    """Per catalog option; an option not listed is not offered (``-``)."""

    def default(self, option: str) -> PeerDefault:
        """This peer's default for ``option`` (``-`` when it does not offer it)."""
        return self.defaults.get(option, PeerDefault(PeerState.OFF))

    def may_turn_on(self) -> tuple[str, ...]:
        """The options this peer turns on when left unset: always or under a condition."""
        return tuple(
            name
            for name, default in self.defaults.items()
            if default.state in (PeerState.ON, PeerState.CONDITIONAL)
        )


_ON = PeerDefault(PeerState.ON)
_PT = PeerDefault(PeerState.PASSTHROUGH)


def _on(note: str = "", value: Value | None = None) -> PeerDefault:
    return PeerDefault(PeerState.ON, value, note)


def _cond(note: str) -> PeerDefault:
    return PeerDefault(PeerState.CONDITIONAL, None, note)


def _opt(note: str = "") -> PeerDefault:
    return PeerDefault(PeerState.OPTIONAL, None, note)


def _off(note: str) -> PeerDefault:
    return PeerDefault(PeerState.OFF, None, note)


def _proxmox_defaults() -> dict[str, PeerDefault]:
    """qemu-server's automatic Windows set as peer defaults, from its rules."""
    out: dict[str, PeerDefault] = {}
    for rule in proxmox.AUTO_RULES:
        if rule.option in out:
            continue
        cond = rule.describe() + ("" if rule.verified else " (not verified)")
        if rule.intel_only or (rule.machine is not None and rule.machine > Version(3, 1, 0)):
            out[rule.option] = _cond(cond + "; else cpu: flags=+hv-evmcs")
        else:
            value = rule.value if isinstance(rule.value, int) and rule.value > 1 else None
            low = "; 0xffff below machine 2.3" if rule.option == "spinlocks" else ""
            out[rule.option] = _on(cond + low, value)
    out["tlbflush"] = _opt("cpu: flags=+hv-tlbflush ('may lead to guest bluescreens on old CPUs')")
    out["vendor-id"] = _cond(
        f'"{proxmox.VENDOR_ID_DEFAULT}" with a GPU passed with x-vga, or cpu: hv-vendor-id'
    )
    for name in ("frequencies", "stimer-direct", "reenlightenment", "avic", "tlbflush-ext"):
        out[name] = _opt("flags +hv-" + name + " in a custom CPU model")
    return out


PEERS: tuple[Peer, ...] = (
    # virt-install, for --osinfo win* (virtinst Guest.hyperv_supported()): virt-manager
    # 5.0.0's virtinst/domain/features.py DomainFeatures._set_hyperv_defaults() turns on
    # each of relaxed, vapic, spinlocks (retries 8191), vpindex, runtime, synic, stimer,
    # stimer direct (both only with the hypervclock timer), frequencies, tlbflush, ipi,
    # evmcs (Intel hosts) and avic (with <apic>) that the user left unset and libvirt's
    # domain capabilities list; virtinst/domain/clock.py adds <timer name='hypervclock'
    # present='yes'> unless the user gave any --clock timer.  Before 5.0 (4.1.0, Debian
    # 12) DomainFeatures.set_defaults() adds only relaxed, vapic and spinlocks 8191, for
    # libvirt >= 1.1.0, and clock.py the same hypervclock timer for libvirt >= 1.2.2.
    Peer(
        "virt-install",
        "virt-install",
        ">= 5.0",
        {
            "relaxed": _ON,
            "vapic": _ON,
            "spinlocks": _on(value=8191),
            "vpindex": _ON,
            "runtime": _ON,
            "synic": _ON,
            "stimer": _cond("only when the hypervclock timer is available"),
            "stimer-direct": _cond("only when the hypervclock timer is available"),
            "time": _on("as the hypervclock clock timer"),
            "reset": _off("left out on purpose: modern Hyper-V versions do not export it"),
            "frequencies": _ON,
            "reenlightenment": _off("left out on purpose"),
            "tlbflush": _ON,
            "ipi": _ON,
            "tlbflush-direct": _opt("command line only (5.1)"),
            "tlbflush-ext": _opt("command line only (5.1)"),
            "evmcs": _cond("Intel hosts only"),
            "avic": _cond("when the domain has <apic>"),
            "emsr-bitmap": _opt("command line only (5.1)"),
            "xmm-input": _opt("command line only (5.1)"),
            "vendor-id": _off("not offered by its --features option"),
        },
    ),
    # Proxmox: generated from the rules in hvtui.catalog.proxmox (qemu-server 9.x,
    # CPUConfig.pm get_hyperv_enlightenments at bd0347878e82), for ostype win*.
    Peer("proxmox", "Proxmox VE", f"{proxmox.QEMU_SERVER} (CPUConfig.pm)", _proxmox_defaults()),
    Peer(
        "nova",
        "OpenStack Nova",
        ">= 29.0.0",
        {
            "relaxed": _ON,
            "vapic": _ON,
            "spinlocks": _on(value=8191),
            "vpindex": _ON,
            "runtime": _ON,
            "synic": _ON,
            "stimer": _off("Nova has no synthetic timer support"),
            "time": _on("as the hypervclock clock timer"),
            "reset": _ON,
            "frequencies": _ON,
            "reenlightenment": _off("removed in 29.0.0: it broke live migration"),
            "tlbflush": _ON,
            "ipi": _ON,
            "evmcs": _off("removed in 29.0.0: it broke AMD hosts"),
            "vendor-id": _cond('"1234567890ab" when hide_hypervisor_id is set'),
        },
    ),
    Peer(
        "kubevirt",
        "KubeVirt",
        "windows preference",
        {
            "relaxed": _ON,
            "vapic": _ON,
            "spinlocks": _on(value=8191),
            "vpindex": _ON,
            "runtime": _ON,
            "synic": _ON,
            "stimer": _ON,
            "stimer-direct": _ON,
            "time": _on("as timer.hyperv"),
            "reset": _ON,
            "frequencies": _ON,
            "reenlightenment": _ON,
            "tlbflush": _ON,
            "ipi": _ON,
            "tlbflush-direct": _opt("API v1.8.0"),
            "tlbflush-ext": _opt("API v1.8.0"),
            "evmcs": _off("not in the preference; needs vmx and an Intel node selector"),
            "avic": _off("no API field"),
            "vendor-id": _opt(),
            "crash": _opt("panic device model (API v1.6.0)"),
            "passthrough": _opt("hypervPassthrough (v1.3.0); makes the VM non-migratable"),
        },
    ),
    Peer(
        "quickemu",
        "quickemu",
        "QEMU > 6.0",
        {
            **{
                name: _PT
                for name in (
                    "relaxed",
                    "vapic",
                    "spinlocks",
                    "vpindex",
                    "runtime",
                    "synic",
                    "stimer",
                    "stimer-direct",
                    "time",
                    "reset",
                    "frequencies",
                    "reenlightenment",
                    "tlbflush",
                    "tlbflush-direct",
                    "tlbflush-ext",
                    "ipi",
                    "evmcs",
                    "avic",
                    "emsr-bitmap",
                    "xmm-input",
                    "vendor-id",
                    "crash",
                    "version-id-build",
                    "version-id-major",
                    "version-id-minor",
                    "version-id-spack",
                    "version-id-sbranch",
                    "version-id-snumber",
                )
            },
            "passthrough": _on("-cpu host,...,hv_passthrough (with migratable=no)"),
            "syndbg": _off("hv-passthrough never enables it"),
        },
    ),
)


#: Every option hv-passthrough turns on when the host supports it (quickemu's table too).
_BY_PASSTHROUGH = (
    "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "stimer-direct",
    "time", "reset", "frequencies", "reenlightenment", "tlbflush", "tlbflush-direct",
    "tlbflush-ext", "ipi", "evmcs", "avic", "emsr-bitmap", "xmm-input", "vendor-id", "crash",
    "version-id-build", "version-id-major", "version-id-minor", "version-id-spack",
    "version-id-sbranch", "version-id-snumber",
)  # fmt: skip

_OPENNEBULA_ON = (
    "relaxed", "vapic", "vpindex", "runtime", "synic", "stimer", "frequencies", "tlbflush", "ipi",
)  # fmt: skip
_TRUENAS_ON = (
    "relaxed", "vapic", "reset", "frequencies", "vpindex", "synic", "ipi", "tlbflush", "stimer",
    "time",
)  # fmt: skip
_HARVESTER_ON = (
    "relaxed", "vapic", "vpindex", "runtime", "synic", "stimer", "stimer-direct", "reset", "ipi",
)  # fmt: skip


def _cond_value(note: str, value: Value) -> PeerDefault:
    return PeerDefault(PeerState.CONDITIONAL, value, note)


#: Peers the ``hvtui compare`` table shows after :data:`PEERS` (the wizard shows PEERS).
MORE_PEERS: tuple[Peer, ...] = (
    # lxc/incus internal/server/instance/drivers/driver_qemu.go (start(), commit 003c2276):
    # on x86_64 with a host kernel >= 5.10 and migration.stateful unset or false (the
    # default), "-cpu host,hv_passthrough,...,migratable=no,+invtsc"; with
    # migration.stateful=true no hv flag at that commit. Pull request #3442 ("Add
    # migration-compatible hv flags with migration.stateful=true") adds a fixed list for
    # that case; its list was not read. canonical/lxd's driver_qemu.go has the same start
    # code (and pull request #18732 narrows passthrough for BIOS boot).
    Peer(
        "incus",
        "Incus/LXD",
        "Incus 003c2276",
        {
            **{name: _PT for name in _BY_PASSTHROUGH},
            "passthrough": _cond(
                "hv_passthrough unless migration.stateful=true (host kernel 5.10+); a "
                "migratable VM gets a fixed list instead (Incus pull request #3442, not read)"
            ),
            "syndbg": _off("hv-passthrough never enables it"),
        },
    ),
    # apache/cloudstack plugins/hypervisors/kvm/.../LibvirtComputingResource.java (commit
    # 00114e8b): enlightenWindowsVm() adds relaxed, vapic and spinlocks (retries 8096) only
    # when the guest OS type contains "Windows PV"; createClockDef() adds the hypervclock
    # timer for every OS type starting with "Windows". LibvirtVMDef.java's
    # HyperVEnlightenmentFeatureDef knows only these three (Enlight enum).
    Peer(
        "cloudstack",
        "Apache CloudStack",
        "main 00114e8b (4.22)",
        {
            "relaxed": _cond('guest OS type "Windows PV" only'),
            "vapic": _cond('guest OS type "Windows PV" only'),
            "spinlocks": _cond_value('guest OS type "Windows PV" only', 8096),
            "time": _cond("hypervclock timer for every Windows OS type"),
        },
    ),
    # OpenNebula/one src/vmm_mad/exec/vmm_exec_kvm.conf (commit c1a0e5bf; the 6.8 release
    # notes updated HYPERV_OPTIONS and added HYPERV_TIMERS): FEATURES HYPERV defaults to
    # "no"; with HYPERV = "yes" in a template the HYPERV_OPTIONS and HYPERV_TIMERS below.
    Peer(
        "opennebula",
        "OpenNebula",
        "6.8 (vmm_exec_kvm.conf c1a0e5bf)",
        {
            **{name: _cond("with FEATURES HYPERV = yes (default no)") for name in _OPENNEBULA_ON},
            "spinlocks": _cond_value("with FEATURES HYPERV = yes (default no)", 8191),
            "time": _cond("HYPERV_TIMERS hypervclock, with FEATURES HYPERV = yes"),
            "reset": _off("written off in HYPERV_OPTIONS"),
            "reenlightenment": _off("written off in HYPERV_OPTIONS"),
            "evmcs": _off("written off in HYPERV_OPTIONS"),
        },
    ),
    # truenas/middleware src/middlewared/middlewared/plugins/vm/supervisor/domain_xml.py
    # (commit 18534e1b, pull request #9247): get_hyperv_xml() and the hypervclock timer,
    # only for a VM with its hyperv_enlightenments option set. No runtime.
    Peer(
        "truenas",
        "TrueNAS",
        "middleware 18534e1b",
        {
            **{name: _cond("the VM's Hyper-V enlightenments option") for name in _TRUENAS_ON},
            "spinlocks": _cond_value("the VM's Hyper-V enlightenments option", 8191),
        },
    ),
    # KubeVirt with Harvester's templates: harvester/harvester pull requests #11127 (v1.9
    # Windows templates: relaxed, vapic, spinlocks 8191, vpindex, synic, synictimer,
    # ipi, runtime, reset; clock timer hyperv) and #11433 (synictimer direct). From the pull
    # requests' descriptions; the template files of v1.9 were not read.
    Peer(
        "harvester",
        "Harvester",
        "v1.9 Windows templates",
        {
            **{name: _on("Windows VM templates") for name in _HARVESTER_ON},
            "spinlocks": _on("Windows VM templates", 8191),
            "time": _on("clock.timer.hyperv in the Windows templates"),
            "frequencies": _off("not in the v1.9 Windows templates"),
            "reenlightenment": _off("not in the v1.9 Windows templates"),
            "tlbflush": _off("not in the v1.9 Windows templates"),
        },
    ),
    # dockur/windows: its Dockerfile copies qemux/qemu-docker (6.17), whose src/proc.sh
    # configureHyperVFeatures() (read at qemus/qemu commit 0be1812b) adds hv_passthrough
    # for a Windows boot unless HV=N, with -hv-evmcs on AMD (and -hv-avic without the avic
    # flag) and -hv-apicv,-hv-evmcs on Intel without APICv (-hv-evmcs also on Atom,
    # Celeron and Pentium); the CPU is host,...,migratable=no.
    Peer(
        "dockur",
        "dockur/windows",
        "qemux/qemu-docker 6.17",
        {
            **{name: _PT for name in _BY_PASSTHROUGH},
            "passthrough": _on("-cpu host,...,migratable=no,hv_passthrough unless HV=N"),
            "evmcs": _cond("-hv-evmcs on AMD, on Intel without APICv and on budget CPUs"),
            "avic": _cond("-hv-avic (hv-apicv) without AVIC/APICv on the host"),
            "syndbg": _off("hv-passthrough never enables it"),
        },
    ),
)
#: Every peer: the wizard's five, then the ones ``hvtui compare`` adds.
ALL_PEERS: tuple[Peer, ...] = PEERS + MORE_PEERS


def get_peer(key: str) -> Peer:
    """A peer by key (``virt-install``, ``proxmox``, ``nova``, ``kubevirt``, ``quickemu``,
    ``incus``, ``cloudstack``, ``opennebula``, ``truenas``, ``harvester``, ``dockur``)."""
    for peer in ALL_PEERS:
        if peer.key == key:
            return peer
    raise KeyError(key)
