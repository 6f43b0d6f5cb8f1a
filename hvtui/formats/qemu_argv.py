"""Two facts of QEMU's command line that process detection and the importers share.

Which program is QEMU (detection finds guests by it, the command-line importer
finds where QEMU's own arguments start in a pasted command) and the guest name
``-name`` gives.  Both only read words: no process is looked at here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence


def is_qemu_binary(word: str) -> bool:
    """Whether a program name or path is QEMU: ``qemu-system-*``, ``qemu-kvm`` or ``kvm``.

    ``qemu-kvm`` is RHEL's ``/usr/libexec/qemu-kvm``, ``kvm`` Debian's and
    Proxmox's wrapper; the command-line importer uses the same rule to find
    where QEMU's own arguments start in a pasted command.
    """
    base = os.path.basename(word)
    return base.startswith("qemu-system-") or base in ("qemu-kvm", "kvm")


def guest_name(cmdline: Sequence[str]) -> str:
    """The guest name from ``-name NAME[,...]`` or ``-name guest=NAME,...``; ``""`` if none."""
    for i, arg in enumerate(cmdline[:-1]):
        if arg in ("-name", "--name"):
            value = cmdline[i + 1].replace(",,", "\0")
            for n, part in enumerate(value.split(",")):
                key, sep, rest = part.partition("=")
                if sep and key == "guest":
                    return rest.replace("\0", ",")
                if not sep and n == 0:
                    return part.replace("\0", ",")
            return ""
    return ""
