"""Adapters between the wizard and the rest of hvtui: detection, advice, peers, exports.

The UI asks this module, and only this module, for anything it does not
compute itself, and it calls the same functions the CLI calls (``detect``,
``advise``/``recommend``, ``compare``, ``export``), so the wizard and the
command line cannot disagree.  Engines are imported inside the functions that
use them: the first frame should not wait for an exporter it does not need yet.
Nothing here imports Textual.

Text that comes from outside hvtui (a snapshot's CPU name and paths, a VM's or
process's name, an importer's message, a finding that quotes a value) leaves
this module escaped with :mod:`hvtui.textsafe`, the rule the CLI uses too, so
no control character or escape sequence ever reaches the terminal.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hvtui import catalog
from hvtui.catalog import Enlightenment, Value
from hvtui.model import Config, Finding
from hvtui.presets import Preset
from hvtui.textsafe import one_line, printable
from hvtui.versions import Version

if TYPE_CHECKING:
    from hvtui.advice import HostView
    from hvtui.audit import AuditInput
    from hvtui.detect import HostReport
    from hvtui.libvirt import ApplyPlan, ApplyResult

# -- host ----------------------------------------------------------------------

FactStatus = Literal["good", "bad", "neutral", "unknown"]


@dataclass(frozen=True)
class HostFact:
    """One line of the Host step: a fact and why it matters for the choice."""

    key: str
    """Dotted key in the detection JSON (``apic_virt.enabled``)."""
    label: str
    value: str | None
    """The value as text, or ``None`` when detection could not tell."""
    why: str
    """One line on what it means for the enlightenments (or the reason it is unknown)."""
    status: FactStatus = "neutral"


@dataclass(frozen=True, eq=False)
class Host:
    """What detection found, in the JSON shape of ``hvtui detect --json``.

    ``data`` is the document (unknown facts are ``None`` with a reason under
    ``unknown``); ``report`` and ``view`` are the typed report and the advice
    engine's view of it.  Compared and hashed by identity: each detection run
    is a new host value, and derived results are cached per run.
    """

    source: str
    """``live``, ``sysroot:DIR``, ``demo:NAME`` (a shipped demo host) or ``unavailable``."""
    data: Mapping[str, Any] = field(default_factory=dict)
    report: HostReport | None = None
    view: HostView | None = None
    error: str | None = None
    """Why detection did not run, if it did not."""
    deep: bool = False
    """True once the slow probes (py-cpuinfo, versions) have filled in."""

    def get(self, key: str) -> Any:
        """The value at a dotted key, or ``None``."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    def reason(self, key: str) -> str | None:
        """Why a fact is unknown (``missing: /sys/...``), or ``None`` if it is known."""
        unknown = self.data.get("unknown", {})
        if isinstance(unknown, Mapping):
            value = unknown.get(key)
            return str(value) if value is not None else None
        return None

    @property
    def vendor(self) -> str | None:
        """``intel``, ``amd``... or ``None`` when unknown."""
        vendor = self.get("cpu.vendor")
        return vendor if isinstance(vendor, str) else None

    @property
    def label(self) -> str:
        """Where the facts come from, for the title bar."""
        return _label(self.source)

    @property
    def is_snapshot(self) -> bool:
        """The facts come from a saved snapshot (a ``--sysroot`` directory or a demo host)."""
        return self.source.startswith(("sysroot:", "demo:"))

    @property
    def offers_hyperv(self) -> bool | None:
        """Whether this host's KVM offers any Hyper-V emulation (``None``: unknown)."""
        listed = self.get("kvm.hyperv")
        if isinstance(listed, list | tuple):
            return bool(listed)
        return None

    @property
    def libvirt(self) -> Version | None:
        """The host's libvirt version, when detection found one."""
        return self.view.libvirt if self.view is not None else None


def detect_host(
    sysroot: Path | None = None, *, deep: bool = False, live: bool | None = None
) -> Host:
    """Run detection; never raises.

    With ``sysroot`` nothing of the running machine is read (unless the
    snapshot recorded it), so the wizard shows the same facts on every machine:
    demos, tests, screenshots.  ``live=False`` on the real root reads only
    ``/proc`` and ``/sys`` (the sub-millisecond part).
    """
    try:
        from hvtui.advice import HostView
        from hvtui.detect import detect

        report = detect(sysroot, deep=deep, live=live)
        data = report.to_json()
        view = HostView.from_report(report, label=_label(report.source))
    except Exception as exc:  # a detection bug must not stop the wizard
        source = f"sysroot:{sysroot}" if sysroot is not None else "live"
        return Host(source, error=f"detection failed: {type(exc).__name__}: {exc}")
    return Host(report.source, data, report, view, deep=deep)


def _label(source: str) -> str:
    """Where the facts come from, in a few words (a directory name escaped: one line)."""
    if source.startswith("sysroot:"):
        return "snapshot " + one_line(Path(source.split(":", 1)[1]).name)
    if source.startswith("demo:"):
        return "demo " + one_line(source.split(":", 1)[1])
    return one_line({"live": "this host", "unavailable": "no host facts"}.get(source, source))


def host_facts(host: Host) -> list[HostFact]:
    """The Host step's lines: each fact with one line on why it matters."""
    if host.error:
        return [HostFact("detect", "Detection", None, one_line(host.error), "unknown")]
    facts: list[HostFact] = []
    for key, label, explain in _FACTS:
        value = host.get(key)
        if key in ("apic_virt.x2avic",) and host.vendor == "intel":
            continue
        if value is None:
            reason = _readable_reason(host.reason(key) or "not reported", host)
            facts.append(HostFact(key, label, None, one_line(reason), "unknown"))
            continue
        text, why, status = explain(value, host)
        facts.append(HostFact(key, label, one_line(text), one_line(why), status))
    return facts


def _readable_reason(reason: str, host: Host) -> str:
    """A detection reason for people: the long "not-live" story in a few words."""
    if reason.startswith("not-live"):
        if host.is_snapshot:
            return "not recorded in this snapshot (only a live run asks KVM and the tools)"
        return "not probed yet"
    return reason


def _yes(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else str(value)


def _cpu(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    vendor = host.vendor or "unknown vendor"
    why = {
        "amd": "AMD: hv-evmcs does not exist here; hv-avic pairs with AVIC",
        "hygon": "Hygon (AMD design): hv-evmcs does not exist here",
    }.get(vendor, "vendor-specific options are judged by vendor")
    if vendor == "intel":
        why = _intel_evmcs(host)
    return f"{value} ({vendor})", why, "neutral"


def _intel_evmcs(host: Host) -> str:
    """What an Intel CPU means for hv-evmcs on this host: it works only where KVM offers it."""
    if host.offers_hyperv is False:
        return "Intel, but this KVM has no Hyper-V emulation: no hv-* option works, evmcs neither"
    supported = host.view.supports("evmcs") if host.view is not None else None
    if supported is True:
        return "Intel: hv-evmcs (nested Hyper-V) works here; hv-avic pairs with APICv"
    if supported is False:
        return "Intel, but KVM here does not offer hv-evmcs; hv-avic pairs with APICv"
    return "Intel: hv-evmcs (nested Hyper-V) only if KVM offers it; hv-avic pairs with APICv"


def _virt(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    names = {"vmx": "Intel VT-x (vmx)", "svm": "AMD-V (svm)"}
    return names.get(str(value), str(value)), "KVM can run guests on this CPU", "good"


def _in_vm(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value is True:
        return "yes", "this host is itself a VM: guests here are nested and slower", "neutral"
    return "no", "bare metal: options work as KVM reports them", "good"


def _device(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value == "ok":
        return "ok", "usable: KVM can be asked which options it supports", "good"
    if value == "no-access":
        return value, "exists but not readable: run as root or join the kvm group", "bad"
    return str(value), "KVM is not available: no guest can start here", "bad"


def _module_fact(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    return (
        str(value),
        "the KVM vendor module; its parameters decide nested and APIC virt",
        "neutral",
    )


def _nested(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value is True:
        return "on", "Hyper-V, WSL2 or VBS inside the guest can use the nested options", "good"
    return "off", "the nested options (evmcs, tlbflush-direct...) will not help", "neutral"


def _hyperv(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    count = len(value) if isinstance(value, list | tuple) else 0
    total = len(catalog.ENTRIES)
    if count == 0:
        return "none", "this kernel offers no Hyper-V emulation", "bad"
    return f"{count} of {total} options", "options KVM does not offer are marked ⊘", "good"


def _apic(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    kind = "APICv" if host.vendor == "intel" else "AVIC" if host.vendor else "APICv/AVIC"
    if value is True:
        return f"{kind} enabled", "hv-avic will help", "good"
    if host.get("apic_virt.hardware") is True:
        return f"{kind} present, disabled", "enable it in KVM, else leave hv-avic off", "neutral"
    return "not available", "leave hv-avic off: the hint would slow the guest", "neutral"


def _x2avic(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    return _yes(value), "x2AVIC lets AVIC serve guests with more than 255 vCPUs", "neutral"


def _tsc(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value is True:
        return "yes", "stable TSC: hv-time's TSC page and hv-frequencies are reliable", "good"
    return "no", "unstable TSC: hv-time falls back to a slower clock", "bad"


def _tsc_scaling(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value is True:
        return "yes", "guests can migrate across TSC frequencies (hv-reenlightenment)", "good"
    return "no", "migration needs an equal TSC frequency on the destination", "neutral"


def _clocksource(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value == "tsc":
        return "tsc", "KVM can publish the TSC page that hv-time uses", "good"
    return str(value), "not tsc: hv-time cannot use the TSC page", "bad"


def _smt(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if value in ("forceoff", "notsupported"):
        return str(value), "no core sharing: no-nonarch-coresharing=auto claims it", "good"
    return str(value), "vCPUs may share cores: no-nonarch-coresharing=on needs pinning", "neutral"


def _isolation(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    if not value:
        return "none", "no CPUs set aside: vCPUs float unless pinned", "neutral"
    return str(value), "candidates for pinned vCPUs (no-nonarch-coresharing)", "good"


def _vms(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    count = len(value) if isinstance(value, list | tuple) else 0
    why = "start from one on the Start step, or run 'hvtui audit --running'"
    return f"{count} running", why, "neutral"


def _qemu(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    return str(value), "decides which options exist (each has a first QEMU version)", "good"


def _libvirt(value: Any, host: Host) -> tuple[str, str, FactStatus]:
    return str(value), "decides which options libvirt XML can express", "good"


_FACTS: tuple[tuple[str, str, Any], ...] = (
    ("cpu.model_name", "CPU", _cpu),
    ("cpu.virt_extension", "Virtualization", _virt),
    ("cpu.in_vm", "Runs in a VM", _in_vm),
    ("kvm.device", "/dev/kvm", _device),
    ("kvm.module", "KVM module", _module_fact),
    ("kvm.nested", "Nested virt", _nested),
    ("kvm.hyperv", "Hyper-V in KVM", _hyperv),
    ("apic_virt.enabled", "APIC virt", _apic),
    ("apic_virt.x2avic", "x2AVIC", _x2avic),
    ("tsc.invariant", "Invariant TSC", _tsc),
    ("tsc.scaling", "TSC scaling", _tsc_scaling),
    ("tsc.clocksource", "Clocksource", _clocksource),
    ("smt.control", "SMT", _smt),
    ("isolation.cpus", "Isolated CPUs", _isolation),
    ("vms", "QEMU VMs", _vms),
    ("versions.qemu", "QEMU", _qemu),
    ("versions.libvirt", "libvirt", _libvirt),
)


@dataclass(frozen=True)
class Support:
    """Whether this host can give the guest an option."""

    state: Literal["yes", "no", "unknown"]
    reason: str


def host_support(entry: Enlightenment, host: Host) -> Support:
    """Vendor limits first, then KVM's own list; unknown when detection could not tell."""
    vendor = host.vendor
    if entry.vendors is not None and vendor is not None and vendor not in entry.vendors:
        allowed = ", ".join(sorted(entry.vendors))
        return Support("no", f"works on {allowed} hosts only; this host is {vendor}")
    if not entry.cpuid or entry.cpuid_means_auto:
        return Support("yes", "QEMU sets it without asking KVM")
    supported = host.view.supports(entry.name) if host.view is not None else None
    if supported is None:
        reason = host.reason("kvm.hyperv") or host.error or "KVM's list is not known"
        if reason.startswith("not-live"):
            reason = "KVM was not asked (a snapshot without live answers)"
        return Support("unknown", f"cannot tell: {reason}")
    if supported:
        return Support("yes", "KVM on this host offers it")
    return Support("no", "KVM on this host does not offer it")


# -- advice ----------------------------------------------------------------------

DEFAULT_INTENT = "desktop"


def intents() -> dict[str, str]:
    """Intent names and one-line summaries, in the advice engine's order."""
    from hvtui.advice import INTENTS

    return {name: intent.summary for name, intent in INTENTS.items()}


def _context(host: Host, intent: str, preset: Preset | None = None) -> Any:
    from hvtui.advice import make_context

    target = preset.target if preset is not None else None
    return make_context(
        host.view,
        intent=intent,
        qemu=target.qemu if target else None,
        libvirt=target.libvirt if target else None,
    )


def findings(preset: Preset, host: Host, *, intent: str = DEFAULT_INTENT) -> list[Finding]:
    """Everything worth telling about the draft on this host, worst first (``hvtui check``'s
    validation plus the host-aware advice); their text escaped (a finding may quote a value
    or a name read from a file)."""
    from hvtui.advice import advise

    return [_printable_finding(f) for f in advise(preset.config, _context(host, intent, preset))]


def _printable_finding(finding: Finding) -> Finding:
    """``finding`` with its message, explanation and fix label escaped (itself if clean)."""
    fix = finding.fix
    texts = (finding.message, finding.explanation, fix.label if fix is not None else "")
    if all(printable(text) == text for text in texts):
        return finding
    if fix is not None:
        fix = replace(fix, label=one_line(fix.label))
    return replace(
        finding,
        message=one_line(finding.message),
        explanation=printable(finding.explanation),
        fix=fix,
    )


@dataclass(frozen=True)
class Choice:
    """Why the recommendation sets, or leaves out, one option."""

    option: str
    value: Value | None
    """``None``: left out."""
    reason: str


@dataclass(frozen=True)
class Recommendation:
    """The starting point for this host and intent."""

    intent: str
    config: Config
    choices: tuple[Choice, ...]


@functools.lru_cache(maxsize=32)
def recommend(host: Host, *, intent: str = DEFAULT_INTENT) -> Recommendation:
    """What ``hvtui recommend`` gives for this host and intent, with a reason per option."""
    from hvtui.advice import recommend as engine

    rec = engine(_context(host, intent))
    choices = tuple(Choice(c.option, c.value, c.reason) for c in rec.choices)
    return Recommendation(rec.intent, rec.config, choices)


@dataclass(frozen=True)
class Badge:
    """Whether a VM with this configuration can live-migrate."""

    level: str
    """``safe``, ``conditional`` or ``blocked``."""
    label: str
    reasons: tuple[str, ...] = ()


def migration_badge(config: Config) -> Badge:
    """The migration-safety badge the advice engine gives."""
    from hvtui.advice import migration_safety

    badge = migration_safety(config)
    return Badge(badge.level, badge.label, badge.reasons)


@dataclass(frozen=True)
class CompareTable:
    """The peers' defaults next to this draft's values (``hvtui compare``)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def compare(config: Config) -> CompareTable:
    """One row per option that this draft or any peer turns on."""
    from hvtui.compare import compare as engine

    table = engine(config)
    columns = ("option", "this preset", *(p.name for p in table.peers))
    rows = tuple(
        (row.option, row.ours, *(d.short() for d in row.peers))
        for row in table.rows
        if row.interesting
    )
    return CompareTable(columns, rows)


# -- existing VMs ----------------------------------------------------------------


class ImportFailedError(Exception):
    """The input could not be read as a VM definition; ``str()`` is one line."""


@dataclass(frozen=True)
class ImportedConfig:
    """An existing VM's enlightenments, what the importer could not use, and the VM itself."""

    config: Config
    problems: tuple[str, ...]
    """Parts the importer could not use and spellings QEMU may refuse, one line each."""
    source: AuditInput
    """What ``hvtui audit`` reads for the same input (kept: a domain XML can be merged into)."""

    @classmethod
    def of(cls, source: AuditInput) -> ImportedConfig:
        """The wizard's view of one audit input."""
        imported = source.imported
        problems = tuple(one_line(p) for p in (*imported.problems, *imported.warnings))
        return cls(source.config, problems, source)


def import_config(entry: str | Path) -> ImportedConfig:
    """Read an existing VM exactly as ``hvtui audit`` does (:mod:`hvtui.audit`).

    ``entry`` is a file (libvirt domain XML, a QEMU or virt-install command
    line, a Proxmox ``VMID.conf``; ``~`` is expanded) or, when no such file
    exists and it holds a space or starts with ``<``, a pasted command line or
    XML.  Raises :class:`ImportFailedError` with one printable line.
    """
    from hvtui.audit import SourceError, load_file, load_vm_source

    try:
        if isinstance(entry, Path):
            return ImportedConfig.of(load_file(entry.expanduser()))
        text = entry.strip()
        if not text:
            raise ImportFailedError("give a file, or paste a command line")
        path = Path(text).expanduser()
        pasted = text.startswith("<") or any(c.isspace() for c in text)
        if pasted and not path.exists():
            return ImportedConfig.of(load_vm_source(text))
        return ImportedConfig.of(load_file(path))
    except SourceError as exc:
        raise ImportFailedError(one_line(str(exc))) from None
    except RuntimeError:  # ~user unknown, or no home directory for ~
        raise ImportFailedError(
            f"{one_line(str(entry).strip())}: cannot expand ~ (unknown user or no home directory)"
        ) from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte...
        raise ImportFailedError(f"{one_line(str(entry).strip())}: {one_line(str(exc))}") from None


@dataclass(frozen=True)
class RunningVms:
    """The QEMU VMs running on the host shown (or recorded in its snapshot)."""

    vms: tuple[AuditInput, ...] = ()
    error: str | None = None
    """Why they could not be listed (one line), if they could not."""


def running_vms(sysroot: Path | None = None) -> RunningVms:
    """What ``hvtui audit --running [--sysroot DIR]`` reads; never raises.

    Slow (psutil walks every process; a snapshot is detected again): call it
    from a worker.
    """
    from hvtui import audit

    try:
        if sysroot is None:
            found = audit.running_vms()
        else:
            found = audit.running_vms(audit.scan_host(sysroot).processes)
    except audit.SourceError as exc:
        reason = str(exc)
        if sysroot is not None and "not-live" in reason:
            reason = "this snapshot recorded no processes ('hvtui detect --save-snapshot' does)"
        return RunningVms(error=one_line(reason))
    except Exception as exc:  # a scan bug must not stop the wizard
        return RunningVms(error=one_line(f"listing failed: {type(exc).__name__}: {exc}"))
    return RunningVms(tuple(found))


def same_file(path: Path, other: str) -> bool:
    """``path`` and the file named ``other`` are one file (``False`` when either is missing)."""
    try:
        return os.path.samefile(path, other)
    except (OSError, ValueError):
        return False


_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


def default_merged_path(source: AuditInput, preset: Preset) -> Path:
    """``./NAME.xml`` next to where hvtui was started (as exports are), named after the
    domain; ``NAME.merged.xml`` when that is the very file the draft started from."""
    name = source.imported.name
    stem = next((n for n in (name, preset.name) if n and _FILE_STEM.fullmatch(n)), "domain")
    path = Path.cwd() / f"{stem}.xml"
    if same_file(path, source.label):
        path = path.with_name(f"{stem}.merged.xml")
    return path


@dataclass(frozen=True)
class Merged:
    """A domain XML with the draft merged in, and what to tell the user about it."""

    text: str
    notes: tuple[str, ...]


def merged_xml(source: AuditInput, preset: Preset, env: ExportEnv | None = None) -> Merged:
    """The domain XML ``source`` was read from, with the draft's Hyper-V settings in place of
    its own (what ``hvtui export PRESET --format libvirt --into FILE`` writes); everything
    else in the domain is kept.

    The libvirt version is the one the preview uses (the preset's target, else the host's,
    else the newest).  Raises :class:`ExportRefusedError` (one line) when the source has
    no domain definition or the draft cannot be exported.
    """
    from hvtui import export
    from hvtui.audit import SourceError, merged_domain_xml
    from hvtui.formats.safexml import XmlError

    env = env or ExportEnv()
    libvirt = preset.target.libvirt or env.libvirt or export.newest_libvirt()
    try:
        result = merged_domain_xml(source, preset.config, libvirt=libvirt)
    except (SourceError, XmlError, export.ExportError) as exc:
        raise ExportRefusedError(one_line(str(exc))) from None
    text = result.text if result.text.endswith("\n") else result.text + "\n"
    return Merged(text, tuple(one_line(n) for n in result.notes))


# -- exports -------------------------------------------------------------------

FORMATS: tuple[str, ...] = ("toml", "qemu", "libvirt", "virt-install")
"""Preview tabs and export formats, in tab order (``hvtui export --format`` names)."""

FORMAT_LABELS: dict[str, str] = {
    "toml": "TOML",
    "qemu": "QEMU",
    "libvirt": "libvirt",
    "virt-install": "virt-install",
}

#: Tree-sitter language used to highlight each format.
FORMAT_LANGUAGES: dict[str, str] = {
    "toml": "toml",
    "qemu": "bash",
    "libvirt": "xml",
    "virt-install": "bash",
}

#: File name suffix the export dialog proposes.
FORMAT_SUFFIXES: dict[str, str] = {
    "toml": ".toml",
    "qemu": ".qemu.txt",
    "libvirt": ".xml",
    "virt-install": ".virt-install.txt",
}


class ExportRefusedError(Exception):
    """``hvtui export`` would refuse this draft (exit 1); ``str()`` is one line."""

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class ExportEnv:
    """What an export depends on besides the preset: the host's answers.

    ``hvtui export`` asks the machine it runs on; the wizard uses the host
    it shows (a ``--sysroot`` snapshot or this machine), so its exports
    equal what the CLI prints on that host.
    """

    libvirt: Version | None = None
    """The host's libvirt (``None``: the newest libvirt hvtui knows, as the CLI does)."""
    virt_install_features: frozenset[str] | None = None
    """``virt-install --features=?`` answers (``None``: unknown)."""


def render(preset: Preset, fmt: str, env: ExportEnv | None = None) -> str:
    """Exactly what ``hvtui export PRESET --format FMT`` prints for this preset.

    The preview tabs and the export action both call this one function.
    Raises :class:`ExportRefusedError` when the CLI would exit 1 instead.
    """
    from hvtui import export

    env = env or ExportEnv()
    target, _notes = export.resolve_target(preset.target, detect=lambda: env.libvirt)
    problems = export.export_findings(preset.config, target)
    if problems:
        count = len(problems)
        errors = f"{count} error{'s' * (count != 1)}"
        raise ExportRefusedError(f"not exported: {errors}", tuple(problems))
    known = env.virt_install_features if fmt in ("virt-install", "json") else None
    try:
        return export.render(fmt, preset, target, known_features=known)
    except export.ExportError as exc:
        raise ExportRefusedError(str(exc)) from exc


# -- the clipboard ---------------------------------------------------------------


@dataclass(frozen=True)
class Clipboard:
    """Whether the terminal puts what a program copies on the clipboard.

    Programs in a terminal copy by writing an escape sequence (OSC 52) that the
    terminal may honour or silently ignore; nothing answers, so it is judged from
    the environment the terminal sets.
    """

    state: Literal["yes", "no", "unknown"]
    terminal: str
    """The terminal in words (``GNOME Terminal or another VTE terminal``)."""
    why: str = ""
    """Why it does not (or may not) work, when it does not."""


def clipboard_support(environ: Mapping[str, str] | None = None) -> Clipboard:
    """What copying will do in this terminal (``environ``: :data:`os.environ`)."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("TMUX"):
        return Clipboard(
            "unknown",
            "tmux",
            "tmux passes it on only with 'set -g set-clipboard on' (its default ignores it)",
        )
    if env.get("STY") or term.startswith("screen"):
        return Clipboard("no", "GNU screen", "screen does not pass the clipboard escape on")
    if program == "Apple_Terminal":
        return Clipboard("no", "macOS Terminal", "it ignores the clipboard escape")
    if term == "linux":
        return Clipboard("no", "the Linux console", "it has no clipboard")
    known = {
        "WezTerm": "WezTerm",
        "ghostty": "Ghostty",
        "iTerm.app": "iTerm2",
        "vscode": "VS Code",
    }
    if program in known:
        return Clipboard("yes", known[program])
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return Clipboard("yes", "kitty")
    if env.get("WT_SESSION"):
        return Clipboard("yes", "Windows Terminal")
    if env.get("ALACRITTY_WINDOW_ID") or term == "alacritty":
        return Clipboard("yes", "Alacritty")
    if term.startswith("foot"):
        return Clipboard("yes", "foot")
    if env.get("VTE_VERSION"):
        return Clipboard(
            "no",
            "GNOME Terminal or another VTE terminal",
            "VTE terminals ignore the clipboard escape programs use to copy",
        )
    if env.get("KONSOLE_VERSION"):
        return Clipboard("unknown", "Konsole", "only recent Konsole versions honour it")
    return Clipboard("unknown", "this terminal", "not every terminal honours the clipboard escape")


def preview_text(preset: Preset, fmt: str, env: ExportEnv | None = None) -> str:
    """What a preview tab shows: the export, or comment lines saying why there is none."""
    try:
        return render(preset, fmt, env)
    except ExportRefusedError as exc:
        lines = [f"# {exc}: 'hvtui export' would refuse this draft."]
        lines += [f"# - {f.message}" for f in exc.findings]
        lines.append("# Fix them on the Review step (r), where each has a one-key fix.")
        return "\n".join(lines) + "\n"


__all__ = [
    "FORMATS",
    "Badge",
    "Choice",
    "Clipboard",
    "CompareTable",
    "ExportEnv",
    "ExportRefusedError",
    "Host",
    "HostFact",
    "ImportFailedError",
    "ImportedConfig",
    "Merged",
    "Recommendation",
    "RunningVms",
    "Support",
    "clipboard_support",
    "compare",
    "default_merged_path",
    "detect_host",
    "findings",
    "host_facts",
    "host_support",
    "import_config",
    "intents",
    "merged_xml",
    "migration_badge",
    "one_line",
    "preview_text",
    "printable",
    "recommend",
    "render",
    "running_vms",
    "same_file",
]


# -- libvirt domains (issue #14) ---------------------------------------------------------


LIBVIRT_URI = "qemu:///system"
"""The connection the wizard lists first: ``hvtui.libvirt.DEFAULT_URI`` (not imported here:
the wizard starts without loading libvirt)."""


class LibvirtProblemError(Exception):
    """A libvirt connection, domain or binding that cannot be used (one printable line)."""


@dataclass(frozen=True)
class LibvirtDomains:
    """The domains of one connection, by name (or why they could not be listed)."""

    uri: str
    names: tuple[str, ...] = ()
    error: str | None = None


def _libvirt_problem(exc: Exception) -> LibvirtProblemError:
    return LibvirtProblemError(one_line(str(exc)) or type(exc).__name__)


def libvirt_domains(uri: str) -> LibvirtDomains:
    """Every domain (defined or running) of ``uri``; blocks (call it in a worker)."""
    from hvtui.libvirt import BindingError, LibvirtError, connect

    try:
        with connect(uri) as conn:
            return LibvirtDomains(uri, tuple(d.name for d in conn.domains()))
    except (BindingError, LibvirtError) as exc:
        return LibvirtDomains(uri, error=str(_libvirt_problem(exc)))


def load_libvirt_domain(uri: str, name: str) -> ImportedConfig:
    """A domain's persistent definition, read exactly as ``hvtui audit`` reads a domain XML
    (the draft can then be merged and applied); blocks.  Raises :class:`ImportFailedError`."""
    from hvtui.audit import SourceError, load_text
    from hvtui.libvirt import BindingError, LibvirtError, connect

    try:
        with connect(uri) as conn:
            xml = conn.domain(name).xml(inactive=True)
        return ImportedConfig.of(load_text(xml, label=f"{name} ({uri})"))
    except (BindingError, LibvirtError, SourceError) as exc:
        raise ImportFailedError(str(_libvirt_problem(exc))) from None


def plan_domain_apply(uri: str, name: str, preset: Preset) -> ApplyPlan:
    """What applying ``preset`` to the domain would change (``hvtui apply`` without
    ``--yes``); blocks.  Raises :class:`LibvirtProblemError`."""
    from hvtui import export
    from hvtui.libvirt import BindingError, LibvirtError, connect, plan_apply

    try:
        with connect(uri) as conn:
            return plan_apply(conn, name, preset)
    except (BindingError, LibvirtError, export.ExportError) as exc:
        raise _libvirt_problem(exc) from None


def execute_domain_apply(plan: ApplyPlan, intent: str) -> ApplyResult:
    """Back up, define, read back and verify (``hvtui apply --yes``); blocks.  Raises
    :class:`LibvirtProblemError`."""
    from hvtui.libvirt import BindingError, LibvirtError, connect, execute

    try:
        with connect(plan.uri) as conn:
            return execute(conn, plan, intent=intent)
    except (BindingError, LibvirtError) as exc:
        raise _libvirt_problem(exc) from None
