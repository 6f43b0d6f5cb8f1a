"""Installed QEMU and libvirt: the binaries' own ``--version``.

Both commands are started at once, before the rest of detection, and collected
at the end, so their ~10-70 ms of start-up overlap hvtui's own work instead of
adding to it.  Each has a short timeout; a missing binary is a normal answer
(``not-installed``), not an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hvtui.versions import Version, find_version

if TYPE_CHECKING:
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


@dataclass
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
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *EXTRA_DIRS])
    for name in names:
        found = shutil.which(name, path=search)
        if found:
            return found
    return None


@dataclass
class PendingVersions:
    """``--version`` commands started by :func:`start_versions`, not yet collected."""

    started: float
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    answers: dict[str, CommandAnswer] = field(default_factory=dict)

    def pids(self) -> set[int]:
        """Process ids of the commands still running (not guests, for the VM scan)."""
        return {proc.pid for proc in self.procs.values()}

    def finish(self) -> dict[str, CommandAnswer]:
        """Wait (within the timeout) and return one answer per tool."""
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
        self.procs.clear()
        return dict(self.answers)


def start_versions(tools: Mapping[str, Sequence[str]] = TOOLS) -> PendingVersions:
    """Start every tool's ``--version`` in the background; never raises."""
    pending = PendingVersions(time.monotonic())
    env = dict(os.environ, LC_ALL="C")
    for tool, names in tools.items():
        answer = CommandAnswer(tool)
        pending.answers[tool] = answer
        path = find_binary(names)
        if path is None:
            continue
        answer.path = path
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
