"""Standard output and error for the CLI: escaped, and failures that are one line.

Every byte the CLI prints passes :class:`GuardedStream`, so three rules hold
for every command without each one knowing:

- control characters and escape sequences from untrusted text (a preset's
  description, a process name, a path) are escaped with
  :func:`hvtui.textsafe.printable` before they reach a terminal;
- a character the output encoding cannot show (``PYTHONIOENCODING=ascii``, a
  ``C`` locale) is written as ``\\xe9`` instead of failing;
- a stdout that is closed (``>&-``) or full (``>/dev/full``) or fails otherwise
  raises :class:`OutputError`, which :func:`hvtui.cli.main` turns into one line
  on stderr and exit 2, instead of an internal error or Python's "Exception
  ignored" at exit.

A closed descriptor 0, 1 or 2 is also pointed at ``/dev/null`` first, so no file
hvtui opens later (a preset, a snapshot file) can land on it and receive output.
"""

from __future__ import annotations

import errno
import os
import sys

from hvtui.textsafe import printable

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import Any, TextIO


class OutputError(Exception):
    """Standard output cannot be written; ``str()`` is the one-line message."""


class GuardedStream:
    """A text stream that escapes what it writes and reports write failures as
    :class:`OutputError` (stdout) or drops them (stderr: there is nowhere to report).

    ``stream`` ``None`` means the descriptor was closed when hvtui started.
    """

    def __init__(self, stream: TextIO | None, name: str, *, fatal: bool) -> None:
        self._stream = stream
        self._name = name
        self._fatal = fatal

    @property
    def wrapped(self) -> TextIO | None:
        """The stream underneath (``None`` when it was closed)."""
        return self._stream

    def _failed(self, exc: BaseException | None) -> None:
        if not self._fatal:
            return
        if exc is None:
            raise OutputError(f"cannot write to {self._name}: it is closed")
        if isinstance(exc, OSError):
            why = exc.strerror or os.strerror(exc.errno or errno.EIO)
        else:
            why = str(exc) or type(exc).__name__
        raise OutputError(f"cannot write to {self._name}: {why}") from exc

    def write(self, text: str) -> int:
        """Write ``text`` escaped; returns ``len(text)`` as ``TextIO.write`` does."""
        self.write_escaped(printable(text))
        return len(text)

    def write_escaped(self, text: str) -> int:
        """:meth:`write` of a text that :func:`~hvtui.textsafe.printable` returned already
        (escaping it again changes nothing): ``audit --json`` escapes each VM's entry in
        the process that judged it, and the 8 MB document of a thousand domains is not
        scanned a second time here."""
        if self._stream is None:
            self._failed(None)
            return len(text)
        try:
            self._stream.write(text)
        except BrokenPipeError:
            raise  # the reader went away (| head): main() ends quietly
        except (OSError, ValueError) as exc:  # ValueError: "I/O operation on closed file"
            self._failed(exc)
        return len(text)

    def flush(self) -> None:
        """Flush; a full disk or device shows up here for buffered output."""
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            self._failed(exc)

    def isatty(self) -> bool:
        """False for a closed stream, else what the stream says."""
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


def _reserve_closed_descriptors() -> None:
    """Point closed descriptors 0-2 at ``/dev/null`` so later files cannot take them."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass


def _lenient_encoding(stream: TextIO | None) -> str | None:
    """Make ``stream`` escape unencodable characters; returns the old setting."""
    reconfigure = getattr(stream, "reconfigure", None)
    old = getattr(stream, "errors", None)
    if reconfigure is None or not isinstance(old, str) or old == "backslashreplace":
        return None
    try:
        reconfigure(errors="backslashreplace")
    except (ValueError, OSError):
        return None
    return old


class Streams:
    """The CLI's guarded stdout and stderr while :func:`hvtui.cli.main` runs."""

    def __init__(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self._encodings: list[tuple[TextIO, str]] = []

    @classmethod
    def install(cls) -> Streams:
        """Guard ``sys.stdout`` and ``sys.stderr`` until :meth:`restore`."""
        streams = cls()
        if sys.stdout is None or sys.stderr is None:
            _reserve_closed_descriptors()
        for stream in (sys.stdout, sys.stderr):
            old = _lenient_encoding(stream)
            if old is not None and stream is not None:
                streams._encodings.append((stream, old))
        stdout: Any = GuardedStream(sys.stdout, "standard output", fatal=True)
        stderr: Any = GuardedStream(sys.stderr, "standard error", fatal=False)
        sys.stdout, sys.stderr = stdout, stderr  # text streams in all but name
        return streams

    def flush(self) -> None:
        """Flush stdout now, so a failure is reported while we still can (OutputError)."""
        sys.stdout.flush()

    def discard_stdout(self) -> None:
        """After a failed write: drop what is buffered so the exit does not fail again."""
        stdout = self._saved[0]
        if stdout is None:
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stdout.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass

    def restore(self) -> None:
        """Put the original streams (and their encoding error handling) back."""
        sys.stdout, sys.stderr = self._saved
        for stream, errors in self._encodings:
            try:  # noqa: SIM105 - contextlib is not imported for this (issue #13)
                getattr(stream, "reconfigure")(errors=errors)  # noqa: B009 - not on TextIO
            except (ValueError, OSError, AttributeError):
                pass


__all__ = ["GuardedStream", "OutputError", "Streams"]
