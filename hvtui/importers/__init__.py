"""Importers: read Hyper-V options back from QEMU command lines, libvirt domain XML
and virt-install arguments.

They started as the round-trip check of the exporters and are what the
audit command builds on; each one reports what it could not place in
:attr:`Imported.problems` instead of failing, and untrusted XML only goes
through :mod:`hvtui.importers.safexml`.
"""

from __future__ import annotations

from hvtui.importers.libvirt_xml import cpu_model_of, parse_domain, parse_libvirt_xml
from hvtui.importers.qemu_cmdline import (
    CommandLineError,
    parse_cpu_option,
    parse_qemu_args,
    parse_qemu_command,
    split_command,
)
from hvtui.importers.result import Imported
from hvtui.importers.safexml import XmlDocument, XmlError
from hvtui.importers.virtinstall_args import parse_virt_install_args, parse_virt_install_command

__all__ = [
    "CommandLineError",
    "Imported",
    "XmlDocument",
    "XmlError",
    "cpu_model_of",
    "parse_cpu_option",
    "parse_domain",
    "parse_libvirt_xml",
    "parse_qemu_args",
    "parse_qemu_command",
    "parse_virt_install_args",
    "parse_virt_install_command",
    "split_command",
]
