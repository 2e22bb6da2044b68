"""Tensor constructors with torch's names and signatures: tensor, zeros, ones, full, arange, eye, rand, randn, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .random import Generator, get_rng
from .tensor import Tensor, _dims


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (torch.tensor)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a tensor, without copying when it already is one (or an array) of that dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.to_dtype(dtype)):
        return Tensor._make(data)
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return Tensor._make(array)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_dims(size), dtype=dtypes.to_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_dims(size), dtype=dtypes.to_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = dtypes.result_type(fill_value)
    return _make(np.full(tuple(size) if not isinstance(size, int) else (size,), fill_value,
                         dtype=dtypes.to_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t.shape, dtype=t.dtype if dtype is None else dtypes.to_dtype(dtype)), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t.shape, dtype=t.dtype if dtype is None else dtypes.to_dtype(dtype)), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtypes.to_dtype(dtype)),
                 requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (inclusive) to end (exclusive); integer arguments give int64, floats the default dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = dtypes.result_type(start, end, step)
    return _make(np.arange(start, end, step, dtype=dtypes.to_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.linspace(start, end, steps, dtype=dtypes.to_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=dtypes.to_dtype(dtype)), requires_grad)


def _float_dtype(dtype: Any) -> np.dtype:
    d = dtypes.to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"random floats need a floating dtype, got {d}")
    return d


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Uniform samples from [0, 1)."""
    d = _float_dtype(dtype)
    return _make(get_rng(generator).random(_dims(size), dtype=d if d in (np.float32, np.float64) else None)
                 .astype(d, copy=False), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Generator | None = None) -> Tensor:
    """Standard normal samples."""
    d = _float_dtype(dtype)
    return _make(get_rng(generator).standard_normal(_dims(size), dtype=d if d in (np.float32, np.float64) else None)
                 .astype(d, copy=False), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None,
            generator: Generator | None = None) -> Tensor:
    """Integers from low (inclusive) to high (exclusive), int64 by default."""
    if high is None:
        low, high = 0, low
    return Tensor._make(get_rng(generator).integers(low, high, size=tuple(size),
                                                    dtype=dtypes.to_dtype(dtype or np.int64)))


def randperm(n: int, generator: Generator | None = None) -> Tensor:
    return Tensor._make(get_rng(generator).permutation(n).astype(np.int64))


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
