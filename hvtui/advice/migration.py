"""The migration-safety badge: can a VM with this configuration live-migrate?"""

from __future__ import annotations

from hvtui import catalog
from hvtui.catalog import Migration
from hvtui.model import Config
from hvtui.records import record


@record(frozen=True)
class Badge:
    """``safe``, ``conditional`` (works if every host matches) or ``blocked``."""

    level: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """Short text for a badge."""
        return {
            "safe": "migration-safe",
            "conditional": "migrates with conditions",
            "blocked": "cannot migrate",
        }[self.level]


def migration_safety(config: Config) -> Badge:
    """Judge ``config`` from the catalog's migration facts alone."""
    blocked: list[str] = []
    conditional: list[str] = []
    for name in config.enabled():
        entry = catalog.get(name)
        value = config.get(name)
        if entry.migration is Migration.BLOCKS or (
            entry.migration is Migration.BLOCKS_WHEN_AUTO and value == "auto"
        ):
            blocked.append(f"{name}: {entry.migration_note}")
        elif entry.migration is Migration.NEEDS_TSC:
            conditional.append(f"{name}: {entry.migration_note}")
        elif entry.vendors is not None:
            conditional.append(f"{name}: every host must be {'/'.join(sorted(entry.vendors))}")
        elif entry.nested_only:
            conditional.append(f"{name}: every host must offer it (nested support)")
        elif any(n.host_specific for n in entry.host_needs):
            needs = ", ".join(n.value for n in entry.host_needs if n.host_specific)
            conditional.append(f"{name}: every host must have {needs}")
    if blocked:
        return Badge("blocked", tuple(blocked + conditional))
    if conditional:
        return Badge("conditional", tuple(conditional))
    return Badge("safe", ())
