"""SMT control and CPU isolation (``isolated``, ``isolcpus=``, ``nohz_full``).

Pitfalls handled here: ``smt/`` is missing on kernels before 4.18; old kernels
print ``nohz_full`` as ``(null)`` (space padded) when it is unset; the sysfs
``isolated`` list omits ``isolcpus=`` without the ``domain`` flag and all of
``nohz_full=``, so the command line is read too; and arguments after ``--`` on
the command line belong to init, not to the kernel.
"""

from __future__ import annotations

from hvtui.detect.report import (
    UNPARSABLE,
    Fact,
    IsolationInfo,
    SmtInfo,
    known,
    unknown,
)
from hvtui.detect.sysroot import Root
from hvtui.formats.cpulist import CpuListError, format_cpulist, parse_cpulist

CPU_DIR = "/sys/devices/system/cpu"
CMDLINE = "/proc/cmdline"
_CONTROL_VALUES = ("on", "off", "forceoff", "notsupported", "notimplemented")
_FLAG_LETTERS = "abcdefghijklmnopqrstuvwxyz_"


def detect_smt(root: Root) -> SmtInfo:
    """``smt/control`` and ``smt/active``."""
    control = root.read_line(f"{CPU_DIR}/smt/control")
    if control.value is not None and not (
        control.value in _CONTROL_VALUES or control.value.isdigit()
    ):
        control = unknown(UNPARSABLE, f"{CPU_DIR}/smt/control: {control.value[:40]!r}")
    active_raw = root.read_line(f"{CPU_DIR}/smt/active")
    active: Fact[bool]
    if active_raw.value is None:
        active = Fact(None, active_raw.reason)
    elif active_raw.value in ("0", "1"):
        active = known(active_raw.value == "1")
    else:
        active = unknown(UNPARSABLE, f"{CPU_DIR}/smt/active: {active_raw.value[:40]!r}")
    return SmtInfo(control=control, active=active)


def kernel_args(cmdline: str) -> list[str]:
    """The kernel's own arguments: split on blanks (double quotes group), stop at ``--``."""
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    started = False
    for char in cmdline:
        if char == '"':
            in_quotes = not in_quotes
            started = True
            continue
        if char.isspace() and not in_quotes:
            if started:
                args.append("".join(current))
                current, started = [], False
            continue
        current.append(char)
        started = True
    if started:
        args.append("".join(current))
    if "--" in args:
        args = args[: args.index("--")]
    return args


def last_param(args: list[str], name: str) -> str | None:
    """The value of the last ``name=value`` (the kernel's own rule for repeats)."""
    value = None
    for arg in args:
        key, sep, rest = arg.partition("=")
        if sep and key == name:
            value = rest
    return value


def isolcpus_list(value: str) -> str:
    """``nohz,domain,managed_irq,2-5`` -> ``2-5`` (flags come first, then the CPUs)."""
    parts = value.split(",")
    # A flag is ``[a-z_]+`` (``domain``, ``managed_irq``); ``N`` is the last CPU.
    while parts and parts[0] and not parts[0].strip(_FLAG_LETTERS) and parts[0] != "N":
        parts.pop(0)
    return ",".join(parts)


def _last_cpu(root: Root) -> int | None:
    possible = root.read_line(f"{CPU_DIR}/possible")
    if possible.value is None:
        return None
    try:
        cpus = parse_cpulist(possible.value)
    except CpuListError:
        return None
    return max(cpus) if cpus else None


def _cpus(text: str, where: str, last_cpu: int | None) -> Fact[frozenset[int]]:
    try:
        return known(parse_cpulist(text, last_cpu))
    except CpuListError as exc:
        return unknown(UNPARSABLE, f"{where}: {exc}")


def detect_isolation(root: Root) -> IsolationInfo:
    """The isolation section; ``cpus`` is the union of whatever could be read."""
    last_cpu = _last_cpu(root)
    cmdline = root.read(CMDLINE)
    args = kernel_args(cmdline.value) if cmdline.value is not None else None

    isolated_raw = root.read(f"{CPU_DIR}/isolated")
    isolated: Fact[frozenset[int]] = (
        Fact(None, isolated_raw.reason)
        if isolated_raw.value is None
        else _cpus(isolated_raw.value, f"{CPU_DIR}/isolated", last_cpu)
    )

    isolcpus: Fact[frozenset[int]]
    if args is None:
        isolcpus = Fact(None, cmdline.reason)
    else:
        value = last_param(args, "isolcpus")
        isolcpus = (
            known(frozenset())
            if value is None
            else _cpus(isolcpus_list(value), "isolcpus=", last_cpu)
        )

    nohz_raw = root.read(f"{CPU_DIR}/nohz_full")
    nohz: Fact[frozenset[int]]
    if nohz_raw.value is not None:
        nohz = _cpus(nohz_raw.value, f"{CPU_DIR}/nohz_full", last_cpu)
    elif args is not None:
        # No sysfs file: a kernel without CONFIG_NO_HZ_FULL, or an old one; the
        # command line is then the only witness.
        value = last_param(args, "nohz_full")
        nohz = known(frozenset()) if value is None else _cpus(value, "nohz_full=", last_cpu)
    else:
        nohz = Fact(None, nohz_raw.reason)

    parts = (isolated, isolcpus, nohz)
    known_sets = [p.value for p in parts if p.value is not None]
    union: Fact[str]
    if known_sets:
        union = known(format_cpulist(frozenset().union(*known_sets)))
    else:
        union = Fact(None, isolated.reason)
    return IsolationInfo(
        cpus=union,
        isolated=isolated.map(format_cpulist),
        isolcpus=isolcpus.map(format_cpulist),
        nohz_full=nohz.map(format_cpulist),
    )
