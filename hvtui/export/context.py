"""What an export is for (CPU model, QEMU and libvirt versions) and whether it may proceed.

Every renderer takes an :class:`ExportTarget`; :func:`resolve_target`
applies the documented precedence once, so the CLI, the TUI and tests agree:

- libvirt: the preset's ``target.libvirt``, else ``--libvirt-version``, else
  the version detected on this host, else the newest libvirt the catalog
  knows (so every option with an element is written natively);
- QEMU: the preset's ``target.qemu``, else ``--qemu-version``, else none (no
  version check);
- CPU model: ``--cpu-model``, else the preset's ``target.cpu-model``, else
  ``host`` (an explicit command-line choice beats the file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from hvtui import catalog, cpumodels
from hvtui.bugs import debug_enabled
from hvtui.catalog import Severity
from hvtui.catalog.libvirt_modes import HypervMode
from hvtui.formats.spelling import cpu_type
from hvtui.model import Config, Finding, sort_findings, validate
from hvtui.model.cpu import CpuSettings
from hvtui.model.qemu_target import qemu_refusals, unknown_to
from hvtui.presets import Target
from hvtui.records import field, record
from hvtui.versions import Version

DEFAULT_CPU_MODEL = "host"

Source = Literal["preset", "cli", "detected", "newest", "default", "domain", "none"]


class ExportError(ValueError):
    """An export that cannot be produced; ``str()`` is one line for the user.

    ``code`` is the CLI exit code: 2 for unusable input (a domain file that
    conflicts), 1 when the configuration itself cannot be written in the
    chosen format (a finding about the preset).
    """

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def newest_libvirt() -> Version:
    """The newest libvirt release any catalog element needs: with it all are native."""
    return max(e.libvirt.since for e in catalog.ENTRIES if e.libvirt.since is not None)


def check_cpu_model(model: str) -> str:
    """``model`` if QEMU has such a CPU model; raises :class:`ExportError`.

    The same rule as a preset's ``target.cpu-model`` (:mod:`hvtui.cpumodels`),
    so an export never writes a ``-cpu`` value QEMU refuses at VM start.
    """
    problem = cpumodels.model_problem(model)
    if problem is not None:
        raise ExportError(problem)
    return model


@record(frozen=True)
class ExportTarget:
    """The stack an export is written for."""

    cpu_model: str = DEFAULT_CPU_MODEL
    qemu: Version | None = None
    libvirt: Version = field(default_factory=newest_libvirt)
    cpu_model_source: Source = "default"
    qemu_source: Source = "none"
    libvirt_source: Source = "newest"
    cpu: CpuSettings = field(default_factory=CpuSettings)
    """The preset's ``[cpu]`` settings (nested-virt, tsc-frequency, invtsc, hide-kvm)."""
    hyperv_mode: HypervMode | None = None
    """libvirt ``<hyperv mode=...>`` asked for instead of ``custom`` (``host-model``)."""

    @property
    def cpu_type(self) -> str:
        """The QOM type ``-global`` must name (``host-x86_64-cpu``)."""
        return cpu_type(self.cpu_model)

    def describe(self) -> str:
        """``libvirt 9.0.0 (from the preset), QEMU 7.2 (from --qemu-version), CPU host``."""
        words = {
            "preset": "from the preset",
            "cli": "from the command line",
            "detected": "detected on this host",
            "newest": "newest known; none given",
            "default": "default",
            "domain": "from the domain",
            "none": "not given",
        }
        qemu = (
            f"QEMU {self.qemu.short()} ({words[self.qemu_source]})"
            if self.qemu is not None
            else "QEMU version not given"
        )
        return (
            f"libvirt {self.libvirt} ({words[self.libvirt_source]}), {qemu}, "
            f"CPU model {self.cpu_model} ({words[self.cpu_model_source]})"
        )

    def to_json(self) -> dict[str, object]:
        """Plain data for ``--format json``."""
        return {
            "cpu_model": self.cpu_model,
            "cpu_model_source": self.cpu_model_source,
            "cpu_type": self.cpu_type,
            "qemu": self.qemu.short() if self.qemu is not None else None,
            "qemu_source": self.qemu_source,
            "libvirt": str(self.libvirt),
            "libvirt_source": self.libvirt_source,
            "cpu": {key.value: value for key, value in self.cpu.items()},
            "hyperv_mode": self.hyperv_mode.name if self.hyperv_mode else "custom",
        }


def detected_libvirt() -> Version | None:
    """The libvirt version installed on this host, from host detection.

    Detection is a separate layer, imported lazily; any failure (layer
    missing, no libvirt installed, a tool that hangs) means "not detected".
    """
    try:
        from hvtui.detect.versions import libvirt_version
    except ImportError:
        return None
    try:
        return libvirt_version()
    except Exception:  # detection must never break an export
        if debug_enabled():  # ... but a developer sees the bug (hvtui.bugs)
            raise
        return None


def resolve_target(
    target: Target,
    *,
    cpu_model: str | None = None,
    qemu: Version | None = None,
    libvirt: Version | None = None,
    detect: bool | Callable[[], Version | None] = True,
    cpu: CpuSettings | None = None,
    hyperv_mode: HypervMode | None = None,
) -> tuple[ExportTarget, list[str]]:
    """Apply the precedence; also returns notes for values that were overridden.

    The detected version is only asked for when neither the preset nor the
    caller gives a libvirt version: ``detect=True`` asks this host
    (:func:`detected_libvirt`), a callable answers for another host (the TUI
    showing a snapshot), ``False`` skips detection (reproducible output, tests).
    """
    notes: list[str] = []
    model_source: Source
    if cpu_model is not None:
        model, model_source = check_cpu_model(cpu_model), "cli"
        if target.cpu_model is not None and target.cpu_model != cpu_model:
            notes.append(
                f"--cpu-model {cpu_model} replaces the preset's cpu-model {target.cpu_model}"
            )
    elif target.cpu_model is not None:
        model, model_source = check_cpu_model(target.cpu_model), "preset"
    else:
        model, model_source = DEFAULT_CPU_MODEL, "default"

    qemu_version, qemu_source = _pick(target.qemu, qemu, "qemu", notes, Version.short)
    libvirt_version, libvirt_source = _pick(target.libvirt, libvirt, "libvirt", notes, str)
    if libvirt_version is None and detect is not False:
        libvirt_version = detected_libvirt() if detect is True else detect()
        libvirt_source = "detected" if libvirt_version is not None else "none"
    if libvirt_version is None:
        libvirt_version, libvirt_source = newest_libvirt(), "newest"
    return (
        ExportTarget(
            model,
            qemu_version,
            libvirt_version,
            model_source,
            qemu_source,
            libvirt_source,
            cpu if cpu is not None else CpuSettings(),
            hyperv_mode,
        ),
        notes,
    )


def _pick(
    from_preset: Version | None,
    from_cli: Version | None,
    what: str,
    notes: list[str],
    show: Callable[[Version], str],
) -> tuple[Version | None, Source]:
    if from_preset is not None:
        if from_cli is not None and from_cli != from_preset:
            notes.append(
                f"the preset targets {what} {show(from_preset)}; --{what}-version "
                f"{show(from_cli)} is ignored (the preset's target wins)"
            )
        return from_preset, "preset"
    if from_cli is not None:
        return from_cli, "cli"
    return None, "none"


def unknown_to_qemu(config: Config, target: ExportTarget) -> list[str]:
    """Options set in ``config`` (on or off) that the target QEMU does not know yet."""
    return [] if target.qemu is None else unknown_to(config, target.qemu)


def drop_unknown_offs(config: Config, target: ExportTarget) -> tuple[Config, list[str]]:
    """``config`` without explicit "off" values the target QEMU does not know, and notes.

    QEMU refuses a property it does not know whatever its value, but "off" is
    what an older QEMU does anyway, so such values are left out of QEMU
    arguments rather than refused (a preset may say "off" to be explicit).
    """
    dropped = [n for n in unknown_to_qemu(config, target) if not config.is_on(n)]
    if not dropped or target.qemu is None:
        return config, []
    notes = [
        f"{catalog.get(n).qemu_property} left out: QEMU {target.qemu.short()} does not know "
        f"it (added in {catalog.get(n).qemu_since.short()}) and off is what it does anyway"
        for n in dropped
    ]
    return config.with_values((n, None) for n in dropped), notes


def qemu_findings(config: Config, target: ExportTarget) -> list[Finding]:
    """What the target QEMU refuses (:func:`hvtui.model.qemu_target.qemu_refusals`).

    Explicit "off" values of options it does not know are not errors: the QEMU
    arguments leave them out (:func:`drop_unknown_offs`).
    """
    return qemu_refusals(config, target.qemu)


def preset_findings(
    config: Config, target: Target, cpu: CpuSettings | None = None
) -> list[Finding]:
    """What ``hvtui check`` reports: validation plus what the preset's own target refuses.

    An export for the preset's ``[target] qemu`` fails on :func:`qemu_findings`
    whatever the format, so ``check`` reports the same errors (one rule, here).
    """
    from hvtui.advice import advise_cpu

    own = ExportTarget(qemu=target.qemu, qemu_source="preset" if target.qemu else "none")
    settings = advise_cpu(config, cpu or CpuSettings(), target.effective_cpu_model)
    return sort_findings([*validate(config), *qemu_findings(config, own), *settings])


def export_findings(config: Config, target: ExportTarget) -> list[Finding]:
    """Everything that stops an export: validation errors plus QEMU version errors."""
    found = [f for f in validate(config) if f.severity is Severity.ERROR]
    return found + qemu_findings(config, target)


__all__ = [
    "DEFAULT_CPU_MODEL",
    "ExportError",
    "ExportTarget",
    "check_cpu_model",
    "detected_libvirt",
    "drop_unknown_offs",
    "export_findings",
    "newest_libvirt",
    "preset_findings",
    "qemu_findings",
    "resolve_target",
    "unknown_to_qemu",
]
