"""Timing for the workloads: ``_timing.interleaved`` (which collects garbage, untimed, before every timed call) with
the objects alive at the start moved out of the collector's sight (``gc.freeze``), on a heap that glibc does not
hand back to the OS between calls (``steady_heap``).

Without the freeze each of those collections scans every object of the process — about 170k once torch is imported,
~80 ms each — so thousands of repetitions of a sub-millisecond step would take many minutes. Frozen objects are
still freed by reference counting; only the cyclic collector skips them, and the garbage each timed call leaves is
still collected before the next one, as ``interleaved`` intends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable

from _timing import interleaved

# Training steps are timed in turns of this many consecutive calls (``interleaved``'s ``block``): a training loop runs
# its own steps back to back, and so each library's median is the time of such a step, whatever other libraries are
# in the rotation (one call at a time, the ratio against NumPy read 1.07 with only NumPy alongside, 1.13 with torch
# too; in turns of 10: 1.08 and 1.06).
STEP_BLOCK = 10


def steady_heap() -> None:
    """Keep glibc's malloc from returning freed memory to the OS (and faulting it in again) between calls.

    glibc adapts two thresholds to the sizes it has seen freed: blocks above one are mmap'ed, and a heap top above the
    other is trimmed. Two different steps run alternately (pathgrad's and the NumPy baseline's MLP) keep moving them,
    and then every call faults its arrays in afresh: ~450 page faults and +1 ms per MLP step, where either step run on
    its own settles at none. Whether that happens depended on what else the process had done (importing and running
    torch raises the thresholds), so the MLP ratio read 1.40 without torch and 1.10 with it. Fixed thresholds give
    every library the steady state a training loop reaches on its own. A no-op where there is no glibc.
    """
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    if mallopt is not None:
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
        mallopt(m_mmap_threshold, 32 << 20)  # the upper bound of glibc's own adaptive threshold
        mallopt(m_trim_threshold, 256 << 20)


def timed(fns: dict[str, Callable[[], object]], repeat: int, warmup: int, block: int = 1,
          setup: dict[str, Callable[[], None]] | None = None) -> dict[str, float]:
    """Median seconds per call of each function, measured alternately in this process (see ``interleaved``)."""
    steady_heap()
    gc.collect()
    gc.freeze()
    try:
        return interleaved(fns, repeat=repeat, warmup=warmup, block=block, setup=setup)
    finally:
        gc.unfreeze()
