"""``torch.utils.data``'s datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split``.

A dataset is anything with ``__getitem__(i)`` and ``__len__()``. A dataset that holds whole arrays in memory
may also define ``fetch_batch(indices)``, returning one numpy array per field with the batch on axis 0;
``DataLoader`` then gathers a batch with one fancy index per field instead of ``batch_size`` calls to
``__getitem__``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.random import Generator, get_rng


class Dataset:
    """Base class for map-style datasets: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


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
            raise ValueError(
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
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)
        # Keep the DataLoader fast path through random_split: offer fetch_batch if the wrapped dataset does.
        if hasattr(dataset, "fetch_batch"):
            self._index_array = np.asarray(self.indices, dtype=np.int64)
            self.fetch_batch = self._fetch_batch

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def _fetch_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        return self.dataset.fetch_batch(self._index_array[indices])


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
