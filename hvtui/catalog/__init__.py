"""The enlightenment catalog: the one table in :mod:`.entries` and the lookups over it.

Everything else in hvtui asks this module about an option (its name, value
range, dependencies in both directions, libvirt element, versions, docs)
instead of knowing it itself.

The names below are loaded when first used (PEP 562): importing the package, as
``hvtui detect`` does to read :mod:`.kvm_abi`, costs nothing, while
``from hvtui.catalog import get`` and ``catalog.ENTRIES`` load :mod:`.entries`,
:mod:`.types` and :mod:`.lookup` as before (issue #13).  Type checkers read the
imports under ``TYPE_CHECKING``, so every name keeps its type.
"""

from __future__ import annotations

from hvtui.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hvtui.catalog.entries import ENTRIES
    from hvtui.catalog.lookup import (
        BY_NAME,
        PLACE,
        UnknownOptionError,
        all_dependents,
        all_requirements,
        by_group,
        canonical_name,
        dependents,
        get,
        is_canonical,
        names,
        normalize,
        order_key,
        sort_names,
        sources_of,
        suggest,
        to_json,
    )
    from hvtui.catalog.types import (
        Caution,
        CpuidBits,
        DocRule,
        Enlightenment,
        FactKind,
        Group,
        HostNeed,
        LibvirtKind,
        LibvirtMapping,
        Migration,
        Severity,
        Source,
        Value,
        ValueKind,
        WithoutHyperV,
    )


__all__ = [
    "BY_NAME",
    "ENTRIES",
    "PLACE",
    "Caution",
    "CpuidBits",
    "DocRule",
    "Enlightenment",
    "FactKind",
    "Group",
    "HostNeed",
    "LibvirtKind",
    "LibvirtMapping",
    "Migration",
    "Severity",
    "Source",
    "UnknownOptionError",
    "Value",
    "ValueKind",
    "WithoutHyperV",
    "all_dependents",
    "all_requirements",
    "by_group",
    "canonical_name",
    "dependents",
    "get",
    "is_canonical",
    "names",
    "normalize",
    "order_key",
    "sort_names",
    "sources_of",
    "suggest",
    "to_json",
]

#: The public names :mod:`.types` defines; ``ENTRIES`` is :mod:`.entries`', the rest
#: (functions and :class:`UnknownOptionError`) are :mod:`.lookup`'s.
_TYPES = frozenset(
    (
        "Caution",
        "CpuidBits",
        "DocRule",
        "Enlightenment",
        "FactKind",
        "Group",
        "HostNeed",
        "LibvirtKind",
        "LibvirtMapping",
        "Migration",
        "Severity",
        "Source",
        "Value",
        "ValueKind",
        "WithoutHyperV",
    )
)
_HOMES = {
    name: f"{__name__}."
    + ("entries" if name == "ENTRIES" else "types" if name in _TYPES else "lookup")
    for name in __all__
}

if not TYPE_CHECKING:  # hidden from type checkers, which would type every unknown name Any
    __getattr__, __dir__ = exports(__name__, _HOMES, globals())
