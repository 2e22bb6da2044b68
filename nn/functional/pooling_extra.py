"""Adaptive pooling to a fixed output size: ``adaptive_avg_pool1d``, ``adaptive_max_pool1d/2d``.

The bins split each spatial dim of size n into ``out`` ranges [⌊i·n/out⌋, ⌈(i+1)·n/out⌉), as torch's do (and as
``adaptive_avg_pool2d`` in pooling.py). Averaging is then a constant matrix product, x·Pᵀ; max pooling picks, in
each bin, the position of the first maximum and *gathers* x there — so its gradient goes to that position only,
and since a gather is linear in x, it is differentiable to any order (the positions are constants).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor, from_numpy

from .pooling import _adaptive_matrix


def _bins(n: int, out: int) -> list[tuple[int, int]]:
    return [((i * n) // out, -(-((i + 1) * n) // out)) for i in range(out)]


def _sizes(op: str, x: Tensor, output_size: Any, nd: int) -> tuple[int, ...]:
    if output_size is None and nd == 1:
        raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, not NoneType")
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,) * nd
    if len(sizes) != nd:
        raise RuntimeError(f"{op}(): internal error: output_size.size() must be {nd} (got {output_size!r})")
    return tuple(n if s is None else int(s) for s, n in zip(sizes, x.shape[x.ndim - nd:]))


def _check(op: str, x: Tensor, nd: int) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}")
    if any(n == 0 for n in x.shape[x.ndim - nd - 1:]):
        raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(x.shape)}")


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """Average (N, C, L) or (C, L) over ``output_size`` bins of L: x · Pᵀ with a constant averaging matrix P."""
    _check("adaptive_avg_pool1d", input, 1)
    (out,) = _sizes("adaptive_avg_pool1d", input, output_size, 1)
    return input @ from_numpy(np.ascontiguousarray(_adaptive_matrix(input.shape[-1], out, input.dtype).T))


def _argmax_bins(x: np.ndarray, out: tuple[int, ...]) -> np.ndarray:
    """Flat index (h·W + w, over the last len(out) dims) of each bin's first maximum: (..., *out). A loop over the
    bins only; a NaN counts as the maximum, so it propagates."""
    nd = len(out)
    lead, sizes = x.shape[:-nd], x.shape[-nd:]
    flat = np.arange(int(np.prod(sizes))).reshape(sizes)
    idx = np.zeros(lead + out, dtype=np.int64)
    for pos in np.ndindex(*out):
        box = tuple(slice(*_bins(n, o)[p]) for n, o, p in zip(sizes, out, pos))
        region = x[(...,) + box].reshape(*lead, -1)
        nan = np.isnan(region)
        arg = np.where(nan.any(-1), np.argmax(nan, axis=-1), np.argmax(region, axis=-1))
        idx[(...,) + pos] = flat[box].reshape(-1)[arg]
    return idx


def _adaptive_max(op: str, x: Tensor, output_size: Any, nd: int, return_indices: bool) -> Any:
    _check(op, x, nd)
    out = _sizes(op, x, output_size, nd)
    lead = tuple(x.shape[:-nd])
    idx = _argmax_bins(x.array, out)
    if min(out) == 0:
        y = autograd.zeros(*lead, *out, dtype=x.dtype)
    else:
        y = autograd.gather(x.reshape(*lead, -1), -1, idx.reshape(*lead, -1)).reshape(*lead, *out)
    return (y, from_numpy(idx)) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size: int | tuple[int], return_indices: bool = False) -> Any:
    """Max of (N, C, L) or (C, L) over ``output_size`` bins of L (and the positions, with return_indices)."""
    return _adaptive_max("adaptive_max_pool1d", input, output_size, 1, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max of (N, C, H, W) or (C, H, W) over an output_size grid of bins (None keeps that dim); indices are flat,
    h·W + w, as torch's."""
    return _adaptive_max("adaptive_max_pool2d", input, output_size, 2, return_indices)
