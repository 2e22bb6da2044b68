"""Shared timing helper for the benchmarks: medians after warm-up, so a ratio holds on a noisy machine."""

from __future__ import annotations

import gc
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
                collect_garbage: bool = True) -> dict[str, float]:
    """Median times of several functions measured alternately, so drifts in machine load hit all; the order is
    shuffled in every repetition (seeded), so each function runs after each of the others about equally often.
    A call leaves the caches and the memory allocator in a state that helps or hurts whatever runs next (torch's
    step, run just before, slows the next step by 20-40% here); a fixed order, or a rotation of it (which keeps
    every function's predecessor), would hand that to the same function every time.

    Before each timed call, garbage left by the previous one (of either library) is collected, untimed: otherwise
    one library's unreachable cycles would be scanned during the other's run."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    order = list(fns.items())
    shuffle = random.Random(0).shuffle
    for _ in range(repeat):
        shuffle(order)
        for k, fn in order:
            if collect_garbage:
                gc.collect()
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def row(workload: str, ours: float, base: float | None, baseline: str) -> str:
    if base is None:
        return f"{workload:<44} {ours * 1e3:10.2f} ms   {baseline:<22} {'(not installed)':>12}"
    return f"{workload:<44} {ours * 1e3:10.2f} ms   {baseline:<14}{base * 1e3:8.2f} ms   ratio {ours / base:5.2f}"
