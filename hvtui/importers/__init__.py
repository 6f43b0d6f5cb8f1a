"""Importers: read Hyper-V options back from QEMU command lines, libvirt domain XML,
virt-install arguments and Proxmox guest configurations.

They started as the round-trip check of the exporters and are what the
audit command builds on; each one reports what it could not place in
:attr:`Imported.problems` instead of failing, and untrusted XML only goes
through :mod:`hvtui.formats.safexml`.
"""

from __future__ import annotations

from hvtui.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
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
    from hvtui.importers.virtinstall_args import (
        parse_virt_install_args,
        parse_virt_install_command,
    )

#: Where each name of the package lives.  A name is imported the first time it is
#: asked for: ``hvtui audit`` of domain XML needs the libvirt importer only, and
#: the Proxmox one alone (with its catalog of qemu-server's defaults) costs ~12 ms
#: of every run that imports a submodule of this package.
_HOMES = {
    "XmlDocument": "hvtui.formats.safexml",
    "XmlError": "hvtui.formats.safexml",
    "cpu_model_of": "hvtui.importers.libvirt_xml",
    "parse_domain": "hvtui.importers.libvirt_xml",
    "parse_libvirt_xml": "hvtui.importers.libvirt_xml",
    "parse_proxmox_config": "hvtui.importers.proxmox",
    "proxmox_options": "hvtui.importers.proxmox",
    "CommandLineError": "hvtui.importers.qemu_cmdline",
    "looks_like_qemu": "hvtui.importers.qemu_cmdline",
    "parse_cpu_option": "hvtui.importers.qemu_cmdline",
    "parse_qemu_args": "hvtui.importers.qemu_cmdline",
    "parse_qemu_command": "hvtui.importers.qemu_cmdline",
    "split_command": "hvtui.importers.qemu_cmdline",
    "Imported": "hvtui.importers.result",
    "parse_virt_install_args": "hvtui.importers.virtinstall_args",
    "parse_virt_install_command": "hvtui.importers.virtinstall_args",
}


if not TYPE_CHECKING:  # hidden from type checkers, which would type every unknown name Any
    __getattr__, __dir__ = exports(__name__, _HOMES, globals())


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
