"""QEMU's x86 CPU model names: which ``-cpu`` values exist, and the right spelling.

A preset's ``target.cpu-model`` and ``export --cpu-model`` end up as
``-cpu MODEL`` and as the ``MODEL-x86_64-cpu`` type of ``-global`` lines, so a
name QEMU does not know makes every export fail at VM start.  The usual
mistake is libvirt's vocabulary (``host-passthrough``, ``host-model``) or a
wrong case (``skylake-server``); both are refused here with the QEMU name to
use instead, in one place for the preset loader and the export command.

The list is QEMU's ``builtin_x86_defs`` and their aliases up to QEMU 9.2
(``qemu-system-x86_64 -cpu help``); every model also has versioned names
(``EPYC-v4``), accepted for any version number.
"""

from __future__ import annotations

import difflib
import re

from hvtui.textsafe import SAFE_NAME

#: Letters, digits, ``.``, ``_`` or ``-``: nothing to quote on a command line, no comma
#: (the one rule for names, :data:`hvtui.textsafe.SAFE_NAME`).
NAME_RE = SAFE_NAME

_VERSIONED = re.compile(r"(?P<base>.+)-v[1-9][0-9]{0,2}")

#: Models without versions (``host`` passes the host CPU through, ``max`` is
#: everything KVM can do, ``base`` has no features at all).
SPECIAL = ("host", "max", "base")

#: QEMU's named x86 models and their aliases.
MODELS: frozenset[str] = frozenset(
    {
        *SPECIAL,
        # generic and old
        "qemu64", "qemu32", "kvm64", "kvm32", "phenom", "core2duo", "coreduo",
        "486", "pentium", "pentium2", "pentium3", "athlon", "n270",
        # Intel
        "Conroe", "Penryn", "Nehalem", "Nehalem-IBRS", "Westmere", "Westmere-IBRS",
        "SandyBridge", "SandyBridge-IBRS", "IvyBridge", "IvyBridge-IBRS",
        "Haswell", "Haswell-noTSX", "Haswell-IBRS", "Haswell-noTSX-IBRS",
        "Broadwell", "Broadwell-noTSX", "Broadwell-IBRS", "Broadwell-noTSX-IBRS",
        "Skylake-Client", "Skylake-Client-IBRS", "Skylake-Client-noTSX-IBRS",
        "Skylake-Server", "Skylake-Server-IBRS", "Skylake-Server-noTSX-IBRS",
        "Cascadelake-Server", "Cascadelake-Server-noTSX", "Cooperlake",
        "Icelake-Client", "Icelake-Client-noTSX", "Icelake-Server", "Icelake-Server-noTSX",
        "SapphireRapids", "GraniteRapids", "SierraForest", "ClearwaterForest",
        "Denverton", "Snowridge", "KnightsMill",
        # AMD and Hygon
        "Opteron_G1", "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5",
        "EPYC", "EPYC-IBPB", "EPYC-Rome", "EPYC-Milan", "EPYC-Genoa", "EPYC-Turin",
        "Dhyana",
        # Zhaoxin
        "YongFeng",
        # x86-64 micro-architecture levels (distribution QEMUs)
        "x86-64-v1", "x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4",
    }
)  # fmt: skip

#: Other tools' words for a CPU mode, with the QEMU model that means the same.
_OTHER_SPELLINGS = {
    "host-passthrough": "host",
    "passthrough": "host",
    "host-model": "host",
    "maximum": "max",
    "default": "qemu64",
}


def is_known(model: str) -> bool:
    """True for a QEMU x86 model name or one of its versioned names (``EPYC-v4``)."""
    if model in MODELS:
        return True
    match = _VERSIONED.fullmatch(model)
    return match is not None and match.group("base") in MODELS and model not in SPECIAL


def suggestion(model: str) -> str | None:
    """The QEMU model ``model`` probably means (libvirt's word, another case, a typo)."""
    lowered = model.lower()
    if lowered in _OTHER_SPELLINGS:
        return _OTHER_SPELLINGS[lowered]
    by_case = {m.lower(): m for m in MODELS}
    base = _VERSIONED.fullmatch(model)
    if base is not None and base.group("base").lower() in by_case:
        return f"{by_case[base.group('base').lower()]}{model[len(base.group('base')) :]}"
    if lowered in by_case:
        return by_case[lowered]
    close = difflib.get_close_matches(model, sorted(MODELS), n=1, cutoff=0.75)
    return close[0] if close else None


def model_problem(model: str) -> str | None:
    """Why ``model`` cannot be a ``-cpu`` value (one line), or ``None`` when it can."""
    if not NAME_RE.fullmatch(model):
        return (
            f"{model!r} is not a QEMU CPU model name such as host or Skylake-Server "
            "(letters, digits, '.', '_' or '-', at most 64)"
        )
    if is_known(model):
        return None
    better = suggestion(model)
    hint = f"; did you mean {better!r}?" if better else " (see 'qemu-system-x86_64 -cpu help')"
    return f"QEMU has no CPU model {model!r}{hint}"


__all__ = ["MODELS", "NAME_RE", "SPECIAL", "is_known", "model_problem", "suggestion"]
