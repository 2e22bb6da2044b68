"""Shared timing helper for the benchmarks: medians after warm-up, so a ratio holds on a noisy machine."""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeat: int = 7, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], object]], repeat: int = 7, warmup: int = 2,
                collect_garbage: bool = True, block: int = 1,
                setup: dict[str, Callable[[], None]] | None = None) -> dict[str, float]:
    """Median times of several functions over ``repeat`` calls each, measured alternately so that drifts in machine
    load hit all: each function in turn makes ``block`` consecutive calls, the order of the turns shuffled (seeded)
    every round, so each function follows each of the others about equally often.

    A call leaves the caches holding its own code and data, which slows whatever runs next: right after torch's
    small-Adam step, pathgrad's takes ~0.19 ms instead of ~0.13, NumPy's ~0.12 instead of ~0.08 (``predecessors.py``).
    A training loop runs its own steps back to back; with ``block`` > 1 the median is such a step, the first call of
    each turn paying for the switch. With ``block`` = 1 every call follows another library's or its own at random.

    Before each timed call, garbage left by the previous one (of either library) is collected, untimed: otherwise
    one library's unreachable cycles would be scanned during the other's run.

    ``setup[name]()``, if given, runs untimed before each turn of that function (and before its warm-up): e.g. the
    thread settings it is to run under."""
    prepare = setup or {}
    for _ in range(warmup):
        for k, fn in fns.items():
            prepare.get(k, _nothing)()
            fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    order = list(fns.items())
    shuffle = random.Random(0).shuffle
    for _ in range(math.ceil(repeat / block)):
        shuffle(order)
        for k, fn in order:
            prepare.get(k, _nothing)()
            for _ in range(block):
                if collect_garbage:
                    gc.collect()
                t0 = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def _nothing() -> None:
    pass


def row(workload: str, ours: float, base: float | None, baseline: str) -> str:
    if base is None:
        return f"{workload:<44} {ours * 1e3:10.2f} ms   {baseline:<22} {'(not installed)':>12}"
    return f"{workload:<44} {ours * 1e3:10.2f} ms   {baseline:<14}{base * 1e3:8.2f} ms   ratio {ours / base:5.2f}"
