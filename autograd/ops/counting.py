"""``bincount``: how often each non-negative integer occurs (or the sum of its weights)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """Counts as int64; with ``weights``, their sums: float32 for float32 weights, else float64 (as torch).
    Not differentiable (torch does not differentiate it either)."""
    x = input.array
    if x.ndim != 1 or x.dtype.kind not in "iub" or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs (got shape {tuple(x.shape)}, "
                           f"dtype {x.dtype})")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return Tensor._make(np.bincount(x, minlength=minlength).astype(np.int64))
    w: Any = weights.array
    if w.shape != x.shape:
        raise RuntimeError(f"bincount: weights should be 1-d and have the same length as input (input shape "
                           f"{tuple(x.shape)}, weights shape {tuple(w.shape)})")
    out = np.bincount(x, weights=w, minlength=minlength)
    return Tensor._make(out.astype(np.float32) if w.dtype == np.float32 else out)
