"""libvirt's official Python binding, found wherever this host has it.

hvtui talks to libvirt only through the binding (``libvirt-python``; Debian's
``python3-libvirt``), never through parsed ``virsh`` output.  It is looked for
in this order:

1. ``import libvirt``: the PyPI package in hvtui's environment (``scripts/hvtui``
   builds it when ``libvirt-dev`` and a C compiler are there, see
   ``scripts/_bootstrap.sh``; ``pip install 'hvtui[libvirt]'`` does the same);
2. the distribution's package (``python3-libvirt`` in ``/usr/lib/python3/dist-packages``
   and the like), but only its two files ``libvirt.py`` and ``libvirtmod``, and
   only when the extension module was built for this very interpreter ABI (its
   file name ends in one of this Python's extension suffixes), so a virtual
   environment made from the system's ``python3`` uses the system binding without
   seeing the rest of the system's packages.

Without either, :func:`load` raises :class:`BindingError` whose text is the one
line the CLI prints (exit 2).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

#: Where distributions install the binding (Debian/Ubuntu, then Fedora/RHEL/SUSE/Arch).
SYSTEM_DIRS: tuple[str, ...] = (
    "/usr/lib/python3/dist-packages",
    f"/usr/lib/python3.{sys.version_info.minor}/site-packages",
    f"/usr/lib64/python3.{sys.version_info.minor}/site-packages",
    f"/usr/local/lib/python3.{sys.version_info.minor}/dist-packages",
)

MISSING_MESSAGE = (
    "the libvirt Python binding is not installed: on Debian/Ubuntu run "
    "'apt-get install python3-libvirt' (used when hvtui runs on the system's python3), or "
    "'apt-get install libvirt-dev pkg-config gcc python3-dev' and run scripts/hvtui again "
    "(it then builds libvirt-python into .venv; pip users: pip install 'hvtui[libvirt]')"
)


class BindingError(ImportError):
    """No usable libvirt binding; ``str()`` is one line for the user."""


_loaded: ModuleType | None = None


def _quiet(module: ModuleType) -> ModuleType:
    """Keep libvirt's default error handler from printing to stderr: every error
    reaches hvtui as an exception and becomes its one line."""
    module.registerErrorHandler(lambda _ctx, _err: None, None)
    return module


def load(system_dirs: Iterable[str] | None = None) -> ModuleType:
    """The ``libvirt`` module; raises :class:`BindingError`. Loaded once.

    ``system_dirs`` defaults to :data:`SYSTEM_DIRS` (read when called).
    """
    global _loaded
    if _loaded is None:
        try:
            module = importlib.import_module("libvirt")
            if not callable(getattr(module, "open", None)):  # a directory called libvirt
                raise ImportError("not the libvirt binding")
        except ImportError:
            module = load_system(SYSTEM_DIRS if system_dirs is None else system_dirs)
        _loaded = _quiet(module)
    return _loaded


def _extension(directory: Path) -> Path | None:
    """``libvirtmod`` built for this interpreter in ``directory`` (exact ABI tag first)."""
    abi = sysconfig.get_config_var("EXT_SUFFIX") or ""
    suffixes = [abi, *(s for s in importlib.machinery.EXTENSION_SUFFIXES if s != abi)]
    for suffix in suffixes:
        # A bare ".so" could be any Python's build; only ABI-tagged names are trusted.
        if not suffix or suffix == ".so":
            continue
        candidate = directory / f"libvirtmod{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load_system(system_dirs: Iterable[str]) -> ModuleType:
    """The distribution's binding from the first directory that has one for this ABI.

    Only ``libvirtmod`` and ``libvirt.py`` are loaded (as the top-level modules they
    are); nothing else of that directory becomes importable.
    """
    for name in system_dirs:
        directory = Path(name)
        wrapper = directory / "libvirt.py"
        extension = _extension(directory)
        if extension is None or not wrapper.is_file():
            continue
        try:
            native = _exec("libvirtmod", extension)
            sys.modules["libvirtmod"] = native
            return _exec("libvirt", wrapper)
        except Exception as exc:  # a broken or mismatched build: say so, in one line
            sys.modules.pop("libvirtmod", None)
            raise BindingError(
                f"the system's libvirt binding in {directory} does not load into this Python "
                f"({sys.version.split()[0]}): {exc}; {MISSING_MESSAGE}"
            ) from exc
    raise BindingError(MISSING_MESSAGE)


def _exec(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


__all__ = ["MISSING_MESSAGE", "SYSTEM_DIRS", "BindingError", "load", "load_system"]
