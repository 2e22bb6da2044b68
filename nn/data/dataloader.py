"""``DataLoader`` and ``default_collate``, with ``torch.utils.data``'s semantics (one process, map-style)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, stack
from autograd.random import Generator, get_rng

from .dataset import Dataset, as_generator


def _stack_arrays(arrays: list[np.ndarray], what: str) -> Tensor:
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(
            f"default_collate: cannot stack {what} of different shapes {sorted(shapes)}; "
            "give every sample the same shape, or pass a collate_fn"
        )
    return Tensor(np.stack(arrays))


def default_collate(batch: list[Any]) -> Any:
    """Merge a list of samples into a batch, the way ``torch.utils.data.default_collate`` does.

    Tensors, numpy arrays and numpy scalars are stacked on a new first axis (dtype kept); Python ints become
    an int64 tensor, floats float64, bools bool; strings stay a list. Dicts collate per key, and tuples (named
    or not) and lists per position: ``[(x0, y0), (x1, y1)]`` becomes ``(stack([x0, x1]), stack([y0, y1]))``.
    """
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if not all(isinstance(b, Tensor) for b in batch):
            raise TypeError("default_collate: the batch mixes Tensors with other types")
        shapes = {tuple(b.shape) for b in batch}
        if len(shapes) > 1:
            raise ValueError(
                f"default_collate: cannot stack Tensors of different shapes {sorted(shapes)}; "
                "give every sample the same shape, or pass a collate_fn"
            )
        # autograd.stack, as torch.stack in torch: a sample that requires grad keeps its graph.
        return stack(batch)
    if isinstance(elem, np.ndarray):
        return _stack_arrays([np.asarray(b) for b in batch], "arrays")
    if isinstance(elem, np.generic):
        return Tensor(np.array(batch))
    if isinstance(elem, bool):
        return Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) > 1:
            raise ValueError(f"default_collate: samples have different numbers of fields {sorted(sizes)}")
        fields = [default_collate(list(samples)) for samples in zip(*batch, strict=True)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its field names
            return type(elem)(*fields)
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(
        f"default_collate: don't know how to batch samples of type {type(elem).__name__}; "
        "return Tensors, numpy arrays, numbers, or tuples/lists/dicts of them, or pass a collate_fn"
    )


class DataLoader:
    """Iterate over ``dataset`` in batches, optionally reshuffled every epoch.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch.
        shuffle: draw a new order at the start of every epoch (every ``iter(loader)``).
        drop_last: drop the last batch when it would be smaller than ``batch_size``.
        generator: the ``autograd.random.Generator`` to shuffle with, or an int seed for a private one; by
            default the shared generator, so ``autograd.manual_seed`` makes the order reproducible.
        collate_fn: merges a list of samples into a batch; ``default_collate`` by default.

    With the default collation, a dataset that defines ``fetch_batch`` (``TensorDataset``, and a ``Subset`` of
    one) is batched with one numpy fancy index per field instead of one ``__getitem__`` call per sample.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: Generator | int | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = as_generator(generator)
        self.collate_fn = default_collate if collate_fn is None else collate_fn

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = get_rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        end = n - n % self.batch_size if self.drop_last else n
        fetch_batch = getattr(self.dataset, "fetch_batch", None)
        for start in range(0, end, self.batch_size):
            indices = order[start : start + self.batch_size]
            if fetch_batch is not None and self.collate_fn is default_collate:
                yield tuple(Tensor(field) for field in fetch_batch(indices))
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
