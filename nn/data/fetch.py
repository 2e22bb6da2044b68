"""Fetchers: turn what the sampler yields into a collated batch (torch's ``_utils/fetch.py``).

The same code runs in the main process (``num_workers=0``) and in every worker, so a batch does not depend on
where it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor

from .collate import default_collate
from .dataset import IterableDataset


class _MapDatasetFetcher:
    """Batch ``[dataset[i] for i in indices]`` (or ``dataset.__getitems__(indices)``), then collate it."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        fetch_batch = getattr(dataset, "fetch_batch", None)
        # pathgrad's fast path: default collation of a dataset of whole arrays is one fancy index per field.
        self.fetch_batch = fetch_batch if auto_collation and collate_fn is default_collate else None

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.fetch_batch is not None:
            # A list of fields, as default_collate makes of a batch of tuples.
            return [Tensor(field) for field in self.fetch_batch(np.asarray(index, dtype=np.int64))]
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(index) if getitems else [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    """Read ``len(index)`` samples from the dataset's iterator per batch; ``StopIteration`` once it runs dry."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(
    dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any], drop_last: bool
) -> _MapDatasetFetcher | _IterableDatasetFetcher:
    """The fetcher for ``dataset``'s kind (map-style or iterable)."""
    kind = _IterableDatasetFetcher if isinstance(dataset, IterableDataset) else _MapDatasetFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)
