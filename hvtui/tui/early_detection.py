"""The host's detection at start-up, run beside the import of Textual.

The wizard's first frame shows the host, so detection (reading ``/proc`` and
``/sys``, a KVM ioctl, the version commands, building the advice's view of the
host) must be done by then; importing Textual takes far longer, and neither
needs the other.  A thread would not run them side by side: both are Python
and take turns on the interpreter lock.  So detection runs in a forked child
process, on another core, while this process imports Textual; the child sends
the host back pickled through a pipe and ends.  This process then loads only
the modules the host's types live in, not detection's own (issue #13: ~23 M
instructions off the first frame, ~6 ms on a 2-core machine).

Both ends are this program, started from the same memory, so what is unpickled
is what this program wrote.  Anything that goes wrong in the child (it dies,
sends nothing or something that does not load) costs nothing but time: the
host is detected again here, as before (:mod:`hvtui.forked` holds the rules of
such children, which the audit's follow too).  Where ``fork`` is refused, on a
single CPU (where the child would only take turns with the import), and when
``HVTUI_DEBUG`` asks for real tracebacks (a detection bug is raised here, with
its own frames), a thread detects instead.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import threading
from typing import TYPE_CHECKING

from hvtui.bugs import debug_enabled
from hvtui.forked import collect, fork_child, stop, usable_cpus

if TYPE_CHECKING:
    from pathlib import Path

    from hvtui.tui.services import Host

#: The signals a stop handler of the wizard may hold; the child takes their defaults, so
#: a Ctrl-C or hang-up ends it quietly and never reaches the wizard's handlers.
_CHILD_DEFAULTS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _detect(sysroot: Path | None) -> Host:
    """The wizard's host for ``sysroot`` (:func:`hvtui.tui.services.detect_host`)."""
    from hvtui.tui import services

    return services.detect_host(sysroot)


class EarlyDetection:
    """Detection started now (:meth:`start`), its host collected later (:meth:`host`)."""

    def __init__(self, sysroot: Path | None) -> None:
        self.sysroot = sysroot
        self.child: tuple[int, int] | None = None
        """The child detecting (pid, read end of its pipe) until collected."""
        self._thread: threading.Thread | None = None
        self._found: list[Host | BaseException] = []

    @classmethod
    def start(cls, sysroot: Path | None) -> EarlyDetection:
        """Start detecting ``sysroot`` (``None``: this machine) in a child, else a thread."""
        detection = cls(sysroot)
        if not debug_enabled() and usable_cpus() > 1:  # on one, a thread does as well
            detection.child = fork_child(detection._pickled_host)
        if detection.child is None:
            detection._start_thread()
        return detection

    def host(self) -> Host:
        """Wait for the host.  A bug that ``HVTUI_DEBUG`` lets through (thread only) is
        raised here; a child that failed is replaced by detecting here."""
        if self._thread is not None:
            self._thread.join()
            found = self._found[0]
            if isinstance(found, BaseException):
                raise found
            return found
        if self.child is not None:
            data = collect(*self.child)
            self.child = None
            if data:
                with contextlib.suppress(Exception):  # not whole after all: detect here
                    host: Host = pickle.loads(data)
                    return host
        return _detect(self.sysroot)

    def abandon(self) -> None:
        """Stop waiting (the start-up was interrupted): end the child, or wait for the
        thread, which cannot be stopped."""
        if self._thread is not None:
            self._thread.join()
        if self.child is not None:
            stop(*self.child)
            self.child = None

    def _pickled_host(self) -> bytes:
        """The child's work: the host, pickled.  The wizard's stop handlers and signal
        listener are the parent's: the child takes the defaults (a hang-up or
        termination ends it quietly)."""
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
        for signum in _CHILD_DEFAULTS:
            signal.signal(signum, signal.SIG_DFL)
        return pickle.dumps(_detect(self.sysroot), protocol=pickle.HIGHEST_PROTOCOL)

    def _start_thread(self) -> None:
        def detect() -> None:
            try:
                self._found.append(_detect(self.sysroot))
            except BaseException as exc:  # raised again by host(), on the main thread
                self._found.append(exc)

        self._thread = threading.Thread(target=detect, name="hvtui-detect", daemon=True)
        self._thread.start()


__all__ = ["EarlyDetection"]
