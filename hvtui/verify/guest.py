"""What the guest sees: the hypervisor CPUID leaves the probe read, decoded.

The enlightenments come from the catalog's CPUID bits through the very decoder
detection uses for ``KVM_GET_SUPPORTED_HV_CPUID``
(:func:`hvtui.detect.kvm_ioctl.decode_hyperv`): the guest's leaves have the same
layout as KVM's answer, so one table of bits serves both questions.

Only leaves the guest may trust are decoded: those up to the maximum leaf named
in 0x40000000.EAX (a CPU answers a leaf beyond it with some other leaf's data,
Intel with its highest basic leaf), Hyper-V's leaves only when 0x40000001 says
``Hv#1``, and the SynDbg sub-range at 0x40000080 only when its first leaf names
its own last one.
"""

from __future__ import annotations

from collections.abc import Mapping

from hvtui import catalog
from hvtui.catalog import CpuidBits, Value
from hvtui.detect.kvm_ioctl import decode_hyperv
from hvtui.detect.report import CpuidEntry
from hvtui.records import field, record, replace
from hvtui.verify.probe import Registers

HV_BASE = 0x40000000
HV_INTERFACE = 0x40000001
HV_VERSION = 0x40000002
#: Hyper-V's SynDbg leaves (hv-syndbg) and where KVM moves its own leaves when
#: Hyper-V takes 0x40000000.
SUBRANGES = (0x40000080, 0x40000100)
SUBRANGE_LEAVES = 0x0F
HV1 = "Hv#1"
LEAF_HYPERVISOR_BIT = 1
HYPERVISOR_BIT = 1 << 31
#: The last leaf of the 0x40000000 block a hypervisor may name.
LAST_HV_LEAF = 0x400000FF
KVM_SIGNATURE = "KVMKVMKVM"

#: Where each version-id-* option sits in leaf 0x40000002: (register, shift, bits).
#: Options whose value the guest reads from a Hyper-V leaf (spinlocks, the version ids),
#: with where: the catalog's ``value_cpuid``.
VALUE_FIELDS: dict[str, CpuidBits] = {
    e.name: e.value_cpuid for e in catalog.ENTRIES if e.value_cpuid is not None
}
VERSION_FIELDS = tuple(name for name in VALUE_FIELDS if name.startswith("version-id-"))


def signature_of(registers: Registers) -> str:
    """EBX, ECX, EDX as the 12 characters a guest compares, trailing NULs dropped."""
    raw = b"".join(r.to_bytes(4, "little") for r in registers[1:])
    return raw.rstrip(b"\0").decode("latin-1")


def fourcc(value: int) -> str | None:
    """``Hv#1`` from 0x31237648: a register read as four characters; ``None`` when they
    are not printable ASCII (KVM keeps its feature bits there)."""
    text = value.to_bytes(4, "little").rstrip(b"\0").decode("latin-1")
    return text if text and text.isascii() and text.isprintable() else None


@record(frozen=True)
class GuestView:
    """The hypervisor interface one guest sees, decoded; raw leaves included."""

    leaves: Mapping[int, Registers]
    hypervisor_bit: bool | None
    """CPUID 1 ECX bit 31: without it a guest does not look at 0x40000000 at all."""
    signature: str
    """0x40000000 EBX-EDX as the guest reads it (``KVMKVMKVM``, ``Microsoft Hv``)."""
    max_leaf: int
    """0x40000000 EAX: the last leaf of the block."""
    interface: str | None
    """0x40000001 EAX as text (``Hv#1``); ``None`` when the block does not reach it."""
    seen: dict[str, Value] = field(default_factory=dict)
    """Catalog options the guest sees, with the value it sees (catalog order)."""
    subranges: dict[int, str] = field(default_factory=dict)
    """Valid sub-ranges (0x40000080, 0x40000100) and their signatures."""

    @property
    def hyperv(self) -> bool:
        """The guest sees a Hyper-V interface (``Hv#1``)."""
        return self.interface == HV1

    @property
    def has_block(self) -> bool:
        """0x40000000 names a last leaf of its own block: a hypervisor answers there."""
        return HV_INTERFACE <= (self.max_leaf or HV_INTERFACE) <= LAST_HV_LEAF

    @property
    def kvm_leaves_at(self) -> int | None:
        """Where the guest finds KVM's own signature, if anywhere."""
        if self.signature == KVM_SIGNATURE and self.has_block:
            return HV_BASE
        for base, signature in self.subranges.items():
            if signature == KVM_SIGNATURE:
                return base
        return None

    @property
    def version(self) -> dict[str, int]:
        """The Hyper-V version fields (build, major...), when the guest sees Hyper-V."""
        return {
            name.removeprefix("version-id-"): value
            for name, value in self.seen.items()
            if name in VERSION_FIELDS and isinstance(value, int)
        }

    def in_block(self, function: int) -> bool:
        """The guest may trust ``function``: within the block 0x40000000 names."""
        return self.has_block and HV_BASE <= function <= (self.max_leaf or HV_INTERFACE)

    def trusted(self) -> dict[int, Registers]:
        """The leaves a guest may read: the block and the valid sub-ranges."""
        out = {f: r for f, r in self.leaves.items() if self.in_block(f)}
        for base in self.subranges:
            last = self.leaves[base].eax
            out.update({f: r for f, r in self.leaves.items() if base <= f <= last})
        return out


def _valid_subranges(leaves: Mapping[int, Registers]) -> dict[int, str]:
    found: dict[int, str] = {}
    for base in SUBRANGES:
        first = leaves.get(base)
        if first is not None and base < first.eax <= base + SUBRANGE_LEAVES:
            found[base] = signature_of(first)
    return found


def decode(leaves: Mapping[int, Registers]) -> GuestView:
    """What a guest reading ``leaves`` learns about its hypervisor."""
    top = leaves.get(HV_BASE, Registers(0, 0, 0, 0))
    leaf1 = leaves.get(LEAF_HYPERVISOR_BIT)
    # KVM before Linux 2.6.36 answered 0 for "just 0x40000001" (still honoured by Linux).
    max_leaf = top.eax if top.eax else HV_INTERFACE
    interface_leaf = leaves.get(HV_INTERFACE)
    interface = (
        fourcc(interface_leaf.eax)
        if interface_leaf is not None and HV_INTERFACE <= max_leaf <= LAST_HV_LEAF
        else None
    )
    view = GuestView(
        leaves=dict(leaves),
        hypervisor_bit=None if leaf1 is None else bool(leaf1.ecx & HYPERVISOR_BIT),
        signature=signature_of(top),
        max_leaf=top.eax,
        interface=interface,
        subranges=_valid_subranges(leaves),
    )
    return replace(view, seen=_seen(view)) if view.hyperv else view


def _seen(view: GuestView) -> dict[str, Value]:
    """Every catalog option the guest sees, with its value, in catalog order."""
    trusted = view.trusted()
    entries = [CpuidEntry(f, 0, r.eax, r.ebx, r.ecx, r.edx) for f, r in trusted.items()]
    switched = set(decode_hyperv(entries, {}))
    seen: dict[str, Value] = {}
    for entry in catalog.ENTRIES:
        name = entry.name
        if name in switched:
            seen[name] = "on" if entry.cpuid_means_auto else True
        elif name == "vendor-id":
            seen[name] = view.signature
        elif name in VALUE_FIELDS and VALUE_FIELDS[name].leaf in trusted:
            at = VALUE_FIELDS[name]
            register: int = getattr(trusted[at.leaf], at.register.lower())
            shift = (at.mask & -at.mask).bit_length() - 1
            seen[name] = (register & at.mask) >> shift
    return seen


__all__ = ["HV1", "KVM_SIGNATURE", "VERSION_FIELDS", "GuestView", "decode", "fourcc"]
