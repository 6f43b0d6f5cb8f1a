"""Adapters between the wizard and the rest of hvtui: what needs more than a call.

The wizard uses the other layers' own types and functions directly (advice's
``Recommendation`` and ``HostSupport``, ``hvtui.compare``, the export format
table); what is left here adapts them to a screen that must not stop:

- detection and the VM listings run without raising (a bug becomes a line);
- text that comes from outside hvtui (a snapshot's CPU name and paths, a VM's or
  process's name, an importer's message, a finding that quotes a value) leaves
  escaped with :mod:`hvtui.textsafe`, the rule the CLI uses too, so no control
  character or escape sequence reaches the terminal;
- an export is :func:`hvtui.export.export_preset`'s, with the host's answers the
  wizard shows (a snapshot's libvirt, virt-install's features).

Engines are imported inside the functions that use them: the first frame should
not wait for an exporter it does not need yet.  Nothing here imports Textual.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from hvtui.bugs import debug_enabled, describe
from hvtui.intents import DEFAULT_INTENT
from hvtui.lazy import exports
from hvtui.model import Config, Finding
from hvtui.presets import Preset
from hvtui.records import record, replace
from hvtui.textsafe import one_line, printable, safe_name
from hvtui.versions import Version

if TYPE_CHECKING:
    from hvtui.advice import HostFact, HostView, Recommendation
    from hvtui.audit import AuditInput
    from hvtui.detect import HostReport
    from hvtui.export import Export, Format, Refusal
    from hvtui.fsutil import same_file
    from hvtui.libvirt import ApplyPlan, ApplyResult
    from hvtui.tui.clipboard import Clipboard, clipboard_support

#: Names loaded when first asked for: copying is judged when a snippet is exported, and
#: files compared when one is written, not on the way to the first frame (a module less
#: to load for it each).
_LATER = {
    "Clipboard": "hvtui.tui.clipboard",
    "clipboard_support": "hvtui.tui.clipboard",
    "same_file": "hvtui.fsutil",
}

if not TYPE_CHECKING:  # hidden from type checkers, which would type every unknown name Any
    __getattr__, __dir__ = exports(__name__, _LATER, globals())

# -- host ----------------------------------------------------------------------


@record(frozen=True, eq=False)
class Host:
    """What detection found: the typed report and the advice engine's view of it.

    Compared and hashed by identity: each detection run is a new host value, and
    derived results are cached per run.
    """

    source: str
    """``live``, ``sysroot:DIR``, ``demo:NAME`` (a shipped demo host) or ``unavailable``."""
    report: HostReport | None = None
    view: HostView | None = None
    error: str | None = None
    """Why detection did not run, if it did not."""
    deep: bool = False
    """True once the slow probes (py-cpuinfo, versions) have filled in."""

    @classmethod
    def of(cls, report: HostReport, *, deep: bool = False) -> Host:
        """The wizard's host for a detection report."""
        from hvtui.advice import HostView

        view = HostView.from_report(report, label=_label(report.source))
        return cls(report.source, report, view, deep=deep)

    @property
    def vendor(self) -> str | None:
        """``intel``, ``amd``... or ``None`` when unknown."""
        return self.view.vendor if self.view is not None else None

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
        if self.view is None or self.view.hyperv is None:
            return None
        return bool(self.view.hyperv)

    @property
    def libvirt(self) -> Version | None:
        """The host's libvirt version, when detection found one."""
        return self.view.libvirt if self.view is not None else None


def detect_host(
    sysroot: Path | None = None, *, deep: bool = False, live: bool | None = None
) -> Host:
    """Run detection; never raises (``HVTUI_DEBUG`` lets a bug through).

    With ``sysroot`` nothing of the running machine is read (unless the
    snapshot recorded it), so the wizard shows the same facts on every machine:
    demos, tests, screenshots.  ``live=False`` on the real root reads only
    ``/proc`` and ``/sys`` (the sub-millisecond part).
    """
    try:
        from hvtui.detect import detect

        return Host.of(detect(sysroot, deep=deep, live=live), deep=deep)
    except Exception as exc:  # a detection bug must not stop the wizard
        if debug_enabled():
            raise
        source = f"sysroot:{sysroot}" if sysroot is not None else "live"
        return Host(source, error=f"detection failed: {describe(exc)}")


def _label(source: str) -> str:
    """Where the facts come from, in a few words (a directory name escaped: one line)."""
    if source.startswith("sysroot:"):
        return "snapshot " + one_line(Path(source.split(":", 1)[1]).name)
    if source.startswith("demo:"):
        return "demo " + one_line(source.split(":", 1)[1])
    return one_line({"live": "this host", "unavailable": "no host facts"}.get(source, source))


def host_facts(host: Host) -> list[HostFact]:
    """The Host step's lines (:func:`hvtui.advice.explain_host`), escaped to one line each."""
    from hvtui.advice import FactStatus, HostFact, explain_host

    if host.report is None:
        why = one_line(host.error or "no host facts")
        return [HostFact("detect", "Detection", None, why, FactStatus.UNKNOWN)]
    return [
        replace(
            fact,
            value=one_line(fact.value) if fact.value is not None else None,
            why=one_line(fact.why),
        )
        for fact in explain_host(host.report, host.view)
    ]


# -- advice ----------------------------------------------------------------------


def findings(preset: Preset, host: Host, *, intent: str = DEFAULT_INTENT) -> list[Finding]:
    """Everything worth telling about the draft on this host, worst first (``hvtui check``'s
    validation plus the host-aware advice); their text escaped (a finding may quote a value
    or a name read from a file)."""
    from hvtui.advice import advise, make_context

    target = preset.target
    context = make_context(host.view, intent=intent, qemu=target.qemu, libvirt=target.libvirt)
    return [_printable_finding(f) for f in advise(preset.config, context)]


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


@functools.lru_cache(maxsize=32)
def recommend(host: Host, *, intent: str = DEFAULT_INTENT) -> Recommendation:
    """What ``hvtui recommend`` gives for this host and intent (cached per detection run)."""
    from hvtui.advice import make_context
    from hvtui.advice import recommend as engine

    return engine(make_context(host.view, intent=intent))


# -- existing VMs ----------------------------------------------------------------


class ImportFailedError(Exception):
    """The input could not be read as a VM definition; ``str()`` is one line."""


@record(frozen=True)
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


@record(frozen=True)
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
        if debug_enabled():
            raise
        return RunningVms(error=one_line(f"listing failed: {describe(exc)}"))
    return RunningVms(tuple(found))


# -- exports -------------------------------------------------------------------


def preview_formats() -> tuple[Format, ...]:
    """Every format of the export table (:mod:`hvtui.export.registry`): its preview tabs
    first, in their order, then the others as registered."""
    from hvtui.export import registry

    tabs = registry.tabs()
    return (*tabs, *(f for f in registry.all_formats() if f not in tabs))


def export_format(name: str) -> Format:
    """One format of the export table (its label, lexer and file suffix), loaded on use
    so that the exporters stay off the first frame."""
    from hvtui.export import registry

    return registry.get(name)


def format_names() -> tuple[str, ...]:
    """The names of :func:`preview_formats`, in their order."""
    return tuple(f.name for f in preview_formats())


@record(frozen=True)
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


def export(preset: Preset, fmt: str, env: ExportEnv | None = None) -> Export | Refusal:
    """Exactly what ``hvtui export PRESET --format FMT`` gives on the host the wizard shows:
    :func:`hvtui.export.export_preset` with that host's libvirt and virt-install answers."""
    from hvtui.export import export_preset

    env = env or ExportEnv()
    return export_preset(
        preset,
        fmt,
        detect=lambda: env.libvirt,
        features=lambda: env.virt_install_features,
    )


class ExportRefusedError(Exception):
    """``hvtui export`` would refuse this draft; ``str()`` is one line."""

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


def render(preset: Preset, fmt: str, env: ExportEnv | None = None) -> str:
    """The text of :func:`export`, or :class:`ExportRefusedError` with its refusal (for
    callers that have not moved to matching on ``Export | Refusal``)."""
    from hvtui.export import Refusal

    result = export(preset, fmt, env)
    if isinstance(result, Refusal):
        findings = tuple(_printable_finding(f) for f in result.findings)
        raise ExportRefusedError(one_line(result.message), findings)
    return result.text


def preview_text(preset: Preset, fmt: str, env: ExportEnv | None = None) -> str:
    """What a preview tab shows: the export, or comment lines saying why there is none."""
    from hvtui.export import Refusal

    result = export(preset, fmt, env)
    if not isinstance(result, Refusal):
        return result.text
    lines = [f"# {one_line(result.message)}: 'hvtui export' would refuse this draft."]
    lines += [f"# - {one_line(f.message)}" for f in result.findings]
    lines.append("# Fix them on the Review step (r), where each has a one-key fix.")
    return "\n".join(lines) + "\n"


@record(frozen=True)
class Merged:
    """A domain XML with the draft merged in, and what to tell the user about it."""

    text: str
    notes: tuple[str, ...]


def default_merged_path(source: AuditInput, preset: Preset) -> Path:
    """``./NAME.xml`` next to where hvtui was started (as exports are), named after the
    domain; ``NAME.merged.xml`` when that is the very file the draft started from."""
    from hvtui.fsutil import same_file

    names = (source.imported.name, preset.name)
    stem = next((s for n in names if n and (s := safe_name(n)) is not None), "domain")
    path = Path.cwd() / f"{stem}.xml"
    if same_file(path, source.label):
        path = path.with_name(f"{stem}.merged.xml")
    return path


def merged_xml(source: AuditInput, preset: Preset, env: ExportEnv | None = None) -> Merged:
    """The domain XML ``source`` was read from, with the draft's Hyper-V settings in place of
    its own: what ``hvtui export PRESET --format libvirt --into FILE`` writes (the same
    :func:`export`, merging); everything else in the domain is kept.

    Raises :class:`ExportRefusedError` (one line) when the source has no domain
    definition or the draft cannot be exported.
    """
    from hvtui.export import Refusal, export_preset

    document = source.document
    if document is None:
        raise ExportRefusedError(
            one_line(
                f"{source.label}: a {source.kind_name} has no domain definition to merge into; "
                "export it instead"
            )
        )
    env = env or ExportEnv()
    result = export_preset(
        preset,
        "libvirt",
        detect=lambda: env.libvirt,
        into=lambda: document,
        into_label=source.label,
    )
    if isinstance(result, Refusal):
        if result.findings:
            message = f"{source.label}: not exported: {result.findings[0].message}"
        else:
            message = result.message
        raise ExportRefusedError(one_line(message))
    return Merged(result.text, tuple(one_line(n) for n in result.notes))


# -- libvirt domains (issue #14) ---------------------------------------------------------


LIBVIRT_URI = "qemu:///system"
"""The connection the wizard lists first: ``hvtui.libvirt.DEFAULT_URI`` (not imported here:
the wizard starts without loading libvirt)."""


class LibvirtProblemError(Exception):
    """A libvirt connection, domain or binding that cannot be used (one printable line)."""


@record(frozen=True)
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


__all__ = [
    "DEFAULT_INTENT",
    "Clipboard",
    "ExportEnv",
    "ExportRefusedError",
    "Host",
    "ImportFailedError",
    "ImportedConfig",
    "LibvirtDomains",
    "LibvirtProblemError",
    "Merged",
    "RunningVms",
    "clipboard_support",
    "default_merged_path",
    "detect_host",
    "execute_domain_apply",
    "export",
    "findings",
    "host_facts",
    "import_config",
    "libvirt_domains",
    "load_libvirt_domain",
    "merged_xml",
    "one_line",
    "plan_domain_apply",
    "preview_formats",
    "preview_text",
    "printable",
    "recommend",
    "render",
    "running_vms",
    "same_file",
]
