"""Asked against seen: which options the guest does not get, and why.

An option counts as seen when the guest sees it with the asked value: a switch
by its CPUID bits, spinlocks and the version ids where the catalog's ``value_cpuid``
says, vendor-id as the signature.  An explicit ``off`` is met when the guest does not
see the option.  hv-passthrough asks for "whatever this host's KVM gives": it is
met when the guest sees a Hyper-V interface, and what it sees is then listed
explicitly instead of being unexpected.

Each difference gets the most specific reason there is: QEMU refused (its
message), a KVM without Hyper-V (QEMU drops the option without a word), a KVM
that does not offer this option, a different value, or simply not seen.
"""

from __future__ import annotations

from hvtui import catalog
from hvtui.catalog import Enlightenment, Migration, Value, ValueKind
from hvtui.model import Config
from hvtui.records import record
from hvtui.verify.codes import Reason
from hvtui.verify.guest import GuestView
from hvtui.verify.runner import HostKvm


@record(frozen=True)
class Difference:
    """One option whose guest view differs from what was asked."""

    option: str
    asked: Value | None
    """The asked value; ``None`` for an option that was not asked (unexpected)."""
    seen: Value | None
    """What the guest sees; ``None``: not at all."""
    reason: Reason
    detail: str
    """The reason in words, with QEMU's message or the guest's signature."""

    @property
    def qemu_property(self) -> str:
        """``hv-relaxed``."""
        return catalog.get(self.option).qemu_property

    def to_json(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            "option": self.option,
            "property": self.qemu_property,
            "asked": self.asked,
            "seen": self.seen,
            "reason": self.reason.value,
            "detail": self.detail,
        }


@record(frozen=True)
class Comparison:
    """The outcome of one comparison."""

    missing: tuple[Difference, ...]
    unexpected: tuple[Difference, ...]
    unjudged: tuple[Difference, ...]
    """Asked options CPUID cannot show (enforce-cpuid): neither met nor missing."""
    expanded: dict[str, Value] | None
    """hv-passthrough's options as the guest got them, explicitly; ``None`` without it."""
    expanded_notes: tuple[str, ...] = ()


def passthrough_asked(asked: Config) -> bool:
    """The configuration turns hv-passthrough on."""
    return any(catalog.get(n).overrides_list and asked.is_on(n) for n in asked.enabled())


def _is_default(entry: Enlightenment, value: Value) -> bool:
    """QEMU's own value, also the older machine types' one (version ids)."""
    older = entry.older_machine_default
    return value == entry.default or (older is not None and value == older.value)


def _met(entry: Enlightenment, asked: Value, seen: Value | None) -> bool | None:
    """Whether the guest shows ``asked``; ``None`` when CPUID cannot tell."""
    if entry.overrides_list:
        return None  # judged separately: the whole Hyper-V interface
    if not entry.cpuid and entry.kvm_cap is not None:
        return None  # enforce-cpuid: a vCPU capability
    if entry.kind is ValueKind.SWITCH:
        return seen is True if asked is True else seen is not True
    if entry.kind is ValueKind.TRISTATE:
        if asked == "auto":
            return None
        return seen == "on" if asked == "on" else seen is None
    return seen == asked


def _why(
    entry: Enlightenment,
    seen: Value | None,
    guest: GuestView | None,
    host: HostKvm,
    qemu_error: str | None,
) -> tuple[Reason, str]:
    """The most specific reason the guest does not show an asked value."""
    if qemu_error is not None or guest is None:
        return Reason.QEMU_REFUSED, f"QEMU refused to start: {qemu_error}"
    if not guest.hyperv:
        sees = f"the guest sees {guest.signature!r} (max leaf {guest.max_leaf:#010x})"
        if not host.hyperv:
            return (
                Reason.DROPPED_NO_HYPERV,
                "this host's KVM has no Hyper-V (no KVM_CAP_HYPERV: a kernel built without "
                f"CONFIG_KVM_HYPERV), so QEMU dropped it without a word; {sees}",
            )
        return Reason.NO_INTERFACE, f"QEMU shows no Hyper-V interface; {sees}"
    if seen is not None and seen is not False:
        return Reason.DIFFERENT_VALUE, f"the guest sees {_shown(entry, seen)}"
    if host.offered is not None and entry.needs_kvm_support and entry.name not in host.offered:
        return Reason.NOT_OFFERED, "this host's KVM does not offer it"
    return Reason.NOT_SEEN, "the guest sees Hyper-V but not this option"


def _shown(entry: Enlightenment, value: Value) -> str:
    if entry.hex_display and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:#x}"
    return repr(value) if isinstance(value, str) else str(value).lower()


def compare(
    asked: Config, guest: GuestView | None, host: HostKvm, qemu_error: str | None
) -> Comparison:
    """Asked against seen for every option either side names."""
    seen = guest.seen if guest is not None else {}
    passthrough = passthrough_asked(asked)
    ignored = set(asked.overridden_by_passthrough()) if passthrough else set()
    missing: list[Difference] = []
    unexpected: list[Difference] = []
    unjudged: list[Difference] = []
    for name, value in asked:
        if not catalog.is_canonical(name) or name in ignored:
            continue
        entry = catalog.get(name)
        shown = seen.get(name)
        if entry.overrides_list:
            if value is True and not (guest is not None and guest.hyperv):
                reason, detail = _why(entry, None, guest, host, qemu_error)
                missing.append(Difference(name, value, None, reason, detail))
            continue
        verdict = _met(entry, value, shown)
        if verdict is None:
            if value is True and not entry.cpuid:
                detail = "a KVM capability QEMU enables on the vCPU, not a CPUID bit"
                unjudged.append(Difference(name, value, None, Reason.NOT_IN_CPUID, detail))
            continue
        if verdict:
            continue
        if shown is not None and shown is not False and _off(value):
            detail = f"asked off, but the guest sees {_shown(entry, shown)}"
            unexpected.append(Difference(name, value, shown, Reason.DIFFERENT_VALUE, detail))
            continue
        reason, detail = _why(entry, shown, guest, host, qemu_error)
        missing.append(Difference(name, value, shown, reason, detail))
    if not passthrough:
        unexpected += _not_asked(asked, seen)
    expanded, notes = _expanded(seen, guest) if passthrough else (None, ())
    return Comparison(tuple(missing), tuple(unexpected), tuple(unjudged), expanded, notes)


def _off(value: Value) -> bool:
    return value is False or value == "off"


def _not_asked(asked: Config, seen: dict[str, Value]) -> list[Difference]:
    """What the guest sees that nobody asked for (QEMU's own values are not listed)."""
    out: list[Difference] = []
    for name, value in seen.items():
        entry = catalog.get(name)
        if asked.get(name) is not None or name.startswith("version-id-"):
            continue  # asked ones are judged above; version ids depend on the machine type
        if value is False or _is_default(entry, value):
            continue
        detail = f"not asked, but the guest sees {_shown(entry, value)}"
        out.append(Difference(name, None, value, Reason.NOT_ASKED, detail))
    return out


def _expanded(
    seen: dict[str, Value], guest: GuestView | None
) -> tuple[dict[str, Value], tuple[str, ...]]:
    """hv-passthrough as the explicit list the guest got, ready for a preset.

    QEMU's own values (vendor "Microsoft Hv", spinlocks "never") are left out;
    no-nonarch-coresharing too, since the guest only saw it because this host's KVM
    said SMT is off here: an explicit list claims it on every host.  The migration
    notes of what stays come with it.
    """
    if guest is None or not guest.hyperv:
        return {}, ()
    explicit: dict[str, Value] = {}
    notes: list[str] = []
    for name, value in seen.items():
        entry = catalog.get(name)
        if value is False or _is_default(entry, value):
            continue
        if entry.cpuid_means_auto:
            notes.append(
                f"{entry.qemu_property}: left out: the guest saw it because this host's KVM "
                "reports no SMT sharing; set it where that holds (or 'auto')"
            )
            continue
        explicit[name] = value
        if entry.migration is not Migration.SAFE and entry.migration_note:
            notes.append(f"{entry.qemu_property}: {entry.migration_note}")
    return explicit, tuple(notes)


__all__ = ["Comparison", "Difference", "compare", "passthrough_asked"]
