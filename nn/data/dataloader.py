"""``DataLoader``, with ``torch.utils.data.DataLoader``'s signature, defaults, errors and worker semantics.

A loader is a sampler (the order of indices), a batch sampler (groups of them), a fetcher (indices to samples)
and a collate function (samples to a batch). ``num_workers=0`` does all of it in the calling thread;
``num_workers > 0`` runs the fetcher and collation in worker processes, fed with batches of indices by the main
process and reordered there, so the batches are the same, in the same order, as with ``num_workers=0``.

Why worker processes, not threads. Measured (ms per epoch of 512 samples, batches of 32, best of 3) on this
project's shared 2-core machine, Python 3.11, NumPy 2.4, while other jobs kept its load average at 3 to 7:

    __getitem__                                  main   2 threads   2 processes   4 threads   4 processes
    pure Python, ~1 ms a sample                   767       864          668          610         1062
    NumPy, normalise/flip/blur a 3x128x128 image  250       379          800          586         1210

With no idle core, no kind of worker can make loading faster, and the figures swing by a third from run to
run (interleaved medians at load 7: pure Python 1491 / 1322 / 1350 ms for main / 2 threads / 2 processes;
NumPy 897 / 1083 / 1805 ms). What they do show is the price of processes: each batch is pickled across (a 6.3 MB
batch's round trip through pickle alone is 13-15 ms: much of the NumPy row's gap), and each epoch starts its workers
(about 80 ms for two; ``persistent_workers=True`` pays that once). The choice rests on what holds on any machine:

* a pure-Python ``__getitem__`` (the usual hand-written augmentation) holds the GIL, so threads run it one at a
  time however many cores there are, and processes run it in parallel;
* torch's semantics are per-process: each worker has its own copy of the dataset (``worker_init_fn`` may edit it,
  as torch's ``IterableDataset`` sharding example does) and its own seeded global generators (``autograd.random``,
  ``random``, numpy). Threads would share all of these, so random augmentation would race and could not be
  reproduced from a seed.

So, as in torch, workers are processes (the platform's default start method: fork on Linux; with "spawn" or
"forkserver" the dataset, ``collate_fn`` and ``worker_init_fn`` must be picklable). For NumPy work on small
samples that is already fast, ``num_workers=0`` is the quickest.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import pickle
import queue
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from autograd.random import Generator, get_rng

from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, as_generator
from .fetch import create_fetcher
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import (
    STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
)

__all__ = ["DataLoader", "default_collate", "default_convert"]

_SHUTDOWN_JOIN_TIMEOUT = 5.0  # seconds a worker gets to finish its current batch and exit (torch's figure)


class _InfiniteConstantSampler(Sampler[None]):
    """The sampler of an IterableDataset: ``None`` forever (the dataset decides when it ends)."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _suggested_max_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__``, ``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch; None turns automatic batching off (each sample goes through
            ``default_convert``, or ``collate_fn``, on its own).
        shuffle: a new random order every epoch (map-style only).
        sampler: the order of indices (any iterable of them); excludes ``shuffle``.
        batch_sampler: yields lists of indices; excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers: load batches in this many worker processes (0: in the main process).
        collate_fn: merges a list of samples into a batch; ``default_collate`` by default.
        pin_memory, pin_memory_device: accepted as torch's; there is no accelerator to pin for (warns).
        drop_last: drop the last batch if it is short.
        timeout: seconds to wait for a worker's batch (0: forever); only with workers.
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker, after seeding, before loading.
        multiprocessing_context: a start method name (``"fork"``, ``"spawn"``, ``"forkserver"``) or a context.
        generator: an ``autograd.random.Generator`` (or an int seed for a private one) for the shuffle order and
            the workers' base seed; by default the shared generator, so ``autograd.manual_seed`` makes both
            reproducible.
        prefetch_factor: batches in flight per worker (default 2 with workers).
        persistent_workers: keep the workers (and their dataset copies) alive between epochs.
        in_order: yield batches in sampler order (False: as soon as any worker has one).

    Each worker is seeded with ``base_seed + worker_id`` (``autograd.random``, ``random``; numpy's global
    generator from both), ``base_seed`` being drawn from ``generator`` when an epoch starts, with or without
    workers. With the default collation, a dataset that defines ``fetch_batch`` (``TensorDataset``, and a
    ``Subset`` of one) is batched with one numpy fancy index per field instead of one ``__getitem__`` per sample.
    """

    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")

    def __init__(
        self,
        dataset: Dataset | Iterable[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: str | multiprocessing.context.BaseContext | None = None,
        generator: Generator | int | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not isinstance(num_workers, int) or isinstance(num_workers, bool):
            raise TypeError(f"DataLoader: num_workers should be an int, got {num_workers!r}")
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got timeout={timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. "
                "Let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 1:
            # torch accepts 0 and then loads nothing at all; an empty epoch would be a silent wrong result.
            raise ValueError(
                f"prefetch_factor option should be a positive integer with workers, got {prefetch_factor}: "
                "each worker needs at least one batch in flight"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self._initialized = False
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        generator = as_generator(generator)

        if isinstance(dataset, IterableDataset):
            if shuffle not in {False, None}:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called: int | None = None
        self._iterator: _BaseDataLoaderIter | None = None
        self._initialized = True
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self) -> multiprocessing.context.BaseContext | None:
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context: str | multiprocessing.context.BaseContext | None) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                    f"but got num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        f"multiprocessing_context option should specify a valid start method in {methods!r}, "
                        f"but got multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context object or a string specifying the "
                    f"start method, but got multiprocessing_context={context}"
                )
        self._multiprocessing_context = context

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr in self._FROZEN and getattr(self, "_initialized", False):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _BaseDataLoaderIter:
        if not (self.persistent_workers and self.num_workers > 0):
            return self._get_iterator()
        if self._iterator is None:
            self._iterator = self._get_iterator()
        else:
            self._iterator._reset(self)
        return self._iterator

    def _get_iterator(self) -> _BaseDataLoaderIter:
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            # The dataset's own len (TypeError if it has none), in batches; remembered to warn if it was wrong.
            length = self._IterableDataset_len_called = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)  # type: ignore[arg-type]

    def check_worker_number_rationality(self) -> None:
        """Warn, as torch, when there are more workers than CPUs this process may use."""
        cpus = _suggested_max_workers()
        if self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our suggested max number "
                f"of worker in current system is {cpus}, which is smaller than what this DataLoader is going to "
                "create. Please be aware that excessive worker creation might get DataLoader running slow or even "
                "freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                stacklevel=2,
            )

    def __repr__(self) -> str:
        size = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"  # type: ignore[arg-type]
        return (
            f"DataLoader({type(self.dataset).__name__} of {size}, batch_size={self.batch_size}, "
            f"drop_last={self.drop_last}, num_workers={self.num_workers})"
        )


class _BaseDataLoaderIter:
    """One epoch over a loader: ``next`` gives the next batch."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._iterable = isinstance(loader.dataset, IterableDataset)
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn(
                "pin_memory_device is deprecated, the current accelerator will be used as the device, "
                f"ignore pin_memory_device='{loader.pin_memory_device}'.",
                stacklevel=3,
            )
        if loader.pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, "
                "then device pinned memory won't be used.",
                stacklevel=3,
            )
        self._sampler_iter = iter(self._index_sampler)
        # Drawn at every epoch start, workers or not, so the shuffle order does not depend on num_workers.
        self._base_seed = int(get_rng(loader.generator).integers(0, 2**63 - 1))
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._num_yielded = 0

    def __iter__(self) -> _BaseDataLoaderIter:
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self) -> Any:
        return next(self._sampler_iter)  # StopIteration ends the epoch

    def _next_data(self) -> Any:
        raise NotImplementedError

    def __next__(self) -> Any:
        data = self._next_data()
        self._num_yielded += 1
        if self._iterable and self._IterableDataset_len_called is not None:
            if self._num_yielded > self._IterableDataset_len_called:
                msg = (
                    f"Length of IterableDataset {self._dataset} was reported to be "
                    f"{self._IterableDataset_len_called} (when accessing len(dataloader)), but {self._num_yielded} "
                    "samples have been fetched. "
                )
                if self._num_workers > 0:
                    msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                            "IterableDataset replica at each worker (see IterableDataset's docstring).")
                warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)  # type: ignore[arg-type]


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            # torch's AssertionError, raised here as there.
            raise AssertionError(
                f"DataLoader: timeout={self._timeout} needs num_workers > 0 (it bounds the wait for a worker's "
                "batch); set timeout=0 or use workers"
            )
        self._fetcher = create_fetcher(self._dataset, self._auto_collation, self._collate_fn, self._drop_last)

    def _next_data(self) -> Any:
        return self._fetcher.fetch(self._next_index())  # either may raise StopIteration: the epoch is over


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Workers fetch and collate; the main process hands out batches of indices round-robin, at most
    ``prefetch_factor`` per worker in flight, and yields the results in task order (``in_order``)."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch_factor: int = loader.prefetch_factor  # type: ignore[assignment]
        self._in_order = loader.in_order
        self._shutdown = False
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_result_queue = context.Queue()
        self._workers_done_event = context.Event()
        self._index_queues: list[Any] = []
        self._workers: list[Any] = []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()  # never block interpreter exit on tasks nobody will read
            worker = context.Process(
                target=_worker_loop,
                args=(self._dataset, index_queue, self._worker_result_queue, self._workers_done_event,
                      self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                      loader.worker_init_fn, worker_id, self._num_workers),
                daemon=True,
            )
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # the next task to hand out
        self._rcvd_idx = 0  # the next task to yield
        self._task_info: dict[int, tuple[Any, ...]] = {}  # task -> (worker,) while pending, (worker, data) when done
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers  # False once a worker's IterableDataset copy ran out
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: a new epoch; results of the last one's tasks are dropped
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            waiting = self._num_workers
            while waiting > 0:
                task, _ = self._get_data()
                waiting -= isinstance(task, _ResumeIteration)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout: float = STATUS_CHECK_INTERVAL) -> tuple[bool, Any]:
        try:
            return True, pickle.loads(self._worker_result_queue.get(timeout=timeout))
        except queue.Empty:
            dead = [w for w, alive in zip(self._workers, self._workers_status, strict=True)
                    if alive and not w.is_alive()]
            if dead:
                self._shutdown_workers()
                pids = ", ".join(str(w.pid) for w in dead)
                codes = ", ".join(str(w.exitcode) for w in dead)
                raise RuntimeError(
                    f"DataLoader worker (pid(s) {pids}) exited unexpectedly (exit code(s) {codes}); a crash in "
                    "native code or running out of memory can do this, try num_workers=0 to see the error"
                ) from None
            return False, None

    def _get_data(self) -> tuple[Any, Any]:
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            ok, data = self._try_get_data()
            if ok:
                return data

    def _next_data(self) -> Any:
        while True:
            # Skip tasks that will never be answered: those of workers whose IterableDataset copy ran out.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:  # it came early and waited for its turn
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1])
            task, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if task == self._rcvd_idx or not self._in_order:
                del self._task_info[task]
                self._rcvd_idx += task == self._rcvd_idx
                return self._process_data(data)
            self._task_info[task] += (data,)

    def _try_put_index(self) -> None:
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker's stream has run out
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data: Any) -> Any:
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id: int) -> None:
        self._index_queues[worker_id].put(None)  # the worker exits when it reads this
        self._workers_status[worker_id] = False

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id, alive in enumerate(self._workers_status):
                if alive or self._persistent_workers:
                    self._mark_worker_as_unavailable(worker_id)
            for worker in self._workers:
                worker.join(timeout=_SHUTDOWN_JOIN_TIMEOUT)  # then terminated: it is stuck in user code
            for index_queue in self._index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
        finally:
            for worker in self._workers:
                if worker.is_alive():
                    worker.terminate()

    def __del__(self) -> None:
        if hasattr(self, "_workers_status"):
            self._shutdown_workers()
