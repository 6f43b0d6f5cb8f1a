"""What a format cannot express of a preset (``hvtui export --strict`` refuses then).

QEMU arguments, libvirt XML, virt-install and virt-xml can carry every option
(libvirt's ``<qemu:commandline>`` takes what it has no element for); KubeVirt's
API and the Terraform provider cannot, and their exports list what they left
out.  This answers the same question for the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from hvtui.export.context import ExportTarget
from hvtui.export.kubevirt import Unexpressed, build_kubevirt
from hvtui.export.terraform import build_terraform
from hvtui.model import Config

_CHECKS: dict[str, Callable[[Config, ExportTarget], tuple[Unexpressed, ...]]] = {
    "kubevirt": lambda config, target: build_kubevirt(config, target).unexpressed,
    "terraform": lambda config, target: build_terraform(config, target).unexpressed,
}


def unexpressed(fmt: str, config: Config, target: ExportTarget) -> tuple[Unexpressed, ...]:
    """What ``config`` turns on that format ``fmt`` cannot write on ``target`` (often empty)."""
    check = _CHECKS.get(fmt)
    return () if check is None else check(config, target)


__all__ = ["Unexpressed", "unexpressed"]
