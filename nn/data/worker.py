"""What runs inside a ``DataLoader`` worker process, and ``get_worker_info`` (torch's ``_utils/worker.py``).

A worker takes ``(task, indices)`` from its own index queue, fetches and collates the batch with the same fetcher
the main process would use, and puts ``(task, batch)`` on the result queue shared by all workers. It is seeded
from the loader's base seed before anything else runs: ``autograd.random``, Python's ``random`` and numpy's
legacy global generator, as torch seeds its own, Python's and numpy's.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd.random

from .dataset import IterableDataset
from .fetch import create_fetcher

# How often a worker checks that the main process is alive, and the main process that its workers are.
STATUS_CHECK_INTERVAL = 0.25


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker (read-only).

    Attributes:
        id: this worker's number, ``0 <= id < num_workers``.
        num_workers: how many workers the loader runs.
        seed: the seed this worker's random generators were given: the loader's base seed plus ``id``.
        dataset: this worker's copy of the dataset (a different object from the main process's).
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Information about the ``DataLoader`` worker this is called in, or None in the main process.

    Use it in an ``IterableDataset``'s ``__iter__`` or in a ``worker_init_fn`` to give each worker its own
    share of the data, or its own seed for a library the loader does not seed.
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's copy of an IterableDataset has run out."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Start a new epoch (persistent workers): make a new fetcher, and acknowledge."""


class _KeyErrorMessage(str):
    """A KeyError shows its message with repr(); this str's repr is itself, so the traceback stays readable."""

    def __repr__(self) -> str:
        return str(self)


class ExceptionWrapper:
    """An exception caught in a worker, with its traceback as text, to be raised again in the main process."""

    def __init__(self, exc_info: Any = None, where: str = "in background") -> None:
        exc_info = sys.exc_info() if exc_info is None else exc_info
        self.exc_type: type[BaseException] = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        """Raise the same type of exception here, its message naming where it happened and the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            raise KeyError(_KeyErrorMessage(msg))
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type that cannot be built from a message alone
            raise RuntimeError(msg) from None
        raise exception


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """torch's seed for numpy in worker ``worker_id``: four uint32 words mixed from both numbers (numpy's
    SeedSequence hashing), so workers' numpy streams differ even though base_seed + id are neighbours."""
    mask32 = 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask32, base_seed >> 32, 0]
    hash_const_a = 0x43B0D7E5

    def hash_(value: int) -> int:
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & mask32
        hash_const_a = (hash_const_a * 0x931E8875) & mask32
        value = (value * hash_const_a) & mask32
        return (value ^ (value >> 16)) & mask32

    def mix(x: int, y: int) -> int:
        result = ((0xCA01F9DD * x) - (0x4973F715 * y)) & mask32
        return (result ^ (result >> 16)) & mask32

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b, state = 0x8B51F9DD, []
    for value in pool:
        value = (value ^ hash_const_b) & mask32
        hash_const_b = (hash_const_b * 0x58F38DED) & mask32
        value = (value * hash_const_b) & mask32
        state.append((value ^ (value >> 16)) & mask32)
    return state


def _describe_task(task: int, index: Any, iterable: bool) -> str:
    if iterable:
        return f"batch {task} (from its copy of the IterableDataset)"
    if isinstance(index, list):
        shown = ", ".join(str(i) for i in index[:8]) + (", ..." if len(index) > 8 else "")
        return f"batch {task} (dataset indices [{shown}])"
    return f"batch {task} (dataset index {index!r})"


def _send(data_queue: Any, task: Any, data: Any, worker_id: int) -> None:
    # Pickle here rather than in the queue's feeder thread: there a failure is only printed, and the main process
    # would wait for the batch forever.
    try:
        payload = pickle.dumps((task, data), pickle.HIGHEST_PROTOCOL)
    except Exception:
        if isinstance(data, ExceptionWrapper):  # the exception's own type cannot be pickled: send its text
            data.exc_type = RuntimeError
        else:
            data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id} sending batch {task} back")
        payload = pickle.dumps((task, data), pickle.HIGHEST_PROTOCOL)
    data_queue.put(payload)


def _worker_loop(
    dataset: Any,
    index_queue: Any,
    data_queue: Any,
    done_event: Any,
    auto_collation: bool,
    collate_fn: Callable[[Any], Any],
    drop_last: bool,
    base_seed: int,
    init_fn: Callable[[int], None] | None,
    worker_id: int,
    num_workers: int,
) -> None:
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        autograd.random.manual_seed(seed)
        np.random.seed(_generate_state(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        iterable = isinstance(dataset, IterableDataset)
        fetcher, init_exception = None, None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id} (in worker_init_fn)")
        iteration_end, parent = False, os.getppid()
        while os.getppid() == parent:  # the main process died (killed) if we were re-parented
            try:
                r = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                # Shut down without waiting for the None: when the loader is freed by the garbage collector, its
                # queues' feeder threads may be closed before it sends the None.
                if done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                _send(data_queue, r, None, worker_id)
                iteration_end = False
                fetcher = create_fetcher(dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            task, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable:
                        data, iteration_end = _IterableDatasetStopIteration(worker_id), True
                    else:
                        what = _describe_task(task, index, iterable)
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id} while fetching {what}")
            _send(data_queue, task, data, worker_id)
            del data, index, r  # do not hold the last batch while waiting for the next task
    except KeyboardInterrupt:
        pass  # the main process sees the interrupt too and shuts the workers down
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()

