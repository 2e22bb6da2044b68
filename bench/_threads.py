"""Thread settings for the benchmarks: every library at its default thread count, or every library on one thread.

A user runs each library at its defaults (pathgrad's kernels, NumPy's OpenBLAS and torch each use all cores), so
that is the headline comparison; one thread each is printed beside it. Both settings are switched at run time, in one
process, so the two views are timed alternately under the same machine load: pathgrad through ``set_num_threads``,
torch through ``torch.set_num_threads``, and NumPy's OpenBLAS through its C API (``openblas_set_num_threads``, found
by ``autograd.parallel`` in the OpenBLAS library NumPy loaded). The defaults are what each library chose at
start-up, so no ``*_NUM_THREADS`` environment variable should be set before running the benchmarks unless you mean
to change those defaults.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import autograd
from autograd import parallel

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Threads:
    """Switches pathgrad, NumPy's OpenBLAS and (once imported) torch between their defaults and one thread."""

    def __init__(self) -> None:
        self.blas = parallel._blas  # (get, set) of NumPy's OpenBLAS thread count, or None
        self.pathgrad = autograd.get_num_threads()
        self.openblas = self.blas[0]() if self.blas else None
        self.torch: int | None = None

    def _torch(self):
        torch = sys.modules.get("torch")
        if torch is not None and self.torch is None:
            self.torch = torch.get_num_threads()  # its default: nothing has changed it before the first switch
        return torch

    def one(self) -> None:
        self._set(1, 1, 1)

    def default(self) -> None:
        self._torch()
        self._set(self.pathgrad, self.openblas, self.torch)

    def _set(self, ours: int, blas: int | None, torch_n: int | None) -> None:
        torch = self._torch()
        if autograd.get_num_threads() != ours:
            autograd.set_num_threads(ours)
        if self.blas and blas and self.blas[0]() != blas:
            self.blas[1](blas)
        if torch is not None and torch_n and torch.get_num_threads() != torch_n:
            torch.set_num_threads(torch_n)

    def describe(self) -> str:
        self._torch()
        blas = "not found" if self.openblas is None else str(self.openblas)
        torch = "" if self.torch is None else f", torch {self.torch}"
        return f"{CORES} cores; default threads: pathgrad {self.pathgrad}, NumPy's OpenBLAS {blas}{torch}"


THREADS = Threads()


def both(fns: dict[str, Callable[[], object]]) -> tuple[dict[str, Callable[[], object]], dict[str, Callable[[], None]]]:
    """Each function twice: under its own name at the default thread counts and as "<name> 1T" on one thread; and
    the setup each needs before its turn (for ``_common.timed``'s ``setup``)."""
    out, setup = {}, {}
    for name, fn in fns.items():
        out[name], setup[name] = fn, THREADS.default
        out[f"{name} 1T"], setup[f"{name} 1T"] = fn, THREADS.one
    return out, setup
