"""The CPU settings of a configuration (a preset's ``[cpu]`` table).

Kept beside :class:`~hvtui.model.config.Config` rather than in it: they are not
enlightenments (no dependencies, no CPUID bits of their own), and every reader
of a ``Config`` would otherwise have to skip them.  The facts about them live in
:mod:`hvtui.catalog.cpu_settings`.
"""

from __future__ import annotations

from hvtui.catalog.cpu_settings import CPU_SETTINGS, CpuSettingKey, cpu_setting, virt_flag
from hvtui.records import fields, record, replace


@record(frozen=True)
class CpuSettings:
    """What a configuration asks of the guest CPU besides the hv-* options (None: unset)."""

    nested_virt: bool | None = None
    tsc_frequency: int | None = None
    """Hz."""
    invtsc: bool | None = None
    hide_kvm: bool | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is set."""
        return all(getattr(self, f.name) is None for f in fields(self))

    def get(self, key: CpuSettingKey) -> bool | int | None:
        """The value of a ``[cpu]`` key."""
        value: bool | int | None = getattr(self, _attr(key))
        return value

    def with_value(self, key: CpuSettingKey, value: bool | int | None) -> CpuSettings:
        """A copy with ``key`` set (``None`` unsets it); a value of the wrong kind is a
        ``TypeError`` (presets check types before they get here)."""
        if key is CpuSettingKey.TSC_FREQUENCY:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{key.value} takes an integer (Hz)")
            return replace(self, tsc_frequency=value)
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{key.value} takes true or false")
        if key is CpuSettingKey.NESTED_VIRT:
            return replace(self, nested_virt=value)
        if key is CpuSettingKey.INVTSC:
            return replace(self, invtsc=value)
        return replace(self, hide_kvm=value)

    def items(self) -> list[tuple[CpuSettingKey, bool | int]]:
        """The keys that are set, in catalog order."""
        out: list[tuple[CpuSettingKey, bool | int]] = []
        for setting in CPU_SETTINGS:
            value = self.get(setting.key)
            if value is not None:
                out.append((setting.key, value))
        return out

    def qemu_properties(self, cpu_model: str, host_vendor: str | None = None) -> list[str]:
        """``-cpu`` properties for these settings (``vmx=on``, ``tsc-frequency=...``).

        ``nested-virt`` adds ``vmx``/``svm`` only for a named model: ``host`` and
        ``max`` already pass the extension through when KVM's nested parameter is on.
        """
        props: list[str] = []
        if self.nested_virt and cpu_model not in ("host", "max"):
            props.append(f"{virt_flag(cpu_model, host_vendor)}=on")
        if self.invtsc is not None:
            props.append(f"invtsc={'on' if self.invtsc else 'off'}")
        if self.tsc_frequency is not None:
            props.append(f"tsc-frequency={self.tsc_frequency}")
        if self.hide_kvm:
            props.append("kvm=off")
        return props


def _attr(key: CpuSettingKey) -> str:
    cpu_setting(key)  # validates
    return key.value.replace("-", "_")


__all__ = ["CpuSettings"]
