"""Reading the CPU settings around the hv-* options back (a preset's ``[cpu]`` table).

What the audit needs to tell whether the enlightenments can do their job:
whether the guest CPU shows ``vmx``/``svm`` (nested Hyper-V, VBS), a fixed
``tsc-frequency`` (migration with reenlightenment or invtsc), ``invtsc`` and a
hidden KVM signature.  The facts come from :mod:`hvtui.catalog.cpu_settings`;
this module reads the spellings QEMU and libvirt take:

- QEMU ``-cpu`` items: ``vmx``, ``vmx=on``, ``+vmx``, ``-vmx``, ``vmx=off`` (and
  ``svm``), ``invtsc``, ``tsc-frequency=HZ`` and the legacy ``tsc-freq=2.8G``,
  ``kvm=off``.  QEMU turns ``_`` into ``-`` in these names, so ``tsc_frequency``
  counts too.  The items come in the order QEMU applies them
  (:func:`~hvtui.importers.qemu_cmdline.parse_cpu_option`: ``+x``/``-x`` after
  ``x=on|off``), so the last item of a name wins.
- libvirt ``<cpu><feature policy=... name='vmx'/>`` (``require``, ``force`` and
  ``optional`` give the feature, ``disable`` and ``forbid`` take it away; no
  policy is ``require``), ``<clock><timer name='tsc' frequency='HZ'/>`` and
  ``<features><kvm><hidden state='on'/></kvm>``.

On a named CPU model only its own extension counts (``svm=on`` does nothing for
an Intel model); for ``host``, ``max`` or an unknown model either one does,
since the host's vendor decides.  ``tsc-frequency=0`` is QEMU's default (the
host's rate), so it reads as unset.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from hvtui.catalog.cpu_settings import CpuSettingKey, virt_flag
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.libvirt_layout import FEATURE_POLICIES, INVTSC, VIRT_FLAGS
from hvtui.formats.spelling import (
    ValueSpellingError,
    parse_libvirt_state,
    parse_qemu_switch,
    parse_uint,
)
from hvtui.model.cpu import CpuSettings
from hvtui.textsafe import clipped
from hvtui.untrusted import parse_int

#: QEMU's spelling of the TSC rate (``-cpu ...,tsc-frequency=HZ``).
TSC_FREQUENCY = "tsc-frequency"
#: QEMU's legacy spelling, which takes a metric suffix (``tsc-freq=2.8G``).
TSC_FREQ_LEGACY = "tsc-freq"
#: ``-cpu ...,kvm=off`` hides KVM (the ``kvm`` property exposes it, default on).
KVM_PROPERTY = "kvm"

_METRIC = re.compile(r"([0-9]{1,20})(?:\.([0-9]{1,20}))?([kKmMgGtT]?)")
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def _counts_for(model: str | None, flag: str) -> bool:
    """Whether ``flag`` (vmx/svm) is the extension that matters on ``model``."""
    if model is None or model in ("host", "max"):
        return True
    return flag == virt_flag(model)


def _legacy_frequency(raw: str) -> int:
    """``tsc-freq=2.8G``: QEMU's metric size (K, M, G, T are powers of 1000)."""
    match = _METRIC.fullmatch(raw.strip())
    if match is None:
        shown = clipped(raw)
        raise ValueSpellingError(f"{TSC_FREQ_LEGACY}={shown!r}: expected Hz (2800000000 or 2.8G)")
    whole, fraction, suffix = match.groups()
    from decimal import Decimal  # here: only the legacy spelling needs it (issue #13)

    value = Decimal(f"{whole}.{fraction or '0'}") * _SCALE[suffix.lower()]
    return int(value)


def _frequency(key: str, raw: str | None) -> int | None:
    """Hz from ``tsc-frequency=N`` (``None``: 0, the host's own rate)."""
    if raw is None:
        raise ValueSpellingError(f"{key} needs a value (Hz)")
    hz = _legacy_frequency(raw) if key == TSC_FREQ_LEGACY else parse_uint(raw, what=key)
    return hz or None


def from_cpu_items(
    model: str | None, items: Iterable[tuple[str, str | None]], *, where: str = "-cpu"
) -> tuple[CpuSettings, list[str]]:
    """The CPU settings of a ``-cpu`` option's items (``parse_cpu_option``), with problems."""
    settings = CpuSettings()
    problems: list[str] = []
    for key, raw in items:
        name = key.replace("_", "-")
        try:
            if name in VIRT_FLAGS:
                if _counts_for(model, name):
                    settings = settings.with_value(
                        CpuSettingKey.NESTED_VIRT, parse_qemu_switch(raw, what=key)
                    )
            elif name == INVTSC:
                settings = settings.with_value(
                    CpuSettingKey.INVTSC, parse_qemu_switch(raw, what=key)
                )
            elif name in (TSC_FREQUENCY, TSC_FREQ_LEGACY):
                settings = settings.with_value(CpuSettingKey.TSC_FREQUENCY, _frequency(name, raw))
            elif name == KVM_PROPERTY:
                settings = settings.with_value(
                    CpuSettingKey.HIDE_KVM, not parse_qemu_switch(raw, what=key)
                )
        except ValueSpellingError as exc:
            problems.append(f"{where}: {exc}")
    return settings, problems


def _features(
    cpu: ET.Element, model: str | None, settings: CpuSettings, problems: list[str]
) -> CpuSettings:
    seen: set[str] = set()
    for feature in cpu.findall(layout.CPU_FEATURE):
        name = feature.get(layout.FEATURE_NAME, "")
        if name not in (*VIRT_FLAGS, INVTSC):
            continue
        where = f"<{layout.CPU}><{layout.CPU_FEATURE} name='{name}'>"
        if name in seen:
            problems.append(f"{where}: given twice; libvirt refuses the domain")
        seen.add(name)
        policy = feature.get(layout.FEATURE_POLICY, layout.FEATURE_REQUIRE)
        given = FEATURE_POLICIES.get(policy)
        if given is None:
            problems.append(f"{where}: policy {policy[:40]!r} is not one libvirt knows; ignored")
            continue
        if name == INVTSC:
            settings = settings.with_value(CpuSettingKey.INVTSC, given)
        elif _counts_for(model, name):
            settings = settings.with_value(CpuSettingKey.NESTED_VIRT, given)
    return settings


def from_domain(domain: ET.Element, model: str | None) -> tuple[CpuSettings, list[str]]:
    """The CPU settings a libvirt domain gives QEMU (``model``: its ``cpu_model_of``)."""
    settings = CpuSettings()
    problems: list[str] = []
    for cpu in domain.findall(layout.CPU):
        settings = _features(cpu, model, settings, problems)
    for timer in layout.find_all(domain, layout.CLOCK, layout.TIMER):
        if timer.get(layout.TIMER_NAME) != layout.TSC_TIMER:
            continue
        text = timer.get(layout.TIMER_FREQUENCY)
        if text is None:
            continue
        try:
            hz = parse_int(text.strip(), 10)
        except ValueError:
            shown = clipped(text)
            problems.append(
                f"<{layout.TIMER} {layout.TIMER_NAME}='{layout.TSC_TIMER}'>: "
                f"{layout.TIMER_FREQUENCY}={shown!r} is not a number of Hz; ignored"
            )
            continue
        settings = settings.with_value(CpuSettingKey.TSC_FREQUENCY, hz or None)
    for hidden in layout.find_all(domain, layout.FEATURES, layout.KVM, layout.KVM_HIDDEN):
        try:
            state = parse_libvirt_state(hidden.get(layout.STATE))
        except ValueSpellingError as exc:
            problems.append(f"<{layout.KVM}><{layout.KVM_HIDDEN}>: state {exc}")
            continue
        if state is not None:
            settings = settings.with_value(CpuSettingKey.HIDE_KVM, state)
    return settings, problems


__all__ = [
    "FEATURE_POLICIES",
    "VIRT_FLAGS",
    "from_cpu_items",
    "from_domain",
]
