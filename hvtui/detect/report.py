"""The typed host report and its JSON form (``hvtui detect --json``, schema 1).

Every fact about the host is a :class:`Fact`: a known value, or unknown together
with the reason.  Unknown is deliberately not ``False``: a kernel that prints no
``vmx flags`` line says nothing about APICv, and advice built on a guessed
``False`` would be wrong.  The JSON form turns each unknown fact into ``null``
and lists its reason under ``unknown`` by dotted path, so a tool can always tell
"no" from "could not tell".

The serializer walks the records generically, so adding a field here is the
only change needed for it to appear in JSON, be read back by :meth:`HostReport.from_json`
and be counted in ``unknown``.  The classes are records (:func:`hvtui.records.record`), which
behave as frozen dataclasses and cost far less to create on every ``hvtui detect``.
"""

from __future__ import annotations

from hvtui import records
from hvtui.records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable, Mapping
    from typing import Any, Generic, TypeVar

    T = TypeVar("T")
    T_co = TypeVar("T_co", covariant=True)
    U = TypeVar("U")
else:
    T_co = None  # what Generic[...] is given at run time (nothing reads it)

    class Generic:
        """The part of :class:`typing.Generic` :class:`Fact` uses at run time: ``Fact[str]``
        is a :class:`types.GenericAlias`, which ``typing.get_origin``/``get_args`` and
        ``typing.get_type_hints`` read as they read ``typing.Generic``'s aliases (the
        JSON reader relies on that), without importing :mod:`typing`."""

        __slots__ = ()

        def __class_getitem__(cls, item: object) -> object:
            return _GenericAlias(cls, item)

    _GenericAlias = type(list[int])  # types.GenericAlias, without importing types

#: Version of the JSON document; bump on any incompatible change.
SCHEMA = 1

# Reason codes: the part of a reason before ": ".  Stable, for scripts.
MISSING = "missing"
"""A file or directory does not exist (often: kernel too old or feature not built)."""
PERMISSION = "permission-denied"
"""The file exists but this user may not read it."""
UNREADABLE = "unreadable"
"""Reading failed for another reason (I/O error, a directory where a file was expected)."""
UNPARSABLE = "unparsable"
"""The content is not what the kernel writes there (garbage, truncated, unknown format)."""
MODULE_NOT_LOADED = "module-not-loaded"
"""The KVM vendor module (kvm_intel/kvm_amd) that owns the parameter is not loaded."""
NOT_LINUX = "not-linux"
NOT_X86 = "not-x86"
KERNEL_TOO_OLD = "kernel-too-old"
"""The kernel predates the interface (no ``vmx flags`` line, no HV CPUID ioctl, ...)."""
NOT_LIVE = "not-live"
"""A live-only probe (ioctl, process list, binary) was not run: ``--sysroot`` without
snapshot data for it, or ``live=False``."""
NOT_REQUESTED = "not-requested"
"""An optional probe that was not asked for (``--deep``)."""
NOT_INSTALLED = "not-installed"
"""The program is not installed: a normal answer, not a failure."""
NONE = "none"
"""The thing does not exist on this host (no virtualization extension)."""
BIOS_DISABLED = "bios-disabled"
"""The CPU has VMX/SVM but the firmware switched it off."""
NO_ACCESS = "no-access"
"""``/dev/kvm`` exists but this user may not open it."""
KVM_UNAVAILABLE = "kvm-unavailable"
"""A KVM ioctl could not be made because ``/dev/kvm`` is absent or unusable."""
TIMEOUT = "timeout"
FAILED = "error"
"""An ioctl, command or process query failed unexpectedly; the detail says how."""
NOT_APPLICABLE = "not-applicable"
"""The question does not apply (e.g. vCPU threads of a QEMU started without thread names)."""

REASON_CODES: tuple[str, ...] = (
    MISSING,
    PERMISSION,
    UNREADABLE,
    UNPARSABLE,
    MODULE_NOT_LOADED,
    NOT_LINUX,
    NOT_X86,
    KERNEL_TOO_OLD,
    NOT_LIVE,
    NOT_REQUESTED,
    NOT_INSTALLED,
    NONE,
    BIOS_DISABLED,
    NO_ACCESS,
    KVM_UNAVAILABLE,
    TIMEOUT,
    FAILED,
    NOT_APPLICABLE,
)


class ReportError(ValueError):
    """A JSON document that is not a host report this hvtui can read."""


@record(frozen=True)
class Fact(Generic[T_co]):
    """A known value, or ``None`` with the reason it is unknown.

    Truth-testing a Fact raises: ``if report.kvm.nested:`` would silently treat
    unknown as false, which is exactly the mistake this type exists to prevent.
    Use :attr:`known`, :meth:`is_true`, :meth:`is_false` or :meth:`get`.
    """

    value: T_co | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a Fact has either a value or a reason, not both or neither")

    def __bool__(self) -> bool:
        raise TypeError("a Fact is not a bool: use .known, .is_true(), .is_false() or .get()")

    @property
    def known(self) -> bool:
        """True when the value is known."""
        return self.reason is None

    @property
    def code(self) -> str | None:
        """The reason's stable code (``missing``, ``module-not-loaded``), or None if known."""
        if self.reason is None:
            return None
        return self.reason.split(":", 1)[0]

    def get(self, default: U) -> T_co | U:
        """The value, or ``default`` when unknown."""
        return default if self.value is None else self.value

    def is_true(self) -> bool:
        """Known and exactly ``True``."""
        return self.value is True

    def is_false(self) -> bool:
        """Known and exactly ``False`` (unknown is *not* false)."""
        return self.value is False

    def map(self, func: Callable[[T_co], U]) -> Fact[U]:
        """Apply ``func`` to a known value; an unknown fact keeps its reason."""
        if self.value is None:
            return Fact(None, self.reason)
        return Fact(func(self.value))

    def describe(self) -> str:
        """The value as text, or ``unknown (reason)``: for the readable report."""
        if self.value is None:
            return f"unknown ({self.reason})"
        return str(self.value)


def known(value: T) -> Fact[T]:
    """A known fact."""
    return Fact(value)


def unknown(code: str, detail: str = "") -> Fact[Any]:
    """An unknown fact; the reason is ``code: detail``."""
    return Fact(None, f"{code}: {detail}" if detail else code)


def reason_text(code: str, detail: str = "") -> str:
    """The reason string :func:`unknown` would store."""
    return f"{code}: {detail}" if detail else code


# --------------------------------------------------------------------------- sections


@record(frozen=True)
class HostInfo:
    """What kind of machine the report is about."""

    os: Fact[str]
    """``Linux`` (anything else makes almost every other fact unknown)."""
    arch: Fact[str]
    """``x86_64``, ``i686``, ``aarch64`` ..."""
    kernel: Fact[str]
    """The kernel release (``/proc/sys/kernel/osrelease``)."""


@record(frozen=True)
class CpuInfo:
    """The host CPU as the kernel describes it in ``/proc/cpuinfo`` and sysfs."""

    vendor: Fact[str]
    """``intel``, ``amd``, ``hygon`` or ``other``."""
    vendor_id: Fact[str]
    """The raw ``vendor_id`` (``GenuineIntel``)."""
    model_name: Fact[str]
    family: Fact[int]
    model: Fact[int]
    stepping: Fact[int]
    virt_extension: Fact[str]
    """``vmx`` or ``svm``; unknown with code ``none`` or ``bios-disabled`` when absent."""
    virt_bios_disabled: Fact[bool]
    """The CPU has VMX/SVM but the firmware turned it off (needs raw CPUID or --deep)."""
    in_vm: Fact[bool]
    """The ``hypervisor`` flag: this host is itself a virtual machine."""
    logical_cpus: Fact[int]
    cores: Fact[int]
    sockets: Fact[int]
    numa_nodes: Fact[int]
    flags: Fact[tuple[str, ...]]
    vmx_flags: Fact[tuple[str, ...]]
    """The ``vmx flags`` line (Linux 5.8+, Intel with VMX enabled)."""


@record(frozen=True)
class CpuidEntry:
    """One leaf of a CPUID answer from KVM (``struct kvm_cpuid_entry2``)."""

    function: int
    index: int
    eax: int
    ebx: int
    ecx: int
    edx: int


@record(frozen=True)
class KvmInfo:
    """KVM on this host: module, device, and what Hyper-V emulation it offers."""

    module: Fact[str]
    """``kvm_intel``, ``kvm_amd``, or another vendor module (``kvm_pvm``)."""
    device: Fact[str]
    """``ok``, ``absent`` or ``no-access`` for ``/dev/kvm``."""
    api_version: Fact[int]
    nested: Fact[bool]
    hyperv: Fact[tuple[str, ...]]
    """Enlightenments (catalog names) this kernel can give a guest; ``()`` if none."""
    hyperv_source: Fact[str]
    """How ``hyperv`` was learnt: ``system`` or ``vcpu`` (the two forms of
    KVM_GET_SUPPORTED_HV_CPUID), ``none`` (the kernel has no Hyper-V support)."""
    hyperv_cpuid: Fact[tuple[CpuidEntry, ...]]
    """KVM's raw Hyper-V CPUID answer, for bug reports."""
    capabilities: Fact[dict[str, int]]
    """``KVM_CHECK_EXTENSION`` answers by capability name (``HYPERV_CPUID``)."""


@record(frozen=True)
class ApicVirt:
    """Hardware APIC virtualization: Intel APICv / AMD AVIC, hardware vs enabled in KVM."""

    kind: Fact[str]
    """``apicv`` (Intel) or ``avic`` (AMD/Hygon)."""
    hardware: Fact[bool]
    enabled: Fact[bool]
    x2avic: Fact[bool]
    """AMD x2AVIC in use (flag ``x2avic`` and AVIC enabled); false on Intel."""
    ipi_virt_hardware: Fact[bool]
    """Intel IPI virtualization (``vmx flags`` ipi_virt); on AMD, AVIC itself."""
    ipi_virt_enabled: Fact[bool]


@record(frozen=True)
class TscInfo:
    """The time stamp counter, which decides hv-time, hv-frequencies and migration."""

    invariant: Fact[bool]
    """``constant_tsc`` and ``nonstop_tsc`` both set."""
    scaling: Fact[bool]
    """KVM can give a guest a different TSC frequency (needed to migrate across hosts)."""
    scaling_source: Fact[str]
    """Where ``scaling`` came from: ``KVM_CAP_TSC_CONTROL``, ``kvm_amd.tsc_scaling``,
    ``vmx flags`` or ``cpu flags``."""
    clocksource: Fact[str]
    """The current clocksource (``tsc``, ``hpet``, ``kvm-clock`` ...)."""


@record(frozen=True)
class SmtInfo:
    """Simultaneous multithreading control (``/sys/devices/system/cpu/smt``)."""

    control: Fact[str]
    """``on``, ``off``, ``forceoff``, ``notsupported``, ``notimplemented`` or a number."""
    active: Fact[bool]


@record(frozen=True)
class IsolationInfo:
    """CPUs kept away from the scheduler or the tick, candidates for pinned vCPUs."""

    cpus: Fact[str]
    """Union of the sources below as a cpu-list (``2-5,8``); ``""`` when none."""
    isolated: Fact[str]
    """``/sys/devices/system/cpu/isolated``."""
    isolcpus: Fact[str]
    """The ``isolcpus=`` CPU list on the kernel command line (flags dropped)."""
    nohz_full: Fact[str]
    """``/sys/devices/system/cpu/nohz_full`` (``(null)`` read as empty), else ``nohz_full=``."""


@record(frozen=True)
class Vcpu:
    """One vCPU thread of a running QEMU."""

    index: int
    tid: int
    cpus: Fact[str]
    """Its CPU affinity as a cpu-list."""
    pinned: Fact[bool]
    """Pinned to exactly one host CPU (else it floats)."""


@record(frozen=True)
class VmInfo:
    """A running QEMU process."""

    pid: int
    process: str
    """The process name (``qemu-system-x86_64``, ``qemu-kvm``, ``kvm``)."""
    name: str
    """The guest name from ``-name`` (``""`` when QEMU was started without one)."""
    vcpus: Fact[tuple[Vcpu, ...]]
    """Unknown when QEMU runs without ``debug-threads=on`` (threads are unnamed)."""
    pinned: Fact[bool]
    """Every vCPU pinned to its own host CPU."""


@record(frozen=True)
class VersionsInfo:
    """Installed QEMU and libvirt (their ``--version``)."""

    qemu: Fact[str]
    qemu_binary: Fact[str]
    libvirt: Fact[str]
    libvirt_binary: Fact[str]


@record(frozen=True)
class DeepInfo:
    """py-cpuinfo's view (``--deep`` only: it costs about a second)."""

    brand: Fact[str]
    flags: Fact[tuple[str, ...]]


@record(frozen=True)
class HostReport:
    """Everything hvtui knows about a host; the advice engine and the TUI read this."""

    source: str
    """``live``, ``sysroot:DIR``, ``demo:NAME``, or ``libvirt:URI`` for a host read through
    a libvirt connection (:mod:`hvtui.libvirt.hostfacts`: what libvirt does not tell is
    unknown with its reason)."""
    host: HostInfo
    cpu: CpuInfo
    kvm: KvmInfo
    apic_virt: ApicVirt
    tsc: TscInfo
    smt: SmtInfo
    isolation: IsolationInfo
    vms: Fact[tuple[VmInfo, ...]]
    versions: VersionsInfo
    deep: Fact[DeepInfo]
    notes: tuple[str, ...] = field(default=())
    """Advice lines for a human (``run as root or join the kvm group``)."""

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document: ``schema`` first, unknown facts as null plus ``unknown``."""
        unknowns: dict[str, str] = {}
        body = _dump(self, "", unknowns)
        assert isinstance(body, dict)
        return {"schema": SCHEMA, **body, "unknown": unknowns}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HostReport:
        """Read a document written by :meth:`to_json`; raises :class:`ReportError`."""
        from collections.abc import Mapping  # reading reports only, as typing in _load

        if not isinstance(data, Mapping):
            raise ReportError("a host report is a JSON object")
        schema = data.get("schema")
        if schema != SCHEMA:
            raise ReportError(
                f"host report schema {schema!r} is not supported (this hvtui reads schema "
                f"{SCHEMA}; upgrade hvtui for newer reports)"
            )
        unknowns = data.get("unknown", {})
        if not isinstance(unknowns, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in unknowns.items()
        ):
            raise ReportError("'unknown' must map dotted keys to reason strings")
        body = {k: v for k, v in data.items() if k not in ("schema", "unknown")}
        result = _load(HostReport, body, "", unknowns)
        assert isinstance(result, HostReport)
        return result


# --------------------------------------------------------------------------- JSON walk


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _dump(obj: object, path: str, unknowns: dict[str, str]) -> Any:
    """Plain JSON data for ``obj``; unknown facts become None and land in ``unknowns``."""
    if isinstance(obj, Fact):
        if obj.reason is not None:
            unknowns[path] = obj.reason
            return None
        return _dump(obj.value, path, unknowns)
    if records.is_record(obj) and not isinstance(obj, type):
        return {
            f.name: _dump(getattr(obj, f.name), _join(path, f.name), unknowns)
            for f in records.fields(obj)
        }
    if isinstance(obj, (tuple, list)):
        return [_dump(item, _join(path, i), unknowns) for i, item in enumerate(obj)]
    if isinstance(obj, dict):
        return {str(k): _dump(v, _join(path, str(k)), unknowns) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        import typing  # reading reports only: ``hvtui detect`` does not load typing

        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _load(tp: Any, data: Any, path: str, unknowns: Mapping[str, str]) -> Any:
    """Rebuild a value of type ``tp`` from JSON data, checking shapes as it goes."""
    import types
    import typing
    from collections.abc import Mapping

    origin = typing.get_origin(tp)
    if origin is Fact:
        (inner,) = typing.get_args(tp)
        if data is None:
            reason = unknowns.get(path)
            if reason is None:
                raise ReportError(f"{path} is null but 'unknown' gives no reason")
            return Fact(None, reason)
        return Fact(_load(inner, data, path, unknowns))
    if isinstance(tp, type) and records.is_record(tp):
        if not isinstance(data, Mapping):
            raise ReportError(f"{path or 'report'} must be an object")
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for f in records.fields(tp):
            sub = _join(path, f.name)
            if f.name not in data:
                if f.default is not records.MISSING:
                    continue
                if f.default_factory is not records.MISSING:
                    continue
                raise ReportError(f"{sub} is missing")
            kwargs[f.name] = _load(hints[f.name], data[f.name], sub, unknowns)
        return tp(**kwargs)
    if origin is tuple:
        if not isinstance(data, list):
            raise ReportError(f"{path} must be a list")
        (item_type, _ellipsis) = typing.get_args(tp)
        return tuple(
            _load(item_type, item, _join(path, i), unknowns) for i, item in enumerate(data)
        )
    if origin is dict:
        key_type, value_type = typing.get_args(tp)
        if not isinstance(data, Mapping) or key_type is not str:
            raise ReportError(f"{path} must be an object")
        return {
            str(k): _load(value_type, v, _join(path, str(k)), unknowns) for k, v in data.items()
        }
    if origin in (types.UnionType, typing.Union):
        raise ReportError(f"{path}: unions are not used in host reports")  # pragma: no cover
    if tp is bool:
        if not isinstance(data, bool):
            raise ReportError(f"{path} must be true or false")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise ReportError(f"{path} must be an integer")
        return data
    if tp is str:
        if not isinstance(data, str):
            raise ReportError(f"{path} must be a string")
        return data
    raise ReportError(f"{path}: cannot read a value of type {tp!r}")  # pragma: no cover
