"""Work done in a forked child process, its result sent back as bytes through a pipe.

Python runs one thread at a time, so work that should use another core needs a
process of its own: the audit judges ranges of VMs in children
(:mod:`hvtui.audit.parallel`), the wizard detects the host in one while it
imports Textual (:mod:`hvtui.tui.early_detection`).  The rules are the same for
both, so they live here once: a child never writes to standard output or error
and leaves with :func:`os._exit` (no buffers flushed, no clean-up run twice); a
child that does not deliver (it crashed, was killed, its data was cut short)
gives ``None``, and the caller then does the work itself; a child no longer
wanted is killed and reaped, never left behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable


def usable_cpus() -> int:
    """The CPUs this process may run on (1 where the system does not say): more than one,
    and a child can work beside this process instead of taking turns with it."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return 1


def fork_child(produce: Callable[[], bytes]) -> tuple[int, int] | None:
    """Start a child that sends ``produce()``; its pid and the read end of its pipe, or
    ``None`` when the system refuses to fork.

    ``produce`` runs in the child only, which ends with exit status 0 once all of it is
    written, 1 if anything went wrong (Ctrl-C included: the child's SIGINT is the
    default, which ends it without a traceback)."""
    try:
        read, write = os.pipe2(os.O_CLOEXEC)
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return pid, read
    import signal  # here: a process that does not fork does not load it

    code = 1  # the child: whatever happens, it ends here
    try:
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        view = memoryview(produce())
        while view:
            view = view[os.write(write, view) :]
        code = 0
    finally:
        os._exit(code)


def collect(pid: int, fd: int) -> bytes | None:
    """What the child sent, once it has ended (and been reaped); ``None`` when it did not
    end well (then what it sent may be cut short)."""
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    return b"".join(chunks)


def stop(pid: int, fd: int) -> None:
    """End a child that is no longer wanted and reap it."""
    with contextlib.suppress(OSError):  # closed already by an interrupted collection
        os.close(fd)
    import signal

    with contextlib.suppress(ProcessLookupError, ChildProcessError):  # reaped already
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


__all__ = ["collect", "fork_child", "stop", "usable_cpus"]
