"""Raw CPUID through the kernel's ``cpuid`` driver (``/dev/cpu/0/cpuid``).

Only used to tell "this CPU has no VMX/SVM" from "the firmware disabled it":
the kernel removes the flag from ``/proc/cpuinfo`` in both cases, but the CPUID
bit stays.  The device needs root and the ``cpuid`` module; without it the
answer is simply unknown (``--deep`` can still tell, via py-cpuinfo).
"""

from __future__ import annotations

import errno
import os
import struct

from hvtui.detect.report import MISSING, PERMISSION, UNREADABLE, Fact, known, unknown

DEVICE = "/dev/cpu/0/cpuid"
LEAVES = (0x0, 0x1, 0x80000000, 0x80000001)
_REGS = struct.Struct("<4I")


def read_raw_cpuid(device: str = DEVICE) -> Fact[dict[int, tuple[int, int, int, int]]]:
    """``{leaf: (eax, ebx, ecx, edx)}`` for the leaves hvtui needs; never raises."""
    try:
        fd = os.open(device, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENXIO, errno.ENODEV):
            return unknown(MISSING, f"{device} (load the cpuid module)")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return unknown(PERMISSION, f"{device} (root only)")
        return unknown(UNREADABLE, f"{device}: {exc.strerror}")
    leaves: dict[int, tuple[int, int, int, int]] = {}
    try:
        for leaf in LEAVES:
            try:
                data = os.pread(fd, _REGS.size, leaf)
            except OSError:
                continue  # a leaf beyond the CPU's maximum reads as EIO
            if len(data) == _REGS.size:
                eax, ebx, ecx, edx = _REGS.unpack(data)
                leaves[leaf] = (eax, ebx, ecx, edx)
    finally:
        os.close(fd)
    if not leaves:
        return unknown(UNREADABLE, f"{device} answered no leaf")
    return known(leaves)
