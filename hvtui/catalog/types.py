"""The shapes of catalog facts.

These classes only describe *what kind* of fact the catalog records; the facts
themselves live in :mod:`hvtui.catalog.entries`.  Keeping the types apart lets
every consumer (validation, advice, exports, importers, CLI, TUI) type-check
against one vocabulary without importing the big table.
"""

from __future__ import annotations

import enum

from hvtui.records import field, record
from hvtui.versions import Version

#: A configured value: a switch is ``bool``, a number ``int``, a string or a
#: tri-state (``"on"``/``"off"``/``"auto"``) is ``str``.
Value = bool | int | str


class ValueKind(enum.Enum):
    """How an option is set on QEMU's command line and in a preset."""

    SWITCH = "switch"
    """``hv-x=on|off``; a TOML boolean."""
    UINT = "uint"
    """An unsigned integer of a fixed bit width; a TOML integer."""
    STRING = "string"
    """A short string (only ``hv-vendor-id``); a TOML string."""
    TRISTATE = "tristate"
    """``on``/``off``/``auto`` (only ``hv-no-nonarch-coresharing``); a TOML string."""


class Group(enum.Enum):
    """Where an option sits in the wizard's sidebar and in ``explain`` listings."""

    CORE = "core"
    TIMERS = "timers"
    INTERRUPTS = "interrupts and TLB"
    NESTED = "nested"
    IDENTITY = "identity"
    DEBUGGING = "debugging"
    SPECIAL = "special"


class Severity(enum.Enum):
    """How much a finding matters; ordered so that ``max()`` gives the worst."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return ("info", "warning", "error").index(self.value)


class Migration(enum.Enum):
    """What an option does to live migration."""

    SAFE = "safe"
    """Nothing host-specific reaches the guest."""
    BLOCKS = "blocks"
    """QEMU installs a migration blocker (``hv-passthrough``)."""
    BLOCKS_WHEN_AUTO = "blocks-when-auto"
    """Only the ``auto`` value blocks (``hv-no-nonarch-coresharing``)."""
    NEEDS_TSC = "needs-tsc"
    """Migrates only with a fixed ``tsc-frequency`` and a destination of equal
    TSC frequency or with TSC scaling (``hv-reenlightenment``)."""


class HostNeed(enum.Enum):
    """A property of the host an option needs to be useful or safe.

    The catalog only states the need; the advice engine decides from a host
    report whether it is met.
    """

    INTEL = "intel"
    """The host CPU is Intel (a VMX-only protocol)."""
    NESTED_VIRT = "nested-virt"
    """KVM's ``nested`` parameter is on (only nested guests use it)."""
    APIC_VIRT = "apic-virt"
    """Intel APICv or AMD AVIC is present and enabled in KVM."""
    TSC_SCALING = "tsc-scaling"
    """The CPU can scale the guest TSC (needed to migrate to another frequency)."""
    STABLE_TSC = "stable-tsc"
    """Invariant TSC and the ``tsc`` clocksource, so KVM can publish the TSC page."""
    PINNED_VCPUS = "pinned-vcpus"
    """Each vCPU is pinned to its own physical CPU with a matching topology."""

    @property
    def host_specific(self) -> bool:
        """True when a VM relying on it may not behave the same on another host.

        A stable TSC only changes how fast the guest's clock is read, so it does not
        make a configuration host-specific; the others do.
        """
        return self is not HostNeed.STABLE_TSC


class WithoutHyperV(enum.Enum):
    """What QEMU does with an option on a KVM that has no Hyper-V at all (no
    ``KVM_CAP_HYPERV``: kernels built without ``CONFIG_KVM_HYPERV``).

    QEMU's ``hyperv_enabled()`` is false there, so it skips every Hyper-V CPUID
    check and exposes no Hyper-V leaves; but ``kvm_put_msrs()`` still writes the
    MSRs of some options, and KVM rejects those writes.  Verified with QEMU 7.2
    and ``-accel kvm`` on a Linux 6.18 host without Hyper-V.
    """

    DROPPED = "dropped"
    """QEMU starts; the guest does not get the option (no Hyper-V CPUID at all)."""
    ABORTS = "aborts"
    """QEMU aborts at start: KVM refuses the option's MSR (``failed to set MSR``)."""
    REFUSED = "refused"
    """QEMU refuses to start with its own message (vpindex: ``kernel doesn't allow
    setting HyperV VP_INDEX``)."""


class FactKind(enum.StrEnum):
    """Which fact of an entry a :class:`Source` backs."""

    QEMU_SINCE = "qemu-since"
    VALUE = "value"
    """Value type, range and QEMU's default."""
    DEPENDENCIES = "dependencies"
    CPUID = "cpuid"
    LEGACY = "legacy"
    """How kernels before 5.0 (no KVM_GET_SUPPORTED_HV_CPUID) show support."""
    WITHOUT_HYPERV = "without-hyperv"
    LIBVIRT = "libvirt"
    DOCS = "docs"
    """Meaning, recommendation and the document-level rules."""
    DEFAULTS = "defaults"
    """Defaults that depend on the machine type."""


@record(frozen=True)
class Source:
    """Where a catalog fact was checked: a file at a release, a commit or a release note.

    ``verified`` is False where the fact is inferred (for example a first QEMU release
    read from a mailing-list date rather than a tag); ``hvtui explain`` says so.
    """

    fact: FactKind
    where: str
    verified: bool = True


@record(frozen=True)
class CpuidBits:
    """Bits of KVM's Hyper-V CPUID answer that must all be set for support.

    ``leaf``/``register``/``mask`` are the same triples QEMU's
    ``kvm_hyperv_properties[]`` tests in ``hyperv_feature_supported()``.
    """

    leaf: int
    register: str
    mask: int

    def describe(self) -> str:
        """``0x40000003.EAX & 0x202`` style text for docs and reports."""
        return f"{self.leaf:#010x}.{self.register.upper()} & {self.mask:#x}"


class LibvirtKind(enum.Enum):
    """Where an option lives in a libvirt domain definition."""

    HYPERV = "hyperv"
    """``<features><hyperv mode='custom'><NAME state='on' .../>``."""
    HYPERV_CHILD = "hyperv-child"
    """A child of another hyperv element, e.g. ``<stimer><direct state='on'/>``."""
    CLOCK_TIMER = "clock-timer"
    """``<clock><timer name='hypervclock' present='yes'/>``."""
    PANIC = "panic"
    """``<devices><panic model='hyperv'/>``."""
    MODE = "mode"
    """The ``mode`` attribute of ``<hyperv>`` itself (``passthrough``)."""
    NONE = "none"
    """libvirt has no element; only ``<qemu:commandline>`` can pass it."""


@record(frozen=True)
class LibvirtMapping:
    """How libvirt spells an option, and since which libvirt version."""

    kind: LibvirtKind
    element: str = ""
    """Element name (``spinlocks``), or ``parent/child`` for HYPERV_CHILD."""
    attribute: str | None = None
    """Attribute carrying the value (``retries``, ``value``), if any."""
    since: Version | None = None
    """First libvirt release that accepts it; ``None`` when there is no element."""
    example: str = ""
    """The XML as a user would paste it, for docs."""
    note: str = ""
    """Anything a user of this element should know (version quirks)."""
    minimum: int | None = None
    """Smallest value libvirt accepts in ``attribute`` (spinlocks: 4095); exports pass
    smaller values with ``<qemu:commandline>`` instead."""


@record(frozen=True)
class DocRule:
    """A requirement or recommendation the QEMU document states but QEMU does not enforce.

    Missing hard dependencies are errors and come from ``Enlightenment.requires``;
    these rules produce warnings (or info when they depend on a host fact that is
    not known yet, such as the CPU vendor).
    """

    options: tuple[str, ...]
    """Other options the document wants on together with this one."""
    message: str
    """One line, shown as the finding's message."""
    explanation: str
    """Why, in a sentence or two."""
    vendor: str | None = None
    """Only applies on this host CPU vendor (``"intel"``), if set."""


@record(frozen=True)
class Caution:
    """Something to tell a user who turns an option on, even when nothing is missing."""

    severity: Severity
    code: str
    """Stable identifier for scripts (``not-for-production``)."""
    message: str
    explanation: str
    when: Value | None = None
    """Only when the option has exactly this value (e.g. ``"auto"``); else whenever on."""
    below: int | None = None
    """Only when a UINT value is below this bound (spinlocks under libvirt's minimum)."""


@record(frozen=True)
class MachineDefault:
    """QEMU's default for machine types up to ``up_to`` (its compat properties)."""

    value: int
    up_to: Version
    """The newest machine type version that still gets ``value`` (6.1: pc-q35-6.1)."""


@record(frozen=True)
class OldQemuMinimum:
    """QEMU releases before ``until`` refuse values below ``minimum`` (a hard error there)."""

    minimum: int
    until: Version
    """The first release that accepts any value."""
    message: str
    """QEMU's own words for the refusal."""


@record(frozen=True)
class Enlightenment:
    """Every fact hvtui knows about one QEMU ``hv-*`` option."""

    name: str
    """Canonical preset key: the QEMU property without ``hv-`` (``stimer-direct``)."""
    summary: str
    """One line for lists and tooltips."""
    doc: str
    """A few Markdown paragraphs for a new admin: what it does, when, what it costs."""
    group: Group
    kind: ValueKind
    qemu_since: Version
    libvirt: LibvirtMapping
    aliases: tuple[str, ...] = ()
    """Other names QEMU accepts (``apicv`` for ``avic``)."""
    default: Value = False
    """QEMU's value when the option is absent."""
    older_machine_default: MachineDefault | None = None
    """The default older machine types keep (``default`` is the newest machines')."""
    suggested: Value | None = None
    """The value to use when a user turns a UINT/STRING option on without one."""
    bits: int = 0
    """Width of a UINT value (its range is ``0 .. 2**bits - 1``)."""
    hex_display: bool = False
    """Show and write the UINT value in hex (spinlocks: ``0x1fff``)."""
    max_length: int = 0
    """Longest STRING value in bytes."""
    choices: tuple[str, ...] = ()
    """Allowed TRISTATE values."""
    requires: tuple[str, ...] = ()
    """Hard dependencies QEMU enforces: it refuses to start without them."""
    doc_rules: tuple[DocRule, ...] = ()
    cautions: tuple[Caution, ...] = ()
    vendors: frozenset[str] | None = None
    """Host CPU vendors it works on; ``None`` means any."""
    nested_only: bool = False
    """Only a guest that is itself a hypervisor (Hyper-V, WSL2, VBS) uses it."""
    host_needs: tuple[HostNeed, ...] = ()
    migration: Migration = Migration.SAFE
    migration_note: str = ""
    cpuid: tuple[CpuidBits, ...] = ()
    """What KVM must report for the host to support it (all bits)."""
    legacy_caps: tuple[int, ...] = ()
    """Kernels before 5.0 (no KVM_GET_SUPPORTED_HV_CPUID): the KVM_CAP_HYPERV* capabilities
    that show support, as QEMU's ``get_supported_hv_cpuid_legacy`` reads them."""
    legacy_msrs: tuple[int, ...] = ()
    """Kernels before 5.0: the Hyper-V MSRs KVM must list (KVM_GET_MSR_INDEX_LIST).
    An option with neither legacy field did not exist before Linux 5.0."""
    cpuid_means_auto: bool = False
    """True when the CPUID bits are KVM's answer for ``auto``, not a support test:
    QEMU can always set the value ``on`` itself (no-nonarch-coresharing)."""
    kvm_cap: int | None = None
    """A KVM capability number that stands in for CPUID bits (enforce-cpuid)."""
    production: bool = True
    """False for debugging/development features the document keeps out of production."""
    enlightenment: bool = True
    """False for identity values that do not by themselves enable Hyper-V CPUID."""
    sources: tuple[Source, ...] = ()
    """Sources of this entry's own facts; the catalog adds the sources every entry
    shares (:data:`hvtui.catalog.entries.COMMON_SOURCES`) in :func:`sources_of`."""
    without_hyperv: WithoutHyperV = WithoutHyperV.DROPPED
    """What QEMU does with it when KVM has no Hyper-V at all."""
    without_hyperv_error: str = ""
    """What QEMU prints when it stops there (``failed to set MSR 0x40000073 to 0x0``:
    the option's MSR, which QEMU writes whatever KVM offers)."""
    extra_qemu_args: tuple[str, ...] = ()
    """Further QEMU arguments the option needs (syndbg's vmbus-bridge device)."""
    guest_cpuid: str = ""
    """What the guest sees change, in words (leaf/register/bit)."""
    value_cpuid: CpuidBits | None = None
    """Where the guest reads a UINT value (spinlocks, version ids): the register bits of
    its Hyper-V leaf that hold it (``hvtui verify`` reads it back from there)."""
    overrides_list: bool = False
    """True for hv-passthrough: it replaces the explicit list with KVM's."""
    kept_by_passthrough: bool = False
    """QEMU still applies it under hv-passthrough: syndbg (passthrough never turns it on),
    no-nonarch-coresharing (``hyperv_fill_cpuids`` sets it after the copy) and
    enforce-cpuid (a vCPU capability ``hyperv_init_vcpu`` enables either way)."""
    old_qemu_minimum: OldQemuMinimum | None = None
    """A lower bound that only older QEMU releases enforce (spinlocks before 4.1)."""
    overcommit_value: int | None = None
    """The UINT value to use when host CPUs are overcommitted (spinlocks: 0xfff)."""
    important_for: tuple[str, ...] = ()
    """Intents for which leaving it off is worth a warning."""
    missing_hurts: str = ""
    """What the guest loses without it, for that warning."""
    recommended: bool = True
    """Part of QEMU's "enable everything except..." recommendation (when the host
    supports it and its host needs are met)."""
    not_recommended_because: str = ""
    """Why the recommendation leaves it out (reset, crash, identity, debug features)."""
    intents: tuple[str, ...] = ()
    """Intents (``debug``, ``gpu-passthrough``...) that turn it on although it is not
    in the general recommendation."""
    tags: tuple[str, ...] = field(default_factory=tuple)
    """Free-form search words for the TUI's jump-to palette."""

    @property
    def qemu_property(self) -> str:
        """``hv-relaxed``: the property name on QEMU's ``-cpu`` line."""
        return f"hv-{self.name}"

    @property
    def needs_kvm_support(self) -> bool:
        """True when KVM must offer it (CPUID bits or a capability) for QEMU to start.

        Values QEMU sets by itself (spinlocks, identities, the tri-state) never do.
        """
        return (bool(self.cpuid) or self.kvm_cap is not None) and not self.cpuid_means_auto

    @property
    def qemu_since_verified(self) -> bool:
        """True when the first QEMU release was checked against a named source."""
        return any(s.fact is FactKind.QEMU_SINCE and s.verified for s in self.sources)

    @property
    def maximum(self) -> int:
        """Largest UINT value (0 for other kinds)."""
        return (1 << self.bits) - 1 if self.kind is ValueKind.UINT else 0

    def describe_range(self) -> str:
        """What values are allowed, in words, for errors and ``explain``."""
        if self.kind is ValueKind.SWITCH:
            return "true or false"
        if self.kind is ValueKind.UINT:
            return f"an integer from 0 to {self.maximum} ({self.maximum:#x}, {self.bits} bits)"
        if self.kind is ValueKind.STRING:
            return f"a string of 1 to {self.max_length} printable ASCII characters without a comma"
        quoted = [f'"{c}"' for c in self.choices]
        return ", ".join(quoted[:-1]) + " or " + quoted[-1]
