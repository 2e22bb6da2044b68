"""How many threads pathgrad's kernels may use, and the one place that splits work across them.

``set_num_threads(n)`` / ``get_num_threads()`` as torch's (default: the machine's core count, or the environment
variable ``PATHGRAD_NUM_THREADS``). A kernel that pays for it (a convolution's im2col and GEMMs, pooling, batch norm:
NumPy releases the GIL in copies, ufuncs and BLAS calls) hands ``parallel_for`` a function of a slice of the batch;
the slices run on a shared thread pool and write disjoint parts of the result. Each slice's arithmetic is the same
whatever the thread count, except where partial results are summed (a weight gradient over the batch): that sum is
taken in slice order, so a given thread count gives the same bits every run, and different counts agree to rounding.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_num_threads = max(1, int(os.environ.get("PATHGRAD_NUM_THREADS", 0)) or os.cpu_count() or 1)
_pool: ThreadPoolExecutor | None = None


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in the kernels that split work (n ≥ 1; 1 runs everything on the calling thread)."""
    global _num_threads, _pool
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    if n != _num_threads and _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _num_threads = n


def get_num_threads() -> int:
    return _num_threads


def slices(n: int, parts: int) -> list[slice]:
    """``range(n)`` cut into ``parts`` contiguous slices of near-equal size (fewer when n < parts)."""
    parts = max(1, min(parts, n))
    bounds = [n * i // parts for i in range(parts + 1)]
    return [slice(bounds[i], bounds[i + 1]) for i in range(parts)]


def parallel_for(n: int, work: Callable[[slice], Any], min_per_thread: int = 1) -> list[Any]:
    """Run ``work(s)`` for slices ``s`` covering ``range(n)``, on up to ``get_num_threads()`` threads; the results in
    slice order. With one thread (or too little work: fewer than ``min_per_thread`` items a thread) it is simply
    ``[work(slice(0, n))]``, on the calling thread."""
    global _pool
    parts = min(_num_threads, n // max(min_per_thread, 1))
    if parts <= 1:
        return [work(slice(0, n))]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_num_threads, thread_name_prefix="pathgrad")
    chunks = slices(n, parts)
    futures = [_pool.submit(work, s) for s in chunks[1:]]
    first = work(chunks[0])  # the calling thread takes a share instead of waiting idle
    return [first] + [f.result() for f in futures]
