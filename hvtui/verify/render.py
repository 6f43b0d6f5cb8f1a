"""The text report of a verify run: the guest's view, asked vs seen, the raw leaves.

Plain lines (no Textual), so the CLI prints them and the wizard can show them.
Text from the guest (the signature) and from QEMU is escaped by the caller's
output layer, as every CLI output is.
"""

from __future__ import annotations

import shlex

from hvtui import catalog
from hvtui.catalog import Value, ValueKind
from hvtui.verify.compare import Difference
from hvtui.verify.guest import HV_BASE, GuestView
from hvtui.verify.result import VerifyResult

_COLUMN = 24


def shown(name: str, value: Value | None) -> str:
    """A value as a preset writes it: on/off, 0x1fff, "text"; ``-`` for not seen."""
    if value is None:
        return "-"
    entry = catalog.get(name)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int) and entry.hex_display:
        return f"{value:#x}"
    if entry.kind is ValueKind.STRING:
        return repr(value)
    return str(value)


def guest_lines(guest: GuestView) -> list[str]:
    """What the guest learns about its hypervisor, one fact a line."""
    bit = {None: "not read", True: "set", False: "clear"}[guest.hypervisor_bit]
    lines = [f"  {'hypervisor bit':<{_COLUMN}}{bit} (CPUID 1 ECX bit 31)"]
    if not guest.has_block:
        lines.append(f"  {'leaf 0x40000000':<{_COLUMN}}no hypervisor leaves (max leaf "
                     f"{guest.max_leaf:#010x})")  # fmt: skip
        return lines
    lines.append(f"  {'signature':<{_COLUMN}}{guest.signature!r} (max leaf {guest.max_leaf:#010x})")
    if guest.hyperv:
        lines.append(f"  {'interface':<{_COLUMN}}Hv#1: the guest sees Hyper-V")
        version = guest.version
        if version:
            lines.append(
                f"  {'Hyper-V version':<{_COLUMN}}build {version.get('build')}, "
                f"{version.get('major')}.{version.get('minor')}, service pack "
                f"{version.get('spack')}, branch {version.get('sbranch')}, number "
                f"{version.get('snumber')}"
            )
    else:
        lines.append(f"  {'Hyper-V':<{_COLUMN}}none: 0x40000001 does not say 'Hv#1'")
    kvm_at = guest.kvm_leaves_at
    if kvm_at is not None:
        lines.append(f"  {'KVM leaves':<{_COLUMN}}at {kvm_at:#010x}")
    for base, signature in guest.subranges.items():
        if base != kvm_at:
            lines.append(f"  {f'leaves {base:#010x}':<{_COLUMN}}{signature!r}")
    return lines


def _row(name: str, asked: str, seen: str, why: str) -> str:
    prop = catalog.get(name).qemu_property
    return f"  {prop:<{_COLUMN}}{asked:<12}{seen:<12}{why}".rstrip()


def comparison_lines(result: VerifyResult) -> list[str]:
    """Every asked option with what the guest sees and a reason code, then what it sees
    unasked, then each reason in words once (with the options it applies to)."""
    differences: dict[str, Difference] = {d.option: d for d in result.missing}
    differences.update({d.option: d for d in result.unexpected if d.asked is not None})
    unjudged = {d.option: d for d in result.comparison.unjudged}
    seen = result.seen
    ignored = set(result.spec.asked.overridden_by_passthrough())
    lines = [f"  {'option':<{_COLUMN}}{'asked':<12}seen"]
    explained: dict[str, list[str]] = {}
    for name, value in result.spec.asked:
        if not catalog.is_canonical(name):
            continue
        prop = catalog.get(name).qemu_property
        difference = differences.get(name) or unjudged.get(name)
        if difference is not None:
            why = difference.reason.value
            explained.setdefault(f"{why}: {difference.detail}", []).append(prop)
        elif name in ignored:
            why = "ok (overridden by hv-passthrough)"
        elif catalog.get(name).overrides_list and value is True:
            why = "ok (expanded below)"
        else:
            why = "ok"
        lines.append(_row(name, shown(name, value), shown(name, seen.get(name)), why))
    if not len(result.spec.asked):
        lines.append("  (no hv-* option asked)")
    for d in result.unexpected:
        if d.asked is None:
            lines.append(_row(d.option, "-", shown(d.option, d.seen), d.reason.value))
            explained.setdefault(f"{d.reason.value}: {d.detail}", []).append(d.qemu_property)
    for text, props in explained.items():
        lines.append(f"  {', '.join(props)}: {text}")
    return lines


def leaf_lines(guest: GuestView) -> list[str]:
    """The raw registers, every one in hex: the proof."""
    lines = ["  leaf      eax       ebx       ecx       edx"]
    trusted = guest.trusted()
    for function, r in guest.leaves.items():
        mark = "" if function < HV_BASE or function in trusted else "  (beyond max leaf)"
        lines.append(f"  {function:08x}  {r.eax:08x}  {r.ebx:08x}  {r.ecx:08x}  {r.edx:08x}{mark}")
    return lines


def render(result: VerifyResult) -> str:
    """The whole text report."""
    spec = result.spec
    out = [
        f"Verified {spec.source} on this host's KVM in {result.seconds:.1f} s",
        "  " + shlex.join(["qemu", *spec.qemu_args()]),
    ]
    out += [f"  note: {note}" for note in result.notes]
    if result.workaround_line is not None:
        out.append(f"  {result.workaround_line}")
    out += [f"  QEMU warning: {warning}" for warning in result.qemu_warnings]
    if result.qemu_error is not None:
        out += ["", f"QEMU refused the configuration: {result.qemu_error}"]
        if result.qemu_error_why is not None:
            out.append(f"  {result.qemu_error_why}")
    if result.guest is not None:
        out += ["", "What the guest sees", *guest_lines(result.guest)]
    if result.guest is not None or result.qemu_error is not None:
        out += ["", "Asked vs seen", *comparison_lines(result)]
    explicit = result.explicit_toml()
    if result.comparison.expanded is not None:
        out += ["", "hv-passthrough expanded to this explicit list (save it as a preset):"]
        out += (explicit or "# the guest saw no Hyper-V option\n").rstrip("\n").split("\n")
    if result.guest is not None:
        out += ["", "CPUID leaves the guest read (hex)", *leaf_lines(result.guest)]
    out += ["", summary(result)]
    return "\n".join(out) + "\n"


def summary(result: VerifyResult) -> str:
    """The last line: the verdict in words."""
    if result.probe_error is not None:
        return f"Result: no answer from the guest: {result.probe_error}"
    if result.qemu_error is not None:
        return "Result: QEMU refused the configuration"
    missing, unexpected = len(result.missing), len(result.unexpected)
    if not missing and not unexpected:
        return "Result: the guest sees exactly what was asked"
    parts = []
    if missing:
        parts.append(f"{missing} asked option{'s' if missing != 1 else ''} not seen")
    if unexpected:
        parts.append(f"{unexpected} seen but not asked")
    return "Result: " + ", ".join(parts)


__all__ = ["render", "shown", "summary"]
