"""The detection pipeline: probe, read, interpret, assemble the :class:`HostReport`.

Order matters for speed: the QEMU/libvirt ``--version`` commands are started
first (by the caller when it can, even before this module is imported) and
collected last, so their run time overlaps everything else; the live probes
then run, and the files are read and interpreted section by section.
"""

from __future__ import annotations

import os

from hvtui import records
from hvtui.bugs import debug_enabled, describe
from hvtui.detect.report import (
    FAILED,
    NOT_LINUX,
    NOT_LIVE,
    NOT_REQUESTED,
    ApicVirt,
    CpuInfo,
    Fact,
    HostInfo,
    HostReport,
    IsolationInfo,
    KvmInfo,
    SmtInfo,
    TscInfo,
    VersionsInfo,
    known,
    unknown,
)
from hvtui.detect.sysroot import Root
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any, TypeVar

    from hvtui.detect.cpu import Cpuinfo
    from hvtui.detect.live import LiveData
    from hvtui.detect.versions import PendingVersions

    T = TypeVar("T")

X86_ARCHES = ("x86_64", "amd64", "i386", "i486", "i586", "i686")
OSRELEASE = "/proc/sys/kernel/osrelease"

NOT_REQUESTED_DEEP: Fact[Any] = unknown(
    NOT_REQUESTED, "run with --deep (py-cpuinfo, about a second)"
)


@record()
class Detection:
    """A report plus what produced it (for ``--save-snapshot``)."""

    report: HostReport
    root: Root
    live: LiveData
    """The raw live-probe answers the report was built from."""


def run_detection(
    sysroot: Path | None,
    *,
    deep: bool,
    live: bool | None,
    started: PendingVersions | None = None,
) -> Detection:
    """Detect; never raises (an internal error becomes an all-unknown report).

    ``started``: ``--version`` commands the caller already started.
    """
    try:
        return _detect(sysroot, deep=deep, live=live, started=started)
    except Exception as exc:  # detection must never take its caller down
        if started is not None:
            started.finish()  # reap the children whatever happened
        if debug_enabled():
            raise
        reason = f"{FAILED}: internal error in detection: {describe(exc)}"
        source = "live" if sysroot is None else f"sysroot:{sysroot}"
        from hvtui.detect.live import LiveData

        report = _blank(HostReport, reason)
        return Detection(records.replace(report, source=source), Root(), LiveData.absent(reason))


class _SectionGuard:
    """Runs each section of detection on its own, so one bad value spoils only itself.

    The readers already turn bad files into unknown facts; this is the net
    under them: a section that still raises (a value no one foresaw, a bug)
    becomes that section with every fact unknown and the error as the reason,
    and the other sections are reported as usual.  ``HVTUI_DEBUG`` re-raises.
    """

    def _reason(self, name: str, exc: Exception) -> str:
        if debug_enabled():
            raise exc
        return f"{FAILED}: internal error while detecting {name}: {describe(exc)}"

    def section(self, cls: type[T], name: str, build: Callable[[], T]) -> T:
        """``build()``, or an all-unknown ``cls`` when it raises."""
        try:
            return build()
        except Exception as exc:
            blank: T = _blank(cls, self._reason(name, exc))
            return blank

    def section_with_notes(
        self, cls: type[T], name: str, build: Callable[[], tuple[T, list[str]]]
    ) -> tuple[T, list[str]]:
        """``build()`` (a section and its notes), or an all-unknown ``cls`` and no notes
        when it raises."""
        try:
            return build()
        except Exception as exc:
            blank: T = _blank(cls, self._reason(name, exc))
            return blank, []

    def fact(self, name: str, build: Callable[[], Fact[T]]) -> Fact[T]:
        """``build()``, or an unknown fact when it raises."""
        try:
            return build()
        except Exception as exc:
            return Fact(None, self._reason(name, exc))


def _sysroot_source(sysroot: Path) -> str:
    """``demo:NAME`` for a shipped demo host, else ``sysroot:DIR``."""
    from hvtui.demos import demo_at

    demo = demo_at(sysroot)
    return f"demo:{demo.name}" if demo is not None else f"sysroot:{sysroot}"


def _blank(cls: type, reason: str) -> Any:
    """An instance of a report record with every fact unknown for ``reason``."""
    import typing  # only when a section failed: ``hvtui detect`` does not load typing

    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in records.fields(cls):
        tp = hints[f.name]
        if typing.get_origin(tp) is Fact:
            kwargs[f.name] = Fact(None, reason)
        elif isinstance(tp, type) and records.is_record(tp):
            kwargs[f.name] = _blank(tp, reason)
        elif tp is str:
            kwargs[f.name] = ""
        else:
            kwargs[f.name] = ()
    return cls(**kwargs)


def _kernel_version(release: Fact[str]) -> tuple[int, int] | None:
    """``(6, 8)`` from ``6.8.0-45-generic``: what ``(\\d+)\\.(\\d+)`` matches at the start."""
    if release.value is None:
        return None
    major, dot, rest = release.value.partition(".")
    minor_end = 0
    while minor_end < len(rest) and rest[minor_end].isdecimal():
        minor_end += 1
    if not (dot and major.isdecimal() and minor_end):
        return None
    return int(major), int(rest[:minor_end])


def _detect(
    sysroot: Path | None, *, deep: bool, live: bool | None, started: PendingVersions | None
) -> Detection:
    probe_live = live if live is not None else sysroot is None
    pending = started
    if probe_live and pending is None:
        # First thing: QEMU's and libvirt's --version run while everything else happens.
        from hvtui.detect.versions import start_versions

        pending = start_versions()
    elif not probe_live and pending is not None:
        pending.finish()  # started by a caller that guessed wrong; just reap them
        pending = None
    # Imports here keep ``import hvtui.detect`` cheap for callers that only want types.
    from hvtui.detect.apic import detect_apic_virt
    from hvtui.detect.cpu import detect_cpu, read_cpuinfo
    from hvtui.detect.deep import deep_flags, deep_info
    from hvtui.detect.kvm import detect_kvm, kvm_module
    from hvtui.detect.live import LiveData, gather
    from hvtui.detect.smt import detect_isolation, detect_smt
    from hvtui.detect.tsc import detect_tsc
    from hvtui.detect.vms import vms_info

    notes: list[str] = []
    if sysroot is None:
        system = os.uname().sysname
        blocked = None if system == "Linux" else f"{NOT_LINUX}: this is {system}"
        root = Root("/", blocked=blocked)
        live_data = (
            gather(deep=deep, pending=pending)
            if pending is not None
            else LiveData.absent(f"{NOT_LIVE}: live probes were turned off")
        )
        source = "live"
    else:
        from hvtui.detect.snapshot import load_manifest

        manifest = load_manifest(sysroot)
        overrides = (
            manifest.value.failures if manifest is not None and manifest.value is not None else {}
        )
        root = Root(sysroot, overrides=overrides)
        if pending is not None:
            live_data = gather(deep=deep, pending=pending)
        elif manifest is None:
            live_data = LiveData.absent(
                f"{NOT_LIVE}: no hvtui-snapshot.json in the sysroot, so no ioctl, process "
                "or binary answers"
            )
        elif manifest.value is None:
            live_data = LiveData.absent(str(manifest.reason))
        else:
            live_data = manifest.value.live
        source = _sysroot_source(sysroot)
    if not deep:
        live_data = records.replace(live_data, deep=NOT_REQUESTED_DEEP)

    guard = _SectionGuard()
    cpuinfo = guard.fact("/proc/cpuinfo", lambda: read_cpuinfo(root))
    host = guard.section(HostInfo, "host", lambda: _host_info(root, live_data.platform, cpuinfo))
    kernel = _kernel_version(host.kernel)
    is_x86: bool | None
    if host.arch.value is not None:
        is_x86 = host.arch.value in X86_ARCHES
    elif cpuinfo.value is not None:
        is_x86 = cpuinfo.value.is_x86
    else:
        is_x86 = None

    cpu = guard.section(
        CpuInfo,
        "cpu",
        lambda: detect_cpu(root, cpuinfo, live_data.raw_cpuid, deep_flags(live_data.deep)),
    )
    module = guard.fact("kvm.module", lambda: kvm_module(root))
    kvm, kvm_notes = guard.section_with_notes(
        KvmInfo, "kvm", lambda: detect_kvm(root, module, live_data.kvm, is_x86)
    )
    notes.extend(kvm_notes)
    apic = guard.section(ApicVirt, "apic_virt", lambda: detect_apic_virt(root, cpu, module, kernel))
    tsc = guard.section(
        TscInfo, "tsc", lambda: detect_tsc(root, cpu, module, live_data.kvm, kernel)
    )
    smt = guard.section(SmtInfo, "smt", lambda: detect_smt(root))
    isolation = guard.section(IsolationInfo, "isolation", lambda: detect_isolation(root))
    if cpu.in_vm.is_true():
        notes.append(
            "This host is itself a virtual machine: what its guests get also depends on "
            "the outer hypervisor (nested virtualization)."
        )
    if cpu.virt_bios_disabled.is_true():
        notes.append(str(cpu.virt_extension.reason).split(": ", 1)[-1])
    report = HostReport(
        source=source,
        host=host,
        cpu=cpu,
        kvm=kvm,
        apic_virt=apic,
        tsc=tsc,
        smt=smt,
        isolation=isolation,
        vms=guard.fact("vms", lambda: vms_info(live_data.processes)),
        versions=guard.section(
            VersionsInfo, "versions", lambda: _collected_versions(live_data, pending)
        ),
        deep=guard.fact("deep", lambda: deep_info(live_data.deep)),
        notes=tuple(notes),
    )
    return Detection(report, root, live_data)


def _collected_versions(live_data: LiveData, pending: PendingVersions | None) -> VersionsInfo:
    """Collect the ``--version`` commands as late as possible, then interpret them."""
    from hvtui.detect.versions import versions_info

    if pending is not None:
        live_data.collect(pending)
    return versions_info(live_data.commands)


def _host_info(root: Root, platform: Fact[dict[str, str]], cpuinfo: Fact[Cpuinfo]) -> HostInfo:
    """OS, architecture and kernel release: from uname when live, else from the files."""
    osrelease = root.read_line(OSRELEASE)
    if platform.value is not None:
        os_name: Fact[str] = known(platform.value.get("system", ""))
        arch: Fact[str] = known(platform.value.get("machine", ""))
        kernel = osrelease if osrelease.value else known(platform.value.get("release", ""))
        return HostInfo(os=os_name, arch=arch, kernel=kernel)
    if cpuinfo.value is not None:
        # A sysroot is a Linux tree by construction; x86 kernels say so in cpuinfo.
        os_name = known("Linux")
        if cpuinfo.value.is_x86:
            flags = cpuinfo.value.first.get("flags", "").split()
            arch = known("x86_64" if "lm" in flags else "i686")
        else:
            arch = Fact(None, platform.reason)
    else:
        os_name = arch = Fact(None, platform.reason)
    return HostInfo(os=os_name, arch=arch, kernel=osrelease)
