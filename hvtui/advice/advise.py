"""Host-aware findings: the model's validation plus what the host, the intent and the
target QEMU/libvirt versions say about a configuration.

Every rule reads its facts from the catalog (vendors, host needs, versions,
migration effect, what an intent needs); this module only decides how the host's
answers turn those facts into findings and fixes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from hvtui import catalog
from hvtui.advice.host import HostView
from hvtui.advice.support import kvm_offers, nested_missing
from hvtui.catalog import (
    Enlightenment,
    HostNeed,
    LibvirtKind,
    Migration,
    Severity,
    Value,
    WithoutHyperV,
)
from hvtui.catalog.cpu_settings import virt_flag
from hvtui.intents import DEFAULT_INTENT, Intent, get_intent
from hvtui.model import Config, Finding, Fix, sort_findings, validate
from hvtui.model.codes import FindingCode
from hvtui.model.config import off_value, on_value
from hvtui.model.cpu import CpuSettings
from hvtui.model.qemu_target import qemu_refusals
from hvtui.model.validate import unsorted_findings
from hvtui.model.values import PLAIN_TYPES
from hvtui.records import field, record
from hvtui.versions import Version

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import Any, TypeVar

    _T = TypeVar("_T")

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@record(frozen=True)
class Context:
    """Everything advice may take into account besides the configuration."""

    host: HostView | None = None
    intent: Intent = field(default_factory=lambda: get_intent(DEFAULT_INTENT))
    qemu: Version | None = None
    """Target QEMU (explicit, else the host's installed one)."""
    libvirt: Version | None = None
    vcpus: int | None = None
    """vCPUs of the VM being configured (for overcommit)."""
    pinned: bool | None = None
    """Whether this VM's vCPUs will be pinned one-to-one."""
    cpu: CpuSettings | None = None
    """The VM's CPU settings (a preset's ``[cpu]``, or what an audit read); None: unknown."""
    cpu_model: str | None = None
    """The guest CPU model (``host``, ``Skylake-Server``); None: unknown."""

    @property
    def target_qemu(self) -> Version | None:
        """The explicit target QEMU, else the one installed on the host."""
        return self.qemu or (self.host.qemu if self.host else None)

    @property
    def target_libvirt(self) -> Version | None:
        """The explicit target libvirt, else the one installed on the host."""
        return self.libvirt or (self.host.libvirt if self.host else None)

    @property
    def overcommitted(self) -> bool | None:
        """More vCPUs (running VMs plus this one) than host CPUs; None when unknown.

        A VM with more vCPUs than the host has CPUs overcommits it on its own,
        whatever else runs (a snapshot without recorded processes included)."""
        host = self.host
        if host is None or host.logical_cpus is None:
            return None
        if self.vcpus is not None and self.vcpus > host.logical_cpus:
            return True
        if host.running_vcpus is None:
            return None
        return host.running_vcpus + (self.vcpus or 0) > host.logical_cpus

    @property
    def core_sharing_excluded(self) -> bool | None:
        """vCPUs cannot share a core with other work: pinned, or SMT impossible."""
        if self.pinned:
            return True
        if self.host is not None and self.host.smt_impossible:
            return True
        if self.pinned is False:
            return False
        return None


#: The options that only make sense in a guest that runs its own hypervisor.
_NESTED_ONLY = frozenset(e.name for e in catalog.ENTRIES if e.nested_only)
#: The catalog's entries by canonical name: the rules look up the options a configuration
#: has on (catalog names, no spelling to fold) with a dict lookup, not a call of
#: :func:`hvtui.catalog.get` (an audit judges a thousand configurations, ~40 lookups each).
_ENTRY = catalog.BY_NAME
#: The options QEMU drops without a word on a KVM with no Hyper-V (the others stop it).
_DROPPED_WITHOUT_HYPERV = frozenset(
    e.name for e in catalog.ENTRIES if e.without_hyperv is WithoutHyperV.DROPPED
)
#: The options with host needs, and those needs (the others have none to check).
_HOST_NEEDS = {e.name: e.host_needs for e in catalog.ENTRIES if e.host_needs}
#: The options with an overcommit value (spinlocks), in catalog order, with that value.
_OVERCOMMIT = tuple(
    (e, e.overcommit_value) for e in catalog.ENTRIES if e.overcommit_value is not None
)


#: Findings made once and handed out again (they are immutable records): the rules of a
#: fleet's audit make the same finding for VM after VM (a thousand domains: 446 objects of
#: one overcommit finding), and a finding seen before is also written once, by its
#: identity, by ``audit --json``.  The key says everything the finding is made of;
#: ``id(host)`` stands for the host, whose object is kept with the finding so that the
#: id stays its own.
_MADE: dict[tuple[object, ...], tuple[object, Any]] = {}
#: At most this many are kept; past that the cache starts again.
_MADE_LIMIT = 4096


def _made(key: tuple[object, ...], holder: object, make: Callable[..., _T], *args: object) -> _T:
    """``make(*args)``, or what it gave before for ``key`` (``holder``: an object whose ``id``
    is in the key, kept with the answer)."""
    found = _MADE.get(key)
    if found is not None and found[0] is holder:
        answer: _T = found[1]
        return answer
    made = make(*args)
    if len(_MADE) >= _MADE_LIMIT:
        _MADE.clear()
    _MADE[key] = (holder, made)
    return made


#: Whether :func:`advise` may sort the model's findings once, together with its rules'
#: ones: the sort is stable, so the order is the same as sorting them first, unless
#: :func:`_soften` ties two findings that the first sort had put in another order.  It
#: lowers every migration caveat alike, so that needs two of one option (each comes from
#: one of its cautions) with different severities: none in the catalog.
_SORT_ONCE = all(
    len({c.severity for c in e.cautions if c.code == FindingCode.MIGRATION_NEEDS_TSC.value}) < 2
    for e in catalog.ENTRIES
)


def make_context(
    host: HostView | None = None,
    *,
    intent: str = DEFAULT_INTENT,
    qemu: Version | None = None,
    libvirt: Version | None = None,
    vcpus: int | None = None,
    pinned: bool | None = None,
    cpu: CpuSettings | None = None,
    cpu_model: str | None = None,
) -> Context:
    """A :class:`Context` from plain arguments (intent by name)."""
    return Context(host, get_intent(intent), qemu, libvirt, vcpus, pinned, cpu, cpu_model)


def advise(config: Config, context: Context | None = None) -> list[Finding]:
    """All findings for ``config``: the model's own plus the host-aware ones, worst first."""
    ctx = context or Context()
    host = ctx.host
    vendor = host.vendor if host else None
    # Sorted once, with the rules' findings, below: the order validate's sort would give.
    findings = (
        unsorted_findings(config, vendor=vendor) if _SORT_ONCE else validate(config, vendor=vendor)
    )
    findings = [_soften(f, ctx) for f in findings if not _superseded(f, ctx)]
    for rule in _RULES:
        findings.extend(rule(config, ctx))
    return sort_findings(findings)


def _superseded(finding: Finding, ctx: Context) -> bool:
    """Generic cautions that host knowledge or the intent answers better: pinning when
    SMT is impossible, APIC virtualization when the host has it enabled, migration
    blockers when the VM must migrate (reported as errors by ``_migration``)."""
    if finding.code is FindingCode.NEEDS_PINNING:
        return ctx.core_sharing_excluded is True
    if finding.code is FindingCode.BLOCKS_MIGRATION and ctx.intent.migratable:
        return True  # the migration rule reports it as an error instead
    if finding.code is FindingCode.NEEDS_APIC_VIRT:
        return ctx.host is not None and ctx.host.apic_virt_enabled is True
    return False


def _soften(finding: Finding, ctx: Context) -> Finding:
    """A migration caveat is only information for a VM that is not meant to migrate."""
    if finding.code is FindingCode.MIGRATION_NEEDS_TSC and not ctx.intent.migratable:
        return _made(
            ("soften", id(finding)),
            finding,
            Finding,
            Severity.INFO,
            finding.code,
            finding.options,
            finding.message,
            finding.explanation,
            finding.fix,
        )
    return finding


def _turn_off(name: str) -> Fix:
    return Fix(f"turn off {name}", (_off_change(name),))


@functools.lru_cache(maxsize=256)  # the catalog is fixed; asked per option on, per VM
def _off_change(name: str) -> tuple[str, Value | None]:
    """The change that turns ``name`` off (:func:`_turn_off`'s, without a fix around it)."""
    return name, off_value(catalog.get(name))


# -- rules ---------------------------------------------------------------------------
# Each rule returns the findings of one concern; they run in this order.


def _host_basics(config: Config, ctx: Context) -> list[Finding]:
    host = ctx.host
    if host is None or not config.enabled():
        return []
    return list(_made(("basics", id(host)), host, _host_basics_of, host))


def _host_basics_of(host: HostView) -> tuple[Finding, ...]:
    """:func:`_host_basics` of a configuration with an option on: the host's alone."""
    out: list[Finding] = []
    if host.kvm_usable is False:
        out.append(
            Finding(
                WARNING,
                FindingCode.KVM_UNUSABLE,
                (),
                f"KVM is not usable on {host.label}: the VM cannot run here with KVM",
                "Enlightenments only exist under KVM; see 'hvtui detect' for why /dev/kvm "
                "cannot be used (module not loaded, or no access: run as root or join the kvm "
                "group).",
            )
        )
    if host.in_vm:
        out.append(
            Finding(
                INFO,
                FindingCode.HOST_IS_A_VM,
                (),
                f"{host.label} is itself a virtual machine (nested KVM)",
                "On nested or cloud hosts some enlightenments fail to start (e.g. 'kernel "
                "doesn't allow setting HyperV VP_INDEX'); check the list KVM reports.",
            )
        )
    return tuple(out)


def _unsupported(config: Config, ctx: Context) -> list[Finding]:
    host = ctx.host
    if host is None or host.hyperv is None:
        return []
    if not host.hyperv:
        return _without_hyperv(config, host)
    missing = tuple(n for n in config.enabled() if kvm_offers(_ENTRY[n], host) is False)
    if not missing:
        return []
    return [_made(("unsupported", id(host), missing), host, _unsupported_of, missing, host)]


def _unsupported_of(missing: tuple[str, ...], host: HostView) -> Finding:
    """:func:`_unsupported`'s finding for the options ``missing`` on ``host``."""
    message = f"{host.label}'s KVM does not support: {', '.join(missing)}"
    return Finding(
        ERROR,
        FindingCode.UNSUPPORTED_BY_HOST,
        missing,
        message,
        "QEMU asks KVM for the same list (KVM_GET_SUPPORTED_HV_CPUID) and refuses to start "
        "with 'Hyper-V ... is not supported by kernel'.",
        Fix("turn off " + ", ".join(missing), tuple(_off_change(n) for n in missing)),
    )


def _without_hyperv(config: Config, host: HostView) -> list[Finding]:
    """A KVM with no Hyper-V at all: what QEMU really does with each option.

    QEMU's ``hyperv_enabled()`` is false there, so it exposes no Hyper-V CPUID and
    drops every hv-* option without a word (a warning: the guest will not get it);
    only the options whose MSRs QEMU writes anyway make it stop (an error), as the
    catalog's ``without_hyperv`` records.
    """
    enabled = config.enabled()
    fatal = tuple(n for n in enabled if n not in _DROPPED_WITHOUT_HYPERV)
    dropped = tuple(n for n in enabled if n in _DROPPED_WITHOUT_HYPERV)
    out: list[Finding] = []
    if fatal:
        out.append(_made(("fatal", id(host), fatal), host, _fatal_of, fatal, host))
    if dropped:
        out.append(_made(("dropped", id(host), dropped), host, _dropped_of, dropped, host))
    return out


def _no_hyperv_note(host: HostView) -> str:
    return f" ({host.hyperv_note})" if host.hyperv_note else ""


def _fatal_of(fatal: tuple[str, ...], host: HostView) -> Finding:
    """:func:`_without_hyperv`'s error for the options ``fatal`` (that stop QEMU)."""
    reasons = "; ".join(map(_stop_reason_of, fatal))
    return Finding(
        ERROR,
        FindingCode.UNSUPPORTED_BY_HOST,
        fatal,
        f"{host.label}'s KVM offers no Hyper-V enlightenments{_no_hyperv_note(host)}: QEMU "
        f"will not start with {', '.join(fatal)}",
        f"{reasons}. On such a host QEMU drops the other hv-* options silently, but "
        "it still writes these options' registers (or checks VP_INDEX), which KVM "
        "refuses.",
        Fix("turn off " + ", ".join(fatal), tuple(_off_change(n) for n in fatal)),
    )


def _dropped_of(dropped: tuple[str, ...], host: HostView) -> Finding:
    """:func:`_without_hyperv`'s warning for the options ``dropped`` (QEMU drops them)."""
    return Finding(
        WARNING,
        FindingCode.IGNORED_BY_HOST,
        dropped,
        f"{host.label}'s KVM offers no Hyper-V enlightenments{_no_hyperv_note(host)}: QEMU "
        f"starts, but the guest will not get {', '.join(dropped)}",
        "Without Hyper-V in KVM, QEMU skips its Hyper-V set-up and drops these options "
        "without a word; the guest sees KVM's signature and no Hyper-V at all.",
        Fix("turn off " + ", ".join(dropped), tuple(_off_change(n) for n in dropped)),
    )


@functools.cache  # the catalog is fixed; asked for every option on, per VM
def _stop_reason_of(name: str) -> str:
    """:func:`_stop_reason` of the catalog option ``name``."""
    return _stop_reason(_ENTRY[name])


def _stop_reason(entry: Enlightenment) -> str:
    how = "refuses it" if entry.without_hyperv is WithoutHyperV.REFUSED else "aborts"
    return f"{entry.qemu_property}: QEMU {how} ({entry.without_hyperv_error})"


def advise_cpu(config: Config, cpu: CpuSettings, cpu_model: str) -> list[Finding]:
    """The CPU-settings findings alone, for a preset without a host (``hvtui check``)."""
    return _cpu_settings(config, make_context(cpu=cpu, cpu_model=cpu_model))


def _cpu_settings(config: Config, ctx: Context) -> list[Finding]:
    """The settings around the hv-* options that decide whether they do their job."""
    cpu = ctx.cpu
    if cpu is None:
        return []
    out: list[Finding] = []
    nested = ctx.intent.nested or not config.on_names().isdisjoint(_NESTED_ONLY)
    model = ctx.cpu_model
    if nested and model is not None and model not in ("host", "max") and not cpu.nested_virt:
        flag = virt_flag(model, ctx.host.vendor if ctx.host else None)
        out.append(
            Finding(
                ERROR,
                FindingCode.NESTED_VIRT_MISSING,
                (),
                f"the guest CPU model {model} does not show {flag}: Hyper-V, WSL2 or VBS "
                "inside the guest cannot start",
                f"A named CPU model only gets the virtualization extension when asked "
                f"(-cpu {model},{flag}=on; libvirt <feature policy='require' name='{flag}'/>). "
                "Set [cpu] nested-virt = true.",
            )
        )
    if ctx.intent.migratable and cpu.tsc_frequency is None:
        needs = [n for n in config.enabled() if _ENTRY[n].migration is Migration.NEEDS_TSC]
        if cpu.invtsc:
            needs.append("invtsc")
        if needs:
            out.append(
                Finding(
                    ERROR,
                    FindingCode.TSC_FREQUENCY_MISSING,
                    tuple(n for n in needs if catalog.canonical_name(n) is not None),
                    f"{', '.join(needs)} without a fixed tsc-frequency: QEMU refuses to "
                    "migrate this VM",
                    "QEMU adds a migration blocker (\"'tsc-frequency=' has to be specified\") "
                    "for re-enlightenment and invtsc. Set [cpu] tsc-frequency to the TSC rate "
                    "(Hz) of the slowest host in the pool.",
                )
            )
    host = ctx.host
    if (
        cpu.invtsc
        and host is not None
        and (host.tsc_invariant is False or (host.clocksource not in (None, "tsc")))
    ):
        why = (
            "the host TSC is not invariant"
            if host.tsc_invariant is False
            else f"the host kernel's clocksource is {host.clocksource}, not tsc"
        )
        out.append(
            Finding(
                WARNING,
                FindingCode.INVTSC_UNSTABLE,
                (),
                f"invtsc tells the guest its TSC is invariant, but {why}",
                "Only a host whose TSC is invariant and whose kernel clocksource is tsc gives "
                "the guest a TSC it can trust as a clock; hv-time's benefit depends on it too.",
            )
        )
    if cpu.hide_kvm:
        out.append(
            Finding(
                INFO,
                FindingCode.KVM_HIDDEN,
                (),
                "hide-kvm removes KVM's signature: the guest loses kvmclock, PV EOI, PV TLB "
                "flush and steal time",
                "Only NVIDIA consumer drivers before 465 needed it (code 43); keep it off "
                "otherwise.",
            )
        )
    return out


def _host_needs(config: Config, ctx: Context) -> list[Finding]:
    host = ctx.host
    out: list[Finding] = []
    for name in config.enabled():
        needs = _HOST_NEEDS.get(name)
        if needs is None:  # most options need nothing of the host
            continue
        entry = _ENTRY[name]
        for need in needs:
            # What the finding is made of: the option, the need, the host, and of the rest
            # only what one need or another reads (the intent's migration, the pinning and
            # whether the option is "on").
            key = (
                "need",
                id(host),
                name,
                need._value_,  # the member's value: hashed in C, the member in Python
                ctx.intent.migratable,
                ctx.pinned,
                need is HostNeed.PINNED_VCPUS and config.get(name) == "on",
            )
            finding = _made(key, host, _check_need, entry, need, config, ctx, host)
            if finding is not None:
                out.append(finding)
    return out


def _check_need(
    entry: Enlightenment, need: HostNeed, config: Config, ctx: Context, host: HostView | None
) -> Finding | None:
    name = entry.name
    if need is HostNeed.NESTED_VIRT and host is not None and nested_missing(entry, host):
        return Finding(
            ERROR,
            FindingCode.NEEDS_NESTED,
            (name,),
            f"{name} needs nested virtualization, which is off in KVM on {host.label}",
            "KVM only offers it when its 'nested' parameter is on (e.g. kvm_intel nested=1); "
            "QEMU refuses to start without it.",
            _turn_off(name),
        )
    if need is HostNeed.APIC_VIRT and host is not None and host.apic_virt_enabled is False:
        hw = (
            "the hardware lacks it"
            if host.apic_virt_hardware is False
            else ("KVM has it disabled (kvm_amd avic=1 / kvm_intel enable_apicv=Y)")
        )
        return Finding(
            WARNING,
            FindingCode.APIC_VIRT_OFF,
            (name,),
            f"{name} without APICv/AVIC on {host.label}: {hw}",
            "The hint only helps when hardware APIC virtualization is enabled in KVM; "
            "without it QEMU's document warns it can make the guest slower.",
            _turn_off(name),
        )
    if need is HostNeed.TSC_SCALING and host is not None and host.tsc_scaling is False:
        severity = ERROR if ctx.intent.migratable else WARNING
        return Finding(
            severity,
            FindingCode.NO_TSC_SCALING,
            (name,),
            f"{name} on a host without TSC scaling: the VM cannot migrate to a host with "
            "another TSC frequency",
            "QEMU's document: reenlightenment can only be used on hardware with TSC scaling "
            "or when the guest never migrates.",
            _turn_off(name),
        )
    if need is HostNeed.STABLE_TSC and host is not None and host.stable_tsc is False:
        why = host.unstable_tsc_reason
        return Finding(
            WARNING,
            FindingCode.UNSTABLE_TSC,
            (name,),
            f"{name} on {host.label}: {why}, so KVM cannot give the guest the reference TSC page",
            "KVM publishes the exit-less reference TSC page only when the host runs on a "
            "stable TSC clocksource; the guest falls back to the slower MSR clock.",
        )
    if need is HostNeed.PINNED_VCPUS and config.get(name) == "on":
        excluded = ctx.core_sharing_excluded
        if excluded is False or (excluded is None and host is not None and host.smt_active is True):
            smt = f" and SMT is on ({host.smt_control})" if host and host.smt_active else ""
            return Finding(
                WARNING,
                FindingCode.CORE_SHARING_POSSIBLE,
                (name,),
                f"{name}=on promises no core sharing, but vCPUs are not known to be pinned{smt}",
                "Pin each vCPU to its own physical core with a matching guest topology, or "
                "use 'off'; a false promise lets Windows skip SMT mitigations.",
                Fix(f"set {name} to off", ((name, "off"),)),
            )
    return None


def _migration(config: Config, ctx: Context) -> list[Finding]:
    if not ctx.intent.migratable:
        return []
    out: list[Finding] = []
    for name in config.enabled():
        value = config.get(name)
        if type(value) in PLAIN_TYPES:  # the value (and its type: ``True == 1``) as key
            finding = _made(("migration", name, type(value), value), None, _moving, name, value)
        else:
            finding = _moving(name, value)
        if finding is not None:
            out.append(finding)
    return out


def _moving(name: str, value: object) -> Finding | None:
    """:func:`_migration`'s finding for the option ``name`` on with ``value``, if any."""
    entry = _ENTRY[name]
    blocks = entry.migration is Migration.BLOCKS or (
        entry.migration is Migration.BLOCKS_WHEN_AUTO and value == "auto"
    )
    if blocks:
        return Finding(
            ERROR,
            FindingCode.BLOCKS_MIGRATION,
            (name,),
            f"{name}{'=' + str(value) if isinstance(value, str) else ''} blocks live "
            "migration, which this VM needs",
            entry.migration_note or "QEMU refuses to migrate a VM with it.",
            _turn_off(name),
        )
    if entry.vendors is not None or entry.nested_only:
        return Finding(
            WARNING,
            FindingCode.HOST_SPECIFIC,
            (name,),
            f"{name} is host-specific: a migration target must offer it too",
            "Options tied to a CPU vendor or used only by nested guests make the VM "
            "depend on what each destination host offers.",
            _turn_off(name),
        )
    return None


def _spinlocks(config: Config, ctx: Context) -> list[Finding]:
    over = ctx.overcommitted
    out: list[Finding] = []
    if not over:  # not overcommitted, or unknown: nothing to say
        return out
    for entry, limit in _OVERCOMMIT:
        value = config.get(entry.name)
        if value is None or (isinstance(value, int) and value > limit):
            out.append(_made(("overcommit", entry.name), None, _overcommit_of, entry, limit))
    return out


def _overcommit_of(entry: Enlightenment, limit: int) -> Finding:
    """:func:`_spinlocks`' finding for ``entry`` and its overcommit value ``limit``."""
    return Finding(
        WARNING,
        FindingCode.OVERCOMMITTED,
        (entry.name,),
        f"host CPUs are overcommitted: set {entry.name} to {limit:#x}",
        "QEMU's document: with more runnable vCPUs than CPUs, a guest spinning on a "
        "lock should hand the CPU back early.",
        Fix(f"set {entry.name} to {limit:#x}", ((entry.name, limit),)),
    )


@functools.lru_cache(maxsize=16)
def _libvirt_fallbacks(libvirt: Version) -> frozenset[str]:
    """The options libvirt ``libvirt`` has no element for (the catalog is fixed; an
    audit asks once per VM)."""
    return frozenset(
        e.name
        for e in catalog.ENTRIES
        if e.libvirt.kind is LibvirtKind.NONE
        or (e.libvirt.since is not None and e.libvirt.since > libvirt)
    )


def _versions(config: Config, ctx: Context) -> list[Finding]:
    out: list[Finding] = qemu_refusals(config, ctx.target_qemu)
    libvirt = ctx.target_libvirt
    if libvirt is None:
        return out
    fallbacks = _libvirt_fallbacks(libvirt)
    for name, _ in config:
        if name in fallbacks and config.is_on(name):  # a catalog name, on, no element
            out.append(_made(("fallback", id(libvirt), name), libvirt, _fallback, name, libvirt))
    return out


def _fallback(name: str, libvirt: Version) -> Finding:
    """:func:`_versions`' finding for the option ``name``, which ``libvirt`` cannot express."""
    lv = _ENTRY[name].libvirt
    since = f"libvirt {lv.since}" if lv.since else "no libvirt version"
    return Finding(
        INFO,
        FindingCode.LIBVIRT_FALLBACK,
        (name,),
        f"libvirt {libvirt} cannot express {name} ({since} has an element); the "
        "libvirt export passes it with <qemu:commandline>",
        "hvtui writes a -global host-x86_64-cpu.hv-...=on argument in the domain's "
        "qemu:commandline with a comment saying why.",
    )


def _intent_needs(config: Config, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    host = ctx.host
    if ctx.intent.nested and host is not None and host.nested is False:
        out.append(
            Finding(
                WARNING,
                FindingCode.NESTED_OFF,
                (),
                f"nested virtualization is off in KVM on {host.label}, so Hyper-V cannot run "
                "inside the guest",
                "Turn on the vendor module's 'nested' parameter (kvm_intel nested=1 or "
                "kvm_amd nested=1) and restart the VMs.",
            )
        )
    for entry in _important_for(ctx.intent.name):
        if config.is_on(entry.name):
            continue
        vendor = host.vendor if host else None
        if entry.vendors is not None and vendor not in entry.vendors:
            continue  # not applicable (or unknowable) on this host's vendor
        if host is not None and host.supports(entry.name) is False:
            continue  # already impossible here; recommend explains it
        key = ("intent", entry.name, ctx.intent.name)
        out.append(_made(key, None, _missing_for, entry, ctx.intent.name))
    return out


def _missing_for(entry: Enlightenment, intent: str) -> Finding:
    """:func:`_intent_needs`' finding for ``entry``, off while important for ``intent``."""
    return Finding(
        WARNING,
        FindingCode.MISSING_FOR_INTENT,
        (entry.name,),
        f"{entry.name} is off: {entry.missing_hurts}",
        f"Recommended for the '{intent}' intent.",
        Fix(f"turn on {entry.name}", ((entry.name, on_value(entry)),)),
    )


@functools.lru_cache(maxsize=16)  # the catalog is fixed; asked once per VM
def _important_for(intent: str) -> tuple[Enlightenment, ...]:
    """The options important for the intent named ``intent``, in catalog order."""
    return tuple(e for e in catalog.ENTRIES if intent in e.important_for)


_RULES: tuple[Callable[[Config, Context], list[Finding]], ...] = (
    _host_basics,
    _unsupported,
    _cpu_settings,
    _host_needs,
    _migration,
    _spinlocks,
    _versions,
    _intent_needs,
)
