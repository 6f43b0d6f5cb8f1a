"""What every widget draws from: the draft plus everything derived from it.

The screen rebuilds one :class:`WizardView` whenever the draft, the host facts
or the intent change, and binds it to its children.  Widgets read it and
nothing else, so the sidebar marks, the detail pane's findings and the review
list can never disagree.  Plain Python: no Textual.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from hvtui import catalog
from hvtui.catalog import Severity
from hvtui.intents import DEFAULT_INTENT
from hvtui.model import Finding
from hvtui.model.values import format_value, value_problem
from hvtui.presets import Preset
from hvtui.records import field, record, replace
from hvtui.textsafe import one_line
from hvtui.tui import services
from hvtui.tui.services import Host
from hvtui.tui.state import is_dirty

if TYPE_CHECKING:
    from hvtui.advice import Badge, HostSupport
    from hvtui.audit import AuditInput
    from hvtui.compare import Comparison


@record(frozen=True)
class WizardView:
    """The draft and what follows from it, computed once per change."""

    preset: Preset
    host: Host
    findings: tuple[Finding, ...] = ()
    intent: str = DEFAULT_INTENT
    dirty: bool = False
    export_env: services.ExportEnv = field(default_factory=services.ExportEnv)
    """The host's answers exports depend on (libvirt version, virt-install features)."""
    probing: bool = False
    """The slow host probes are still running: more facts will arrive."""
    started_from: AuditInput | None = None
    """The existing or running VM the draft was started from (``None``: anything else)."""
    running: services.RunningVms | None = None
    """The running QEMU VMs the Start step offers (``None``: not listed yet)."""
    _support: dict[str, HostSupport] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        preset: Preset,
        host: Host,
        baseline: Preset,
        intent: str = DEFAULT_INTENT,
        export_env: services.ExportEnv | None = None,
        *,
        probing: bool = False,
        started_from: AuditInput | None = None,
        running: services.RunningVms | None = None,
    ) -> WizardView:
        """Compute findings and host support for ``preset``."""
        found = tuple(services.findings(preset, host, intent=intent))
        env = export_env or services.ExportEnv(libvirt=host.libvirt)
        dirty = is_dirty(preset, baseline)
        return cls(preset, host, found, intent, dirty, env, probing, started_from, running)

    @property
    def can_merge(self) -> bool:
        """The draft was started from a whole libvirt domain definition: it can be saved
        merged into a copy of it."""
        return self.started_from is not None and self.started_from.document is not None

    def for_option(self, name: str) -> tuple[Finding, ...]:
        """Findings that mention ``name`` (the live findings of its step)."""
        return tuple(f for f in self.findings if name in f.options)

    def worst(self, name: str) -> Severity | None:
        """The worst finding *about* ``name`` (its first option), for the sidebar mark."""
        about = [f.severity for f in self.findings if f.options and f.options[0] == name]
        return max(about, key=lambda s: s.rank) if about else None

    def support(self, name: str) -> HostSupport:
        """Whether this host can give the guest ``name``: advice's one rule, which its
        findings follow too (cached per view; the reason escaped to one line)."""
        if name not in self._support:
            from hvtui.advice import host_support

            host = self.host
            found = host_support(catalog.get(name), host.view, no_host=host.error or "")
            self._support[name] = replace(found, reason=one_line(found.reason))
        return self._support[name]

    def state_text(self, name: str) -> str:
        """``on``, ``off``, ``default`` or the value (``0x1fff``), as the sidebar shows it."""
        entry = catalog.get(name)
        value = self.preset.config.get(name)
        if value is None:
            return "default"
        if value_problem(entry, value) is not None:
            return "invalid"
        if isinstance(value, bool):
            return "on" if value else "off"
        return one_line(format_value(entry, value).strip('"'))

    @cached_property
    def migration(self) -> Badge:
        """Whether a VM with the draft can live-migrate (advice's migration badge)."""
        from hvtui.advice import migration_safety

        return migration_safety(self.preset.config)

    @cached_property
    def comparison(self) -> Comparison:
        """The draft next to the wizard's peers' defaults (``hvtui compare``'s table)."""
        from hvtui.compare import compare

        return compare(self.preset.config)

    @cached_property
    def counts(self) -> dict[Severity, int]:
        """How many findings of each severity."""
        totals = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            totals[finding.severity] += 1
        return totals

    def summary(self) -> str:
        """``2 errors, 1 warning, 0 info``."""
        c = self.counts
        errors, warnings = c[Severity.ERROR], c[Severity.WARNING]
        return (
            f"{errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}, {c[Severity.INFO]} info"
        )


__all__ = ["WizardView"]
