"""Asking KVM itself: ``/dev/kvm`` ioctls and the decoder for its Hyper-V CPUID answer.

hvtui asks the kernel the question QEMU asks before it starts a guest with
``hv-*`` options: ``KVM_GET_SUPPORTED_HV_CPUID``.  On Linux 5.11+ that is a
system ioctl on ``/dev/kvm``; on 5.0-5.10 it exists only on a vCPU, so a
throw-away VM with one vCPU is created (about a millisecond) and closed again.
Older kernels only have the ``KVM_CAP_HYPERV*`` capabilities.

The answer is recorded raw (:class:`KvmAnswer`), so ``--save-snapshot`` can
store it and a replay decodes the very same bytes.  Decoding walks the catalog's
table of what KVM reports per option (:mod:`hvtui.catalog.kvm_abi`, the one place
that knows which bits mean which option), which loads without the rest of the
catalog (issue #13).

Numbers and layouts: ``include/uapi/linux/kvm.h`` and
``arch/x86/include/uapi/asm/kvm.h`` (Linux 6.12).
"""

from __future__ import annotations

import errno
import os
import struct

from hvtui.catalog.kvm_abi import KVM_ABI
from hvtui.detect.report import CpuidEntry
from hvtui.records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Any

    from hvtui.catalog import Enlightenment
    from hvtui.catalog.kvm_abi import KvmFacts

    Ioctl = Callable[[int, int, Any], Any]

DEVICE = "/dev/kvm"

KVMIO = 0xAE


def _io(nr: int) -> int:
    return (KVMIO << 8) | nr


def _iow(nr: int, size: int) -> int:
    return (1 << 30) | (size << 16) | (KVMIO << 8) | nr


def _iowr(nr: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (KVMIO << 8) | nr


#: ``struct kvm_cpuid2`` header: nent, padding (the entries are a flexible array).
CPUID2_HEADER = struct.Struct("=II")
#: ``struct kvm_cpuid_entry2``: function, index, flags, eax, ebx, ecx, edx, padding[3].
CPUID_ENTRY2 = struct.Struct("=IIIIIII3I")
#: ``struct kvm_enable_cap``: cap, flags, args[4], pad[64].
ENABLE_CAP = struct.Struct("=II4Q64x")

KVM_GET_API_VERSION = _io(0x00)
KVM_CREATE_VM = _io(0x01)
KVM_CHECK_EXTENSION = _io(0x03)
KVM_CREATE_VCPU = _io(0x41)
KVM_CREATE_IRQCHIP = _io(0x60)
KVM_ENABLE_CAP = _iow(0xA3, ENABLE_CAP.size)
KVM_GET_SUPPORTED_HV_CPUID = _iowr(0xC1, CPUID2_HEADER.size)
#: ``struct kvm_msr_list { __u32 nmsrs; __u32 indices[]; }``: 4-byte header.
MSR_LIST_HEADER = struct.Struct("=I")
KVM_GET_MSR_INDEX_LIST = _iowr(0x02, MSR_LIST_HEADER.size)
#: Far more than any kernel lists (a few hundred); E2BIG tells the real count.
FIRST_NMSRS = 1024

KVM_API_VERSION = 12

#: Capabilities worth recording (``KVM_CHECK_EXTENSION``), by their kvm.h names.
CAPABILITIES: dict[str, int] = {
    "HYPERV": 44,
    "HYPERV_VAPIC": 45,
    "HYPERV_SPIN": 46,
    "TSC_CONTROL": 60,
    "GET_TSC_KHZ": 61,
    "HYPERV_TIME": 96,
    "HYPERV_SYNIC": 123,
    "HYPERV_SYNIC2": 148,
    "HYPERV_VP_INDEX": 149,
    "HYPERV_EVENTFD": 154,
    "HYPERV_TLBFLUSH": 155,
    "NESTED_STATE": 157,
    "HYPERV_SEND_IPI": 161,
    "HYPERV_ENLIGHTENED_VMCS": 163,
    "HYPERV_CPUID": 167,
    "SYS_HYPERV_CPUID": 191,
    "HYPERV_ENFORCE_CPUID": 199,
    "VM_TSC_CONTROL": 214,
}
CAP_NAMES: dict[int, str] = {v: k for k, v in CAPABILITIES.items()}
CAP_TSC_CONTROL = CAPABILITIES["TSC_CONTROL"]
CAP_HYPERV_CPUID = CAPABILITIES["HYPERV_CPUID"]
CAP_HYPERV_ENLIGHTENED_VMCS = CAPABILITIES["HYPERV_ENLIGHTENED_VMCS"]
#: The capabilities of kernels before KVM_GET_SUPPORTED_HV_CPUID existed.
LEGACY_HYPERV_CAPS = tuple(v for k, v in CAPABILITIES.items() if k.startswith("HYPERV"))

#: Start large: the kernel answers E2BIG without saying how many entries it needs
#: (10 in 6.12), and QEMU probes upward the same way.
FIRST_NENT = 64
MAX_NENT = 4096


def _default_ioctl(fd: int, request: int, arg: Any) -> Any:
    import fcntl

    return fcntl.ioctl(fd, request, arg)


@record()
class KvmAnswer:
    """What ``/dev/kvm`` answered, raw, exactly as a snapshot stores it."""

    device: str
    """``ok``, ``absent``, ``no-access`` or ``error``."""
    device_error: str = ""
    api_version: int | None = None
    caps: dict[int, int] = field(default_factory=dict)
    hv_form: str = ""
    """``system`` or ``vcpu`` when KVM_GET_SUPPORTED_HV_CPUID answered; else ``""``."""
    hv_errno: int | None = None
    """The errno of the system-form attempt (EINVAL: the kernel has no such ioctl)."""
    hv_raw: bytes = b""
    """The ``struct kvm_cpuid2`` buffer, header plus ``nent`` entries."""
    steps: list[str] = field(default_factory=list)
    """What was tried, in words, for the report and bug reports."""
    hv_raw_problem: str = ""
    """Why a snapshot's ``hv_raw`` could not be read back (odd length, not hex): only
    the Hyper-V facts become unknown, the device, API version and capabilities stay."""
    msrs: list[int] | None = None
    """KVM_GET_MSR_INDEX_LIST, asked only on kernels without the Hyper-V CPUID ioctl
    (before 5.0), where the MSR list tells which enlightenments exist."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the snapshot manifest."""
        return {
            "device": self.device,
            "device_error": self.device_error,
            "api_version": self.api_version,
            "caps": {str(k): v for k, v in sorted(self.caps.items())},
            "hv_form": self.hv_form,
            "hv_errno": self.hv_errno,
            "hv_errno_name": errno.errorcode.get(self.hv_errno, "") if self.hv_errno else "",
            "hv_raw": self.hv_raw.hex(),
            "steps": list(self.steps),
            "msrs": None if self.msrs is None else [f"{m:#x}" for m in self.msrs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KvmAnswer:
        """Inverse of :meth:`to_json`; raises ValueError/TypeError/KeyError on bad data."""
        api = data.get("api_version")
        hv_errno = data.get("hv_errno")
        hv_raw, hv_raw_problem = _load_hex(data.get("hv_raw", ""))
        return cls(
            device=str(data["device"]),
            device_error=str(data.get("device_error", "")),
            api_version=int(api) if api is not None else None,
            caps={int(k): int(v) for k, v in dict(data.get("caps", {})).items()},
            hv_form=str(data.get("hv_form", "")),
            hv_errno=int(hv_errno) if hv_errno is not None else None,
            hv_raw=hv_raw,
            hv_raw_problem=hv_raw_problem,
            steps=[str(s) for s in data.get("steps", [])],
            msrs=None if data.get("msrs") is None else [int(str(m), 0) for m in data["msrs"]],
        )


def _load_hex(value: object) -> tuple[bytes, str]:
    """Bytes of a hex string from a manifest, or ``b""`` and why not."""
    if not isinstance(value, str):
        return b"", f"expected a hex string, got {type(value).__name__}"
    try:
        return bytes.fromhex(value), ""
    except ValueError as exc:
        return b"", f"not hex bytes ({len(value)} characters: {exc})"


def probe_kvm(
    extra_caps: Iterable[int] = (),
    *,
    device: str = DEVICE,
    ioctl: Ioctl | None = None,
    opener: Callable[[str, int], int] = os.open,
    closer: Callable[[int], None] = os.close,
) -> KvmAnswer:
    """Open ``/dev/kvm`` and ask it everything hvtui needs; never raises.

    ``ioctl``/``opener``/``closer`` are injectable so the decision logic (E2BIG
    retries, the vCPU fallback) can be tested against recorded kernels.
    """
    call = ioctl or _default_ioctl
    try:
        fd = opener(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
            return KvmAnswer("absent", _errtext(exc))
        if exc.errno in (errno.EACCES, errno.EPERM):
            return KvmAnswer("no-access", _errtext(exc))
        return KvmAnswer("error", _errtext(exc))
    answer = KvmAnswer("ok")
    try:
        try:
            answer.api_version = int(call(fd, KVM_GET_API_VERSION, 0))
        except OSError as exc:
            answer.steps.append(f"KVM_GET_API_VERSION: {_errtext(exc)}")
            return answer
        for cap in sorted(set(CAPABILITIES.values()) | set(extra_caps)):
            try:
                answer.caps[cap] = int(call(fd, KVM_CHECK_EXTENSION, cap))
            except OSError as exc:
                answer.steps.append(f"KVM_CHECK_EXTENSION({cap}): {_errtext(exc)}")
        raw, err = _get_hv_cpuid(call, fd)
        if raw is not None:
            answer.hv_form, answer.hv_raw = "system", raw
            answer.steps.append("KVM_GET_SUPPORTED_HV_CPUID on /dev/kvm: ok")
            return answer
        answer.hv_errno = err
        answer.steps.append(f"KVM_GET_SUPPORTED_HV_CPUID on /dev/kvm: {_errname(err)}")
        if answer.caps.get(CAP_HYPERV_CPUID, 0) > 0:
            _vcpu_form(call, closer, fd, answer)
        elif any(answer.caps.get(c, 0) > 0 for c in LEGACY_HYPERV_CAPS):
            answer.msrs = _get_msr_list(call, fd, answer)
    except Exception as exc:  # an ioctl wrapper must never take detection down
        answer.steps.append(f"unexpected failure: {type(exc).__name__}: {exc}")
    finally:
        closer(fd)
    return answer


def _get_hv_cpuid(call: Ioctl, fd: int) -> tuple[bytes | None, int | None]:
    """The raw ``kvm_cpuid2`` answer, growing ``nent`` on E2BIG; or the errno."""
    nent = FIRST_NENT
    while nent <= MAX_NENT:
        buf = bytearray(CPUID2_HEADER.size + nent * CPUID_ENTRY2.size)
        CPUID2_HEADER.pack_into(buf, 0, nent, 0)
        try:
            call(fd, KVM_GET_SUPPORTED_HV_CPUID, buf)
        except OSError as exc:
            if exc.errno == errno.E2BIG:
                nent *= 2
                continue
            return None, exc.errno
        count = min(CPUID2_HEADER.unpack_from(buf, 0)[0], nent)
        return bytes(buf[: CPUID2_HEADER.size + count * CPUID_ENTRY2.size]), None
    return None, errno.E2BIG


def _get_msr_list(call: Ioctl, fd: int, answer: KvmAnswer) -> list[int] | None:
    """KVM_GET_MSR_INDEX_LIST; on E2BIG the kernel writes the count it needs."""
    nmsrs = FIRST_NMSRS
    for _ in range(3):
        buf = bytearray(MSR_LIST_HEADER.size + 4 * nmsrs)
        MSR_LIST_HEADER.pack_into(buf, 0, nmsrs)
        try:
            call(fd, KVM_GET_MSR_INDEX_LIST, buf)
        except OSError as exc:
            if exc.errno == errno.E2BIG:
                nmsrs = max(MSR_LIST_HEADER.unpack_from(buf, 0)[0], nmsrs * 2)
                continue
            answer.steps.append(f"KVM_GET_MSR_INDEX_LIST: {_errtext(exc)}")
            return None
        count = min(MSR_LIST_HEADER.unpack_from(buf, 0)[0], nmsrs)
        answer.steps.append(f"KVM_GET_MSR_INDEX_LIST: {count} MSRs")
        return list(struct.unpack_from(f"={count}I", buf, MSR_LIST_HEADER.size))
    answer.steps.append("KVM_GET_MSR_INDEX_LIST: E2BIG")
    return None


def _vcpu_form(call: Ioctl, closer: Callable[[int], None], fd: int, answer: KvmAnswer) -> None:
    """Linux 5.0-5.10: ask a vCPU of a throw-away VM (with an in-kernel irqchip, so
    direct stimers and cluster IPIs are reported, and eVMCS enabled when offered)."""
    try:
        vm = int(call(fd, KVM_CREATE_VM, 0))
    except OSError as exc:
        answer.steps.append(f"KVM_CREATE_VM: {_errtext(exc)}")
        return
    try:
        try:
            call(vm, KVM_CREATE_IRQCHIP, 0)
        except OSError as exc:
            answer.steps.append(f"KVM_CREATE_IRQCHIP: {_errtext(exc)}")
        try:
            vcpu = int(call(vm, KVM_CREATE_VCPU, 0))
        except OSError as exc:
            answer.steps.append(f"KVM_CREATE_VCPU: {_errtext(exc)}")
            return
        try:
            if answer.caps.get(CAP_HYPERV_ENLIGHTENED_VMCS, 0) > 0:
                _enable_evmcs(call, vcpu, answer)
            raw, err = _get_hv_cpuid(call, vcpu)
            if raw is not None:
                answer.hv_form, answer.hv_raw = "vcpu", raw
                answer.steps.append("KVM_GET_SUPPORTED_HV_CPUID on a vCPU: ok")
            else:
                answer.steps.append(f"KVM_GET_SUPPORTED_HV_CPUID on a vCPU: {_errname(err)}")
        finally:
            closer(vcpu)
    finally:
        closer(vm)


def _enable_evmcs(call: Ioctl, vcpu: int, answer: KvmAnswer) -> None:
    """The vCPU form hides eVMCS until it is enabled, as QEMU does for hv-evmcs."""
    import ctypes

    version = ctypes.c_uint16(0)
    arg = ENABLE_CAP.pack(CAP_HYPERV_ENLIGHTENED_VMCS, 0, ctypes.addressof(version), 0, 0, 0)
    try:
        call(vcpu, KVM_ENABLE_CAP, arg)
    except OSError as exc:
        answer.steps.append(f"KVM_ENABLE_CAP(HYPERV_ENLIGHTENED_VMCS): {_errtext(exc)}")


def parse_cpuid2(raw: bytes) -> tuple[CpuidEntry, ...]:
    """Entries of a ``struct kvm_cpuid2`` buffer; raises ValueError if it is truncated."""
    if len(raw) < CPUID2_HEADER.size:
        raise ValueError("kvm_cpuid2 buffer shorter than its header")
    (nent, _pad) = CPUID2_HEADER.unpack_from(raw, 0)
    end = CPUID2_HEADER.size + nent * CPUID_ENTRY2.size
    if len(raw) < end:
        raise ValueError(f"kvm_cpuid2 buffer says {nent} entries but holds fewer")
    entries = []
    for offset in range(CPUID2_HEADER.size, end, CPUID_ENTRY2.size):
        function, index, _flags, eax, ebx, ecx, edx, *_ = CPUID_ENTRY2.unpack_from(raw, offset)
        entries.append(CpuidEntry(function, index, eax, ebx, ecx, edx))
    return tuple(entries)


def build_cpuid2(entries: Sequence[CpuidEntry]) -> bytes:
    """The buffer the kernel would return for ``entries`` (used by tests and fakes)."""
    out = bytearray(CPUID2_HEADER.pack(len(entries), 0))
    for e in entries:
        out += CPUID_ENTRY2.pack(e.function, e.index, 0, e.eax, e.ebx, e.ecx, e.edx, 0, 0, 0)
    return bytes(out)


def catalog_caps() -> tuple[int, ...]:
    """KVM capabilities the catalog uses in place of CPUID bits (passthrough, enforce-cpuid),
    sorted."""
    return tuple(sorted({kvm_cap for _, kvm_cap, _, _ in KVM_ABI.values() if kvm_cap is not None}))


def kvm_rows(catalog: Iterable[Enlightenment]) -> tuple[tuple[str, KvmFacts], ...]:
    """What the decoders read of each option of ``catalog`` that has any of it, in the
    shape of :data:`~hvtui.catalog.kvm_abi.KVM_ABI`'s items."""
    return tuple(
        (
            e.name,
            (
                tuple((bits.leaf, bits.register.lower(), bits.mask) for bits in e.cpuid),
                e.kvm_cap,
                tuple(e.legacy_caps),
                tuple(e.legacy_msrs),
            ),
        )
        for e in catalog
        if e.cpuid or e.kvm_cap is not None or e.legacy_caps or e.legacy_msrs
    )


def _rows(catalog: Sequence[Enlightenment] | None) -> Iterable[tuple[str, KvmFacts]]:
    """The rows of ``catalog``, by default hvtui's: the catalog's KVM table, which (unlike
    its entries) detection can load in well under a millisecond."""
    return KVM_ABI.items() if catalog is None else kvm_rows(catalog)


def decode_hyperv(
    entries: Sequence[CpuidEntry],
    caps: Mapping[int, int],
    catalog: Sequence[Enlightenment] | None = None,
) -> tuple[str, ...]:
    """The enlightenments KVM's answer allows, in catalog order.

    An option with CPUID bits is supported when *all* its bits are set (QEMU's
    ``hyperv_feature_supported``); one whose bits mean "what auto would choose"
    (no-nonarch-coresharing) is listed when they are set; one without bits but
    with a KVM capability is supported when the capability is present.
    Options KVM's answer says nothing about (spinlocks, vendor-id, version-id-*:
    QEMU sets them itself) are not listed.
    """
    registers: dict[int, dict[str, int]] = {}
    for e in entries:
        if e.index == 0:
            registers[e.function] = {"eax": e.eax, "ebx": e.ebx, "ecx": e.ecx, "edx": e.edx}
    supported: list[str] = []
    for name, (cpuid, kvm_cap, _legacy_caps, _legacy_msrs) in _rows(catalog):
        if cpuid:
            if all(
                registers.get(leaf, {}).get(register, 0) & mask == mask
                for leaf, register, mask in cpuid
            ):
                supported.append(name)
        elif kvm_cap is not None and caps.get(kvm_cap, 0) > 0:
            supported.append(name)
    return tuple(supported)


def decode_legacy(
    caps: Mapping[int, int],
    msrs: Sequence[int],
    catalog: Sequence[Enlightenment] | None = None,
) -> tuple[str, ...]:
    """Kernels before 5.0: the enlightenments their capabilities and MSR list allow.

    An option is supported when every capability and MSR the catalog names for
    old kernels is there; an option with neither did not exist yet.
    """
    listed = set(msrs)
    return tuple(
        name
        for name, (_cpuid, _kvm_cap, legacy_caps, legacy_msrs) in _rows(catalog)
        if (legacy_caps or legacy_msrs)
        and all(caps.get(c, 0) > 0 for c in legacy_caps)
        and all(m in listed for m in legacy_msrs)
    )


def _errname(err: int | None) -> str:
    if err is None:
        return "failed"
    return errno.errorcode.get(err, f"errno {err}")


def _errtext(exc: OSError) -> str:
    if exc.errno is None:
        return str(exc)
    return f"{_errname(exc.errno)} ({os.strerror(exc.errno)})"
