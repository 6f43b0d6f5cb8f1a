"""Importers: read Hyper-V options back from QEMU command lines, libvirt domain XML,
virt-install arguments and Proxmox guest configurations.

They started as the round-trip check of the exporters and are what the
audit command builds on; each one reports what it could not place in
:attr:`Imported.problems` instead of failing, and untrusted XML only goes
through :mod:`hvtui.formats.safexml`.
"""

from __future__ import annotations

from hvtui.formats.safexml import XmlDocument, XmlError
from hvtui.importers.libvirt_xml import cpu_model_of, parse_domain, parse_libvirt_xml
from hvtui.importers.proxmox import parse_proxmox_config, proxmox_options
from hvtui.importers.qemu_cmdline import (
    CommandLineError,
    looks_like_qemu,
    parse_cpu_option,
    parse_qemu_args,
    parse_qemu_command,
    split_command,
)
from hvtui.importers.result import Imported
from hvtui.importers.virtinstall_args import parse_virt_install_args, parse_virt_install_command

__all__ = [
    "CommandLineError",
    "Imported",
    "XmlDocument",
    "XmlError",
    "cpu_model_of",
    "looks_like_qemu",
    "parse_cpu_option",
    "parse_domain",
    "parse_libvirt_xml",
    "parse_proxmox_config",
    "parse_qemu_args",
    "parse_qemu_command",
    "parse_virt_install_args",
    "parse_virt_install_command",
    "proxmox_options",
    "split_command",
]
