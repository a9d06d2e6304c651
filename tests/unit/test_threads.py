"""benchmark.scoring.threads: results in input order, the sequential loop's exception."""

import threading
import time

import pytest

from benchmark.scoring.threads import map_in_order, thread_local_buffer


def test_results_come_in_input_order_whatever_finishes_first():
    def slow_first(i):
        time.sleep(0.02 if i == 0 else 0.0)
        return i * i
    assert list(map_in_order(slow_first, range(6), workers=3)) == [0, 1, 4, 9, 16, 25]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_failing_item_in_order_raises(workers):
    def fn(i):
        if i in (2, 4):
            time.sleep(0.02 if i == 2 else 0.0)  # item 4 fails first in time
            raise ValueError(f"item {i}")
        return i
    got = []
    with pytest.raises(ValueError, match="item 2"):
        for value in map_in_order(fn, range(6), workers=workers):
            got.append(value)
    assert got == [0, 1]


def test_one_worker_runs_in_the_calling_thread():
    seen = set()
    list(map_in_order(lambda i: seen.add(threading.get_ident()), range(4), workers=1))
    assert seen == {threading.get_ident()}


def test_thread_local_buffer_is_made_once_per_thread():
    made = []
    buf = thread_local_buffer(lambda: made.append(1) or object())
    assert buf.get() is buf.get()
    other = []
    t = threading.Thread(target=lambda: other.append(buf.get()))
    t.start()
    t.join()
    assert other[0] is not buf.get() and len(made) == 2
