"""``--format qemu``: the ``-cpu`` argument and whatever else the chosen set needs.

Properties appear in catalog order (``config.values`` is kept in it), so the
same configuration always gives the same string.  Explicit ``off`` values are
written (``hv-stimer=off``) because a preset distinguishes "off" from "absent"
and the QEMU parser reads them back.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.catalog import Migration
from hvtui.catalog.cpu_settings import CpuSettingKey, cpu_setting
from hvtui.export.context import ExportError, ExportTarget, drop_unknown_offs
from hvtui.export.shell import command_lines
from hvtui.formats.spelling import qemu_value
from hvtui.model import Config
from hvtui.records import record

#: QemuOpts splits on commas, and none of these belong in a single property value.
_UNSAFE_IN_OPTION = frozenset(",\n\r\0")


@record(frozen=True)
class QemuExport:
    """The QEMU arguments for a configuration, as words and as notes for people."""

    cpu: str
    """The ``-cpu`` value: ``host,hv-relaxed=on,...``."""
    extra: tuple[tuple[str, ...], ...]
    """Further argument groups (``("-device", "vmbus-bridge,irq=15")``)."""
    notes: tuple[str, ...]
    """One line each, printed as ``#`` comments before the arguments."""

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """Argument groups, ``-cpu`` first."""
        return (("-cpu", self.cpu), *self.extra)

    @property
    def args(self) -> tuple[str, ...]:
        """Every argument word in order."""
        return tuple(word for group in self.groups for word in group)


def cpu_properties(config: Config) -> list[tuple[str, str]]:
    """``[("hv-relaxed", "on"), ("hv-spinlocks", "0x1fff"), ...]`` in catalog order."""
    props: list[tuple[str, str]] = []
    for name, value in config:
        canonical = catalog.canonical_name(name)
        if canonical is None:
            raise ExportError(f"unknown enlightenment {name!r} cannot be exported")
        entry = catalog.get(canonical)
        text = qemu_value(entry, value)
        bad = sorted(set(text) & _UNSAFE_IN_OPTION)
        if bad:
            raise ExportError(f"{entry.qemu_property}: the value may not contain {bad[0]!r}")
        props.append((entry.qemu_property, text))
    return props


def cpu_option(config: Config, model: str) -> str:
    """The ``-cpu`` value for ``config`` on CPU model ``model``."""
    return ",".join([model, *(f"{prop}={text}" for prop, text in cpu_properties(config))])


def extra_arguments(config: Config) -> tuple[tuple[str, ...], ...]:
    """The catalog's ``extra_qemu_args`` of every option that is on, each group once."""
    groups: list[tuple[str, ...]] = []
    for name in config.enabled():
        for group in _grouped(catalog.get(name).extra_qemu_args):
            if group not in groups:
                groups.append(group)
    return tuple(groups)


def _grouped(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``("-device", "x", "-global", "y")`` -> one group per option and its values."""
    groups: list[list[str]] = []
    for word in words:
        if word.startswith("-") or not groups:
            groups.append([word])
        else:
            groups[-1].append(word)
    return [tuple(g) for g in groups]


def migration_notes(config: Config) -> tuple[str, ...]:
    """What the options that are on do to live migration, from the catalog."""
    notes: list[str] = []
    for name in config.enabled():
        entry = catalog.get(name)
        if entry.migration is Migration.SAFE or not entry.migration_note:
            continue
        if entry.migration is Migration.BLOCKS_WHEN_AUTO and config.get(name) != "auto":
            continue
        notes.append(f"{entry.qemu_property}: {entry.migration_note}")
    return tuple(notes)


def build_qemu(config: Config, target: ExportTarget) -> QemuExport:
    """The arguments for ``config`` on ``target`` (its CPU model, QEMU version and the
    preset's CPU settings, which follow the hv-* properties on ``-cpu``)."""
    usable, dropped = drop_unknown_offs(config, target)
    settings = target.cpu.qemu_properties(target.cpu_model)
    cpu = ",".join([cpu_option(usable, target.cpu_model), *settings])
    return QemuExport(
        cpu,
        extra_arguments(usable),
        (*migration_notes(usable), *cpu_setting_notes(target), *dropped),
    )


def cpu_setting_notes(target: ExportTarget) -> tuple[str, ...]:
    """What the CPU settings do to migration, and what ``nested-virt`` needs, from the catalog."""
    notes: list[str] = []
    for key, value in target.cpu.items():
        setting = cpu_setting(key)
        if value is True and setting.migration is not Migration.SAFE:
            if key is CpuSettingKey.INVTSC and target.cpu.tsc_frequency is not None:
                continue
            notes.append(f"{key.value}: {setting.migration_note}")
    if target.cpu.nested_virt and target.cpu_model in ("host", "max"):
        notes.append(
            f"nested-virt: CPU model {target.cpu_model} shows vmx/svm when KVM's nested "
            "parameter is on; nothing to add"
        )
    return tuple(notes)


def render_qemu(config: Config, target: ExportTarget) -> str:
    """Shell-quoted arguments, one group per line, migration notes as comments first."""
    built = build_qemu(config, target)
    return command_lines(built.groups, built.notes)


__all__ = [
    "QemuExport",
    "build_qemu",
    "cpu_option",
    "cpu_properties",
    "extra_arguments",
    "migration_notes",
    "render_qemu",
]
