"""Installed QEMU and libvirt: the binaries' own ``--version``.

Both commands are started at once, before the rest of detection, and collected
at the end, so their ~10-70 ms of start-up overlap hvtui's own work instead of
adding to it.  Each has a short timeout; a missing binary is a normal answer
(``not-installed``), not an error.

A binary answers the same until it changes, so answers are cached in
``$XDG_CACHE_HOME/hvtui/versions.json`` (default ``~/.cache``) keyed on the
binary's path, modification time and size: an unchanged QEMU is not started again.
The cache is written atomically and only holds clean answers (exit 0, no
timeout); one that is stale, unreadable or not what hvtui writes is ignored.
"""

from __future__ import annotations

import os
import stat
import time

from hvtui.inputs import hvtui_dir_name, read_regular
from hvtui.records import field, record
from hvtui.versions import Version, find_version

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and collections stay unloaded at run time (issue #13)
    import subprocess
    from collections.abc import Mapping, Sequence
    from typing import Any

    from hvtui.detect.report import Fact, VersionsInfo

# Reason codes, repeated from hvtui.detect.report so that starting the commands
# (the CLI's very first step) does not have to load the report types.
FAILED = "error"
TIMEOUT = "timeout"

#: Seconds each ``--version`` may take; a wedged binary must not hang ``hvtui detect``.
TIMEOUT_SECONDS = 3.0

#: Looked up in this order; the first one found answers.  ``qemu-kvm`` lives in
#: /usr/libexec on RHEL, ``kvm`` is Proxmox's and Debian's name.
TOOLS: dict[str, tuple[str, ...]] = {
    "qemu": ("qemu-system-x86_64", "qemu-kvm", "kvm"),
    "libvirt": ("libvirtd", "virtqemud", "virsh"),
}
EXTRA_DIRS = ("/usr/libexec", "/usr/local/sbin", "/usr/sbin", "/sbin")

#: The ``--version`` cache's file name in ``$XDG_CACHE_HOME/hvtui`` and its format.
CACHE_NAME = "versions.json"
CACHE_SCHEMA = 1
#: A larger cache file is not hvtui's and is ignored.
MAX_CACHE_BYTES = 64 * 1024


@record()
class CommandAnswer:
    """One ``--version`` run, raw, as a snapshot stores it."""

    tool: str
    path: str = ""
    """The binary that ran; ``""`` when none of the candidates is installed."""
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    error: str = ""
    """A reason (``timeout: ...``, ``error: ...``) when the run itself failed."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for the snapshot manifest."""
        return {
            "tool": self.tool,
            "path": self.path,
            "argv": [self.path, "--version"] if self.path else [],
            "stdout": self.stdout,
            "stderr": self.stderr,
            "returncode": self.returncode,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CommandAnswer:
        """Inverse of :meth:`to_json`."""
        code = data.get("returncode")
        return cls(
            tool=str(data["tool"]),
            path=str(data.get("path", "")),
            stdout=str(data.get("stdout", "")),
            stderr=str(data.get("stderr", "")),
            returncode=int(code) if code is not None else None,
            error=str(data.get("error", "")),
        )


def find_binary(names: Sequence[str]) -> str | None:
    """The first of ``names`` on PATH or in the system directories PATH often lacks."""
    search = [*os.environ.get("PATH", os.defpath).split(os.pathsep), *EXTRA_DIRS]
    for name in names:
        for directory in search:
            found = _executable(os.path.join(directory, name))
            if found:
                return found
    return None


def _executable(path: str) -> str | None:
    """``path`` when it is an executable file, as ``shutil.which`` decides (without
    importing shutil, which ``hvtui detect`` would otherwise load for this alone)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return path if not stat.S_ISDIR(mode) and os.access(path, os.X_OK) else None


@record()
class PendingVersions:
    """``--version`` commands started by :func:`start_versions`, not yet collected."""

    started: float
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    answers: dict[str, CommandAnswer] = field(default_factory=dict)
    cache: VersionCache | None = None
    """Where the answers of the commands that ran are remembered (``None``: nowhere)."""

    def pids(self) -> set[int]:
        """Process ids of the commands still running (not guests, for the VM scan)."""
        return {proc.pid for proc in self.procs.values()}

    def finish(self) -> dict[str, CommandAnswer]:
        """Wait (within the timeout) and return one answer per tool."""
        if self.procs:
            import subprocess
        for tool, proc in self.procs.items():
            answer = self.answers[tool]
            remaining = max(0.05, TIMEOUT_SECONDS - (time.monotonic() - self.started))
            try:
                out, err = proc.communicate(timeout=remaining)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                answer.error = f"{TIMEOUT}: {answer.path} --version took over {TIMEOUT_SECONDS} s"
            except OSError as exc:
                answer.error = f"{FAILED}: {answer.path} --version: {exc}"
                continue
            answer.stdout = out.decode("utf-8", errors="replace")
            answer.stderr = err.decode("utf-8", errors="replace")
            answer.returncode = proc.returncode
        ran = [self.answers[tool] for tool in self.procs]
        self.procs.clear()
        if self.cache is not None and ran:
            self.cache.remember(ran)
        return dict(self.answers)


def start_versions(
    tools: Mapping[str, Sequence[str]] = TOOLS, *, cache: bool = True
) -> PendingVersions:
    """Start every tool's ``--version`` in the background, unless the cache has its
    answer for this very binary; never raises.  ``cache=False`` always runs them."""
    pending = PendingVersions(time.monotonic(), cache=VersionCache.load() if cache else None)
    env = dict(os.environ, LC_ALL="C")
    for tool, names in tools.items():
        answer = CommandAnswer(tool)
        pending.answers[tool] = answer
        path = find_binary(names)
        if path is None:
            continue
        answer.path = path
        if pending.cache is not None and pending.cache.answer(answer):
            continue
        import subprocess  # only when a command runs (~5 ms)

        try:
            pending.procs[tool] = subprocess.Popen(
                [path, "--version"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            answer.error = f"{FAILED}: {path} --version: {exc}"
    return pending


def cache_file() -> str | None:
    """``$XDG_CACHE_HOME/hvtui/versions.json`` (default ``~/.cache``); ``None`` without
    a home directory.  A string: reading the cache does not load :mod:`pathlib`."""
    base = hvtui_dir_name("XDG_CACHE_HOME", ".cache")
    return None if base is None else os.path.join(base, CACHE_NAME)


def _identity(path: str) -> list[int] | None:
    """What says a binary is unchanged: modification time (ns) and size."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]


@record()
class VersionCache:
    """Remembered ``--version`` answers, by binary path (see the module's docstring)."""

    path: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> VersionCache | None:
        """The cache as on disk; empty when missing or unusable, ``None`` without a home."""
        path = cache_file()
        if path is None:
            return None
        cache = cls(path)
        from hvtui.jsonlite import loads  # json.loads without loading json and re

        try:
            data = loads(read_regular(path, MAX_CACHE_BYTES).decode("utf-8"))
        except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError too
            return cache
        if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
            return cache
        entries = data.get("binaries")
        if isinstance(entries, dict):
            cache.entries = {k: v for k, v in entries.items() if isinstance(v, dict)}
        return cache

    def answer(self, answer: CommandAnswer) -> bool:
        """Fill ``answer`` from the cache when its binary is unchanged; whether it did."""
        entry = self.entries.get(answer.path)
        if entry is None or entry.get("identity") != _identity(answer.path):
            return False
        stdout, stderr = entry.get("stdout"), entry.get("stderr")
        if not isinstance(stdout, str) or not isinstance(stderr, str):
            return False
        answer.stdout, answer.stderr, answer.returncode = stdout, stderr, 0
        return True

    def remember(self, answers: Sequence[CommandAnswer]) -> None:
        """Store the clean answers (exit 0, no error); never raises."""
        changed = False
        for answer in answers:
            identity = _identity(answer.path)
            if answer.error or answer.returncode != 0 or identity is None:
                continue
            self.entries[answer.path] = {
                "identity": identity,
                "stdout": answer.stdout,
                "stderr": answer.stderr,
            }
            changed = True
        if not changed:
            return
        import json  # only when a command ran (the cache was cold or stale)

        text = json.dumps({"schema": CACHE_SCHEMA, "binaries": self.entries}, indent=1)
        if len(text) > MAX_CACHE_BYTES // 2:  # binaries long gone: keep only today's
            fresh = {a.path: self.entries[a.path] for a in answers if a.path in self.entries}
            text = json.dumps({"schema": CACHE_SCHEMA, "binaries": fresh}, indent=1)
        from pathlib import Path

        from hvtui.fsutil import WriteError, atomic_write

        target = Path(self.path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text, force=True)
        except (OSError, WriteError):
            return  # a cache that cannot be written only costs the next run time


def versions_info(answers: Fact[dict[str, CommandAnswer]]) -> VersionsInfo:
    """The versions section from recorded answers."""
    from hvtui.detect.report import VersionsInfo

    qemu, qemu_bin = _one(answers, "qemu")
    libvirt, libvirt_bin = _one(answers, "libvirt")
    return VersionsInfo(
        qemu=qemu, qemu_binary=qemu_bin, libvirt=libvirt, libvirt_binary=libvirt_bin
    )


def _one(answers: Fact[dict[str, CommandAnswer]], tool: str) -> tuple[Fact[str], Fact[str]]:
    from hvtui.detect.report import NOT_INSTALLED, UNPARSABLE, Fact, known, unknown

    if answers.value is None:
        return Fact(None, answers.reason), Fact(None, answers.reason)
    answer = answers.value.get(tool)
    names = ", ".join(TOOLS.get(tool, (tool,)))
    if answer is None or not answer.path:
        why = unknown(NOT_INSTALLED, f"none of {names} is installed")
        return why, why
    binary = known(answer.path)
    if answer.error:
        return Fact(None, answer.error), binary
    version = find_version(answer.stdout) or find_version(answer.stderr)
    if version is None:
        first = (answer.stdout or answer.stderr).strip().splitlines()[:1]
        shown = first[0][:60] if first else "nothing"
        return unknown(UNPARSABLE, f"{answer.path} --version printed {shown!r}"), binary
    return known(str(version)), binary


def tool_version(tool: str) -> Version | None:
    """The installed version of ``qemu`` or ``libvirt`` alone (no full detection),
    for callers such as exporters that only need this; ``None`` when not known."""
    names = TOOLS.get(tool)
    if names is None:
        return None
    answers = start_versions({tool: names}).finish()
    answer = answers.get(tool)
    if answer is None or not answer.path or answer.error:
        return None
    return find_version(answer.stdout) or find_version(answer.stderr)


def qemu_version() -> Version | None:
    """QEMU's version from its ``--version`` (see :func:`tool_version`)."""
    return tool_version("qemu")


def libvirt_version() -> Version | None:
    """libvirt's version from ``libvirtd``/``virtqemud``/``virsh --version``."""
    return tool_version("libvirt")
