"""The enlightenment table: the one place that states facts about ``hv-*`` options.

Sources: QEMU's ``docs/system/i386/hyperv.rst`` for meaning and the document-level
rules, QEMU's ``kvm_hyperv_properties[]`` for enforced dependencies, libvirt's
``formatdomain.rst``/NEWS for elements and versions, and ``qemu-system-x86_64
-device host-x86_64-cpu,help`` (QEMU 7.2) for value types.  Order here is the order
of every listing and of the ``-cpu`` string hvtui writes.

What KVM reports for each option (CPUID bits, capabilities, the pre-5.0 MSRs) is
written once in :mod:`hvtui.catalog.kvm_abi`, which ``hvtui detect`` reads without
loading this table; :func:`_named` puts it into each entry by the entry's name.
"""

from __future__ import annotations

from hvtui.catalog.kvm_abi import (
    CPUID_SOURCE,
    HV_ENLIGHTENMENT_INFO,
    HV_VERSION,
    KVM_ABI,
    LEGACY_SOURCE,
    NO_KVM_FACTS,
)
from hvtui.catalog.kvm_abi import (
    KVM_CAP_HYPERV as KVM_CAP_HYPERV,  # hvtui.verify.runner reads it from here
)
from hvtui.catalog.types import (
    Caution,
    CpuidBits,
    DocRule,
    Enlightenment,
    FactKind,
    Group,
    HostNeed,
    LibvirtKind,
    LibvirtMapping,
    MachineDefault,
    Migration,
    OldQemuMinimum,
    Severity,
    Source,
    ValueKind,
    WithoutHyperV,
)
from hvtui.versions import parse_version

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time: the catalog loads for every command
    from typing import TypedDict

    from hvtui.versions import Version

    class _NamedFacts(TypedDict):
        """The arguments :func:`_named` gives an :class:`Enlightenment`."""

        name: str
        cpuid: tuple[CpuidBits, ...]
        kvm_cap: int | None
        legacy_caps: tuple[int, ...]
        legacy_msrs: tuple[int, ...]


_QEMU_1_1 = (
    "QEMU v1.1.0 (2012-06): target-i386/hyperv.c (Red Hat 2011) and the hv_relaxed, hv_vapic, "
    "hv_spinlocks -cpu flags; libvirt's docs say QEMU 2.0 only since a 2016 docs patch"
)
_LVDOC = "libvirt formatdomain.rst, QEMU column of the hyperv table"


#: Sources every entry shares: the tables the facts of all 32 options were checked against.
COMMON_SOURCES: tuple[Source, ...] = (
    Source(
        FactKind.VALUE,
        "qemu-system-x86_64 -device host-x86_64-cpu,help (QEMU 7.2): property types and "
        "defaults; target/i386/cpu.c x86_cpu_properties",
    ),
    Source(
        FactKind.DEPENDENCIES,
        "QEMU target/i386/kvm/kvm.c kvm_hyperv_properties[].dependencies and "
        "hyperv_handle_properties()",
    ),
    Source(FactKind.CPUID, CPUID_SOURCE),
    Source(FactKind.LEGACY, LEGACY_SOURCE),
    Source(
        FactKind.WITHOUT_HYPERV,
        "QEMU target/i386/kvm/kvm.c hyperv_enabled() and kvm_put_msrs(); observed with QEMU 7.2 "
        "-accel kvm on Linux 6.18 built without CONFIG_KVM_HYPERV (tests/test_no_hyperv_host.py)",
    ),
    Source(
        FactKind.LIBVIRT,
        "libvirt docs/formatdomain.rst (hyperv features table), NEWS and "
        "tests/qemuxmlconfdata/hyperv*.xml; checked with virt-xml-validate and virsh 9.0",
    ),
    Source(FactKind.DOCS, "QEMU docs/system/i386/hyperv.rst"),
)


def V(text: str) -> Version:  # noqa: N802 - reads like a literal in the table below
    """:func:`hvtui.versions.V` (a strict :func:`~hvtui.versions.parse_version`), parsed
    once for each version the table writes: ~60 ``V("7.1")``-style literals, 25 of them
    different, read on the way to the wizard's first frame (issue #13).  A version is an
    immutable tuple: sharing one between entries changes nothing."""
    version = _VERSIONS.get(text)
    if version is None:
        version = _VERSIONS[text] = parse_version(text)
    return version


_VERSIONS: dict[str, Version] = {}


def _since(where: str, *, verified: bool = True) -> Source:
    """The source of an entry's first QEMU release."""
    return Source(FactKind.QEMU_SINCE, where, verified)


#: The one patch series that brought four options (the TLB flush variants, XMM input,
#: the enlightened MSR bitmap) into QEMU 7.1.
_SINCE_QEMU_7_1_SERIES = _since(
    "qemu-devel series msg-id 20220525115949.1294004 (2022-05-25, commits "
    "9411e8b6f, aa6bb5fad58), merged for QEMU 7.1"
)


def _bits(leaf: int, register: str, mask: int) -> CpuidBits:
    return CpuidBits(leaf, register, mask)


def _named(name: str) -> _NamedFacts:
    """An entry's name with what KVM reports for it (:data:`~hvtui.catalog.kvm_abi.KVM_ABI`),
    as :class:`Enlightenment` arguments: the facts stay written once, in that table."""
    cpuid, kvm_cap, legacy_caps, legacy_msrs = KVM_ABI.get(name, NO_KVM_FACTS)
    return {
        "name": name,
        "cpuid": tuple(CpuidBits(leaf, register, mask) for leaf, register, mask in cpuid),
        "kvm_cap": kvm_cap,
        "legacy_caps": legacy_caps,
        "legacy_msrs": legacy_msrs,
    }


def _hv(
    element: str,
    since: str,
    example: str = "",
    *,
    attribute: str | None = None,
    note: str = "",
    minimum: int | None = None,
) -> LibvirtMapping:
    return LibvirtMapping(
        LibvirtKind.HYPERV,
        element,
        attribute,
        V(since),
        example or f"<{element} state='on'/>",
        note,
        minimum,
    )


def _no_libvirt(note: str) -> LibvirtMapping:
    return LibvirtMapping(LibvirtKind.NONE, note=note)


_NO_ELEMENT = (
    "libvirt has no element for this option; hvtui passes it with <qemu:commandline> and -global."
)

_VERSION_ID_DOC = """\
Changes one field of the Hyper-V version the guest reads from CPUID leaf
0x40000002. QEMU's default describes Windows Server 2016 (build 14393, version
10.0) on machine types 6.2 and newer; machine types 6.1 and older keep QEMU's
earlier answer (build 7100, version 6.1, Windows 7). Guests are not supposed to
act on it.

**When to change it:** almost never. It exists for testing software that checks
the hypervisor version. It is not an enlightenment: setting it alone does not
make the guest see a Hyper-V interface.

**Risk:** none for performance; a value that looks odd to the guest can confuse
diagnostic tools. libvirt has no element for it.
"""


def _version_id(
    name: str,
    bits: int,
    default: int,
    field: str,
    where: str,
    value_at: CpuidBits,
    old_default: int | None = None,
) -> Enlightenment:
    return Enlightenment(
        **_named(f"version-id-{name}"),
        summary=f"Overrides the Hyper-V {field} the guest sees ({bits} bits).",
        doc=_VERSION_ID_DOC + f"\nThis field is the **{field}** ({bits} bits, {where}).\n",
        group=Group.IDENTITY,
        kind=ValueKind.UINT,
        bits=bits,
        default=default,
        older_machine_default=(
            MachineDefault(old_default, V("6.1")) if old_default is not None else None
        ),
        suggested=default,
        qemu_since=V("6.2"),
        sources=(
            _since(
                "QEMU v6.2.0: the hv-version-id-* properties, with hw/i386/pc.c pc_compat_6_1 "
                "keeping the old values for machine types up to 6.1"
            ),
            Source(
                FactKind.DEFAULTS,
                "QEMU hw/i386/pc.c pc_compat_6_1: build 0x1bbc (7100), version 6.1 for machine "
                "types 6.1 and older; 14393 and 10.0 from machine type 6.2",
            ),
        ),
        libvirt=_no_libvirt(_NO_ELEMENT),
        enlightenment=False,
        recommended=False,
        not_recommended_because="guests are not supposed to act on the Hyper-V version; "
        "QEMU recommends leaving it unchanged",
        guest_cpuid=f"CPUID 0x40000002 {where}",
        value_cpuid=value_at,
        cautions=(
            Caution(
                Severity.INFO,
                "identity-changed",
                f"version-id-{name} changes what the guest reads as the Hyper-V {field}",
                "QEMU recommends leaving the Hyper-V version unchanged: guests are "
                "not supposed to behave differently when a different version is shown.",
            ),
        ),
        tags=("version", "identity"),
    )


ENTRIES: tuple[Enlightenment, ...] = (
    Enlightenment(
        **_named("relaxed"),
        summary="Tells Windows not to trigger watchdog timeouts when a vCPU is delayed.",
        doc="""\
Windows normally assumes its processors run all the time. On a hypervisor a vCPU
can be descheduled for a while, and Windows may then decide that a timer or a
processor hung and bluescreen (for example with `CLOCK_WATCHDOG_TIMEOUT`).
With **hv-relaxed** the guest is told to relax those timing checks.

**When to turn it on:** on every Windows guest. It has no cost and no known
downside, and every management tool turns it on.

**What it costs:** nothing. It only sets a recommendation bit in CPUID.
""",
        group=Group.CORE,
        kind=ValueKind.SWITCH,
        qemu_since=V("1.1"),
        sources=(_since(_QEMU_1_1),),
        libvirt=_hv("relaxed", "1.0.0"),
        guest_cpuid="CPUID 0x40000004.EAX bit 5 (relaxed timing recommended)",
        tags=("watchdog", "timeout", "bsod"),
    ),
    Enlightenment(
        **_named("vapic"),
        summary="Gives the guest the VP Assist page for faster, exit-less interrupt completion.",
        doc="""\
Provides the *VP Assist page* MSR. Windows uses it to acknowledge interrupts
(end-of-interrupt) without a VM exit, and to talk to the hypervisor about
APIC state more cheaply.

**When to turn it on:** on every Windows guest. eVMCS and direct TLB flush
build on it.

**What it costs:** nothing measurable; it saves exits.
""",
        without_hyperv=WithoutHyperV.ABORTS,
        without_hyperv_error="failed to set MSR 0x40000073 to 0x0",
        group=Group.CORE,
        kind=ValueKind.SWITCH,
        qemu_since=V("1.1"),
        sources=(_since(_QEMU_1_1),),
        libvirt=_hv("vapic", "1.1.0"),
        guest_cpuid="CPUID 0x40000003.EAX bit 4 (APIC access MSRs)",
        tags=("apic", "eoi", "interrupt"),
    ),
    Enlightenment(
        **_named("spinlocks"),
        overcommit_value=0xFFF,
        summary="How long a guest spins on a lock before telling the hypervisor (retries).",
        doc="""\
When a Windows vCPU waits for a spinlock held by another vCPU that is not
running, spinning only burns host CPU. With paravirtual spinlocks the guest
spins the given number of times and then tells the hypervisor, which can run
something useful instead.

**Value:** the number of attempts. `0xffffffff` (QEMU's default) means "never
notify". QEMU's document asks for `0xfff` (4095) when host CPUs are
overcommitted; otherwise the default may stay. `0x1fff` (8191) is what
virt-install, Proxmox and Nova write. The number 4095 comes from how Windows
Server 2008 R2 behaved and from libvirt, which refuses smaller values; QEMU 4.0
and older refuse them too ("minimum 4095"), QEMU 4.1 and newer take any 32-bit
value.

**When to set it:** on every Windows guest whose host may be overcommitted;
pick `0xfff` when the host runs more vCPUs than it has CPUs.

**What it costs:** too low a value causes needless exits under lock contention.
""",
        group=Group.CORE,
        kind=ValueKind.UINT,
        bits=32,
        default=0xFFFFFFFF,
        suggested=0x1FFF,
        hex_display=True,
        qemu_since=V("1.1"),
        sources=(
            _since(_QEMU_1_1),
            Source(
                FactKind.VALUE,
                "QEMU 4.0 and older: a custom setter refusing values below 0xfff; QEMU 4.1 made "
                "hv-spinlocks a plain uint32 (qemu-devel msg-id 20190618110659.14744-1-rkagan); "
                "no Hyper-V specification sets a minimum (same thread)",
            ),
        ),
        libvirt=_hv(
            "spinlocks",
            "1.1.0",
            "<spinlocks state='on' retries='8191'/>",
            attribute="retries",
            minimum=0xFFF,
            note="libvirt requires retries >= 4095; since libvirt 11.9.0 omitting "
            "retries means 'never notify' (4294967295).",
        ),
        guest_cpuid="CPUID 0x40000004.EBX (spinlock retry count)",
        value_cpuid=_bits(HV_ENLIGHTENMENT_INFO, "ebx", 0xFFFFFFFF),
        cautions=(
            Caution(
                Severity.WARNING,
                "spinlocks-below-minimum",
                "spinlocks below 4095 (0xfff): libvirt refuses it (hvtui's libvirt export "
                "passes it with <qemu:commandline>)",
                "Values under 0xfff make the guest notify the hypervisor almost at once, "
                "which costs exits without benefit; libvirt rejects retries < 4095 and QEMU "
                "4.0 and older refuse them.",
                below=0xFFF,
            ),
        ),
        old_qemu_minimum=OldQemuMinimum(
            0xFFF,
            V("4.1"),
            "Property host-x86_64-cpu.hv-spinlocks doesn't take value ... (minimum: 4095)",
        ),
        tags=("lock", "overcommit", "retries"),
    ),
    Enlightenment(
        **_named("vpindex"),
        summary="Tells each vCPU its processor index; SynIC, IPIs and TLB flush need it.",
        doc="""\
Provides the `VP_INDEX` MSR so each virtual processor knows its own index.
Hypercalls that target other processors (IPIs, TLB flushes) and the synthetic
interrupt controller name processors by this index.

**When to turn it on:** whenever you use synic, stimer, ipi or tlbflush, so in
practice on every modern Windows guest.

**What it costs:** nothing. Some nested or cloud hosts cannot set it, which shows
as "kernel doesn't allow setting HyperV VP_INDEX".
""",
        without_hyperv=WithoutHyperV.REFUSED,
        without_hyperv_error="kernel doesn't allow setting HyperV VP_INDEX",
        group=Group.CORE,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.5"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("vpindex", "1.3.3"),
        guest_cpuid="CPUID 0x40000003.EAX bit 6 (VP index MSR)",
        tags=("index", "processor"),
    ),
    Enlightenment(
        **_named("runtime"),
        summary="Shows the guest how much CPU time each vCPU really got (steal time).",
        doc="""\
Provides the `VP_RUNTIME` MSR: how long the vCPU actually ran, in 100 ns units.
Windows can then tell time it spent running from time the host took away.

**When to turn it on:** on every Windows guest; it improves the guest's own
accounting and scheduling decisions.

**What it costs:** nothing.
""",
        group=Group.CORE,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.5"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("runtime", "1.3.3"),
        guest_cpuid="CPUID 0x40000003.EAX bit 0 (VP runtime MSR)",
        tags=("steal", "accounting"),
    ),
    Enlightenment(
        **_named("crash"),
        recommended=False,
        not_recommended_because="only useful when the management layer consumes crash "
        "events; under the default panic action it stops Windows writing its own dump",
        intents=("debug",),
        summary="Reports guest bugchecks to QEMU; by default stops Windows writing its own dump.",
        doc="""\
Provides the crash MSRs. When Windows bugchecks it writes the stop code and
parameters there, QEMU logs them and raises a `GUEST_PANICKED` event that
libvirt and other tools can record.

**When to turn it on:** only when something above QEMU collects those events.
Under QEMU's default `-action panic=shutdown` the VM is stopped at once, so
Windows never writes its own memory dump.

**What it costs:** with the default panic action, the crash dump you would
otherwise get. In libvirt this is `<panic model='hyperv'/>`, not a `<hyperv>`
child.
""",
        group=Group.DEBUGGING,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.4"),
        sources=(
            _since(
                "libvirt formatdomain.rst (panic model hyperv); the first release is not "
                "confirmed by a tag",
                verified=False,
            ),
        ),
        libvirt=LibvirtMapping(
            LibvirtKind.PANIC,
            "panic",
            None,
            V("1.3.0"),
            "<devices><panic model='hyperv'/></devices>",
            "A panic device, not a <hyperv> child.",
        ),
        guest_cpuid="CPUID 0x40000003.EDX bit 10 (guest crash MSRs)",
        cautions=(
            Caution(
                Severity.WARNING,
                "crash-blocks-dumps",
                "crash stops Windows writing its own crash dump under the default panic action",
                "QEMU stops the VM when the guest writes the crash MSR "
                "(-action panic=shutdown), so Windows never saves MEMORY.DMP. Turn it on "
                "only when the management layer consumes GUEST_PANICKED events.",
            ),
        ),
        tags=("panic", "bugcheck", "dump"),
    ),
    Enlightenment(
        **_named("time"),
        important_for=(
            "desktop",
            "server-migratable",
            "gpu-passthrough",
            "nested-hyperv",
            "vbs",
            "debug",
        ),
        missing_hurts="Windows reads the time through slow emulated timers instead of the "
        "reference TSC page, and synthetic timers cannot be used",
        summary="Gives the guest Hyper-V clocks, including the exit-less reference TSC page.",
        doc="""\
Provides two Hyper-V clocksources: a reference counter MSR and the *reference
TSC page*, which lets the guest read the time without leaving the VM at all.
Anything that takes timestamps gets much faster.

**When to turn it on:** on every Windows guest. synthetic timers need it.

**What it costs:** nothing, but KVM only publishes the TSC page when the host
itself uses a stable TSC clocksource; otherwise the guest falls back to the
slower MSR. In libvirt it is `<clock><timer name='hypervclock'/>`, not a
`<hyperv>` child.
""",
        without_hyperv=WithoutHyperV.ABORTS,
        without_hyperv_error="failed to set MSR 0x40000021 to 0x0",
        group=Group.TIMERS,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.0"),
        sources=(
            _since(
                "libvirt formatdomain.rst (hypervclock timer); the first release is not "
                "confirmed by a tag",
                verified=False,
            ),
        ),
        libvirt=LibvirtMapping(
            LibvirtKind.CLOCK_TIMER,
            "hypervclock",
            None,
            V("1.2.2"),
            "<clock><timer name='hypervclock' present='yes'/></clock>",
            "A clock timer, not a <hyperv> child: tools that cannot write "
            "<timer name='hypervclock'> cannot enable stimer either.",
        ),
        host_needs=(HostNeed.STABLE_TSC,),
        guest_cpuid="CPUID 0x40000003.EAX bits 1 and 9 (time reference count, reference TSC)",
        tags=("clock", "tsc", "hypervclock"),
    ),
    Enlightenment(
        **_named("synic"),
        summary="Synthetic interrupt controller (messages, events); synthetic timers need it.",
        doc="""\
Enables the Hyper-V *synthetic interrupt controller* (SynIC), an extension of
the local APIC that delivers hypervisor messages and events. Synthetic timers
and VMBus devices are built on it.

**When to turn it on:** together with stimer on every modern Windows guest.

**What it costs:** by default SynIC asks the guest to use AutoEOI, which turns
off hardware APIC virtualization (APICv/AVIC) for the VM; turn on avic on hosts
that have it.
""",
        without_hyperv=WithoutHyperV.ABORTS,
        without_hyperv_error="failed to set MSR 0x40000080 to 0x0",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.6"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("synic", "1.3.3"),
        requires=("vpindex",),
        guest_cpuid="CPUID 0x40000003.EAX bit 2 (SynIC MSRs)",
        tags=("interrupt", "vmbus", "sint"),
    ),
    Enlightenment(
        **_named("stimer"),
        important_for=("desktop", "gpu-passthrough", "nested-hyperv", "vbs"),
        missing_hurts="without synthetic timers an idle Windows guest polls the HPET or RTC "
        "and can cost 15-40% of a host CPU",
        summary="Synthetic timers; without them idle Windows polls HPET/RTC and burns host CPU.",
        doc="""\
Gives each vCPU four Hyper-V synthetic timers. Without them several Windows
versions fall back to the HPET or RTC and program them constantly, so an idle
desktop can cost 15-40% of a host CPU; with them idle load drops to a few
percent.

**When to turn it on:** on every Windows guest. It needs synic and time.

**What it costs:** nothing. Tools that cannot express hv-time (it lives in
libvirt's `<clock>`) cannot enable it; that is where "stimer requires hv-time"
errors come from.
""",
        group=Group.TIMERS,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.6"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("stimer", "1.3.3"),
        requires=("synic", "time"),
        guest_cpuid="CPUID 0x40000003.EAX bit 3 (synthetic timer MSRs)",
        tags=("timer", "idle", "hpet", "cpu usage"),
    ),
    Enlightenment(
        **_named("tlbflush"),
        summary="Paravirtual remote TLB flush: skips IPIs to vCPUs that are not running.",
        doc="""\
Lets the guest ask the hypervisor to flush TLBs on other processors instead of
sending them IPIs and waiting. vCPUs that are not running at that moment do
not need to be woken up at all.

**When to turn it on:** on multi-vCPU Windows guests, especially on busy hosts.

**What it costs:** some older CPU and firmware combinations bluescreened with it
(Proxmox made it opt-in for that reason); if a guest crashes in TLB code, try
turning it off.
""",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("3.0"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("tlbflush", "4.7.0"),
        requires=("vpindex",),
        guest_cpuid="CPUID 0x40000004.EAX bits 2 and 11 (remote TLB flush, extended masks)",
        tags=("tlb", "flush", "ipi"),
    ),
    Enlightenment(
        **_named("ipi"),
        summary="Paravirtual IPIs: one hypercall reaches many vCPUs, not one exit per target.",
        doc="""\
Lets the guest send an inter-processor interrupt to many vCPUs with a single
hypercall, instead of one APIC access (and exit) per target.

**When to turn it on:** on Windows guests with several vCPUs; the gain grows
with the vCPU count.

**What it costs:** nothing known.
""",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("3.1"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("ipi", "4.10.0"),
        requires=("vpindex",),
        guest_cpuid="CPUID 0x40000004.EAX bits 10 and 11 (cluster IPI, extended masks)",
        tags=("interrupt", "ipi"),
    ),
    Enlightenment(
        **_named("vendor-id"),
        recommended=False,
        not_recommended_because="guests should not act on the vendor string; leave it "
        "unchanged unless a driver refuses to run under a hypervisor",
        intents=("gpu-passthrough",),
        summary='Changes the hypervisor vendor string ("Microsoft Hv"), e.g. for GPU drivers.',
        doc="""\
Replaces the hypervisor vendor string in CPUID leaf 0x40000000 (QEMU's default
is "Microsoft Hv"). It is not an enlightenment: it does nothing without others.

**When to set it:** mainly for GPU passthrough, where some consumer GPU drivers
refuse to run (NVIDIA "Code 43") when they see a known hypervisor; pair it
with libvirt's `<kvm><hidden state='on'/>`.

**Value:** 1 to 12 printable ASCII characters, no comma.

**What it costs:** nothing for performance.
""",
        group=Group.IDENTITY,
        kind=ValueKind.STRING,
        max_length=12,
        default="Microsoft Hv",
        suggested="KVMKVMKVM",
        qemu_since=V("2.5"),
        sources=(_since(_LVDOC),),
        libvirt=_hv(
            "vendor_id",
            "1.3.3",
            "<vendor_id state='on' value='KVMKVMKVM'/>",
            attribute="value",
        ),
        enlightenment=False,
        guest_cpuid="CPUID 0x40000000.EBX-EDX (vendor signature)",
        cautions=(
            Caution(
                Severity.INFO,
                "identity-changed",
                "vendor-id changes the hypervisor vendor the guest sees",
                "Guests are not supposed to act on it; change it only to work around a "
                "driver that refuses to run under a hypervisor (GPU passthrough).",
            ),
        ),
        tags=("gpu", "nvidia", "code 43", "vendor"),
    ),
    Enlightenment(
        **_named("reset"),
        recommended=False,
        not_recommended_because="modern Hyper-V does not expose it and Windows does not "
        "use it to reboot",
        summary="Lets the guest reset itself through an MSR; modern Hyper-V does not offer it.",
        doc="""\
Provides the `RESET` MSR, which the guest can write to reset itself. Windows
does not use it to reboot, and current Hyper-V versions do not expose it.

**When to turn it on:** rarely; QEMU's document says it can be left off.
virt-install leaves it off on purpose, Proxmox and Nova turn it on.

**What it costs:** nothing.
""",
        group=Group.CORE,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.5"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("reset", "1.3.3"),
        guest_cpuid="CPUID 0x40000003.EAX bit 7 (reset MSR)",
        cautions=(
            Caution(
                Severity.INFO,
                "not-needed",
                "reset is not used by modern Windows and can be left off",
                "QEMU's recommendations: modern Hyper-V versions do not expose the reset "
                "MSR, so Windows does not expect it.",
            ),
        ),
        tags=("reboot",),
    ),
    Enlightenment(
        **_named("frequencies"),
        summary="Tells the guest its TSC and APIC frequencies so it need not measure them.",
        doc="""\
Provides MSRs with the TSC and APIC timer frequencies, so the guest reads them
instead of calibrating (which is slow and imprecise under a hypervisor).

**When to turn it on:** on Windows guests; it is also what reenlightenment
builds on for nested Hyper-V.

**What it costs:** nothing.
""",
        group=Group.TIMERS,
        kind=ValueKind.SWITCH,
        qemu_since=V("2.12"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("frequencies", "4.7.0"),
        guest_cpuid="CPUID 0x40000003.EAX bit 11 and EDX bit 8 (frequency MSRs)",
        tags=("tsc", "apic", "calibration"),
    ),
    Enlightenment(
        **_named("reenlightenment"),
        summary="Nested Hyper-V: tells the L1 hypervisor when the TSC frequency changes.",
        doc="""\
For Hyper-V (or WSL2/VBS) running inside the guest: tells that hypervisor
when the TSC frequency changes, which only happens after a live migration, so
it can keep giving its own guests a stable clock.

**When to turn it on:** for nested Hyper-V guests, together with frequencies.

**What it costs:** KVM does not implement the full protocol, so a VM with it only
migrates when started with a fixed `tsc-frequency=` and moved to a host with the
same TSC frequency or with TSC scaling. OpenStack Nova dropped it for breaking
live migration.
""",
        without_hyperv=WithoutHyperV.ABORTS,
        without_hyperv_error="failed to set MSR 0x40000106 to 0x0",
        group=Group.NESTED,
        kind=ValueKind.SWITCH,
        qemu_since=V("3.0"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("reenlightenment", "4.7.0"),
        doc_rules=(
            DocRule(
                ("frequencies",),
                "reenlightenment is meant to be used with frequencies",
                "QEMU's document recommends hv-frequencies with hv-reenlightenment: the "
                "nested hypervisor needs the frequency MSRs to act on the notification.",
            ),
        ),
        cautions=(
            Caution(
                Severity.WARNING,
                "migration-needs-tsc",
                "reenlightenment migrates only with a fixed tsc-frequency and TSC scaling "
                "(or equal TSC frequency) on the destination",
                "KVM does not emulate TSC accesses after migration, so QEMU needs "
                "tsc-frequency= set and a destination that can run at that frequency.",
            ),
        ),
        nested_only=True,
        host_needs=(HostNeed.TSC_SCALING,),
        migration=Migration.NEEDS_TSC,
        migration_note="Needs tsc-frequency= and a destination with TSC scaling or the "
        "same TSC frequency.",
        guest_cpuid="CPUID 0x40000003.EAX bit 13 (reenlightenment MSRs)",
        tags=("nested", "migration", "tsc"),
    ),
    Enlightenment(
        **_named("evmcs"),
        important_for=("nested-hyperv", "vbs"),
        missing_hurts="on Intel, nested Hyper-V and VBS run much slower without enlightened "
        "VMCS, and some CPUs freeze at 100% with VBS/Credential Guard",
        summary="Nested Hyper-V on Intel: enlightened VMCS makes L2 exits much cheaper.",
        doc="""\
For Hyper-V (including WSL2 and virtualization-based security) inside the
guest on Intel hosts: replaces VMCS instructions between KVM (L0) and Hyper-V
(L1) with a shared memory structure, so exits of nested guests cost far less.
Some Intel CPUs freeze at 100% with VBS/Credential Guard without it.

**When to turn it on:** on Intel hosts with nested virtualization on, for
guests that run Hyper-V, WSL2 or VBS; harmless for other Windows guests. Never
on AMD: the guest will not boot (OpenStack Nova had to drop it).

**What it costs:** enabling it turns off some hardware features such as posted
interrupts, so measure nested workloads with and without it.
""",
        group=Group.NESTED,
        kind=ValueKind.SWITCH,
        qemu_since=V("3.1"),
        sources=(_since(_LVDOC),),
        libvirt=_hv("evmcs", "4.10.0"),
        requires=("vapic",),
        vendors=frozenset({"intel"}),
        nested_only=True,
        host_needs=(HostNeed.INTEL, HostNeed.NESTED_VIRT),
        guest_cpuid="CPUID 0x40000004.EAX bit 14; eVMCS version 0x0101 in 0x4000000A.EAX",
        cautions=(
            Caution(
                Severity.INFO,
                "intel-only",
                "evmcs works on Intel hosts only and turns off posted interrupts",
                "On AMD the guest fails to boot. On Intel it disables some hardware "
                "features (posted interrupts): measure nested workloads with and without it.",
            ),
        ),
        tags=("nested", "vbs", "wsl2", "credential guard", "intel"),
    ),
    Enlightenment(
        **_named("stimer-direct"),
        important_for=("nested-hyperv", "vbs"),
        missing_hurts="Hyper-V inside the guest (nested Hyper-V, WSL2, VBS) only uses "
        "synthetic timers in direct mode",
        summary="Synthetic timers delivered as plain interrupts; nested Hyper-V needs this mode.",
        doc="""\
Synthetic timers can signal either through SynIC messages ("classic") or as a
normal interrupt ("direct"). Hyper-V running inside the guest only uses direct
mode, so nested Hyper-V, WSL2 and VBS need it.

**When to turn it on:** for nested Hyper-V; harmless otherwise (KubeVirt and
Harvester turn it on for every Windows VM).

**What it costs:** nothing.
""",
        group=Group.TIMERS,
        kind=ValueKind.SWITCH,
        qemu_since=V("4.1"),
        sources=(_since(_LVDOC),),
        libvirt=LibvirtMapping(
            LibvirtKind.HYPERV_CHILD,
            "stimer/direct",
            None,
            V("5.7.0"),
            "<stimer state='on'><direct state='on'/></stimer>",
        ),
        requires=("stimer",),
        guest_cpuid="CPUID 0x40000003.EDX bit 19 (direct synthetic timers)",
        tags=("timer", "nested"),
    ),
    Enlightenment(
        **_named("avic"),
        aliases=("apicv",),
        summary="Keeps hardware APIC virtualization (APICv/AVIC) working while SynIC is on.",
        doc="""\
SynIC normally asks Windows to use AutoEOI, which forces KVM to turn off
hardware APIC virtualization (Intel APICv, AMD AVIC) for the VM. With
**hv-avic** (alias hv-apicv) the guest is told not to use AutoEOI, so the
hardware keeps accelerating interrupts.

**When to turn it on:** when the host has APICv or AVIC and KVM has it enabled
(on AMD `kvm_amd avic=1`, which is off by default on many kernels).

**What it costs:** on hosts without APIC virtualization it can make the guest
slower. libvirt knows it as `<avic/>` since 8.10.0.
""",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("6.2"),
        sources=(
            _since("libvirt formatdomain.rst (commit 64e98bd); the hv-apicv alias is in QEMU 7.2"),
        ),
        libvirt=_hv("avic", "8.10.0"),
        host_needs=(HostNeed.APIC_VIRT,),
        guest_cpuid="CPUID 0x40000004.EAX bit 9 (AutoEOI deprecated)",
        cautions=(
            Caution(
                Severity.INFO,
                "needs-apic-virt",
                "avic only helps where APICv (Intel) or AVIC (AMD) is enabled in KVM",
                "Without hardware APIC virtualization the hint can make the guest slower.",
            ),
        ),
        tags=("apicv", "avic", "interrupt", "aeoi"),
    ),
    Enlightenment(
        **_named("no-nonarch-coresharing"),
        summary="Promises vCPUs never share a core with other vCPUs (SMT mitigation hint).",
        doc="""\
Tells the guest that its virtual processors never share a physical core with
anything except their own reported SMT siblings. Windows and Hyper-V use this to
decide how hard to mitigate SMT side-channel attacks.

**Values:** `off` (default), `on` (always claim it) or `auto` (claim it only when
KVM reports that SMT is impossible on the host: not supported or forced off).

**When to set it:** `on` only when vCPUs are pinned one-to-one and the guest
topology matches the host, otherwise the promise is false and the guest is less
safe. `auto` is safe but blocks live migration, since the destination's SMT
state may differ.
""",
        kept_by_passthrough=True,
        group=Group.SPECIAL,
        kind=ValueKind.TRISTATE,
        choices=("on", "off", "auto"),
        default="off",
        qemu_since=V("4.2"),
        sources=(_since("qemu-devel '[PULL 04/39]' for QEMU 4.2 (2019-10-24)"),),
        libvirt=_no_libvirt(_NO_ELEMENT),
        host_needs=(HostNeed.PINNED_VCPUS,),
        migration=Migration.BLOCKS_WHEN_AUTO,
        migration_note="'auto' adds a migration blocker; 'on' and 'off' migrate.",
        cpuid_means_auto=True,
        guest_cpuid="CPUID 0x40000004.EAX bit 18 (no non-architectural core sharing)",
        cautions=(
            Caution(
                Severity.WARNING,
                "needs-pinning",
                "no-nonarch-coresharing=on is only true with vCPUs pinned one-to-one and "
                "a matching topology",
                "Claiming no core sharing while vCPUs float lets the guest skip SMT "
                "mitigations it actually needs.",
                when="on",
            ),
            Caution(
                Severity.INFO,
                "blocks-migration",
                "no-nonarch-coresharing=auto blocks live migration",
                "QEMU copies KVM's answer for this host, which another host may not share, "
                "so it refuses to migrate the VM.",
                when="auto",
            ),
        ),
        tags=("smt", "hyperthreading", "security", "pinning"),
    ),
    _version_id(
        "build", 32, 14393, "build number", "EAX", _bits(HV_VERSION, "eax", 0xFFFFFFFF), 0x1BBC
    ),
    _version_id(
        "major", 16, 10, "major version", "EBX bits 31-16", _bits(HV_VERSION, "ebx", 0xFFFF0000), 6
    ),
    _version_id(
        "minor", 16, 0, "minor version", "EBX bits 15-0", _bits(HV_VERSION, "ebx", 0xFFFF), 1
    ),
    _version_id("spack", 32, 0, "service pack", "ECX", _bits(HV_VERSION, "ecx", 0xFFFFFFFF)),
    _version_id(
        "sbranch", 8, 0, "service branch", "EDX bits 31-24", _bits(HV_VERSION, "edx", 0xFF000000)
    ),
    _version_id(
        "snumber", 24, 0, "service number", "EDX bits 23-0", _bits(HV_VERSION, "edx", 0xFFFFFF)
    ),
    Enlightenment(
        **_named("syndbg"),
        recommended=False,
        not_recommended_because="a debugging feature, kept out of production by QEMU's document",
        intents=("debug",),
        summary="Synthetic kernel-debugger channel for WinDbg; debugging only.",
        doc="""\
Gives the Windows kernel debugger a fast synthetic channel instead of a serial
port or network. It needs a VMBus bridge device (`-device vmbus-bridge,irq=15`).

**When to turn it on:** only on VMs you kernel-debug. QEMU's document keeps it out
of production.

**What it costs:** some Windows versions do not boot when it is on without the
debugger set up; that is why hv-passthrough leaves it off. libvirt has no
element for it.
""",
        kept_by_passthrough=True,
        group=Group.DEBUGGING,
        kind=ValueKind.SWITCH,
        qemu_since=V("7.1"),
        sources=(
            _since(
                "qemu-devel '[PULL for-7.1 00/53]' (2022-04-19); syndbg series msg-id "
                "20220216102500.692781"
            ),
        ),
        libvirt=_no_libvirt(_NO_ELEMENT),
        requires=("synic", "relaxed"),
        doc_rules=(
            DocRule(
                ("time", "vapic", "vpindex", "runtime", "stimer"),
                "syndbg is documented to need time, vapic, vpindex, runtime and stimer too",
                "QEMU enforces only synic and relaxed, but its document lists relaxed, time, "
                "vapic, vpindex, synic, runtime and stimer for the synthetic debugger.",
            ),
        ),
        extra_qemu_args=("-device", "vmbus-bridge,irq=15"),
        production=False,
        guest_cpuid="CPUID 0x40000003.EDX bit 11 and leaves 0x40000080-0x40000082",
        cautions=(
            Caution(
                Severity.WARNING,
                "needs-vmbus-bridge",
                "syndbg needs a VMBus bridge device: -device vmbus-bridge,irq=15",
                "The synthetic debugger talks over VMBus; without the device the guest has "
                "no channel and some Windows versions fail to boot.",
            ),
        ),
        tags=("debug", "windbg", "kdnet", "vmbus"),
    ),
    Enlightenment(
        **_named("emsr-bitmap"),
        summary="Nested Hyper-V: L0 and L1 share MSR-bitmap updates to avoid needless work.",
        doc="""\
For Hyper-V running inside the guest: KVM and the nested Hyper-V cooperate so
KVM does not rebuild the L2 MSR bitmap on every exit.

**When to turn it on:** for nested Hyper-V, WSL2 or VBS. On Intel the protocol
only works together with evmcs; on AMD it works alone.

**What it costs:** nothing. libvirt knows it as `<emsr_bitmap/>` since 10.7.0.
""",
        group=Group.NESTED,
        kind=ValueKind.SWITCH,
        qemu_since=V("7.1"),
        sources=(_SINCE_QEMU_7_1_SERIES,),
        libvirt=_hv("emsr_bitmap", "10.7.0"),
        doc_rules=(
            DocRule(
                ("evmcs",),
                "emsr-bitmap needs evmcs too",
                "The VMX implementation of the MSR-bitmap protocol is part of enlightened "
                "VMCS; on AMD it works alone.",
                vendor="intel",
            ),
        ),
        nested_only=True,
        guest_cpuid="CPUID 0x4000000A.EAX bit 19 (enlightened MSR bitmap)",
        tags=("nested", "msr"),
    ),
    Enlightenment(
        **_named("xmm-input"),
        summary="Hypercall parameters in XMM registers: faster hypercalls without memory reads.",
        doc="""\
Lets the guest pass hypercall arguments in XMM registers ("XMM fast hypercall
input"), so KVM need not read them from guest memory.

**When to turn it on:** on Windows guests on hosts that support it; it speeds up
hypercall-heavy paths such as TLB flushes and IPIs.

**What it costs:** nothing. libvirt knows it as `<xmm_input/>` since 10.7.0.
""",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("7.1"),
        sources=(_SINCE_QEMU_7_1_SERIES,),
        libvirt=_hv("xmm_input", "10.7.0"),
        guest_cpuid="CPUID 0x40000003.EDX bit 4 (XMM hypercall input)",
        tags=("hypercall", "xmm"),
    ),
    Enlightenment(
        **_named("tlbflush-ext"),
        summary="Lets TLB-flush hypercalls pass ranges of addresses, not just single pages.",
        doc="""\
Extends paravirtual TLB flush so the guest can pass ranges of guest virtual
addresses in one hypercall.

**When to turn it on:** with tlbflush, on hosts that support it.

**What it costs:** nothing. libvirt writes it as
`<tlbflush state='on'><extended state='on'/></tlbflush>` since 11.0.0.
""",
        group=Group.INTERRUPTS,
        kind=ValueKind.SWITCH,
        qemu_since=V("7.1"),
        sources=(_SINCE_QEMU_7_1_SERIES,),
        libvirt=LibvirtMapping(
            LibvirtKind.HYPERV_CHILD,
            "tlbflush/extended",
            None,
            V("11.0.0"),
            "<tlbflush state='on'><extended state='on'/></tlbflush>",
        ),
        requires=("tlbflush",),
        guest_cpuid="CPUID 0x40000003.EDX bit 14 (extended GVA ranges for flush)",
        tags=("tlb", "flush"),
    ),
    Enlightenment(
        **_named("tlbflush-direct"),
        summary="Nested Hyper-V: KVM handles L2 TLB-flush hypercalls without exiting to L1.",
        doc="""\
For Hyper-V running inside the guest: KVM handles TLB-flush hypercalls of the
nested (L2) guests itself instead of bouncing them to the guest's Hyper-V.

**When to turn it on:** for nested Hyper-V. On Intel it needs evmcs to work; on
AMD it works alone.

**What it costs:** nothing. libvirt writes it as
`<tlbflush state='on'><direct state='on'/></tlbflush>` since 11.0.0.
""",
        group=Group.NESTED,
        kind=ValueKind.SWITCH,
        qemu_since=V("7.1"),
        sources=(_SINCE_QEMU_7_1_SERIES,),
        libvirt=LibvirtMapping(
            LibvirtKind.HYPERV_CHILD,
            "tlbflush/direct",
            None,
            V("11.0.0"),
            "<tlbflush state='on'><direct state='on'/></tlbflush>",
        ),
        requires=("vapic",),
        doc_rules=(
            DocRule(
                ("evmcs",),
                "tlbflush-direct needs evmcs too",
                "The VMX implementation of direct TLB flush is part of enlightened VMCS; "
                "on AMD it works alone.",
                vendor="intel",
            ),
        ),
        nested_only=True,
        guest_cpuid="CPUID 0x4000000A.EAX bit 17 (direct nested TLB flush)",
        tags=("nested", "tlb", "flush"),
    ),
    Enlightenment(
        **_named("passthrough"),
        recommended=False,
        not_recommended_because="development only: blocks migration, differs per host and "
        "kernel; an explicit list is portable",
        summary="Everything this host's KVM supports; overrides the list, blocks migration.",
        doc="""\
Instead of a list, QEMU asks KVM what it supports and turns all of it on
(except syndbg), copying KVM's spinlocks and vendor values too. Any other
`hv-*` option you set is ignored.

**When to turn it on:** for development or quick tests. QEMU's document keeps it
out of production.

**What it costs:** the VM cannot be live-migrated (QEMU blocks it), the guest
sees something different on every host and kernel, and it also turns on crash,
which blocks Windows crash dumps. Some QEMU/kernel pairs failed to start with
it. An explicit list is portable and reviewable.
""",
        group=Group.SPECIAL,
        kind=ValueKind.SWITCH,
        qemu_since=V("4.1"),
        sources=(
            _since(
                "qemu merge 68d7ff0c 'X86 Hyper-V CPUID improvements' (2019-06-21), first "
                "released in QEMU 4.1"
            ),
        ),
        libvirt=LibvirtMapping(
            LibvirtKind.MODE,
            "passthrough",
            None,
            V("8.0.0"),
            "<hyperv mode='passthrough'/>",
            "From libvirt 11.0.0 child elements are ignored in this mode.",
        ),
        production=False,
        overrides_list=True,
        migration=Migration.BLOCKS,
        migration_note="QEMU adds a migration blocker: the destination may support a "
        "different set.",
        cautions=(
            Caution(
                Severity.WARNING,
                "blocks-migration",
                "passthrough blocks live migration and turns on crash",
                "QEMU cannot promise the destination supports the same set, so it refuses "
                "to migrate; every supported option, crash included, is enabled.",
            ),
        ),
        tags=("all", "host"),
    ),
    Enlightenment(
        **_named("enforce-cpuid"),
        recommended=False,
        not_recommended_because="a testing feature, kept out of production by QEMU's document",
        summary="Only lets the guest use the enlightenments it was shown; for testing.",
        doc="""\
By default KVM lets a guest use every Hyper-V feature KVM implements, even ones
QEMU did not announce in CPUID. With **hv-enforce-cpuid** KVM refuses the
unannounced ones.

**When to turn it on:** for testing that a configuration really contains what a
guest needs. QEMU's document keeps it out of production.

**What it costs:** a guest that uses an unannounced feature gets faults instead
of silently working. Needs a kernel with KVM_CAP_HYPERV_ENFORCE_CPUID (5.14+).
""",
        kept_by_passthrough=True,
        group=Group.SPECIAL,
        kind=ValueKind.SWITCH,
        qemu_since=V("6.2"),
        sources=(
            _since(
                "present in QEMU 7.2; 6.2 is read from the KVM_CAP_HYPERV_ENFORCE_CPUID series "
                "date (2021-09), not from a tag",
                verified=False,
            ),
        ),
        libvirt=_no_libvirt(_NO_ELEMENT),
        production=False,
        tags=("testing", "strict"),
    ),
)
