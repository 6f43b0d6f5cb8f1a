"""What the audit reads: files, pasted text and running QEMU processes, untrusted.

Every input becomes one :class:`AuditInput`: the importer's result plus where it
came from.  What kind of input a text is follows from its first character
(``<``: libvirt domain XML), then its shape (``key: value`` lines: a Proxmox
guest configuration), else it is a command line (QEMU's, or virt-install's
when that is the program named).  Nothing is trusted: a size limit applies
before anything is decoded, binary data and non-UTF-8 text are refused, XML
goes through :mod:`hvtui.formats.safexml` (no DTDs or entities), and every
failure is a :class:`SourceError` whose text is one line naming the input.
"""

from __future__ import annotations

import os
import re

from hvtui import inputs
from hvtui.formats import libvirt_layout as layout
from hvtui.formats import safexml
from hvtui.importers.libvirt_xml import parse_libvirt_xml
from hvtui.importers.result import Imported
from hvtui.model import Config
from hvtui.records import record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path
    from typing import Any

    from hvtui.detect.report import Fact
    from hvtui.detect.vms import GuestProcess, ProcessAnswer

#: Largest input read (the XML limit; a command line or Proxmox file is far smaller).
MAX_INPUT_BYTES = safexml.MAX_XML_BYTES
#: What an input file should be, for messages (``x: is a FIFO (named pipe), not ...``).
VM_FILE = "a VM definition (domain XML, command line, Proxmox configuration or KubeVirt YAML)"

LIBVIRT = "libvirt-xml"
QEMU = "qemu-command"
PROXMOX = "proxmox"
#: ``/etc/pve/virtual-guest/cpu-models.conf``: no VM, the custom CPU models the
#: Proxmox configurations of the same run use.
PROXMOX_CPU_MODELS = "proxmox-cpu-models"
VIRT_INSTALL = "virt-install"
RUNNING = "running"
#: KubeVirt VirtualMachine, VirtualMachineInstance or VirtualMachinePreference YAML.
KUBEVIRT = "kubevirt"
#: Each input kind in words, for output.
KIND_NAMES = {
    LIBVIRT: "libvirt domain XML",
    QEMU: "QEMU command line",
    PROXMOX: "Proxmox guest configuration",
    PROXMOX_CPU_MODELS: "Proxmox custom CPU models",
    VIRT_INSTALL: "virt-install command line",
    RUNNING: "running QEMU process",
    KUBEVIRT: "KubeVirt YAML",
}

STDIN = inputs.STDIN
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
#: Top-level elements of hvtui's own libvirt snippet (``export --format libvirt``),
#: which is accepted as pieces of a domain.
_FRAGMENT_TAGS = frozenset(
    {
        layout.FEATURES,
        layout.CPU,
        layout.CLOCK,
        layout.DEVICES,
        f"{layout.QEMU_PREFIX}:{layout.COMMANDLINE.rpartition('}')[2]}",
    }
)


class SourceError(ValueError):
    """An input that cannot be audited at all; ``str()`` is one line naming it."""


@record(frozen=True)
class VcpuThread:
    """One vCPU thread of a running VM (``CPU 1/KVM``) and where it may run."""

    index: int
    tid: int
    cpus: str | None
    """Its affinity as a cpu-list (``2`` or ``0-7``); ``None`` when unreadable."""
    pinned: bool | None
    """Exactly one host CPU."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"index": self.index, "tid": self.tid, "cpus": self.cpus, "pinned": self.pinned}


@record(frozen=True)
class AuditInput:
    """One VM as read from a file, pasted text or a running process."""

    label: str
    """What messages call it: the path, ``<stdin>`` or ``NAME (pid N)``."""
    kind: str
    """:data:`LIBVIRT`, :data:`QEMU`, :data:`PROXMOX`, :data:`VIRT_INSTALL` or :data:`RUNNING`."""
    imported: Imported
    document: str | None = None
    """The domain XML as read, for merging a fixed configuration back into it."""
    pid: int | None = None
    threads: tuple[VcpuThread, ...] = ()
    """A running VM's vCPU threads (empty for files, or without thread names)."""
    options: dict[str, str] | None = None
    """A Proxmox configuration's ``key: value`` options (read again with custom models)."""
    cpu_models: dict[str, Any] | None = None
    """The models of a :data:`PROXMOX_CPU_MODELS` input."""

    @property
    def config(self) -> Config:
        """The Hyper-V configuration found (what the wizard starts from)."""
        return self.imported.config

    @property
    def name(self) -> str:
        """The VM's name, else the label."""
        return self.imported.name or self.label

    @property
    def vcpus(self) -> int | None:
        """How many vCPUs it has, when known."""
        return self.imported.vcpus

    @property
    def pinned(self) -> bool | None:
        """Every vCPU pinned to its own host CPU; ``None`` when the input cannot say."""
        return self.imported.pinned

    @property
    def kind_name(self) -> str:
        """The kind in words (``libvirt domain XML``)."""
        return KIND_NAMES.get(self.kind, self.kind)


# -- files and text ----------------------------------------------------------------


def read_input(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file, or of stdin for ``-``; at most ``max_bytes``.

    :func:`hvtui.inputs.read_input` does the reading: a FIFO or device is refused
    without being opened, and one byte more than the limit is read at most, so
    an endless pipe on stdin is refused without being read whole.
    """
    try:
        return inputs.read_input(path, limit=max_bytes, what=VM_FILE, stdin=True)
    except inputs.InputError as exc:
        raise SourceError(str(exc)) from None


def _label(path: str | Path) -> str:
    return inputs.label_of(path, stdin=True)


def decode(data: bytes | str, label: str) -> str:
    """Text from untrusted bytes: size limit, no binary data, strict UTF-8, no BOM."""
    if isinstance(data, str):
        text = data
        if len(text) > MAX_INPUT_BYTES:
            raise SourceError(f"{label}: too large (the limit is {MAX_INPUT_BYTES} bytes)")
    else:
        if len(data) > MAX_INPUT_BYTES:
            raise SourceError(f"{label}: too large (the limit is {MAX_INPUT_BYTES} bytes)")
        nul = data.find(b"\0")
        if nul >= 0:
            raise SourceError(f"{label}: binary data, not text (a NUL byte at offset {nul})")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{label}: not UTF-8 text (bad byte at offset {exc.start})") from None
    if "\0" in text:
        raise SourceError(f"{label}: binary data, not text (a NUL character)")
    return text.removeprefix("\ufeff")


def load_file(path: str | Path) -> AuditInput:
    """Read and parse one file (``-`` is stdin); raises :class:`SourceError`."""
    return load_text(read_input(path), label=_label(path))


def load_text(data: bytes | str, *, label: str = "<pasted text>") -> AuditInput:
    """Parse a domain XML, a command line or a Proxmox configuration given as text.

    Raises :class:`SourceError` (one line, starting with ``label``).
    """
    text = decode(data, label)
    if not text.strip():
        raise SourceError(f"{label}: empty")
    if text.lstrip().startswith("<"):
        return _from_xml(text, label)
    if _looks_like_kubevirt(text):
        return _from_kubevirt(text, label)[0]
    # The Proxmox and virt-install importers load here, for text that is not XML: an audit
    # of domain definitions does not pay for them (the Proxmox one: ~12 ms).
    from hvtui.importers.proxmox import parse_proxmox_config, proxmox_cpu_models, proxmox_options
    from hvtui.importers.qemu_cmdline import CommandLineError

    if text.lstrip().startswith("cpu-model:"):
        models = proxmox_cpu_models(text)
        if models is None:
            raise SourceError(f"{label}: not a Proxmox cpu-models.conf (cpu-model: sections)")
        return AuditInput(label, PROXMOX_CPU_MODELS, Imported(Config()), cpu_models=models)
    try:
        options = proxmox_options(text)
        if options is not None:
            imported = parse_proxmox_config(text, options=options)
            return AuditInput(label, PROXMOX, imported, options=options)
        return _from_command(text, label)
    except CommandLineError as exc:
        raise SourceError(f"{label}: {exc}") from None


def _cpu_models(inputs: Iterable[AuditInput]) -> dict[str, Any]:
    """The custom CPU models of every ``cpu-models.conf`` among ``inputs`` (a later one
    wins)."""
    models: dict[str, Any] = {}
    for source in inputs:
        if source.kind == PROXMOX_CPU_MODELS and source.cpu_models:
            models.update(source.cpu_models)
    return models


def _with_models(inputs: list[AuditInput], models: dict[str, Any]) -> list[AuditInput]:
    """The VMs of ``inputs``, Proxmox ones read again with ``models``."""
    vms = [s for s in inputs if s.kind != PROXMOX_CPU_MODELS]
    if not models:
        return vms
    from hvtui.importers.proxmox import parse_proxmox_config

    return [
        replace(s, imported=parse_proxmox_config("", options=s.options, cpu_models=models))
        if s.kind == PROXMOX and s.options is not None
        else s
        for s in vms
    ]


def with_cpu_models(inputs: list[AuditInput]) -> list[AuditInput]:
    """The VMs of ``inputs``, Proxmox ones read again with the custom CPU models of any
    ``cpu-models.conf`` among them (which are not VMs and are dropped)."""
    return _with_models(inputs, _cpu_models(inputs))


def load_file_all(path: str | Path) -> list[AuditInput]:
    """Every VM of one file: several for KubeVirt YAML with several documents, else one."""
    label = _label(path)
    return _load_decoded(decode(read_input(path), label), label)


def _load_decoded(text: str, label: str) -> list[AuditInput]:
    """:func:`load_file_all` of a file's text."""
    if text.strip() and not text.lstrip().startswith("<") and _looks_like_kubevirt(text):
        return _from_kubevirt(text, label)
    return [load_text(text, label=label)]


@record(frozen=True)
class Unreadable:
    """A file of :func:`load_files` that gives no VM at all, in its place among them."""

    path: str
    """As given (``-`` for stdin)."""
    error: SourceError


def load_files(paths: Sequence[str]) -> Iterator[AuditInput | Unreadable]:
    """The VMs of every file (:func:`load_file_all`), in order, with the custom CPU models
    of the run as :func:`with_cpu_models` gives them.

    A file is parsed only when its VMs are asked for, so a caller that judges and
    prints one VM before asking for the next holds one parsed file at a time, not
    a thousand.  The texts are read first, all of them: a ``cpu-models.conf``
    anywhere among the files applies to every Proxmox VM of the run.
    """
    yield from FileBatch(paths).items()


class FileBatch:
    """The files of one run (:func:`load_files` in two steps): each file is read and parsed
    when :meth:`items` comes to it, and the custom CPU models of the run when a file that
    is not XML may need them.

    ``items`` of a range of the files gives what :func:`load_files` gives for them, so
    parts of a batch can be read and parsed apart (by another process) and put back in
    order: a process reads its own range's files, and every other file of the run only
    when one of its files is not a domain definition (a Proxmox VM takes the CPU models
    of any ``cpu-models.conf`` among the files).  Standard input is read here, at once,
    since a process forked later could not read it again.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        #: Files read but not yet parsed, by index: text, or why it could not be read.
        self._texts: dict[int, str | SourceError] = {}
        #: The ``cpu-model:`` files, parsed when the models were first needed, by index.
        self._models_files: dict[int, list[AuditInput] | SourceError] = {}
        self._models: dict[str, Any] | None = None
        self._parsed: set[int] = set()
        for index, path in enumerate(self.paths):
            if path == STDIN:
                self._read(index)

    def _read(self, index: int) -> str | SourceError:
        """File ``index``'s text (read now, or earlier by this process)."""
        found = self._texts.get(index)
        if found is None:
            path = self.paths[index]
            try:
                found = decode(read_input(path), _label(path))
            except SourceError as exc:
                found = exc
            self._texts[index] = found
        return found

    def _run_models(self) -> dict[str, Any]:
        """The custom CPU models of every ``cpu-models.conf`` of the run (a later one wins);
        the first call reads every file this process has not read, and parses those."""
        if self._models is None:
            for index, path in enumerate(self.paths):
                if index in self._parsed:  # not a cpu-models.conf: it would have come here
                    continue
                text = self._read(index)
                if isinstance(text, str) and text.lstrip().startswith("cpu-model:"):
                    try:
                        self._models_files[index] = _load_decoded(text, _label(path))
                    except SourceError as exc:
                        self._models_files[index] = exc
            self._models = _cpu_models(
                s for found in self._models_files.values() if isinstance(found, list) for s in found
            )
        return self._models

    def items(self, start: int = 0, stop: int | None = None) -> Iterator[AuditInput | Unreadable]:
        """The VMs of files ``start`` to ``stop`` (default: all), in order, unreadable files
        in their place; each file's text is let go of once it is parsed."""
        for index in range(start, len(self.paths) if stop is None else stop):
            path = self.paths[index]
            read = self._read(index)
            # A domain definition never takes CPU models; anything else may (Proxmox).
            models = (
                self._run_models()
                if isinstance(read, str) and not read.lstrip().startswith("<")
                else self._models or {}
            )
            del self._texts[index]  # let go of the text once parsed
            self._parsed.add(index)
            found: list[AuditInput] | SourceError
            if index in self._models_files:
                found = self._models_files.pop(index)
            elif isinstance(read, SourceError):
                found = read
            else:
                try:
                    found = _load_decoded(read, _label(path))
                except SourceError as exc:
                    found = exc
            if isinstance(found, SourceError):
                yield Unreadable(path, found)
            else:
                yield from _with_models(found, models)


def _looks_like_kubevirt(text: str) -> bool:
    """The KubeVirt importer's test; it is imported only for text that is not XML (it
    brings in a YAML parser that an audit of domain definitions would load for nothing)."""
    from hvtui.importers.kubevirt import looks_like_kubevirt

    return looks_like_kubevirt(text)


def _from_kubevirt(text: str, label: str) -> list[AuditInput]:
    """One input per KubeVirt VM, VMI or preference (``label (VirtualMachine win11)``
    when the file has several)."""
    from hvtui.importers.kubevirt import KubevirtError, parse_kubevirt_documents

    try:
        documents = parse_kubevirt_documents(text, source=label)
    except KubevirtError as exc:
        raise SourceError(str(exc)) from None
    if len(documents) == 1:
        return [AuditInput(label, KUBEVIRT, documents[0].imported)]
    return [
        AuditInput(
            f"{label} ({d.kind} {d.name or f'document {d.index + 1}'})", KUBEVIRT, d.imported
        )
        for d in documents
    ]


def load_vm_source(source: str | Path) -> AuditInput:
    """The TUI's "start from": a :class:`~pathlib.Path` or the name of an existing file
    is read as a file, any other string is the text itself (pasted XML or command)."""
    if not isinstance(source, str):  # a Path (pathlib is not loaded for the CLI's audit)
        return load_file(source)
    one_line = "\n" not in source and len(source) < 4096
    if source == STDIN or (one_line and os.path.isfile(source)):
        return load_file(source)
    return load_text(source)


def _from_xml(text: str, label: str) -> AuditInput:
    match = _FIRST_TAG.match(text, safexml.prolog_end(text))
    tag = match.group(1) if match else None
    if tag is not None and tag != layout.DOMAIN and tag not in _FRAGMENT_TAGS:
        raise SourceError(
            f"{label}: not a libvirt domain definition (the first element is <{tag}>, "
            f"not <{layout.DOMAIN}>)"
        )
    try:
        imported = parse_libvirt_xml(text, source=label)
    except safexml.XmlError as exc:
        raise SourceError(str(exc)) from None
    except RecursionError:
        raise SourceError(f"{label}: elements are nested too deeply") from None
    return AuditInput(label, LIBVIRT, imported, document=text if tag == layout.DOMAIN else None)


def _from_command(text: str, label: str) -> AuditInput:
    from hvtui.importers.qemu_cmdline import looks_like_qemu, parse_qemu_args, split_command
    from hvtui.importers.virtinstall_args import looks_like_virt_install, parse_virt_install_args

    argv = split_command(text)
    if looks_like_virt_install(argv):
        return AuditInput(label, VIRT_INSTALL, parse_virt_install_args(argv))
    if not looks_like_qemu(argv):
        raise SourceError(
            f"{label}: not a libvirt domain XML, a QEMU command line or a Proxmox guest "
            "configuration (no QEMU binary or option found)"
        )
    return AuditInput(label, QEMU, parse_qemu_args(argv))


# -- running VMs ---------------------------------------------------------------------


def running_vms(processes: Fact[list[ProcessAnswer]] | None = None) -> list[AuditInput]:
    """The QEMU processes running now (or recorded in a snapshot), one input each.

    ``processes`` comes from a detection run (``Detection.live`` of
    :func:`hvtui.detect.detect_traced`) so that the host report and the VMs are
    one scan; without it this host is scanned now.  Raises :class:`SourceError`
    when the processes cannot be listed at all.
    """
    from hvtui.detect.vms import guest_processes, scan_processes

    found = guest_processes(processes if processes is not None else scan_processes())
    if found.value is None:
        raise SourceError(f"running VMs: {found.reason}")
    return [from_guest(guest) for guest in found.value]


def from_guest(guest: GuestProcess) -> AuditInput:
    """One running QEMU: its command line read like a pasted one, its vCPU threads'
    affinity as the pinning fact (each thread on its own host CPU)."""
    from hvtui.importers.qemu_cmdline import parse_qemu_args

    imported = parse_qemu_args(guest.cmdline)
    info = guest.info
    threads = tuple(
        VcpuThread(v.index, v.tid, v.cpus.value, v.pinned.value) for v in info.vcpus.value or ()
    )
    pinned = info.pinned.value
    if pinned is True:
        pinning = "each vCPU thread's affinity is its own single host CPU"
    elif pinned is False:
        loose = [f"CPU {t.index} on {t.cpus}" for t in threads if not t.pinned]
        pinning = "vCPU threads' affinity: " + (
            ", ".join(loose) if loose else "two vCPUs share a host CPU"
        )
    else:
        pinning = str(info.pinned.reason or info.vcpus.reason or "unknown")
    label = f"{info.name or info.process} (pid {guest.pid})"
    imported = replace(
        imported,
        vcpus=len(threads) if threads else imported.vcpus,
        pinned=pinned,
        pinning=pinning,
    )
    return AuditInput(label, RUNNING, imported, pid=guest.pid, threads=threads)


__all__ = [
    "KIND_NAMES",
    "KUBEVIRT",
    "LIBVIRT",
    "MAX_INPUT_BYTES",
    "PROXMOX",
    "PROXMOX_CPU_MODELS",
    "QEMU",
    "RUNNING",
    "VIRT_INSTALL",
    "AuditInput",
    "FileBatch",
    "SourceError",
    "Unreadable",
    "VcpuThread",
    "decode",
    "from_guest",
    "load_file",
    "load_file_all",
    "load_files",
    "load_text",
    "load_vm_source",
    "read_input",
    "running_vms",
    "with_cpu_models",
]
