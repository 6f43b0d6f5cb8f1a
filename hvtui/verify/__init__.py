"""``hvtui verify``: boot the exact CPU configuration and read what the guest sees.

Every other part of hvtui predicts what a Windows guest gets; this one checks it.
A throw-away VM with only what decides CPUID (KVM, machine type, CPU model and
hv-* properties, 16 MiB, nothing else) runs a 512-byte probe that prints the
hypervisor CPUID leaves on the serial port and ends QEMU; the leaves are decoded
with the catalog's CPUID bits and compared with what was asked.

Plain Python (no Textual): the CLI, the wizard's worker and ``apply --verify``
call :func:`run_verify` with a :class:`VmSpec` built by :func:`from_preset`,
:func:`from_config`, :func:`from_command_text` or :func:`from_domain`.
"""

from __future__ import annotations

from hvtui.verify.codes import HostWorkaround, ProbeFailure, Reason, Unavailable
from hvtui.verify.compare import Comparison, Difference
from hvtui.verify.domain import from_domain
from hvtui.verify.guest import GuestView, decode
from hvtui.verify.probe import ProbeError, ProbeReport, Registers, parse_serial
from hvtui.verify.result import SCHEMA, VerifyResult
from hvtui.verify.runner import DEFAULT_TIMEOUT, HostKvm, VerifyUnavailableError
from hvtui.verify.session import judge, run_verify
from hvtui.verify.spec import (
    DEFAULT_MACHINE,
    SpecError,
    VmSpec,
    from_command_text,
    from_config,
    from_preset,
    from_qemu_args,
)

__all__ = [
    "DEFAULT_MACHINE",
    "DEFAULT_TIMEOUT",
    "SCHEMA",
    "Comparison",
    "Difference",
    "GuestView",
    "HostKvm",
    "HostWorkaround",
    "ProbeError",
    "ProbeFailure",
    "ProbeReport",
    "Reason",
    "Registers",
    "SpecError",
    "Unavailable",
    "VerifyResult",
    "VerifyUnavailableError",
    "VmSpec",
    "decode",
    "from_command_text",
    "from_config",
    "from_domain",
    "from_preset",
    "from_qemu_args",
    "judge",
    "parse_serial",
    "run_verify",
]
