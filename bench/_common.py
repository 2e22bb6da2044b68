"""Timing for the workloads: ``_timing.interleaved`` (which collects garbage, untimed, before every timed call) with
the objects alive at the start moved out of the collector's sight (``gc.freeze``).

Without the freeze each of those collections scans every object of the process — about 170k once torch is imported,
~80 ms each — so thousands of repetitions of a sub-millisecond step would take many minutes. Frozen objects are
still freed by reference counting; only the cyclic collector skips them, and the garbage each timed call leaves is
still collected before the next one, as ``interleaved`` intends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from _timing import interleaved


def timed(fns: dict[str, Callable[[], object]], repeat: int, warmup: int) -> dict[str, float]:
    """Median seconds per call of each function, measured alternately in this process."""
    gc.collect()
    gc.freeze()
    try:
        return interleaved(fns, repeat=repeat, warmup=warmup)
    finally:
        gc.unfreeze()
