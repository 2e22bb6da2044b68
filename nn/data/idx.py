"""The IDX file format (MNIST's, Fashion-MNIST's), and an ``MNIST`` dataset over files you already have.

An IDX file is a 4-byte magic number ``0x00 0x00 <dtype code> <number of dims>``, then each dimension as a
big-endian uint32, then the values in C order, big-endian. Nothing here downloads anything.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from .dataset import TensorDataset

PathLike = str | os.PathLike

# dtype code → big-endian numpy dtype, from the format's definition (yann.lecun.com/exdb/mnist).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: PathLike) -> bytes:
    raw = Path(path).read_bytes()
    # Go by content, not by name: the MNIST files are passed around both gzipped and not, under either name.
    return gzip.decompress(raw) if raw[:2] == _GZIP_MAGIC else raw


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array of its shape, in native byte order."""
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {path} is not an IDX file (its first two bytes are not zero)")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"read_idx: {path} has unknown dtype code 0x{code:02X} (known: {known})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} ends inside its header ({ndim} dimensions declared)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"read_idx: {path} declares shape {shape} of {dtype.name}, which is {expected} bytes of data, "
            f"but holds {len(raw) - header}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native-order, writable copy


def write_idx(path: PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzipped if ``path`` ends in ``.gz``); ``read_idx`` reads it back."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise ValueError(f"write_idx: IDX has no code for dtype {array.dtype} (it stores {list(codes)})")
    if array.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, codes[native], array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=IDX_DTYPES[codes[native]]).tobytes()
    Path(path).write_bytes(gzip.compress(payload) if str(path).endswith(".gz") else payload)


class MNIST(TensorDataset):
    """MNIST-format images and labels from local IDX files, as ``(image, label)`` samples.

    Images become float32 scaled to [0, 1] (as torchvision's ``ToTensor``), shape (1, H, W), or (H*W,) with
    ``flatten=True``; labels int64. Works for any data set in the format (Fashion-MNIST, KMNIST, ...).
    """

    TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

    def __init__(self, images: PathLike, labels: PathLike, flatten: bool = False) -> None:
        x, y = read_idx(images), read_idx(labels)
        if x.ndim != 3 or y.ndim != 1:
            raise ValueError(
                f"MNIST: expected images of shape (N, H, W) and labels of shape (N,); got {x.shape} and {y.shape}"
            )
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"MNIST: {x.shape[0]} images in {images} but {y.shape[0]} labels in {labels}")
        # uint8 pixels are 0..255; other pixel types are taken as already scaled.
        x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
        x = x.reshape(len(x), -1) if flatten else x[:, None]
        super().__init__(x, y.astype(np.int64))

    @classmethod
    def from_dir(cls, root: PathLike, train: bool = True, flatten: bool = False) -> MNIST:
        """Load the files with the standard names (``train-images-idx3-ubyte`` etc., optionally ``.gz``)
        from ``root`` or from torchvision's ``root/MNIST/raw``."""
        folders = [Path(root), Path(root) / "MNIST" / "raw"]
        found = []
        for name in cls.TRAIN_FILES if train else cls.TEST_FILES:
            candidates = [folder / (name + ext) for folder in folders for ext in ("", ".gz")]
            hit = next((c for c in candidates if c.is_file()), None)
            if hit is None:
                tried = ", ".join(str(c) for c in candidates)
                raise FileNotFoundError(f"MNIST: no {name} file found (tried {tried}); nothing is downloaded")
            found.append(hit)
        return cls(found[0], found[1], flatten=flatten)
