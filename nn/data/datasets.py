"""Datasets that need no network: the bundled UCI handwritten digits, and generated 2-D toy problems.

The generators follow ``sklearn.datasets.make_*`` (same parameters and geometry) but return float32 ``X``
and int64 ``y``, ready for ``TensorDataset``. ``random_state`` may be an int seed, an
``autograd.random.Generator``, or None for the shared generator (so ``autograd.manual_seed`` makes them
reproducible).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from autograd.random import Generator, get_rng

from .dataset import TensorDataset, as_generator

RandomState = int | Generator | None


def _rng(random_state: RandomState) -> np.random.Generator:
    return get_rng(as_generator(random_state))


def _finish(X: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    return X.astype(np.float32), y.astype(np.int64)


@lru_cache(maxsize=1)
def _read_digits() -> np.ndarray:
    # Read through importlib.resources so it works from an installed copy, not only from the source tree.
    raw = (resources.files(__package__) / "_files" / "digits.csv.gz").read_bytes()
    return np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical-recognition handwritten digits: 1,797 8×8 images of the digits 0–9.

    Returns ``(X, y)``: ``X`` float32 of shape (1797, 64), pixel counts 0..16 in row-major order (reshape to
    (-1, 8, 8) to see the images); ``y`` int64 labels 0..9. Bundled with the package (CC BY 4.0, Alpaydin &
    Kaynak, UCI ML repository; see ``nn/data/_files/README.md``); nothing is downloaded.
    """
    table = _read_digits()
    return table[:, :64].astype(np.float32), table[:, 64].copy()


class Digits(TensorDataset):
    """``load_digits()`` as a dataset of ``(image, label)``: images of shape (64,), or (1, 8, 8) with
    ``as_images=True`` (channel first, for ``Conv2d``). Pixels are 0..16; divide by 16 to scale to [0, 1]."""

    classes = list(range(10))

    def __init__(self, as_images: bool = False) -> None:
        X, y = load_digits()
        super().__init__(X.reshape(-1, 1, 8, 8) if as_images else X, y)


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: RandomState = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (``sklearn.datasets.make_moons``).

    ``n_samples`` is the total (class 1, the lower moon, gets the odd one) or a pair ``(n_upper, n_lower)``;
    ``noise`` is the standard deviation of Gaussian noise added to the points. Returns ``X`` (n, 2) and
    ``y`` (n,).
    """
    n_out, n_in = (n_samples // 2, n_samples - n_samples // 2) if isinstance(n_samples, int) else n_samples
    rng = _rng(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    X, y = _finish(X, y, shuffle, rng)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape).astype(np.float32)
    return X, y


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: RandomState = None,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A unit circle (class 0) around a circle of radius ``factor`` (class 1), as ``sklearn``'s.

    ``n_samples`` is the total (the inner circle gets the odd one) or a pair ``(n_outer, n_inner)``; ``noise``
    is the standard deviation of Gaussian noise added to the points. Returns ``X`` (n, 2) and ``y`` (n,).
    """
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor}")
    n_out, n_in = (n_samples // 2, n_samples - n_samples // 2) if isinstance(n_samples, int) else n_samples
    rng = _rng(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    X, y = _finish(X, y, shuffle, rng)
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape).astype(np.float32)
    return X, y


def _split_evenly(n_samples: int, n_parts: int) -> list[int]:
    # As sklearn: equal parts, the first n_samples % n_parts parts one larger.
    return [n_samples // n_parts + (i < n_samples % n_parts) for i in range(n_parts)]


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 3,
    *,
    noise: float = 0.2,
    shuffle: bool = True,
    random_state: RandomState = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The CS231n spiral: ``n_classes`` arms winding out from the origin, one class per arm.

    Arm ``k`` has radius ``r`` from 0 to 1 and angle ``4k + 4r`` radians plus Gaussian noise of standard
    deviation ``noise``; points are ``(r sin t, r cos t)``. ``n_samples`` is the total, split evenly across
    arms (the first arms get the remainder). Not linearly separable: a classic first test for a small MLP.
    """
    if n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be at least 1, got {n_classes}")
    rng = _rng(random_state)
    X, y = [], []
    for k, n in enumerate(_split_evenly(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n) + rng.normal(scale=noise, size=n)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        y.append(np.full(n, k))
    return _finish(np.concatenate(X), np.concatenate(y), shuffle, rng)


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    *,
    centers: int | np.ndarray | Sequence[Sequence[float]] | None = None,
    cluster_std: float | Sequence[float] = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: RandomState = None,
    return_centers: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one class per blob (``sklearn.datasets.make_blobs``).

    ``n_samples`` is the total, split evenly (3 blobs unless ``centers`` says otherwise), or a count per blob.
    ``centers`` is a number of blobs whose centres are drawn uniformly from ``center_box``, or the centres
    themselves; ``cluster_std`` is one standard deviation or one per blob. ``return_centers=True`` also
    returns the centres (float32).
    """
    rng = _rng(random_state)
    per_blob = None if isinstance(n_samples, (int, np.integer)) else [int(n) for n in n_samples]
    if centers is None:
        centers = 3 if per_blob is None else len(per_blob)
    if isinstance(centers, (int, np.integer)):
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2:
        raise ValueError(f"make_blobs: centers must be a count or a 2-D array, got shape {centers.shape}")
    n_centers = centers.shape[0]
    if per_blob is None:
        per_blob = _split_evenly(int(n_samples), n_centers)
    elif len(per_blob) != n_centers:
        raise ValueError(f"make_blobs: {len(per_blob)} sample counts for {n_centers} centers")
    stds = np.asarray(cluster_std, dtype=np.float64)
    if stds.ndim == 0:
        stds = np.full(n_centers, float(stds))
    if stds.shape != (n_centers,):
        raise ValueError(f"make_blobs: {len(stds)} cluster_std values for {n_centers} centers")
    blobs = zip(centers, stds, per_blob, strict=True)
    X = np.concatenate([rng.normal(loc=c, scale=s, size=(n, centers.shape[1])) for c, s, n in blobs])
    y = np.concatenate([np.full(n, i) for i, n in enumerate(per_blob)])
    X, y = _finish(X, y, shuffle, rng)
    return (X, y, centers.astype(np.float32)) if return_centers else (X, y)
