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
from hvtui.verify.codes import HostWorkaround, ProbeFailure
from hvtui.verify.compare import Comparison, Difference
from hvtui.verify.guest import GuestView
from hvtui.verify.hostmsr import CPU_PROPERTY, refused_msr
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
    host_workaround: HostWorkaround | None = None
    """What verify added to ``-cpu`` because this host stopped QEMU (``command`` and
    ``spec`` are the run with it); ``None``: the input as it is."""
    host_refusal: str | None = None
    """QEMU's reason of the run without the workaround."""

    @property
    def qemu_error_why(self) -> str | None:
        """What QEMU's refusal means when it is an MSR this host's KVM refused (which one,
        whose problem, and the workaround verify knows), else ``None``."""
        refused = refused_msr(self.qemu_error)
        if refused is None:
            return None
        words = refused.words()
        prop = refused.cpu_property
        if prop is None:
            return words
        if self.host_workaround is not None:
            return f"{words}; verify added {prop} to -cpu and QEMU still refused it"
        return f"{words}; QEMU starts with {prop} added to -cpu"

    @property
    def workaround_line(self) -> str | None:
        """The one line saying what verify changed because of this host, and why."""
        if self.host_workaround is None:
            return None
        refused = refused_msr(self.host_refusal)
        said = (
            f"QEMU said 'failed to set MSR {refused.index:#x} to {refused.value:#x}' and "
            f"aborted: {refused.words()}"
            if refused is not None
            else f"QEMU refused to start: {self.host_refusal}"
        )
        return (
            f"host workaround {self.host_workaround.value}: {said}; verified with "
            f"{CPU_PROPERTY[self.host_workaround]} added to -cpu, which changes no hypervisor "
            "CPUID leaf"
        )

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
            "qemu_error_why": self.qemu_error_why,
            "qemu_warnings": list(self.qemu_warnings),
            "probe_error": self.probe_error,
            "probe_failure": self.probe_failure.value if self.probe_failure else None,
            "serial": self.serial,
            "host": {"kvm_hyperv": self.host.hyperv, "offered": self.host.offered},
            "notes": list(self.notes),
            "host_workaround": None
            if self.host_workaround is None
            else {
                "code": self.host_workaround.value,
                "cpu_property": CPU_PROPERTY[self.host_workaround],
                "qemu_error": self.host_refusal,
                "text": self.workaround_line,
            },
            "seconds": round(self.seconds, 3),
        }


__all__ = ["SCHEMA", "VerifyResult"]
