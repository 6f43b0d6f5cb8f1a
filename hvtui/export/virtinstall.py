"""``--format virt-install``: the ``--features hyperv.*``, ``--clock`` and related arguments.

virt-install writes libvirt XML, so this format follows the same
:class:`~hvtui.export.libvirt.LibvirtPlan` as ``--format libvirt`` (same
target version, same ``-global`` fallbacks, passed with
``--qemu-commandline``).  Each native element becomes a ``--features
hyperv.<element>.state=on`` sub-option when the virt-install at hand has it;
virt-install grew them over time (Debian 12's 4.1 has only relaxed, vapic,
spinlocks, synic and reset; 5.0 most; 5.1 the rest), so sub-options it lacks,
free-text attributes (the vendor string) and the passthrough mode are written
as ``--xml XPATH`` edits, which every virt-install since 3.0 applies.

virt-install before 5.1 escapes ``& < > ' "`` in XML attribute values a
second time (virt-manager issue #838, fixed by pull request #843), so a
string containing them would reach libvirt changed: such values are refused
for this format rather than exported wrong.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass

from hvtui.catalog import Enlightenment, LibvirtKind, Value, ValueKind
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.libvirt import LibvirtPlan, plan_libvirt
from hvtui.export.shell import command_lines
from hvtui.importers import libvirt_layout as layout
from hvtui.importers.spelling import libvirt_state, libvirt_value
from hvtui.model import Config

#: Characters virt-install < 5.1 escapes twice in attribute values (issue #838).
DOUBLE_ESCAPED = frozenset("&<>'\"")
#: The prefix of every ``--features`` sub-option for ``<hyperv>`` children.
FEATURE_PREFIX = layout.HYPERV


@dataclass(frozen=True)
class VirtInstallExport:
    """virt-install arguments, grouped one option per line, plus notes."""

    groups: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    plan: LibvirtPlan

    @property
    def args(self) -> tuple[str, ...]:
        """Every argument word in order."""
        return tuple(word for group in self.groups for word in group)


def probe_features(binary: str = "virt-install", timeout: float = 20.0) -> frozenset[str] | None:
    """The ``--features`` sub-options the installed virt-install knows, or ``None``.

    Runs ``virt-install --features=?``, which lists them without connecting to
    libvirt.  Any failure (not installed, too old to list them) means unknown.
    """
    path = shutil.which(binary)
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--features=?"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    found = frozenset(
        line.strip() for line in done.stdout.splitlines()[1:] if line.startswith("  ")
    )
    return found or None


def _xpath(*steps: str) -> str:
    return "./" + "/".join(steps)


def _refuse_escaped(entry: Enlightenment, text: str) -> None:
    bad = sorted(set(text) & DOUBLE_ESCAPED)
    if bad:
        raise ExportError(
            f"{entry.name}: virt-install before 5.1 escapes {bad[0]!r} twice in XML "
            "(virt-manager issue #838), so the value would reach libvirt changed; "
            "use --format libvirt for this value",
            code=1,
        )


class _Builder:
    def __init__(self, known: frozenset[str] | None) -> None:
        self.known = known
        self.features: list[str] = []
        self.xml: list[tuple[str, str]] = []

    def has(self, suboption: str) -> bool:
        return self.known is None or suboption in self.known

    def set(self, steps: tuple[str, ...], attribute: str, value: str, *, free_text: bool) -> None:
        """One attribute: as a ``--features`` sub-option if possible, else ``--xml``."""
        suboption = ".".join((FEATURE_PREFIX, *steps, attribute))
        if not free_text and self.has(suboption):
            self.features.append(f"{suboption}={value}")
        else:
            self.xml.append(
                (_xpath(layout.FEATURES, layout.HYPERV, *steps, f"@{attribute}"), value)
            )

    def element(self, entry: Enlightenment, value: Value, steps: tuple[str, ...]) -> None:
        on = value is not False and value != "off"
        self.set(steps, layout.STATE, libvirt_state(on), free_text=False)
        if on and entry.libvirt.attribute is not None:
            text = libvirt_value(entry, value)
            free_text = entry.kind is ValueKind.STRING
            if free_text:
                _refuse_escaped(entry, text)
            self.set(steps, entry.libvirt.attribute, text, free_text=free_text)


def _xml_arg(xpath: str, value: str) -> str:
    """``--xml`` text that survives virt-install's own splitting.

    virt-install splits an option on commas with ``shlex`` and a plain
    ``XPATH=VALUE`` on the last ``=``; the ``xpath.set=...,xpath.value=...``
    form with a quoted value avoids both.
    """
    if all(c.isalnum() or c in "-_." for c in value):
        return f"{xpath}={value}"
    return f"xpath.set={xpath},xpath.value={shlex.quote(value)}"


def build_virt_install(
    config: Config, target: ExportTarget, *, known_features: frozenset[str] | None = None
) -> VirtInstallExport:
    """The arguments for ``config``; ``known_features`` from :func:`probe_features`."""
    plan = plan_libvirt(config, target)
    builder = _Builder(known_features)
    clock: list[str] = []
    panic: list[str] = []
    mode = plan.passthrough
    if mode is not None:
        builder.xml.append(
            (_xpath(layout.FEATURES, layout.HYPERV, f"@{layout.MODE}"), mode.libvirt.element)
        )
    for entry, value in plan.native:
        kind = entry.libvirt.kind
        if kind is LibvirtKind.HYPERV:
            builder.element(entry, value, (entry.libvirt.element,))
        elif kind is LibvirtKind.HYPERV_CHILD:
            builder.element(entry, value, layout.split_child(entry))
        elif kind is LibvirtKind.CLOCK_TIMER:
            clock.append(
                f"{entry.libvirt.element}_{layout.TIMER_PRESENT}={'yes' if value else 'no'}"
            )
        elif kind is LibvirtKind.PANIC and value is True:
            panic.append(f"{layout.PANIC_MODEL}={layout.PANIC_HYPERV}")
    groups: list[tuple[str, ...]] = [("--cpu", _cpu_arg(target.cpu_model))]
    if builder.features:
        groups.append(("--features", ",".join(builder.features)))
    groups.extend(("--xml", _xml_arg(xpath, value)) for xpath, value in builder.xml)
    if clock:
        groups.append(("--clock", ",".join(clock)))
    groups.extend(("--panic", item) for item in panic)
    for fallback, option, setting in plan.global_args():
        _refuse_escaped(fallback.entry, setting)
        groups.append((f"--qemu-commandline={shlex.join((option, setting))}",))
    for _entry, words in plan.extra:
        groups.append((f"--qemu-commandline={shlex.join(words)}",))
    notes = [f"hvtui: Hyper-V settings for {target.describe()}"]
    notes.extend(
        f"{f.entry.qemu_property} via --qemu-commandline: {f.reason}" for f in plan.fallback
    )
    notes.extend(f"left out {o.entry.name}: {o.reason}" for o in plan.omitted)
    return VirtInstallExport(tuple(groups), tuple(notes), plan)


def _cpu_arg(model: str) -> str:
    mode = layout.MODE_FOR_MODEL.get(model)
    return f"{layout.CPU_MODE}={mode}" if mode is not None else f"{model},match=exact"


def render_virt_install(
    config: Config, target: ExportTarget, *, known_features: frozenset[str] | None = None
) -> str:
    """Shell-quoted virt-install arguments, one option per line, notes as comments."""
    built = build_virt_install(config, target, known_features=known_features)
    return command_lines(built.groups, built.notes)


__all__ = [
    "DOUBLE_ESCAPED",
    "VirtInstallExport",
    "build_virt_install",
    "probe_features",
    "render_virt_install",
]
