"""``recommend``: QEMU's own recommendation, applied to a host and an intent.

QEMU's document says: enable everything except syndbg, passthrough and
enforce-cpuid; skip reset; evmcs only on Intel; no-nonarch-coresharing only with
pinned vCPUs; leave identities alone; crash only when wanted; reenlightenment
only with TSC scaling; spinlocks by overcommit; avic only with APIC
virtualization.  Each of those is a catalog fact (``recommended``,
``vendors``, ``host_needs``, ``overcommit_value`` ...); this module walks the
catalog and records, for every option, what it chose and why.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.advice.advise import Context, advise
from hvtui.advice.host import HostView
from hvtui.catalog import Enlightenment, HostNeed, Migration, Severity, Value, ValueKind
from hvtui.catalog.cpu_settings import CpuSettingKey
from hvtui.model import Config, Finding
from hvtui.model.codes import FindingCode
from hvtui.model.config import on_value
from hvtui.model.cpu import CpuSettings
from hvtui.records import field, record


@record(frozen=True)
class Choice:
    """The decision for one option: its value, or ``None`` for left out, and why."""

    option: str
    value: Value | None
    reason: str

    @property
    def chosen(self) -> bool:
        """True when the option is in the recommendation."""
        return self.value is not None


@record(frozen=True)
class Recommendation:
    """A recommended configuration with a reason for every option."""

    intent: str
    config: Config
    choices: tuple[Choice, ...]
    findings: tuple[Finding, ...] = ()
    hosts: tuple[str, ...] = ()
    left_out_by_host: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    """For a fleet: per host, the options that host kept out of the common set."""
    cpu: CpuSettings = field(default_factory=CpuSettings)
    """The CPU settings around the options (a preset's ``[cpu]``)."""
    cpu_reasons: tuple[tuple[CpuSettingKey, str], ...] = ()
    """Why each CPU setting is set or left out."""

    def choice(self, option: str) -> Choice:
        """The decision for ``option``."""
        return next(c for c in self.choices if c.option == option)


def _decide(entry: Enlightenment, ctx: Context) -> Choice:
    """Choose a value for one option, or leave it out, with the reason."""
    host = ctx.host
    name = entry.name
    if not entry.recommended and ctx.intent.name not in entry.intents:
        return Choice(name, None, f"left out: {entry.not_recommended_because}")
    if ctx.intent.migratable:
        why = _host_specific(entry)
        if why:
            return Choice(name, None, f"left out for migration: {why}")
    if host is None:
        if entry.vendors is not None:
            return Choice(
                name,
                None,
                f"left out: {'/'.join(sorted(entry.vendors))} hosts only and the host is unknown",
            )
        needs = [n for n in entry.host_needs if n.host_specific and n is not HostNeed.INTEL]
        if needs and not ctx.core_sharing_excluded:
            return Choice(
                name,
                None,
                "left out: needs "
                + ", ".join(n.value for n in needs)
                + ", and the host is unknown",
            )
    else:
        if host.hyperv is not None and not host.hyperv:
            note = f" ({host.hyperv_note})" if host.hyperv_note else ""
            return Choice(
                name, None, f"left out: this host's KVM offers no Hyper-V enlightenments{note}"
            )
        if entry.vendors is not None and host.vendor not in entry.vendors:
            vendor = host.vendor or "unknown"
            return Choice(
                name,
                None,
                f"left out: {'/'.join(sorted(entry.vendors))} hosts only (this host: {vendor})",
            )
        if entry.needs_kvm_support and host.supports(name) is False:
            return Choice(name, None, "left out: this host's KVM does not support it")
        for need in entry.host_needs:
            missing = _need_unmet(need, host, ctx)
            if missing:
                return Choice(name, None, f"left out: {missing}")
    return Choice(name, _value(entry, ctx), _reason_for(entry, ctx))


def _host_specific(entry: Enlightenment) -> str:
    if entry.migration is Migration.BLOCKS:
        return "it blocks live migration"
    if entry.migration is Migration.NEEDS_TSC:
        return "it needs a fixed TSC frequency on every host"
    if entry.vendors is not None:
        return f"{'/'.join(sorted(entry.vendors))} hosts only"
    if entry.nested_only:
        return "used only by nested guests and depends on the host's nested support"
    needs = [n.value for n in entry.host_needs if n.host_specific]
    if needs:
        return "depends on the host (" + ", ".join(needs) + ")"
    return ""


def _need_unmet(need: HostNeed, host: HostView, ctx: Context) -> str:
    """Why a host need is not met (empty when it is, or when only a finding is due)."""
    if need is HostNeed.NESTED_VIRT and host.nested is not True:
        return "nested virtualization is " + ("off" if host.nested is False else "unknown")
    if need is HostNeed.APIC_VIRT and host.apic_virt_enabled is not True:
        state = "off" if host.apic_virt_enabled is False else "unknown"
        return f"APICv/AVIC is {state} in KVM"
    if need is HostNeed.TSC_SCALING and host.tsc_scaling is not True:
        return "TSC scaling is " + ("missing" if host.tsc_scaling is False else "unknown")
    if need is HostNeed.PINNED_VCPUS and not ctx.core_sharing_excluded:
        return "vCPUs are not known to be pinned and SMT is not forced off (use --pinned)"
    return ""


def _value(entry: Enlightenment, ctx: Context) -> Value:
    if entry.overcommit_value is not None and ctx.overcommitted:
        return entry.overcommit_value
    return on_value(entry)


def _vcpu_load(ctx: Context) -> str:
    """``12 vCPUs on 8 host CPUs``: the numbers behind an overcommit verdict."""
    host = ctx.host
    total = (ctx.vcpus or 0) + ((host.running_vcpus or 0) if host is not None else 0)
    cpus = host.logical_cpus if host is not None else None
    return f"{total} vCPUs on {cpus} host CPUs"


def _reason_for(entry: Enlightenment, ctx: Context) -> str:
    if not entry.recommended and ctx.intent.name in entry.intents:
        return f"added for the '{ctx.intent.name}' intent: {entry.summary}"
    if entry.overcommit_value is not None:
        over = ctx.overcommitted
        if over:
            return (
                f"host CPUs are overcommitted ({_vcpu_load(ctx)}), so the guest gives up a "
                "spinning vCPU early"
            )
        state = "not overcommitted" if over is False else "overcommit unknown"
        return (
            f"{state}: 0x1fff, the value virt-install, Proxmox and Nova write (QEMU's document "
            "asks for 0xfff only on overcommitted hosts; its default may also stay)"
        )
    if entry.kind is ValueKind.TRISTATE:
        return "vCPUs cannot share a core with other work (pinned or SMT off)"
    if entry.host_needs and ctx.host is not None:
        return f"{entry.summary} ({_needs_text(entry, ctx.host)})"
    if ctx.host is None and (entry.cpuid or entry.kvm_cap is not None):
        return f"{entry.summary} (host support not checked)"
    return entry.summary


def _needs_text(entry: Enlightenment, host: HostView) -> str:
    """``host has: apic-virt``; what is missing or unknown is said as such, never claimed.

    Only needs whose absence costs speed, not correctness (a stable TSC), get
    this far unmet; the reason then says so instead of "host has".
    """
    parts: list[str] = []
    met = [n.value for n in entry.host_needs if host.has(n) is True]
    if met:
        parts.append("host has: " + ", ".join(met))
    for need in entry.host_needs:
        state = host.has(need)
        if state is True or need is HostNeed.PINNED_VCPUS:
            continue
        why = host.unstable_tsc_reason if need is HostNeed.STABLE_TSC else ""
        word = "lacks" if state is False else "may lack"
        parts.append(f"host {word}: {need.value}" + (f", {why}" if why else ""))
    return "; ".join(parts) or "host needs: " + ", ".join(n.value for n in entry.host_needs)


def _close_over_requirements(choices: dict[str, Choice], vendor: str | None = None) -> None:
    """Drop chosen options whose hard requirements were left out, until stable.

    A document rule scoped to this host's vendor counts as a requirement too:
    on Intel, emsr-bitmap without evmcs does nothing.
    """
    changed = True
    while changed:
        changed = False
        for name, choice in list(choices.items()):
            if not choice.chosen:
                continue
            entry = catalog.get(name)
            missing = [r for r in entry.requires if not choices[r].chosen]
            for rule in entry.doc_rules:
                if rule.vendor is not None and rule.vendor == vendor:
                    missing += [o for o in rule.options if not choices[o].chosen]
            if missing:
                choices[name] = Choice(
                    name, None, f"left out: needs {', '.join(missing)}, which is left out"
                )
                changed = True


def recommend_cpu(
    config: Config, ctx: Context
) -> tuple[CpuSettings, tuple[tuple[CpuSettingKey, str], ...]]:
    """The CPU settings for ``config`` on the context's host and intent, with a reason each."""
    host = ctx.host
    cpu = CpuSettings()
    reasons: list[tuple[CpuSettingKey, str]] = []
    nested = ctx.intent.nested or any(catalog.get(n).nested_only for n in config.enabled())
    if nested:
        cpu = cpu.with_value(CpuSettingKey.NESTED_VIRT, True)
        reasons.append(
            (CpuSettingKey.NESTED_VIRT, "Hyper-V inside the guest needs vmx/svm; a named CPU "
             "model only shows it when asked (host passes it through already)")
        )  # fmt: skip
    else:
        reasons.append((CpuSettingKey.NESTED_VIRT, "left out: nothing nested is asked for"))
    needs_tsc = [n for n in config.enabled() if catalog.get(n).migration is Migration.NEEDS_TSC]
    if ctx.intent.migratable and needs_tsc:
        reasons.append(
            (CpuSettingKey.TSC_FREQUENCY, f"set it yourself: {', '.join(needs_tsc)} only "
             "migrates with a fixed TSC rate, the slowest host's (Hz); hvtui cannot read it")
        )  # fmt: skip
    else:
        reasons.append((CpuSettingKey.TSC_FREQUENCY, "left out: the VM keeps its host's rate"))
    stable = host is not None and host.tsc_invariant is True and host.clocksource == "tsc"
    if ctx.intent.migratable:
        reasons.append((CpuSettingKey.INVTSC, "left out for migration: QEMU blocks it without "
                        "a fixed tsc-frequency"))  # fmt: skip
    elif stable:
        cpu = cpu.with_value(CpuSettingKey.INVTSC, True)
        reasons.append(
            (CpuSettingKey.INVTSC, "host has an invariant TSC and the tsc clocksource: the "
             "guest may use its TSC as a clock")
        )  # fmt: skip
    else:
        state = (
            "unknown"
            if host is None or host.tsc_invariant is None or host.clocksource is None
            else "not invariant, or a clocksource other than tsc"
        )
        reasons.append((CpuSettingKey.INVTSC, f"left out: the host TSC is {state}"))
    if ctx.intent.name == "gpu-passthrough":
        reasons.append(
            (CpuSettingKey.HIDE_KVM, "offered, not set: turn it on only if the GPU driver "
             "refuses to start in a VM (NVIDIA before 465, code 43); it costs KVM's PV features")
        )  # fmt: skip
    else:
        reasons.append((CpuSettingKey.HIDE_KVM, "left out: only for GPU drivers that refuse VMs"))
    return cpu, tuple(reasons)


def recommend(ctx: Context) -> Recommendation:
    """The recommendation for one host (or no host: a portable default)."""
    choices = {e.name: _decide(e, ctx) for e in catalog.ENTRIES}
    _close_over_requirements(choices, ctx.host.vendor if ctx.host else None)
    config = Config.of({c.option: c.value for c in choices.values() if c.value is not None})
    cpu, cpu_reasons = recommend_cpu(config, ctx)
    label = ctx.host.label if ctx.host else "unknown host"
    findings = advise(config, ctx)
    if ctx.host is not None and ctx.host.hyperv is not None and not ctx.host.hyperv:
        note = f" ({ctx.host.hyperv_note})" if ctx.host.hyperv_note else ""
        findings.insert(
            0,
            Finding(
                Severity.WARNING,
                FindingCode.NO_HYPERV_SUPPORT,
                (),
                f"{label}'s KVM offers no Hyper-V enlightenments{note}: nothing to recommend",
                "A Windows guest still runs, but without enlightenments. Run recommend on the "
                "hypervisor host itself, or pass --sysroot/--report for another host.",
            ),
        )
    return Recommendation(
        ctx.intent.name,
        config,
        tuple(choices.values()),
        tuple(findings),
        (label,),
        cpu=cpu,
        cpu_reasons=cpu_reasons,
    )


def recommend_fleet(hosts: list[HostView], ctx: Context) -> Recommendation:
    """One configuration every host supports, migration-safe between them.

    Each host gets its own migration-safe recommendation; the fleet keeps an
    option only where every host chose it (the lowest spinlocks value wins, so a
    host that is overcommitted is served).  The per-host table says what each
    host kept out and why.
    """
    from hvtui.intents import Intent

    intent = (
        ctx.intent
        if ctx.intent.migratable
        else Intent(ctx.intent.name, ctx.intent.summary, migratable=True, nested=ctx.intent.nested)
    )
    per_host = [
        recommend(Context(h, intent, ctx.qemu, ctx.libvirt, ctx.vcpus, ctx.pinned)) for h in hosts
    ]
    labels = tuple(h.label for h in hosts)
    choices: dict[str, Choice] = {}
    left_out: dict[str, list[Choice]] = {label: [] for label in labels}
    for entry in catalog.ENTRIES:
        decisions = [r.choice(entry.name) for r in per_host]
        if all(d.chosen for d in decisions):
            values = [d.value for d in decisions]
            numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
            value = min(numbers) if len(numbers) == len(values) else values[0]
            reason = (
                decisions[0].reason
                if len(set(map(repr, values))) == 1
                else (f"lowest value of the fleet: {decisions[0].reason}")
            )
            choices[entry.name] = Choice(entry.name, value, f"on every host: {reason}")
            continue
        blockers = [(label, d) for label, d in zip(labels, decisions, strict=True) if not d.chosen]
        if len(blockers) == len(hosts):
            choices[entry.name] = blockers[0][1]
            continue
        names = ", ".join(label for label, _ in blockers)
        choices[entry.name] = Choice(entry.name, None, f"left out: not on {names}")
        for label, decision in blockers:
            left_out[label].append(decision)
    _close_over_requirements(choices)
    config = Config.of({c.option: c.value for c in choices.values() if c.value is not None})
    fleet_ctx = Context(None, intent, ctx.qemu, ctx.libvirt, ctx.vcpus, ctx.pinned)
    findings: list[Finding] = []
    for host, label in zip(hosts, labels, strict=True):
        for finding in advise(
            config, Context(host, intent, ctx.qemu, ctx.libvirt, ctx.vcpus, ctx.pinned)
        ):
            if finding.severity.rank >= 1:
                findings.append(
                    Finding(
                        finding.severity,
                        finding.code,
                        finding.options,
                        f"{label}: {finding.message}",
                        finding.explanation,
                        finding.fix,
                    )
                )
    if not hosts:
        findings = advise(config, fleet_ctx)
    return Recommendation(
        intent.name,
        config,
        tuple(choices.values()),
        tuple(findings),
        labels,
        {label: tuple(items) for label, items in left_out.items()},
    )
