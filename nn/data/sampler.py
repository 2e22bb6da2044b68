"""Samplers, as ``torch.utils.data.sampler``: iterables of dataset indices (or, for ``BatchSampler``, of lists).

Random samplers draw from ``generator`` (an ``autograd.random.Generator``, or an int seed for a private one) or,
when it is None, from the shared generator, so ``autograd.manual_seed`` makes them reproducible. Each
``iter(sampler)`` draws a new order; the draw happens on the first ``next``, as in torch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from autograd import Tensor
from autograd.random import Generator, get_rng

from .dataset import as_generator

T_co = TypeVar("T_co", covariant=True)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Sampler(Generic[T_co]):
    """Base class for samplers: subclasses define ``__iter__`` over indices, and usually ``__len__``."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of ``data_source``'s indices, new at every ``iter``.

    Without ``replacement``: a permutation (``num_samples`` larger than the dataset chains whole permutations,
    then part of one). With ``replacement``: ``num_samples`` (default ``len(data_source)``) independent uniform
    draws.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | int | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = as_generator(generator)
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not _positive_int(self.num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), get_rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order, new at every ``iter`` (without replacement)."""

    def __init__(self, indices: Sequence[int], generator: Generator | int | None = None) -> None:
        self.indices = indices
        self.generator = as_generator(generator)

    def __iter__(self) -> Iterator[int]:
        for i in get_rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices into ``weights``, index ``i`` drawn with probability ``weights[i] / sum(weights)``.

    The weights need not sum to one. Without ``replacement`` an index is drawn at most once (as
    ``torch.multinomial``; zero-weight indices come after all the others), so ``num_samples <= len(weights)``.
    """

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray | Tensor,
        num_samples: int,
        replacement: bool = True,
        generator: Generator | int | None = None,
    ) -> None:
        if not _positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights.array if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights = Tensor(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = as_generator(generator)

    def __iter__(self) -> Iterator[int]:
        w = self.weights.array
        # torch.multinomial's checks, made when drawing as torch makes them.
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            raise RuntimeError(
                f"WeightedRandomSampler: invalid multinomial distribution: weights[{bad[0]}] = {w[bad[0]]}; "
                "weights must be finite and non-negative"
            )
        if not np.any(w > 0):
            raise RuntimeError("WeightedRandomSampler: invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > len(w):
            raise RuntimeError(
                f"WeightedRandomSampler: cannot draw {self.num_samples} samples without replacement from "
                f"{len(w)} weights; lower num_samples or pass replacement=True"
            )
        rng = get_rng(self.generator)
        if self.replacement:
            yield from rng.choice(len(w), size=self.num_samples, p=w / w.sum()).tolist()
            return
        # Without replacement, as torch.multinomial: the smallest Exp(1)/w keys (Efraimidis-Spirakis); zero weights
        # get an infinite key, so they come only after every positive weight, in random order.
        keys = np.full(len(w), np.inf)
        np.divide(rng.exponential(size=len(w)), w, out=keys, where=w > 0)
        yield from np.lexsort((rng.random(len(w)), keys))[: self.num_samples].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``; ``drop_last`` drops a short last list."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not _positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
