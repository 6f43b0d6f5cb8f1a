"""The optional deep probe (``--deep``): py-cpuinfo's brand string and flags.

py-cpuinfo re-runs Python and measures the clock with a one-second sleep, so it
costs about a second: it never runs on the default path, nor before the TUI's
first frame.  What it adds is the raw CPUID view (a ``vmx``/``svm`` the kernel
hid because the firmware disabled it) and the marketing brand string.
"""

from __future__ import annotations

from hvtui.detect.report import FAILED, UNPARSABLE, DeepInfo, Fact, known, unknown

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import Any


def run_deep() -> Fact[dict[str, Any]]:
    """py-cpuinfo's answer reduced to what hvtui keeps; never raises."""
    from collections.abc import Mapping  # --deep only

    try:
        import cpuinfo

        info = cpuinfo.get_cpu_info()
    except Exception as exc:  # a third-party probe may fail in any way
        return unknown(FAILED, f"py-cpuinfo: {type(exc).__name__}: {exc}")
    if not isinstance(info, Mapping):
        return unknown(UNPARSABLE, "py-cpuinfo returned no mapping")
    flags = info.get("flags", [])
    return known(
        {
            "brand_raw": str(info.get("brand_raw", "")),
            "flags": sorted(str(f) for f in flags) if isinstance(flags, list) else [],
            "arch": str(info.get("arch", "")),
            "cpuinfo_version": str(info.get("cpuinfo_version_string", "")),
        }
    )


def deep_info(raw: Fact[dict[str, Any]]) -> Fact[DeepInfo]:
    """The ``deep`` section from py-cpuinfo's (recorded) answer."""
    if raw.value is None:
        return Fact(None, raw.reason)
    brand = str(raw.value.get("brand_raw", ""))
    flags = raw.value.get("flags", [])
    return known(
        DeepInfo(
            brand=known(brand) if brand else unknown(UNPARSABLE, "py-cpuinfo found no brand"),
            flags=known(tuple(str(f) for f in flags))
            if isinstance(flags, list) and flags
            else unknown(UNPARSABLE, "py-cpuinfo found no flags"),
        )
    )


def deep_flags(raw: Fact[dict[str, Any]]) -> Fact[tuple[str, ...]]:
    """Just the raw-CPUID flags, for the firmware check in :mod:`.cpu`."""
    info = deep_info(raw)
    if info.value is None:
        return Fact(None, info.reason)
    return info.value.flags
