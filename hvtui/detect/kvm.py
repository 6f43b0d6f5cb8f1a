"""KVM: which module, ``/dev/kvm``, nested virtualization, and Hyper-V support.

The module parameters live in ``/sys/module/<module>/parameters`` whether the
module is loadable or built in; when the directory is missing the module is not
loaded, which is "unknown", never "disabled".
"""

from __future__ import annotations

import errno

from hvtui.detect.kvm_ioctl import (
    CAP_NAMES,
    LEGACY_HYPERV_CAPS,
    KvmAnswer,
    decode_hyperv,
    decode_legacy,
    parse_cpuid2,
)
from hvtui.detect.report import (
    FAILED,
    KERNEL_TOO_OLD,
    KVM_UNAVAILABLE,
    MODULE_NOT_LOADED,
    NO_ACCESS,
    NOT_X86,
    UNPARSABLE,
    CpuidEntry,
    Fact,
    KvmInfo,
    known,
    unknown,
)
from hvtui.detect.sysroot import Root, parse_bool

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import Any

MODULE_DIR = "/sys/module"
VENDOR_MODULES = ("kvm_intel", "kvm_amd")


def _other_kvm_module(name: str) -> bool:
    """``kvm_[a-z0-9_]+``: another vendor's KVM module (``kvm_pvm``)."""
    rest = name.removeprefix("kvm_")
    return rest != name and rest != "" and not rest.strip("abcdefghijklmnopqrstuvwxyz0123456789_")


def params_dir(module: str) -> str:
    """``/sys/module/<module>/parameters``."""
    return f"{MODULE_DIR}/{module}/parameters"


def kvm_module(root: Root) -> Fact[str]:
    """``kvm_intel``/``kvm_amd``, else another vendor module (``kvm_pvm``), else why not."""
    for name in VENDOR_MODULES:
        if root.is_dir(f"{MODULE_DIR}/{name}"):
            return known(name)
    listing = root.listdir(MODULE_DIR, _other_kvm_module)
    if listing.value is None:
        return Fact(None, listing.reason)
    if listing.value:
        return known(listing.value[0])
    if root.is_dir(f"{MODULE_DIR}/kvm"):
        return unknown(MODULE_NOT_LOADED, "kvm is loaded but neither kvm_intel nor kvm_amd")
    return unknown(MODULE_NOT_LOADED, "no KVM module is loaded (modprobe kvm_intel or kvm_amd)")


def module_param(root: Root, module: Fact[str], want: str, param: str) -> Fact[str]:
    """A parameter of ``want`` (``kvm_intel``), or ``module-not-loaded`` when another
    (or no) KVM module is the one loaded."""
    if module.value is None:
        if module.code == MODULE_NOT_LOADED:
            return unknown(MODULE_NOT_LOADED, f"{want} is not loaded")
        return Fact(None, module.reason)
    if module.value != want:
        return unknown(MODULE_NOT_LOADED, f"{want} is not loaded (KVM here is {module.value})")
    return root.read_line(f"{params_dir(want)}/{param}")


def nested(root: Root, module: Fact[str]) -> Fact[bool]:
    """``nested``: kvm_intel reads ``Y``/``N`` (bool), kvm_amd ``1``/``0`` (int)."""
    if module.value in VENDOR_MODULES:
        path = f"{params_dir(module.value)}/nested"
        return parse_bool(root.read_line(path), path)
    if module.value is not None:
        return unknown(
            MODULE_NOT_LOADED,
            f"neither kvm_intel nor kvm_amd is loaded (KVM here is {module.value})",
        )
    return Fact(None, module.reason)


def _without_ioctls(root: Root, module: Fact[str], device: Fact[Any], why: Fact[Any]) -> KvmInfo:
    """The KVM section when no ioctl answered: every ioctl fact carries ``why``."""
    return KvmInfo(
        module=module,
        device=device,
        api_version=why,
        nested=nested(root, module),
        hyperv=why,
        hyperv_source=why,
        hyperv_cpuid=why,
        capabilities=why,
    )


def detect_kvm(
    root: Root, module: Fact[str], answer: Fact[KvmAnswer], is_x86: bool | None
) -> tuple[KvmInfo, list[str]]:
    """The KVM section, and advice lines for the human report."""
    notes: list[str] = []
    if answer.value is None:
        why: Fact[Any] = Fact(None, answer.reason)
        return _without_ioctls(root, module, why, why), notes
    kvm = answer.value
    device: Fact[str]
    if kvm.device in ("ok", "absent", "no-access"):
        device = known(kvm.device)
    else:
        device = unknown(FAILED, f"/dev/kvm: {kvm.device_error}")
    if kvm.device == "no-access":
        notes.append(
            "You may not open /dev/kvm: run as root or join the kvm group "
            "(sudo usermod -aG kvm $USER, then log in again)."
        )
    elif kvm.device == "absent":
        notes.append(
            "/dev/kvm does not exist: load kvm_intel or kvm_amd, and enable VT-x/AMD-V "
            "in the firmware setup if loading fails."
        )
    if kvm.device != "ok":
        code = NO_ACCESS if kvm.device == "no-access" else KVM_UNAVAILABLE
        unavailable = unknown(code, f"/dev/kvm is {kvm.device.replace('-', ' ')}")
        return _without_ioctls(root, module, device, unavailable), notes
    api = (
        known(kvm.api_version)
        if kvm.api_version is not None
        else unknown(FAILED, "; ".join(kvm.steps) or "KVM_GET_API_VERSION failed")
    )
    caps = {CAP_NAMES.get(c, f"CAP_{c}"): v for c, v in sorted(kvm.caps.items())}
    hyperv, source, cpuid = _hyperv(kvm, is_x86, module, notes)
    return (
        KvmInfo(
            module=module,
            device=device,
            api_version=api,
            nested=nested(root, module),
            hyperv=hyperv,
            hyperv_source=source,
            hyperv_cpuid=cpuid,
            capabilities=known(caps) if kvm.api_version is not None else Fact(None, api.reason),
        ),
        notes,
    )


def _hyperv(
    kvm: KvmAnswer, is_x86: bool | None, module: Fact[str], notes: list[str]
) -> tuple[Fact[tuple[str, ...]], Fact[str], Fact[tuple[CpuidEntry, ...]]]:
    """Decode KVM's Hyper-V answer, or say precisely why there is none."""
    if is_x86 is False:
        why = unknown(NOT_X86, "Hyper-V enlightenments exist only for x86 guests")
        return why, why, why
    if kvm.hv_raw_problem:
        why = unknown(
            UNPARSABLE, f"KVM_GET_SUPPORTED_HV_CPUID answer (hv_raw): {kvm.hv_raw_problem}"
        )
        return why, why, why
    if kvm.hv_form:
        try:
            entries = parse_cpuid2(kvm.hv_raw)
        except ValueError as exc:
            why = unknown(UNPARSABLE, f"KVM_GET_SUPPORTED_HV_CPUID answer: {exc}")
            return why, why, why
        return known(decode_hyperv(entries, kvm.caps)), known(kvm.hv_form), known(entries)
    legacy = [CAP_NAMES[c] for c in LEGACY_HYPERV_CAPS if kvm.caps.get(c, 0) > 0]
    if legacy and kvm.msrs is not None:
        notes.append(
            "This kernel predates KVM_GET_SUPPORTED_HV_CPUID (Linux 5.0): its Hyper-V "
            "support was read from its capabilities and MSR list, as QEMU does."
        )
        return known(decode_legacy(kvm.caps, kvm.msrs)), known("capabilities"), known(())
    if legacy:
        why = unknown(
            KERNEL_TOO_OLD,
            "this kernel predates KVM_GET_SUPPORTED_HV_CPUID (Linux 5.0); it reports only "
            f"capabilities ({', '.join('KVM_CAP_' + n for n in legacy)}), see kvm.capabilities",
        )
        return why, known("capabilities"), why
    if kvm.hv_errno in (errno.EINVAL, errno.ENOTTY):
        flavour = (
            f" (KVM here is {module.value})" if module.value not in (None, *VENDOR_MODULES) else ""
        )
        notes.append(
            "This kernel's KVM offers no Hyper-V emulation (KVM_GET_SUPPORTED_HV_CPUID: "
            f"EINVAL, no KVM_CAP_HYPERV* capability){flavour}: a Windows guest gets no "
            "enlightenments on this host."
        )
        return known(()), known("none"), known(())
    detail = "; ".join(kvm.steps) or "KVM_GET_SUPPORTED_HV_CPUID failed"
    why = unknown(FAILED, detail)
    return why, why, why
