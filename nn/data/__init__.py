"""pathgrad.nn.data: ``torch.utils.data``'s contract (datasets, loaders, splits) and offline datasets."""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .datasets import Digits, load_digits, make_blobs, make_circles, make_moons, make_spirals
from .idx import MNIST, read_idx, write_idx

__all__ = [
    "MNIST",
    "DataLoader",
    "Dataset",
    "Digits",
    "Subset",
    "TensorDataset",
    "default_collate",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "random_split",
    "read_idx",
    "write_idx",
]
