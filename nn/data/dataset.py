"""``torch.utils.data``'s datasets: map-style ``Dataset`` and its combinators, ``IterableDataset``, ``random_split``.

A map-style dataset is anything with ``__getitem__(i)`` (and usually ``__len__()``); it may also define
``__getitems__(indices)`` (torch's batched fetch: a list of samples), or, pathgrad's fast path, ``fetch_batch(indices)``
returning one numpy array per field with the batch on axis 0: ``DataLoader`` with the default collation then
gathers a batch with one fancy index per field instead of ``batch_size`` calls to ``__getitem__``. An
``IterableDataset`` is a stream: it defines ``__iter__``.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.random import Generator, get_rng


class SizeMismatchError(ValueError, AssertionError):
    """Tensors of different lengths: an AssertionError as torch's, and a ValueError as pathgrad's first edition."""


class Dataset:
    """Base class for map-style datasets: subclasses define ``__getitem__(index)`` and usually ``__len__()``.

    ``dataset_a + dataset_b`` is their ``ConcatDataset``.
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class for datasets that are streams: subclasses define ``__iter__()``.

    With ``num_workers > 0`` every worker iterates its own copy of the dataset, so unless each copy reads a
    different part of the stream every sample comes once per worker. Shard in ``__iter__`` with
    ``get_worker_info()`` (None in the main process; else ``id`` and ``num_workers``), or set up each copy
    (``get_worker_info().dataset``) in the loader's ``worker_init_fn``. ``stream_a + stream_b`` is their
    ``ChainDataset``.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the i-th rows of the given tensors: ``dataset[i] == (t0[i], t1[i], ...)``.

    Accepts ``Tensor``s or numpy arrays (arrays keep their dtype). The rows are data, not part of any graph:
    items and batches are new tensors that do not require grad.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors)
        # Index the numpy arrays directly: cheaper than going through Tensor indexing, and records no graph.
        self._arrays = tuple(np.asarray(t.array) for t in self.tensors)
        if any(a.ndim == 0 for a in self._arrays):
            shapes = [a.shape for a in self._arrays]
            raise ValueError(f"TensorDataset: every tensor needs a first (sample) dimension; got {shapes}")
        sizes = [a.shape[0] for a in self._arrays]
        if len(set(sizes)) != 1:
            raise SizeMismatchError(
                f"TensorDataset: size mismatch between tensors: first dimensions are {tuple(sizes)}; "
                "every tensor needs the same number of samples"
            )

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor(np.asarray(a[index])) for a in self._arrays)

    def __len__(self) -> int:
        return self._arrays[0].shape[0]

    def fetch_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """Rows ``indices`` of every field, one fancy index each (the ``DataLoader`` fast path)."""
        return tuple(a[indices] for a in self._arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    As torch's: a subclass that overrides ``__getitem__`` must override ``__getitems__`` too (``DataLoader`` fetches
    batches through ``__getitems__``, which would skip the override).
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__; DataLoader fetches batches "
                "through __getitems__, so define it too, e.g. "
                "def __getitems__(self, indices): return [self[i] for i in indices]"
            )
        # Keep the DataLoader fast path through random_split: offer fetch_batch if the wrapped dataset does.
        if hasattr(dataset, "fetch_batch"):
            self._index_array = np.asarray(self.indices, dtype=np.int64)
            self.fetch_batch = self._fetch_batch

    def __getitem__(self, index: int | list[int]) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at ``indices`` (through the wrapped dataset's ``__getitems__`` when it has one)."""
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def _fetch_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        return self.dataset.fetch_batch(self._index_array[indices])


class ConcatDataset(Dataset):
    """The samples of ``datasets`` one after the other: index ``len(datasets[0])`` is ``datasets[1][0]``."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        # torch raises AssertionError for these two.
        if not self.datasets:
            raise AssertionError("ConcatDataset: datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise AssertionError(
                    f"ConcatDataset does not support IterableDataset (datasets[{i}] is a {type(d).__name__}); "
                    "use ChainDataset to chain streams"
                )
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence: Iterable[Dataset]) -> list[int]:
        """The running totals of the datasets' lengths."""
        totals, total = [], 0
        for d in sequence:
            total += len(d)
            totals.append(total)
        return totals

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError(f"ConcatDataset: absolute value of index {idx} should not exceed dataset length {n}")
            idx += n
        if idx >= n:
            raise IndexError(f"ConcatDataset: index {idx} is out of range for a dataset of length {n}")
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        return self.datasets[which][idx - (self.cumulative_sizes[which - 1] if which else 0)]


class ChainDataset(IterableDataset):
    """The streams of ``datasets`` (``IterableDataset``s) one after the other, chained as they are read."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    @staticmethod
    def _check(d: Dataset) -> None:
        if not isinstance(d, IterableDataset):
            raise AssertionError(
                f"ChainDataset only supports IterableDataset, got a {type(d).__name__}; use ConcatDataset for "
                "map-style datasets"
            )

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            self._check(d)
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            self._check(d)
            total += len(d)  # type: ignore[arg-type]
        return total


class StackDataset(Dataset):
    """Datasets side by side: ``StackDataset(a, b)[i] == (a[i], b[i])``, ``StackDataset(x=a, y=b)[i] == {"x": a[i],
    "y": b[i]}``. The datasets must have the same length."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset: supported either tuple- (via args) or dict- (via kwargs) like input/output, "
                "but both types are given"
            )
        if not args and not kwargs:
            raise ValueError("StackDataset: at least one dataset should be passed")
        self.datasets: tuple[Dataset, ...] | dict[str, Dataset] = args or kwargs
        parts = args or tuple(kwargs.values())
        self._length = len(parts[0])  # type: ignore[arg-type]
        lengths = [len(d) for d in parts]  # type: ignore[arg-type]
        if any(n != self._length for n in lengths):
            raise ValueError(f"StackDataset: size mismatch between datasets: lengths {lengths}")

    def __getitem__(self, index: int) -> tuple[Any, ...] | dict[str, Any]:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    @staticmethod
    def _items(dataset: Dataset, indices: list[int]) -> list[Any]:
        getitems = getattr(dataset, "__getitems__", None)
        if not callable(getitems):
            return [dataset[i] for i in indices]
        items = getitems(indices)
        if len(items) != len(indices):
            raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(items)}")
        return items

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at ``indices``, fetching through each part's ``__getitems__`` when it has one."""
        if isinstance(self.datasets, dict):
            columns = {k: self._items(d, indices) for k, d in self.datasets.items()}
            return [{k: col[j] for k, col in columns.items()} for j in range(len(indices))]
        return list(zip(*(self._items(d, indices) for d in self.datasets), strict=True))

    def __len__(self) -> int:
        return self._length


def as_generator(generator: Generator | int | None) -> Generator | None:
    """``generator`` itself, a new ``Generator(seed)`` for an int, or None for the default generator."""
    if generator is None or isinstance(generator, Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return Generator(int(generator))
    raise TypeError(f"generator must be an autograd.random.Generator, an int seed or None, got {generator!r}")


def random_split(
    dataset: Dataset, lengths: Sequence[int | float], generator: Generator | int | None = None
) -> list[Subset]:
    """Split ``dataset`` at random into disjoint ``Subset``s of the given lengths, which together cover it.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1; as in torch,
    fractional lengths are floored and the samples left over are dealt out one each to the splits in order.
    Draws from ``generator`` (or the default generator, so ``autograd.manual_seed`` makes it reproducible).
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is {frac}, not between 0 and 1")
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0", stacklevel=2)
        lengths = counts
    if any(int(k) != k or k < 0 for k in lengths):
        raise ValueError(
            f"random_split: lengths must be non-negative integers or fractions summing to 1, got {lengths}"
        )
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the dataset has {n} samples")
    perm = get_rng(as_generator(generator)).permutation(n).tolist()
    splits, offset = [], 0
    for k in lengths:
        splits.append(Subset(dataset, perm[offset : offset + int(k)]))
        offset += int(k)
    return splits
