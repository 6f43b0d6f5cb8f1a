"""The outcome of one verify run: what was asked, what the guest saw, and the proof.

:class:`VerifyResult` is what the CLI prints and what the wizard shows; its
``to_json`` is the documented ``--json`` document.
"""

from __future__ import annotations

from typing import Any

from hvtui.catalog import Value
from hvtui.model import Config
from hvtui.presets import Preset, Target, dumps
from hvtui.records import field, record
from hvtui.verify.codes import ProbeFailure
from hvtui.verify.compare import Comparison, Difference
from hvtui.verify.guest import GuestView
from hvtui.verify.runner import HostKvm
from hvtui.verify.spec import VmSpec

#: Version of the ``--json`` document (the README documents it).
SCHEMA = 1


@record(frozen=True)
class VerifyResult:
    """Everything one run found out; ``exit_code`` is the CLI's answer."""

    spec: VmSpec
    command: tuple[str, ...]
    host: HostKvm
    guest: GuestView | None
    comparison: Comparison
    qemu_error: str | None = None
    """QEMU's one-line reason when it did not start the guest."""
    qemu_warnings: tuple[str, ...] = ()
    probe_failure: ProbeFailure | None = None
    probe_error: str | None = None
    """Why the guest's report is missing or broken (the serial output is quoted)."""
    serial: str = ""
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """The guest sees exactly what was asked."""
        return (
            self.qemu_error is None
            and self.probe_error is None
            and not self.comparison.missing
            and not self.comparison.unexpected
        )

    @property
    def exit_code(self) -> int:
        """0 when the guest sees exactly what was asked, else 1."""
        return 0 if self.ok else 1

    @property
    def missing(self) -> tuple[Difference, ...]:
        """Asked, not seen."""
        return self.comparison.missing

    @property
    def unexpected(self) -> tuple[Difference, ...]:
        """Seen, not asked (or asked off)."""
        return self.comparison.unexpected

    @property
    def seen(self) -> dict[str, Value]:
        """What the guest sees, by catalog name."""
        return dict(self.guest.seen) if self.guest is not None else {}

    def explicit_preset(self) -> Preset | None:
        """hv-passthrough's outcome as a preset (``None`` without passthrough or Hyper-V)."""
        expanded = self.comparison.expanded
        if not expanded:
            return None
        base = self.spec.source.rpartition(" ")[2] or "verified"
        return Preset(
            name=f"{base}-explicit"[:64].strip("-.") or "verified-explicit",
            config=Config.of(expanded),
            description=f"What hv-passthrough gave the guest on this host ({self.spec.source})",
            target=Target(cpu_model=self.spec.cpu_model),
        )

    def explicit_toml(self) -> str | None:
        """The explicit preset as TOML, its migration notes as comments first."""
        preset = self.explicit_preset()
        if preset is None:
            return None
        comments = "".join(f"# {note}\n" for note in self.comparison.expanded_notes)
        return comments + dumps(preset)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document (schema 1)."""
        guest = self.guest
        return {
            "schema": SCHEMA,
            "ok": self.ok,
            "source": self.spec.source,
            "command": list(self.command),
            "hypervisor_bit": guest.hypervisor_bit if guest else None,
            "signature": guest.signature if guest else None,
            "max_leaf": guest.max_leaf if guest else None,
            "interface": guest.interface if guest else None,
            "hyperv": guest.hyperv if guest else False,
            "version": guest.version or None if guest else None,
            "leaves": {f"{function:#010x}": r._asdict() for function, r in guest.leaves.items()}
            if guest
            else {},
            "asked": dict(self.spec.asked.values),
            "seen": self.seen,
            "missing": [d.to_json() for d in self.missing],
            "unexpected": [d.to_json() for d in self.unexpected],
            "unjudged": [d.to_json() for d in self.comparison.unjudged],
            "passthrough": None
            if self.comparison.expanded is None
            else {
                "expanded": dict(self.comparison.expanded),
                "notes": list(self.comparison.expanded_notes),
                "preset": self.explicit_toml(),
            },
            "qemu_error": self.qemu_error,
            "qemu_warnings": list(self.qemu_warnings),
            "probe_error": self.probe_error,
            "probe_failure": self.probe_failure.value if self.probe_failure else None,
            "serial": self.serial,
            "host": {"kvm_hyperv": self.host.hyperv, "offered": self.host.offered},
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }


__all__ = ["SCHEMA", "VerifyResult"]
