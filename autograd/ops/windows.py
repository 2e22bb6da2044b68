"""``Tensor.unfold(dim, size, step)``: every window of ``size`` elements along ``dim``, ``step`` apart, as a new
last dim (a view: the windows share x's memory, overlapping ones too)."""

from __future__ import annotations

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import norm_dims


class Unfold(Op):
    """z[..., w, ..., k] = x[..., w·step + k, ...] (w along dim, k the new last dim).
    x̄ = the sum over windows of z̄ put back where each window came from (overlapping windows add up)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.window = x.shape, (dim, size, step)
        n = (x.shape[dim] - size) // step + 1 if x.ndim else 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (x.strides[dim],) if x.ndim \
            else (0,)
        return np.lib.stride_tricks.as_strided(x, shape if x.ndim else (size,), strides, writeable=True)

    @staticmethod
    def backward(ctx, grad):
        return UnfoldBackward.apply(grad, ctx.shape, *ctx.window), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Unfold.apply(t, *ctx.window)


class UnfoldBackward(Op):
    """z = zeros(shape) with each window of g added back in place (Unfold's backward).   ḡ = unfold(z̄)."""

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.window = (dim, size, step)
        out = np.zeros(shape, dtype=g.dtype)
        if not shape:
            return out + g.sum()
        g = np.moveaxis(g, -1, dim + 1)  # (..., window, k, ...): k beside the window index
        for k in range(size):  # size is small (a window); each pass adds one offset of every window at once
            index = (slice(None),) * dim + (slice(k, k + step * (g.shape[dim] - 1) + 1, step),)
            out[index] += np.take(g, k, axis=dim + 1)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, *ctx.window), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return UnfoldBackward.apply(t, ctx.shape, *ctx.window)


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    (dim,) = norm_dims(dimension, x.ndim) if x.ndim else (0,)
    length = x.shape[dim] if x.ndim else 1
    if size > length:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    return Unfold.apply(x, dim, size, step)
