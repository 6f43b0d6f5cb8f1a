"""Judging a large batch of VMs on every CPU, with the output of one process.

``hvtui audit`` of a thousand domain definitions spends nearly all its time in
Python, one VM after another, on one CPU.  :func:`in_order` splits the items
into contiguous ranges, forks a child per range but the first (after the host
scan, so every child starts with it; each process reads its own range's files)
and works the first range itself.  Each child sends back its range's results, which are plain
``str``/``bool`` tuples (:mod:`marshal`); the parent hands out every result
in the order of the items, so what is printed, and when, follows the same
order as in one process.

A child never writes to standard output or error and leaves with
:func:`os._exit` (no buffers flushed, no clean-up run twice).  When a child
does not deliver (it crashed, was killed, or its data is cut short), the
parent works that range itself: its results, or the exception it raises, are
the ones one process would have had at that point.  Any child still running
when the parent stops (Ctrl-C, an error) is killed and reaped.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys
from collections.abc import Callable, Generator, Iterator

from hvtui.forked import collect, fork_child, stop, usable_cpus

#: One item's result: ``marshal`` sends these (strings, ``None``, booleans and tuples of
#: them) as they are.
Result = tuple[str | None, str, bool]
#: Work on items ``start`` to ``stop``.
Work = Callable[[int, int], Iterator[Result]]
#: Fewer items than this are worked in one process (a fork costs a few milliseconds).
PARALLEL_FROM = 128
#: Each process works at least this many items, and at most this many processes work.
MIN_RANGE = 64
MAX_PARTS = 8
#: The parent's range, as a share of an even one: after its range it still reads the
#: children's results and writes everything.  The children send text escaped and ready
#: to write, so for 1,000 domains that is about as long as judging 10 of them (callgrind:
#: 20 M instructions after the last child, 2.15 M a domain): a range ~1% shorter makes
#: it finish with the children, not after.
FIRST_SHARE = 0.99
#: The collector's first threshold while the items are worked (Python's default: 700).
YOUNG_THRESHOLD = 10_000


def workers() -> int:
    """How many processes may work: the CPUs this process may run on, when forking is
    safe (a platform with ``fork`` and no other thread that could hold a lock)."""
    if not hasattr(os, "fork"):
        return 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1
    return usable_cpus()


def ranges(count: int, parts: int, first: float = 1.0) -> list[tuple[int, int]]:
    """``parts`` contiguous ``(start, stop)`` ranges covering ``range(count)``, in order;
    the first is ``first`` times an even share (the others share the rest evenly)."""
    if parts <= 1:
        return [(0, count)]
    head = min(count, max(0, int(count * first) // parts))
    rest = count - head
    return [(0, head)] + [
        (head + rest * i // (parts - 1), head + rest * (i + 1) // (parts - 1))
        for i in range(parts - 1)
    ]


def in_order(
    count: int,
    work: Work,
    *,
    parts: int | None = None,
    before_fork: Callable[[], object] | None = None,
) -> Generator[Result, None, None]:
    """``work(0, count)``'s results, the ranges after the first worked by child processes.

    ``work(start, stop)`` yields the results of items ``start`` to ``stop``; it must give
    the same results wherever it runs.  ``parts`` defaults to one process per CPU (at
    least :data:`MIN_RANGE` items each, at most :data:`MAX_PARTS`); with one part, or
    fewer items than :data:`PARALLEL_FROM`, this is ``work(0, count)`` itself.
    ``before_fork`` runs once, only when children will be forked, before the first: what
    it loads is loaded once in the parent, not again in every child that needs it.
    """
    parts = min(workers(), MAX_PARTS, count // MIN_RANGE) if parts is None else parts
    if parts <= 1 or count < PARALLEL_FROM:
        yield from work(0, count)
        return
    if before_fork is not None:
        before_fork()
    first, *rest = ranges(count, parts, FIRST_SHARE)
    children: list[tuple[int, int, tuple[int, int]]] = []  # (pid, read end, range)
    # What exists now (modules, the host scan, the files read) is kept to the end: frozen,
    # the collector no longer walks it, and a child's collections do not write to (and so
    # copy) the pages it shares with the parent.  What the work makes is freed as it goes
    # (each item's parsed file, judgement and text), so the collector's young passes find
    # little: run less often, they cost less (-0.8% of a thousand domains' instructions).
    frozen = gc.isenabled()
    thresholds = gc.get_threshold()
    if frozen:
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        for span in rest:
            child = _fork(work, span)
            if child is None:  # no fork: the parent works this range when its turn comes
                children.append((0, -1, span))
            else:
                children.append((*child, span))
        yield from work(*first)
        while children:
            pid, fd, span = children[0]
            results = _collect(pid, fd)
            children.pop(0)
            yield from (work(*span) if results is None else results)
    finally:
        for pid, fd, _span in children:
            _stop(pid, fd)
        if frozen:
            gc.set_threshold(*thresholds)
            gc.unfreeze()


def _fork(work: Work, span: tuple[int, int]) -> tuple[int, int] | None:
    """Start a child working ``span``; its pid and the read end of its pipe, or ``None``
    when the system refuses to fork."""
    return fork_child(lambda: marshal.dumps(list(work(*span))))


def _collect(pid: int, fd: int) -> list[Result] | None:
    """A child's results, or ``None`` when it did not deliver them all."""
    if not pid:
        return None
    data = collect(pid, fd)
    if data is None:
        return None
    try:
        results: list[Result] = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return results


def _stop(pid: int, fd: int) -> None:
    """End a child that is no longer wanted and reap it."""
    if pid:
        stop(pid, fd)


__all__ = ["MAX_PARTS", "MIN_RANGE", "PARALLEL_FROM", "Result", "in_order", "ranges", "workers"]
