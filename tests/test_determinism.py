"""A result is a pure function of its input: the same bytes in any thread, process, order or load.

The default table (the eight standard activations at sigma = 1/2, and in the slow run at sigma in
{1/2, 1, 2}; 50 digits, JSON) is
computed serially, in four threads at once (two of them at another precision), in a fresh process,
and in reversed order while two busy processes saturate the CPU; every run gives the same JSON
row for row, and no thread's global ``mpmath.mp`` is changed.  Before the private precision
contexts, a thread at 15 digits saw mpmath's precision jump to 72 and threads at 60 digits failed
with ConvergenceError; before the deterministic limits, a loaded machine turned exact values into
"undefined" (a wall-clock alarm ran out).
"""

import json
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import mpmath
import pytest

from symsig.activations import STANDARD_EIGHT
from symsig.signature import signature

SIGMAS = ("1/2", "1", "2")
CELLS = [(name, sigma) for name in STANDARD_EIGHT for sigma in SIGMAS]


def table_json(dps, cells=CELLS):
    """``{(activation, sigma): JSON of the row}`` computed in the order of ``cells``."""
    return {(name, sigma): json.dumps(signature(name, sigma=sigma, dps=dps).as_dict(), sort_keys=True)
            for name, sigma in cells}


def _spin(stop):
    while not stop.is_set():
        pass


def test_the_default_table_is_the_same_in_threads_processes_orders_and_under_load():
    # the eight at one sigma in the default run; all three sigmas in the slow one below
    _same_everywhere([(name, "1/2") for name in STANDARD_EIGHT])


@pytest.mark.slow
def test_the_default_table_at_every_sigma_is_the_same_everywhere():
    _same_everywhere(CELLS)


def _same_everywhere(cells):
    serial = table_json(50, cells)
    serial_low = table_json(20, cells)

    outcomes, global_precision = {}, {}

    def work(index, dps):
        outcomes[index] = table_json(dps, cells)
        global_precision[index] = mpmath.mp.dps

    mpmath.mp.dps = 33  # a user's own global precision is neither used nor changed
    try:
        threads = [threading.Thread(target=work, args=(i, dps)) for i, dps in enumerate((50, 20, 50, 20))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert mpmath.mp.dps == 33
    finally:
        mpmath.mp.dps = 15
    assert outcomes[0] == outcomes[2] == serial
    assert outcomes[1] == outcomes[3] == serial_low
    assert set(global_precision.values()) == {33}

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(table_json, 50, cells).result() == serial

    stop = multiprocessing.get_context("spawn").Event()
    spinners = [multiprocessing.get_context("spawn").Process(target=_spin, args=(stop,)) for _ in range(2)]
    for p in spinners:
        p.start()
    try:  # the reversed order, while the CPU is saturated
        loaded = table_json(50, cells[::-1])
    finally:
        stop.set()
        for p in spinners:
            p.join()
    assert loaded == serial
    assert (mpmath.mp.prec, mpmath.mp.dps) == (53, 15)
