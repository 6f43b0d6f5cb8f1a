"""Packages whose public names load their modules on first use (PEP 562).

Each ``hvtui`` command is a fresh process, and a package's ``__init__`` that imports
every module it re-exports makes every caller pay for all of them: ``hvtui detect``
only needs the catalog's KVM table, ``hvtui audit`` never explains a host (issue #13).
A package lists where each public name lives and gets its module ``__getattr__``
(and ``__dir__``) from :func:`exports`; type checkers read the same names from real
imports under ``TYPE_CHECKING`` instead, so every name keeps its type, and the hook
is defined only when not type checking, so that a misspelt name stays an error for
them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


def exports(
    package: str, homes: Mapping[str, str], namespace: dict[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: a name of ``homes`` is imported
    from its module (``homes[name]``) when first asked for and kept in the package's
    ``namespace``, so later uses are plain attribute reads (the catalog's lookups are
    called in hot loops).  Any other name raises :class:`AttributeError`, which also
    lets ``from package import submodule`` import the submodule."""

    def __getattr__(name: str) -> object:  # noqa: N807  (PEP 562's name)
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        import sys

        __import__(home)
        value = getattr(sys.modules[home], name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807  (PEP 562's name)
        return sorted({*namespace, *homes})

    return __getattr__, __dir__


__all__ = ["exports"]
