"""How many threads pathgrad's kernels may use, and the one place that splits work across them.

``set_num_threads(n)`` / ``get_num_threads()`` as torch's (default: the cores this process may run on, or the
environment variable ``PATHGRAD_NUM_THREADS``). A kernel that pays for it (a convolution's im2col, GEMMs and col2im,
pooling, batch norm: NumPy releases the GIL in copies, ufuncs and BLAS calls) hands ``parallel_for`` a function of a
slice of the batch; the slices run on the calling thread and a small pool of worker threads, and write disjoint parts
of a preallocated result. Each slice's arithmetic is the same whatever the thread count, except where partial
results are summed (a weight gradient over the batch): that sum is taken in slice order, so a given thread count
gives the same bits every run, and different counts agree to rounding.

Handing a slice to a worker costs ~6–15 µs (a ``queue.SimpleQueue`` round trip; 12–20 µs through
``concurrent.futures``), but the larger cost is the GIL: every NumPy call in a slice releases and retakes it, and
with two threads running each handoff between the cores costs tens of µs on this VM. Measured on the idle 2-core
machine (load < 0.3), one thread → two: a LeNet convolution's forward 478 → 350–463 µs, its input gradient 640 →
450–558 µs, while max pooling (~20 NumPy calls of 20–40k elements a slice) became 1.3–2.8× slower, as did the small
first layer's weight gradient (87 → 129–154 µs). So a kernel splits only where each of its NumPy calls handles at
least ``MIN_ELEMENTS`` elements a slice (``grain``): at LeNet's sizes the convolutions split and pooling does not.

NumPy's OpenBLAS has threads of its own. ``set_num_threads(n)`` sets its count to n as well (as torch's sets its
BLAS's), so ``set_num_threads(1)`` makes every computation single-threaded; until then OpenBLAS keeps its own default
(``OPENBLAS_NUM_THREADS``, or the core count). Measured on the 2-core machine (shared with other jobs, load 2.5–4):
OpenBLAS runs a GEMM below M·N·K ≈ 2¹⁸ on one thread whatever its setting (a LeNet convolution's per-sample GEMM,
16×72×121: 0.185 ms at one or two OpenBLAS threads), so there our threads are the only parallelism and nothing
oversubscribes. Above it, OpenBLAS's threads spin while waiting, and with the cores busy that collapsed: 8 GEMMs of
64×576×1024 took 8–14 ms on one thread, 21–192 ms on two OpenBLAS threads, 6–136 ms with our two threads each
calling a two-thread OpenBLAS, and 10–24 ms on our two threads with OpenBLAS on one (our threads block instead of
spinning, and a slice a busy worker has not taken is run by the caller). An LSTM training step (b32, h128: 100
GEMMs of 32×128×512 per step) took ~35 ms with OpenBLAS on one thread and ~190 ms on two, with the machine's other
jobs running; at load ~1, 20.6 ms and 16.2 ms. On such a busy machine our own threads did not pay either: the
LeNet step's kernels ran 1.2–5× slower on two threads than on one (a worker that the OS deschedules while it holds
the GIL stalls the caller's next Python line), so ``set_num_threads(1)`` is the setting for a shared, loaded
machine; splitting pays where a core is free.
"""

from __future__ import annotations

import ctypes
import operator
import os
import queue
import threading
import warnings
from collections.abc import Callable
from typing import Any

MIN_ELEMENTS = 1 << 16  # elements each NumPy call of a slice must handle before splitting pays (module docstring)
OVERSPLIT = 1  # slices per thread (see parallel_for)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _default() -> int:
    env = os.environ.get("PATHGRAD_NUM_THREADS", "")
    if env:
        try:
            if int(env) >= 1:
                return int(env)
        except ValueError:
            pass
        warnings.warn(f"PATHGRAD_NUM_THREADS={env!r} is not a positive integer; using the core count", stacklevel=2)
    return _cores()


def _openblas() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """(get, set) of the thread count of the OpenBLAS that NumPy loaded, through its C API; None where not found."""
    import numpy  # noqa: F401  (loads the library searched for below)

    try:
        with open("/proc/self/maps") as f:  # Linux: the shared libraries this process has loaded
            paths = sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_{}_num_threads64_", "openblas_{}_num_threads64_", "openblas_{}_num_threads"):
            get, put = getattr(lib, name.format("get"), None), getattr(lib, name.format("set"), None)
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, put
    return None


_num_threads = _default()
_blas = _openblas()
_tasks: queue.SimpleQueue | None = None  # (work, slice, reply queue) for the workers
_workers = 0
_local = threading.local()  # .worker is True on a pool thread: a parallel_for there runs inline (no nested waits)


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads in the kernels that split work and in NumPy's OpenBLAS (n ≥ 1; 1 runs everything
    on the calling thread)."""
    global _num_threads
    if isinstance(n, bool) or not hasattr(n, "__index__"):  # as torch: ints (numpy's too), not bools or floats
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    n = operator.index(n)
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _num_threads = n
    if _blas is not None:
        _blas[1](n)


def get_num_threads() -> int:
    """The number of threads kernels may use (see ``set_num_threads``)."""
    return _num_threads


def grain(elements_per_item: int) -> int:
    """The fewest items a slice should hold when a kernel's NumPy calls handle ``elements_per_item`` array elements
    per item (its largest per-item array, say)."""
    return max(1, -(-MIN_ELEMENTS // max(elements_per_item, 1)))


def slices(n: int, parts: int) -> list[slice]:
    """``range(n)`` cut into ``parts`` contiguous slices of near-equal size (fewer when n < parts)."""
    parts = max(1, min(parts, n))
    bounds = [n * i // parts for i in range(parts + 1)]
    return [slice(bounds[i], bounds[i + 1]) for i in range(parts)]


class _Job:
    """One ``parallel_for`` call: its slices, handed out in order to whichever thread asks next."""

    __slots__ = ("work", "chunks", "claim", "results", "finished")

    def __init__(self, work: Callable[[slice], Any], chunks: list[slice]) -> None:
        self.work, self.chunks = work, chunks
        self.claim = iter(range(len(chunks))).__next__  # a C call: atomic under the GIL
        self.results: list[tuple[bool, Any]] = [(True, None)] * len(chunks)
        self.finished: queue.SimpleQueue = queue.SimpleQueue()  # one token per slice a worker ran

    def run(self, on_worker: bool) -> int:
        """Run slices until none is left; the number this thread ran."""
        ran = 0
        for i in iter(self.claim, None):
            try:
                self.results[i] = (True, self.work(self.chunks[i]))
            except BaseException as e:  # handed back to the caller, which raises it
                self.results[i] = (False, e)
            ran += 1
            if on_worker:
                self.finished.put(i)
        return ran


def _worker(tasks: queue.SimpleQueue) -> None:
    _local.worker = True
    while True:
        tasks.get().run(on_worker=True)


def _pool(threads: int) -> queue.SimpleQueue:
    """The job queue, with at least ``threads - 1`` workers waiting on it (started on first use, kept for life)."""
    global _tasks, _workers
    if _tasks is None:
        _tasks, _workers = queue.SimpleQueue(), 0
    while _workers < threads - 1:
        threading.Thread(target=_worker, args=(_tasks,), name=f"pathgrad-{_workers}", daemon=True).start()
        _workers += 1
    return _tasks


def _forget_pool() -> None:
    """In a forked child the workers do not exist: start afresh when needed."""
    global _tasks, _workers
    _tasks, _workers = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def parallel_for(n: int, work: Callable[[slice], Any], min_per_thread: int = 1) -> list[Any]:
    """Run ``work(s)`` for slices ``s`` covering ``range(n)`` on up to ``get_num_threads()`` threads; the results in
    slice order. With one thread (or too little work: fewer than ``min_per_thread`` items a slice, see ``grain``)
    it is simply ``[work(slice(0, n))]``, on the calling thread. Slices must write disjoint data.

    The range is cut into up to ``OVERSPLIT`` slices a thread, which the calling thread and the workers take in turn
    as they come free: a worker that the OS does not schedule soon (other processes on the cores) then costs at most
    the slice it holds, and the caller never waits for a worker that took none. Where the slices are cut depends
    only on n, the thread count and ``min_per_thread``. If any slice raises, the first exception (in slice order)
    is raised once every slice has finished."""
    parts = min(_num_threads * OVERSPLIT, n // max(min_per_thread, 1))
    if _num_threads == 1 or parts <= 1 or getattr(_local, "worker", False):
        return [work(slice(0, n))]
    job = _Job(work, slices(n, parts))
    tasks = _pool(_num_threads)
    for _ in range(min(_num_threads, parts) - 1):
        tasks.put(job)
    ran = job.run(on_worker=False)  # the calling thread works too, instead of waiting idle
    for _ in range(parts - ran):
        job.finished.get()
    for ok, value in job.results:
        if not ok:
            raise value
    return [value for _, value in job.results]
