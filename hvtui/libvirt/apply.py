"""Apply a preset to a libvirt domain: dry run with a diff, backup, define, verify, undo.

Plain Python for the CLI (``hvtui apply``) and the wizard::

    from hvtui.libvirt import connect, plan_apply, execute

    with connect("qemu:///system") as conn:
        plan = plan_apply(conn, "win11", preset)      # reads, merges; changes nothing
        plan.diff                                     # unified diff of the domain XML
        if plan.blocked: ...                          # the preset has errors: plan.findings
        result = execute(conn, plan)                  # backup, define, read back, verify

The merge is exactly ``hvtui export --into`` (:func:`hvtui.export.merge_into`) on
the domain's persistent (inactive) definition, written for the connected
daemon's libvirt and QEMU versions.  The definition is read with its secrets
(graphics passwords) so defining it again loses nothing; diffs shown to a user
have those values masked.  Before defining, the definition is read again and
the apply stops if it changed meanwhile.  After defining, libvirt's own QEMU
driver (``domxml-to-native qemu-argv``) turns the new definition into QEMU
arguments, and their ``hv-*`` properties must be exactly the preset's.

Backups are one file per domain and apply (``NAME.YYYYmmddTHHMMSS.ffffffZ.xml``,
written atomically, never replaced) in a private directory, default
``$XDG_STATE_HOME/hvtui/backups``.  :func:`plan_undo` restores the newest backup
of the domain (whose UUID matches); undoing renames that backup to
``...restored.xml`` and keeps the definition it replaced as
``...before-undo.xml``, so a second undo goes one step further back and
nothing is ever lost.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from hvtui.formats import safexml
from hvtui.formats.safexml import MAX_XML_BYTES, XmlError
from hvtui.libvirt.connection import Connection, LibvirtError
from hvtui.model import Config, Finding
from hvtui.records import field, record, replace

if TYPE_CHECKING:
    from hvtui.advice import HostView
    from hvtui.audit import VmAudit
    from hvtui.presets import Preset

APPLY = "apply"
UNDO = "undo"

_SECRET = re.compile(r"""(\bpasswd=)(['"])[^'"]*\2""")
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_BACKUP = re.compile(r"^(?P<name>.+)\.(?P<stamp>\d{8}T\d{6}\.\d{6}Z)\.xml$")


class ApplyError(LibvirtError):
    """An apply or undo that cannot proceed (no backup, changed meanwhile); one line."""


def default_backup_dir() -> Path:
    """``$XDG_STATE_HOME/hvtui/backups`` (default ``~/.local/state/hvtui/backups``)."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(state) / "hvtui" / "backups"


def redact(xml: str) -> str:
    """The definition with secret values masked (``passwd='***'``), for display."""
    return _SECRET.sub(r"\1\2***\2", xml)


def _parsed(xml: str, source: str) -> safexml.XmlDocument | None:
    return safexml.parse(xml, source=source) if xml else None


def _write(document: safexml.XmlDocument | None) -> str:
    if document is None:
        return ""
    body = ET.tostring(document.root, encoding="unicode")
    return document.prolog + body + document.epilog.rstrip("\n") + "\n"


def _align(document: safexml.XmlDocument, reference: safexml.XmlDocument) -> None:
    """Order ``<hyperv>``'s children as ``reference`` has them (libvirt stores its own
    order, the merge writes the catalog's): a diff then shows only what changed."""
    path = "features/hyperv"
    mine, theirs = document.root.find(path), reference.root.find(path)
    if mine is None or theirs is None:
        return
    order = {child.tag: i for i, child in enumerate(theirs)}
    children = list(mine)
    tails = [child.tail for child in children]
    ranked = sorted(
        enumerate(children), key=lambda item: (order.get(item[1].tag, len(order)), item[0])
    )
    for child in children:
        mine.remove(child)
    for (_index, child), tail in zip(ranked, tails, strict=True):
        child.tail = tail
        mine.append(child)


def canonical_pair(old: str, new: str, source: str = "<domain>") -> tuple[str, str]:
    """Both definitions written the way the merge writes a domain (ElementTree), the new
    one's ``<hyperv>`` children in the old one's order: so a diff shows what changed,
    not how libvirt quotes attributes or orders elements.  ``""`` stays ``""``."""
    before, after = _parsed(old, source), _parsed(new, source)
    if before is not None and after is not None:
        _align(after, before)
    return _write(before), _write(after)


def unified_diff(old: str, new: str, name: str, what: str) -> str:
    """A unified diff of two definitions (:func:`canonical_pair`), secrets masked;
    ``""`` when they are the same document."""
    before, after = canonical_pair(old, new, name)
    lines = difflib.unified_diff(
        redact(before).splitlines(keepends=True),
        redact(after).splitlines(keepends=True),
        fromfile=f"{name} (defined now)",
        tofile=f"{name} ({what})",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text


def on_values(config: Config) -> Config:
    """What the guest gets: the options that are on, with their values."""
    return Config.of({name: value for name, value in config if config.is_on(name)})


@record(frozen=True)
class ApplyPlan:
    """What an apply or undo would do to one domain; nothing is changed yet."""

    uri: str
    domain: str
    action: str
    """:data:`APPLY` or :data:`UNDO`."""
    what: str
    """``preset windows-desktop``, ``recommendation (desktop)``, ``backup FILE``."""
    old_xml: str
    """The persistent definition now, with secrets (``""``: not defined, for an undo)."""
    new_xml: str
    """The definition to define, with secrets (``""`` when blocked)."""
    diff: str
    """Unified diff of the two, secrets masked (``""``: no change)."""
    running: bool = False
    expected: Config | None = None
    """The ``hv-*`` options QEMU must get afterwards; ``None``: as the backup gives."""
    findings: tuple[Finding, ...] = ()
    """Why the preset cannot be applied (errors); non-empty means blocked."""
    notes: tuple[str, ...] = ()
    backup: Path | None = None
    """For an undo: the backup to restore."""
    preset: Preset | None = None

    @property
    def blocked(self) -> bool:
        """The preset has errors: nothing can be applied."""
        return bool(self.findings)

    @property
    def changed(self) -> bool:
        """Defining would change the domain (more than how its XML is written)."""
        return not self.blocked and bool(self.diff)


@record(frozen=True)
class ApplyResult:
    """What :func:`execute` did."""

    plan: ApplyPlan
    defined: bool
    backup: Path | None = None
    """The backup written before defining (an apply) or restored (an undo)."""
    qemu: Config | None = None
    """The ``hv-*`` options libvirt gives QEMU now (``domxml-to-native``)."""
    expected: Config | None = None
    audit: VmAudit | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def verified(self) -> bool:
        """The domain now gives QEMU exactly the expected ``hv-*`` options."""
        return self.qemu is not None and self.qemu == self.expected


# -- planning -------------------------------------------------------------------------


def plan_apply(conn: Connection, name: str, preset: Preset, *, what: str = "") -> ApplyPlan:
    """Merge ``preset`` into the domain's persistent definition, as ``export --into`` does.

    Raises :class:`LibvirtError` for a domain or connection that cannot be used and
    ``ExportError`` (code 2) when the domain's XML cannot take the settings; a preset
    with errors gives a blocked plan (:attr:`ApplyPlan.findings`).
    """
    from hvtui import export

    what = what or f"preset {preset.name}"
    domain = conn.domain(name)
    old = domain.xml(inactive=True, secure=True)
    running = domain.is_active()
    notes: list[str] = []
    if not domain.is_persistent():
        raise ApplyError(
            f"{conn.uri}: domain {name!r} is transient (it has no persistent definition to "
            "change); define it first"
        )
    target = export.resolve_target(
        preset.target,
        libvirt=conn.lib_version(),
        qemu=conn.hypervisor_version(),
        detect=False,
        cpu=preset.cpu,
    )[0]
    plan = ApplyPlan(conn.uri, name, APPLY, what, old, "", "", running, preset=preset)
    problems = export.export_findings(preset.config, target)
    if problems:
        return replace(plan, findings=tuple(problems))
    try:
        merged = export.merge_into(old, preset.config, target, source=f"{conn.uri} {name}")
    except XmlError as exc:
        raise ApplyError(str(exc)) from None
    notes += merged.notes
    new = merged.text
    return replace(
        plan,
        new_xml=new,
        diff=unified_diff(old, new, name, f"with {what}"),
        expected=on_values(preset.config),
        notes=tuple(notes),
    )


def recommended_preset(conn: Connection, name: str, host: HostView, intent: str) -> Preset:
    """hvtui's recommendation for ``name`` on the connected host (its vCPUs and pinning)."""
    from hvtui.advice import make_context, recommend
    from hvtui.audit import load_text
    from hvtui.presets import Preset

    domain = conn.domain(name)
    running = domain.is_active()
    source = load_text(domain.xml(inactive=True), label=f"{conn.uri} {name}")
    ctx = make_context(
        host,
        intent=intent,
        vcpus=None if running else source.vcpus,
        pinned=source.pinned,
    )
    rec = recommend(ctx)
    return Preset(
        f"recommended-{rec.intent}",
        rec.config,
        f"hvtui recommendation for {host.label} ({rec.intent})",
        cpu=rec.cpu,
    )


def _backups(directory: Path, name: str) -> list[Path]:
    """Backups of ``name`` in ``directory``, newest first."""
    prefix = backup_stem(name)
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ApplyError(f"{directory}: {exc.strerror or exc}") from None
    found = []
    for path in entries:
        match = _BACKUP.match(path.name)
        if match and match.group("name") == prefix:
            found.append((match.group("stamp"), path))
    return [path for _stamp, path in sorted(found, reverse=True)]


def backup_stem(name: str) -> str:
    """The domain name as a file name: safe characters kept, others as ``%XX``."""
    return (
        "".join(
            c
            if c.isascii() and (c.isalnum() or c in "._+-")
            else "".join(f"%{b:02X}" for b in c.encode())
            for c in name
        ).lstrip(".")
        or "%2E"
    )


def _read_backup(path: Path) -> tuple[str, str | None, str | None]:
    """A backup's text, ``<name>`` and ``<uuid>`` (it is untrusted input)."""
    from hvtui.inputs import InputError, read_input

    try:
        raw = read_input(path, limit=MAX_XML_BYTES, what="an hvtui backup (domain XML)")
        text = raw.decode("utf-8")
        root = safexml.parse(text, source=str(path)).root
    except InputError as exc:
        raise ApplyError(str(exc)) from None
    except UnicodeDecodeError:
        raise ApplyError(f"{path}: not UTF-8 text") from None
    except XmlError as exc:
        raise ApplyError(str(exc)) from None
    if root.tag != "domain":
        raise ApplyError(f"{path}: not a libvirt domain definition")
    return text, root.findtext("name"), root.findtext("uuid")


def plan_undo(conn: Connection, name: str, backup_dir: Path | None = None) -> ApplyPlan:
    """Restore the newest backup of ``name`` (the same domain: its UUID must match)."""
    directory = backup_dir or default_backup_dir()
    domain = conn.find_domain(name)
    old = domain.xml(inactive=True, secure=True) if domain is not None else ""
    uuid = domain.uuid if domain is not None else None
    skipped = 0
    for path in _backups(directory, name):
        text, backup_name, backup_uuid = _read_backup(path)
        if backup_name != name or (uuid is not None and backup_uuid != uuid):
            skipped += 1
            continue
        notes = (
            [f"skipped {skipped} newer backup(s) of another domain called {name!r}"]
            if skipped
            else []
        )
        if domain is None:
            notes.append(f"{name!r} is not defined on {conn.uri} now: the backup defines it")
        return ApplyPlan(
            conn.uri,
            name,
            UNDO,
            f"backup {path.name}",
            old,
            text,
            unified_diff(old, text, name, f"backup {path.name}"),
            domain.is_active() if domain is not None else False,
            None,
            (),
            tuple(notes),
            backup=path,
        )
    raise ApplyError(f"no backup of domain {name!r} ({conn.uri}) in {directory}")


# -- executing ------------------------------------------------------------------------


def _private_dir(directory: Path) -> None:
    """Create the backup directory readable by its owner only (backups hold secrets)."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ApplyError(f"--backup-dir {directory}: {exc.strerror or exc}") from None
    if not directory.is_dir():
        raise ApplyError(f"--backup-dir {directory}: is not a directory")


def write_backup(directory: Path, name: str, xml: str, *, kind: str = "") -> Path:
    """Write one timestamped backup (atomic, never replacing a file), mode 0600."""
    from hvtui.fsutil import WriteError, atomic_write

    _private_dir(directory)
    stamp = dt.datetime.now(dt.UTC).strftime(_STAMP)
    suffix = f".{kind}.xml" if kind else ".xml"
    path = directory / f"{backup_stem(name)}.{stamp}{suffix}"
    try:
        atomic_write(path, xml)
        os.chmod(path, 0o600)
    except (WriteError, OSError) as exc:
        raise ApplyError(str(exc) if isinstance(exc, WriteError) else f"{path}: {exc}") from None
    return path


def native_config(conn: Connection, xml: str) -> Config:
    """The ``hv-*`` options libvirt's QEMU driver gives QEMU for ``xml``."""
    from hvtui.importers import parse_qemu_args

    return parse_qemu_args(conn.native_argv(xml)).config


def execute(
    conn: Connection,
    plan: ApplyPlan,
    *,
    backup_dir: Path | None = None,
    host: HostView | None = None,
    intent: str | None = None,
) -> ApplyResult:
    """Back up, define, read back, verify and audit; raises :class:`LibvirtError`.

    A blocked plan is refused (:class:`ApplyError`).  A plan without change
    defines nothing and only verifies.  ``host`` (default: none) is what the
    read-back definition is audited against.
    """
    from hvtui.audit import audit_vm, load_text
    from hvtui.intents import DEFAULT_INTENT

    if plan.blocked:
        raise ApplyError(f"{plan.domain}: the preset has errors; nothing was changed")
    directory = backup_dir or default_backup_dir()
    notes: list[str] = []
    backup: Path | None = plan.backup
    defined = False
    if plan.changed:
        domain = conn.find_domain(plan.domain)
        now = domain.xml(inactive=True, secure=True) if domain is not None else ""
        if now != plan.old_xml:
            raise ApplyError(
                f"{conn.uri}: domain {plan.domain!r} was changed since it was read; nothing "
                "was changed, run again"
            )
        if plan.action == APPLY:
            backup = write_backup(directory, plan.domain, plan.old_xml)
        elif plan.old_xml:
            saved = write_backup(directory, plan.domain, plan.old_xml, kind="before-undo")
            notes.append(f"the definition it replaced is kept in {saved}")
        conn.define(plan.new_xml)
        defined = True
        if plan.action == UNDO and plan.backup is not None:
            _mark_restored(plan.backup)
    readback = conn.domain(plan.domain).xml(inactive=True)
    expected = plan.expected
    if expected is None:  # an undo: exactly what the backup gives QEMU
        expected = native_config(conn, plan.new_xml)
    qemu = native_config(conn, conn.domain(plan.domain).xml(inactive=True, secure=True))
    source = load_text(readback, label=f"{conn.uri} {plan.domain}")
    audit = audit_vm(source, host, intent=intent or DEFAULT_INTENT, already_running=plan.running)
    return ApplyResult(plan, defined, backup, qemu, expected, audit, tuple(notes))


def _mark_restored(path: Path) -> None:
    """Rename a restored backup to ``...restored.xml`` (never over another file)."""
    target = path.with_name(path.name.removesuffix(".xml") + ".restored.xml")
    try:
        os.link(path, target)
        os.unlink(path)
    except OSError:
        pass  # the backup stays as it was; a later undo picks it again


__all__ = [
    "APPLY",
    "UNDO",
    "ApplyError",
    "ApplyPlan",
    "ApplyResult",
    "backup_stem",
    "default_backup_dir",
    "execute",
    "native_config",
    "on_values",
    "plan_apply",
    "plan_undo",
    "recommended_preset",
    "redact",
    "unified_diff",
    "write_backup",
]
