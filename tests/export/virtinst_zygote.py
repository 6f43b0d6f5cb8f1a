"""Run virt-manager's command-line tools (virt-install, virt-xml) many times, each run a
fresh process, without paying their start-up every time.

This file is a program, run by the tools' own interpreter (the ``#!`` line of
``/usr/bin/virt-install``), never imported by the tests.  It starts each tool's script
once with ``--version`` (which imports all of virtinst) and loads libosinfo's database,
then reads one JSON job per line on stdin: ``{"argv": [SCRIPT, ARG...], "env": {...},
"cwd": DIR}``.  For each it forks: the child, with the job's environment, directory and
argument vector, runs the tool's script unchanged (``runpy``, as the interpreter would),
its standard output and error in files; the parent answers one JSON line
``{"code": N, "out": TEXT, "err": TEXT}``.

A run is the tool's own code from its own entry point; what it no longer does is import
~200 modules and read ~2,000 osinfo XML files first (about 0.45 s of CPU per
virt-install run, 1.1 s with ``--osinfo win11``).  Each run forks from the same warmed
state, so no run sees what another one did.  Loading the osinfo database starts GLib's
idle ``gmain`` thread, which a fork does not copy; it waits in ``poll`` holding no lock
the children take, and a child that did hang would fail its test after the runner's
timeout, never pass.
"""

from __future__ import annotations

import io
import json
import os
import runpy
import sys
import tempfile
import traceback
from contextlib import redirect_stdout, suppress


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter makes of ``SystemExit(code)``: ``None`` 0, an int itself,
    anything else printed to standard error and 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _run_script(argv: list[str]) -> int:
    sys.argv = list(argv)
    try:
        runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        return _exit_code(exc)
    except BaseException:  # what the interpreter would print for an uncaught exception
        traceback.print_exc()
        return 1
    return 0


def _warm(scripts: list[str]) -> None:
    """Import what the scripts import (``--version`` stops before any work), then load the
    osinfo database virt-install reads for ``--osinfo``."""
    for script in scripts:
        with redirect_stdout(io.StringIO()):
            _run_script([script, "--version"])
    try:
        from virtinst import OSDB  # type: ignore[import-not-found]

        OSDB.lookup_os("win11")
    except Exception:  # only a warm-up: each run loads what it needs
        pass


def _child(job: dict[str, object], out_path: str, err_path: str) -> None:
    """The forked child: become the job's process, run it, and end (never returns)."""
    code = 1
    try:
        env = job["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        os.chdir(str(job["cwd"]))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, out_path), (2, err_path)):
            os.dup2(os.open(path, os.O_WRONLY | os.O_TRUNC), fd)
        argv = job["argv"]
        assert isinstance(argv, list)
        code = _run_script([str(a) for a in argv])
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


def main() -> None:
    _warm(sys.argv[1:])
    answers = sys.stdout
    with tempfile.TemporaryDirectory(prefix="hvtui-virtinst-") as tmp:
        out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        for line in sys.stdin:
            job = json.loads(line)
            for path in (out_path, err_path):
                with open(path, "w"):  # emptied
                    pass
            answers.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(job, out_path, err_path)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            with (
                open(out_path, encoding="utf-8", errors="replace") as out,
                open(err_path, encoding="utf-8", errors="replace") as err,
            ):
                answer = {"code": code, "out": out.read(), "err": err.read()}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()


if __name__ == "__main__":
    main()
