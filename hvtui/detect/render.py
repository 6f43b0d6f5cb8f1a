"""The readable ``hvtui detect`` report: grouped like the issue, unknowns with reasons.

Every line shows a value or ``unknown (why)``; a reader must never have to
guess whether a blank means "no" or "could not tell".
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from hvtui.detect.report import BIOS_DISABLED, NONE, Fact, HostReport

T = TypeVar("T")

LABEL_WIDTH = 20
WIDTH = 100


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _show(fact: Fact[T], fmt: Callable[[T], str] = str) -> str:
    if fact.value is None:
        return f"unknown ({fact.reason})"
    return fmt(fact.value)


def _detail(fact: Fact[T]) -> str:
    """The reason without its code."""
    return str(fact.reason).split(": ", 1)[-1]


def _b(fact: Fact[bool]) -> str:
    return _show(fact, _yes_no)


def _line(label: str, value: str) -> list[str]:
    """``  label               value``, wrapped; a label too long for its column gets
    a line of its own."""
    if len(label) >= LABEL_WIDTH:
        return [f"  {label}", *_line("", value)]
    prefix = f"  {label:<{LABEL_WIDTH}}"
    return textwrap.wrap(
        value or "-",
        width=WIDTH,
        initial_indent=prefix,
        subsequent_indent=" " * len(prefix),
        break_on_hyphens=False,
    ) or [prefix]


class Explained(Protocol):
    """One fact with what it means for the enlightenments (made by the advice layer,
    :func:`hvtui.advice.explain_host`, which detection does not import)."""

    @property
    def label(self) -> str: ...
    @property
    def value(self) -> str | None: ...
    @property
    def why(self) -> str: ...
    @property
    def status(self) -> str: ...


#: The mark before each explained fact: it helps, a problem, for information, unknown.
MARKS = {"good": "+", "bad": "!", "neutral": "-", "unknown": "?"}


def render_text(report: HostReport, explained: Sequence[Explained] = ()) -> str:
    """The whole report as text for a terminal (no colour, fits 100 columns), and after
    it what each fact means for the enlightenments when ``explained`` gives it."""
    r = report
    out: list[str] = []
    host = r.host
    if r.source == "live":
        where = "this host"
    elif r.source.startswith("demo:"):
        where = f"demo host {r.source.removeprefix('demo:')}"
    else:
        where = r.source.removeprefix("sysroot:")
    out += textwrap.wrap(
        f"hvtui detect: {where} ({_show(host.os)}, {_show(host.arch)}, "
        f"kernel {_show(host.kernel)})",
        width=WIDTH,
        subsequent_indent="  ",
        break_on_hyphens=False,
    )

    cpu = r.cpu
    out += ["", "CPU"]
    vendor = _show(cpu.vendor)
    if cpu.vendor_id.value is not None:
        vendor += f" ({cpu.vendor_id.value})"
    out += _line("vendor", vendor)
    out += _line("model", _show(cpu.model_name))
    out += _line(
        "family/model/step",
        f"{_show(cpu.family)} / {_show(cpu.model)} / {_show(cpu.stepping)}",
    )
    ext = cpu.virt_extension
    if ext.value is not None:
        virt = ext.value
    elif ext.code == NONE:
        virt = f"none: {_detail(ext)}"
    elif ext.code == BIOS_DISABLED:
        virt = f"disabled in the firmware: {_detail(ext)}"
    else:
        virt = _show(ext)
    out += _line("virtualization", virt)
    out += _line("runs in a VM", _b(cpu.in_vm))
    out += _line("logical CPUs", _show(cpu.logical_cpus))
    out += _line("cores", _show(cpu.cores))
    out += _line("sockets", _show(cpu.sockets))
    out += _line("NUMA nodes", _show(cpu.numa_nodes))

    kvm = r.kvm
    out += ["", "KVM"]
    out += _line("module", _show(kvm.module))
    device = _show(kvm.device)
    if kvm.api_version.value is not None:
        device += f" (API version {kvm.api_version.value})"
    out += _line("/dev/kvm", device)
    out += _line("nested", _b(kvm.nested))

    out += ["", "Hyper-V support of this kernel"]
    if kvm.hyperv.value is not None:
        if kvm.hyperv.value:
            out += _line(f"via {_show(kvm.hyperv_source)} ioctl", " ".join(kvm.hyperv.value))
        else:
            out += _line("enlightenments", "none: this kernel's KVM has no Hyper-V emulation")
    else:
        out += _line("enlightenments", _show(kvm.hyperv))

    apic = r.apic_virt
    out += ["", "APIC virtualization"]
    out += _line("kind", _show(apic.kind))
    out += _line("hardware capable", _b(apic.hardware))
    out += _line("enabled in KVM", _b(apic.enabled))
    if apic.kind.value != "apicv":
        out += _line("x2AVIC", _b(apic.x2avic))
    out += _line(
        "IPI virtualization",
        f"hardware {_b(apic.ipi_virt_hardware)}, enabled {_b(apic.ipi_virt_enabled)}",
    )

    tsc = r.tsc
    out += ["", "TSC"]
    out += _line("invariant", _b(tsc.invariant))
    scaling = _b(tsc.scaling)
    if tsc.scaling.value is not None and tsc.scaling_source.value is not None:
        scaling += f" (from {tsc.scaling_source.value})"
    out += _line("scaling", scaling)
    out += _line("clocksource", _show(tsc.clocksource))

    out += ["", "SMT and isolation"]
    out += _line("SMT control", _show(r.smt.control))
    out += _line("SMT active", _b(r.smt.active))
    iso = r.isolation
    out += _line("isolated CPUs", _show(iso.cpus, lambda v: v or "none"))
    out += _line("  sysfs isolated", _show(iso.isolated, lambda v: v or "none"))
    out += _line("  isolcpus=", _show(iso.isolcpus, lambda v: v or "none"))
    out += _line("  nohz_full", _show(iso.nohz_full, lambda v: v or "none"))

    out += ["", "Running VMs"]
    if r.vms.value is None:
        out += _line("QEMU processes", _show(r.vms))
    elif not r.vms.value:
        out += _line("QEMU processes", "none")
    for vm in r.vms.value or ():
        title = f"pid {vm.pid} {vm.process}" + (f" ({vm.name})" if vm.name else "")
        if vm.vcpus.value is None:
            out += _line(title, f"vCPUs unknown ({vm.vcpus.reason})")
            continue
        out += _line(title, f"{len(vm.vcpus.value)} vCPUs, all pinned: {_b(vm.pinned)}")
        for v in vm.vcpus.value:
            state = "pinned" if v.pinned.is_true() else "floating"
            if v.pinned.value is None:
                state = f"unknown ({v.pinned.reason})"
            out += _line(f"  vCPU {v.index}", f"tid {v.tid}: {state} on {_show(v.cpus)}")

    versions = r.versions
    out += ["", "Installed"]
    qemu = _show(versions.qemu)
    if versions.qemu_binary.value is not None:
        qemu += f" ({versions.qemu_binary.value})"
    out += _line("QEMU", qemu)
    libvirt = _show(versions.libvirt)
    if versions.libvirt_binary.value is not None:
        libvirt += f" ({versions.libvirt_binary.value})"
    out += _line("libvirt", libvirt)

    out += ["", "Deep probe (py-cpuinfo)"]
    if r.deep.value is None:
        out += _line("status", _show(r.deep))
    else:
        out += _line("brand", _show(r.deep.value.brand))
        out += _line("flags", _show(r.deep.value.flags, " ".join))

    if explained:
        out += ["", "What it means for the enlightenments (+ helps, ! a problem, ? unknown)"]
        for fact in explained:
            out += _line(f"{MARKS.get(fact.status, '-')} {fact.label}", fact.why)

    if r.notes:
        out += ["", "Notes"]
        for note in r.notes:
            out += textwrap.wrap(note, width=WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(out) + "\n"
