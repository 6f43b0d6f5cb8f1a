"""``hvtui.audit.parallel``: the results of many processes, in the order of one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hvtui.audit import parallel
from hvtui.audit.parallel import Result

COUNT = parallel.PARALLEL_FROM * 2 + 5


def _work(start: int, stop: int) -> Iterator[Result]:
    for i in range(start, stop):
        yield (None if i % 7 else f"file{i}"), f"item {i} in {os.getpid()}", i % 3 == 0


def _plain(result: Result) -> tuple[str | None, str, bool]:
    """A result without the pid of the process that worked it."""
    path, text, ok = result
    return path, text.split(" in ")[0], ok


def test_ranges_cover_every_item_once_in_order() -> None:
    for count in (0, 1, 5, 128, 1001):
        for parts in (1, 2, 3, 8):
            spans = parallel.ranges(count, parts)
            assert [i for start, stop in spans for i in range(start, stop)] == list(range(count))


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_results_come_in_item_order(parts: int) -> None:
    results = list(parallel.in_order(COUNT, _work, parts=parts))
    assert [_plain(r) for r in results] == [_plain(r) for r in _work(0, COUNT)]
    pids = {r[1].split(" in ")[1] for r in results}
    assert len(pids) == parts  # every range but the first was worked by a child
    assert str(os.getpid()) in pids


def test_a_child_that_fails_is_replaced_by_the_parent() -> None:
    parent = os.getpid()

    def failing(start: int, stop: int) -> Iterator[Result]:
        if os.getpid() != parent:
            os._exit(3)  # a crash in the child: no results
        yield from _work(start, stop)

    results = list(parallel.in_order(COUNT, failing, parts=3))
    assert [_plain(r) for r in results] == [_plain(r) for r in _work(0, COUNT)]
    assert {r[1].split(" in ")[1] for r in results} == {str(parent)}


def test_an_error_comes_after_the_results_before_it() -> None:
    """An exception raises where one process would raise it, once the items before it
    are handed out (a child's range is worked again by the parent to find it)."""
    bad = COUNT - 3

    def breaking(start: int, stop: int) -> Iterator[Result]:
        for result in _work(start, stop):
            if result[1].startswith(f"item {bad} "):
                raise ValueError("item broken")
            yield result

    got: list[Result] = []
    with pytest.raises(ValueError, match="item broken"):
        got.extend(parallel.in_order(COUNT, breaking, parts=2))
    assert [_plain(r) for r in got] == [_plain(r) for r in _work(0, bad)]


def test_few_items_stay_in_this_process() -> None:
    results = list(parallel.in_order(parallel.PARALLEL_FROM - 1, _work, parts=4))
    assert {r[1].split(" in ")[1] for r in results} == {str(os.getpid())}


def test_the_collector_is_given_back_as_it_was() -> None:
    """While the items are worked the start-up's objects are frozen and the collector runs
    less often; afterwards, whether the run ended or was left half-way, nothing is frozen
    and the thresholds are the caller's again."""
    import gc

    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []

    def work(start: int, stop: int) -> Iterator[Result]:
        seen.append(gc.get_threshold())
        yield from _work(start, stop)

    assert len(list(parallel.in_order(COUNT, work, parts=2))) == COUNT
    assert seen[0][0] == parallel.YOUNG_THRESHOLD
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    halfway = parallel.in_order(COUNT, work, parts=2)
    next(halfway)
    halfway.close()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@pytest.mark.parametrize(("count", "parts", "runs"), [(COUNT, 2, 1), (COUNT, 1, 0), (5, 2, 0)])
def test_before_fork_runs_once_in_the_parent_only_when_forking(
    count: int, parts: int, runs: int
) -> None:
    """What the parent loads for all processes it loads once, and only when it forks."""
    calls: list[int] = []
    results = list(
        parallel.in_order(count, _work, parts=parts, before_fork=lambda: calls.append(os.getpid()))
    )
    assert len(results) == count
    assert calls == [os.getpid()] * runs
