"""pathgrad.nn.data: everything ``torch.utils.data`` exports (datasets, samplers, loader, collation, workers), and
offline datasets."""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .datasets import Digits, load_digits, make_blobs, make_circles, make_moons, make_spirals
from .idx import MNIST, read_idx, write_idx
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .text import make_sentences
from .worker import get_worker_info

__all__ = [
    "MNIST",
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "Digits",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_sentences",
    "make_spirals",
    "random_split",
    "read_idx",
    "write_idx",
]
