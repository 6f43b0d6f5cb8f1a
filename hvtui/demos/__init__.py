"""Demo hosts shipped with hvtui: real machines' ``/proc`` and ``/sys``, replayable anywhere.

A newcomer on a laptop whose KVM has no Hyper-V (or with no KVM at all) should
still see what hvtui does on a real hypervisor.  Each demo is a host snapshot
in the very format ``hvtui detect --save-snapshot`` writes, so ``--demo NAME``
is nothing more than ``--sysroot`` pointing at a directory inside the package.

The CPU, topology and SMT files are real captures (util-linux's lscpu dumps,
see ``tests/data/hosts/SOURCES.md``); what no public capture holds (the kernel
release, KVM module parameters, the ``/dev/kvm`` answers, installed versions,
a running VM) is modelled, consistent with that CPU and kernel, and each
description says so.  ``scripts/build_demos.py`` rebuilds the directories.

Plain Python: no Textual, nothing read until a demo is asked for.
"""

from __future__ import annotations

from pathlib import Path

from hvtui.records import record

#: Where the demo snapshot directories live inside the package.
DATA_DIR = Path(__file__).resolve().parent / "data"


class UnknownDemoError(ValueError):
    """``--demo NAME`` named no shipped demo; the message lists the ones there are."""


@record(frozen=True)
class Demo:
    """One shipped demo host."""

    name: str
    """What ``--demo`` takes."""
    title: str
    """One line for ``hvtui demos`` and the wizard's title."""
    modelled: str
    """Which parts are modelled rather than captured (said wherever the demo is described)."""

    @property
    def path(self) -> Path:
        """The snapshot directory, usable wherever ``--sysroot`` is."""
        return DATA_DIR / self.name

    @property
    def description(self) -> str:
        """Title plus what is modelled, for ``hvtui demos --verbose`` and JSON."""
        return (
            f"{self.title}. Real capture of /proc/cpuinfo and the CPU topology; "
            f"modelled: {self.modelled}."
        )


_MODELLED_COMMON = (
    "kernel release and command line, NUMA node list, KVM module parameters, clocksource, "
    "/dev/kvm capabilities, QEMU 10.0.2 and libvirt 11.3.0 versions"
)

DEMOS: tuple[Demo, ...] = (
    Demo(
        "intel-tigerlake",
        "Intel i7-1165G7, APICv, nested KVM, Linux 6.12: every option incl. evmcs",
        f"{_MODELLED_COMMON}, the Hyper-V CPUID answer (Linux 6.12's kvm_get_hv_cpuid() with "
        "nested=Y) and a running Windows 11 VM with pinned vCPUs",
    ),
    Demo(
        "amd-epyc",
        "AMD EPYC 7451, 2x24 cores, AVIC, TSC scaling, Linux 6.12: all but evmcs",
        f"{_MODELLED_COMMON}, the Hyper-V CPUID answer (Linux 6.12's kvm_get_hv_cpuid() on "
        "kvm_amd) and a running Windows Server VM with floating vCPUs",
    ),
    Demo(
        "no-hyperv",
        "AMD Opteron 6328, KVM built without Hyper-V (CONFIG_KVM_HYPERV=n): none",
        f"{_MODELLED_COMMON}, and KVM's refusal of the Hyper-V CPUID ioctl (EINVAL), as such "
        "a kernel answers",
    ),
)

#: The demo the README and screenshots use.
DEFAULT_DEMO = "intel-tigerlake"


def demo_names() -> tuple[str, ...]:
    """Every demo's name, in listing order."""
    return tuple(d.name for d in DEMOS)


def demo_at(path: Path) -> Demo | None:
    """The demo whose directory ``path`` is, if any (detection then names it ``demo:NAME``)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    if resolved.parent != DATA_DIR:
        return None
    for demo in DEMOS:
        if demo.name == resolved.name:
            return demo
    return None


def find_demo(name: str) -> Demo:
    """The demo called ``name``; raises :class:`UnknownDemoError` naming the choices."""
    for demo in DEMOS:
        if demo.name == name:
            return demo
    raise UnknownDemoError(f"unknown demo {name!r} (choose from: {', '.join(demo_names())})")


__all__ = [
    "DATA_DIR",
    "DEFAULT_DEMO",
    "DEMOS",
    "Demo",
    "UnknownDemoError",
    "demo_at",
    "demo_names",
    "find_demo",
]
