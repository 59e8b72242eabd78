"""Work spread over forked processes (common/processes.py): results in order, whatever the function
(closures included: nothing is pickled on the way in), failures as build errors, never a hang, and
no process left behind."""

from __future__ import annotations

import multiprocessing
import os
import random
import time

import pytest

from site_builder.common.processes import DIED, map_forked
from site_builder.errors import BuildError


def test_results_come_back_in_order_from_a_closure():
    factor = random.Random(1).randint(2, 9)
    delays = [random.Random(i).random() / 500 for i in range(300)]  # uneven work: chunks finish out of order

    def work(i: int) -> tuple[int, int]:
        time.sleep(delays[i])
        return i * factor, os.getpid()

    results = list(map_forked(work, range(300), workers=3, chunk=7))
    assert [r[0] for r in results] == [i * factor for i in range(300)]
    assert os.getpid() not in {r[1] for r in results}  # all made in the forked processes
    assert len({r[1] for r in results}) > 1
    assert multiprocessing.active_children() == []


def test_few_items_or_one_worker_stay_in_this_process():
    assert list(map_forked(lambda i: os.getpid(), range(10), workers=4)) == [os.getpid()] * 10
    assert list(map_forked(lambda i: os.getpid(), range(100), workers=1)) == [os.getpid()] * 100


def test_a_failure_in_a_process_is_raised_here():
    def work(i: int) -> int:
        if i == 57:
            raise BuildError(f"第 {i} 项出错")
        return i

    with pytest.raises(BuildError, match="^第 57 项出错$"):
        list(map_forked(work, range(100), workers=2, chunk=4))
    assert multiprocessing.active_children() == []


def test_an_exception_that_cannot_be_pickled_comes_back_as_its_message():
    class Local(Exception):  # a class defined here cannot be pickled
        pass

    def work(i: int) -> int:
        if i == 40:
            raise Local("无法传回的异常")
        return i

    with pytest.raises(BuildError, match="^无法传回的异常$"):
        list(map_forked(work, range(64), workers=2, chunk=4))


def test_a_process_that_dies_is_an_error_not_a_hang():
    def work(i: int) -> int:
        if i == 33:
            os._exit(3)
        return i

    started = time.perf_counter()
    with pytest.raises(BuildError, match=f"^{DIED}$"):
        list(map_forked(work, range(64), workers=2, chunk=4))
    assert time.perf_counter() - started < 30
    assert multiprocessing.active_children() == []


def test_stopping_early_leaves_no_process_behind():
    results = map_forked(lambda i: time.sleep(0.05) or i, range(400), workers=2, chunk=4)  # 10 s of work
    assert next(results) == 0
    started = time.perf_counter()
    results.close()  # as when the build fails while pages are rendered: the rest is not made
    assert time.perf_counter() - started < 3
    assert multiprocessing.active_children() == []
