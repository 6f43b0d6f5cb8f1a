"""``python -m hvtui`` and the ``hvtui`` console script."""

from __future__ import annotations

import contextlib
import os
import sys


def main() -> None:
    """Console-script entry point: exit with the CLI's code.

    Once the CLI has returned, everything it had to say is written: the output is
    flushed and the process ends without the interpreter's teardown (freeing every
    module and object costs ~10 ms per run).  When a flush fails, the usual exit
    reports it as before.
    """
    try:
        from hvtui.cli import main as cli_main

        code = cli_main()
    except KeyboardInterrupt:  # Ctrl-C while the CLI itself is still being imported
        code = _interrupted()
    for stream in (sys.stdout, sys.stderr):  # None when started with the stream closed
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            sys.exit(code)
    os._exit(code)


def _interrupted() -> int:
    """One line and exit status 130, as for Ctrl-C anywhere later."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write("hvtui: interrupted\n")
    return 130


if __name__ == "__main__":
    main()
