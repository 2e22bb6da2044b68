"""``quantile`` and ``nanquantile``: the q-th quantile along a dim, interpolating between the two order statistics
around position q·(n−1), as torch (and NumPy) define it. Differentiable: the value is a lerp of two gathered
elements of the sorted input, so the gradient goes to those two elements (ties resolved by the stable sort)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import norm_dims
from .elementwise import where
from .pointwise import lerp
from .shape import gather
from .sort import sort

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _positions(pos: np.ndarray, interpolation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower index, upper index, weight of the upper) for fractional positions ``pos``."""
    lo, hi = np.floor(pos), np.ceil(pos)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":  # round half to even, as torch
        lo = hi = np.round(pos)
    weight = {"linear": pos - lo, "midpoint": np.where(hi > lo, 0.5, 0.0)}.get(interpolation, np.zeros_like(pos))
    return lo.astype(np.int64), hi.astype(np.int64), weight


def _quantile(op: str, input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str,  # noqa: A002
              ignore_nan: bool) -> Tensor:
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got {input.dtype}")
    q_arr = np.asarray(q.array if isinstance(q, Tensor) else q, dtype=np.float64)
    if q_arr.ndim > 1:
        raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {q_arr.shape}")
    if np.any((q_arr < 0) | (q_arr > 1)):
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q_arr.tolist()}")
    if interpolation not in _MODES:
        raise RuntimeError(f"{op}() interpolation must be one of {', '.join(_MODES)}. Got {interpolation!r}")
    if input.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    x = input.reshape(-1) if dim is None else input.movedim(norm_dims(dim, input.ndim)[0] if input.ndim else 0, -1)
    if x.ndim == 0:
        x = x.reshape(1)
    s = sort(x, dim=-1, stable=True).values  # NaNs last
    n = s.shape[-1]
    nan = np.isnan(s.array)
    count = (n - nan.sum(-1, keepdims=True)) if ignore_nan else np.full(s.shape[:-1] + (1,), n)
    qs = q_arr.astype(s.dtype).reshape((-1,) + (1,) * s.ndim)  # (Q, ..., 1); positions in the input's dtype, as torch
    lo, hi, w = _positions(qs * np.maximum(count - 1, 0).astype(s.dtype), interpolation)
    expanded = s.expand(qs.shape[:1] + tuple(s.shape))
    out = lerp(gather(expanded, -1, lo), gather(expanded, -1, hi), Tensor._make(w.astype(s.dtype)))
    undefined = (count == 0) if ignore_nan else nan.any(-1, keepdims=True)
    out = where(np.broadcast_to(undefined, out.shape), np.nan, out).squeeze(-1)  # (Q, ...)
    if keepdim:
        out = out.reshape(out.shape[:1] + (1,) * input.ndim) if dim is None else out.unsqueeze(
            norm_dims(dim, input.ndim)[0] + 1 if input.ndim else 1)
    return out if q_arr.ndim == 1 else out.squeeze(0)


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles (q a float or a 1-D tensor, whose quantiles come first in the result); NaN where the
    slice holds a NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring NaNs (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)
