"""Applying ``hvtui export --format proxmox`` to a VM configuration, as an admin would.

The script is read back the way a shell and Proxmox read it: the here-document
goes into ``cpu-models.conf``; the ``qm set`` line is split into shell words
and each ``--key value`` replaces that key in ``VMID.conf`` (what ``qm set``
does).  Nothing is taken from the plan, so the round trip tests the text.
"""

from __future__ import annotations

import re
import shlex

from hvtui.formats.proxmox import CpuConf, parse_cpu_models
from hvtui.importers.proxmox import parse_proxmox_config, proxmox_options
from hvtui.importers.result import Imported

BASE = """\
boot: order=scsi0
cores: 4
memory: 8192
name: win
ostype: win11
machine: pc-q35-10.1
bios: ovmf
scsi0: local-lvm:vm-100-disk-0,size=64G
"""

_HEREDOC = re.compile(r"^cat >> (\S+) <<'EOF'\n(.*?)^EOF$", re.MULTILINE | re.DOTALL)


def apply_script(script: str, base: str = BASE) -> tuple[str, str]:
    """``(VMID.conf, cpu-models.conf)`` after running ``script`` on a VM with ``base``."""
    models = "".join(m.group(2) for m in _HEREDOC.finditer(script))
    options = proxmox_options(base)
    assert options is not None
    lines = [line for line in script.splitlines() if line.startswith("qm set ")]
    assert len(lines) == 1, script
    words = shlex.split(lines[0].replace('"${VMID:?set VMID to the id of the VM}"', "100"))
    assert words[:3] == ["qm", "set", "100"], words
    for key, value in zip(words[3::2], words[4::2], strict=True):
        assert "\n" not in value
        options[key.removeprefix("--")] = value
    conf = "".join(f"{k}: {v}\n" for k, v in options.items())
    return conf, models


def audit_after(script: str, base: str = BASE, *, host_intel: bool | None = None) -> Imported:
    """What the audit reads from the VM once ``script`` ran on it."""
    conf, models_text = apply_script(script, base)
    models: dict[str, CpuConf] | None = None
    if models_text.strip():
        models = parse_cpu_models(models_text)
        assert models is not None, models_text
    return parse_proxmox_config(conf, cpu_models=models, host_intel=host_intel)
