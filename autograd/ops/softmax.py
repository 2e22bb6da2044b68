"""Softmax and log-softmax: vector activations, each computed stably by shifting by the row maximum."""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import exp, norm_dims, saved_values, sum_keepdim


class Softmax(Function):
    """yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along dim.   ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ), so x̄ = y ⊙ (ȳ − Σⱼ ȳⱼ yⱼ)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x.array - x.array.max(axis=dim, keepdims=True))
        out = Tensor._make(e / e.sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = saved_values(ctx, grad)
        return y * (grad - sum_keepdim(grad * y, ctx.args[1])), None

    @staticmethod
    def jvp(ctx, t, _):
        (y,) = ctx.saved_tensors
        return y * (t - (t * y).sum(ctx.args[1], keepdim=True))


class LogSoftmax(Function):
    """zᵢ = xᵢ − log Σⱼ e^(xⱼ) along dim.   x̄ = z̄ − softmax(x) · Σⱼ z̄ⱼ."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dim):
        out = Tensor._make(log_softmax_array(x.array, dim))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (z,) = saved_values(ctx, grad)
        return grad - exp(z) * sum_keepdim(grad, ctx.args[1]), None

    @staticmethod
    def jvp(ctx, t, _):
        (z,) = ctx.saved_tensors
        return t - (z.exp() * t).sum(ctx.args[1], keepdim=True)


def log_softmax_array(a: np.ndarray, dim: int) -> np.ndarray:
    """log softmax of an array along dim, shifted by the maximum so that no exponential overflows."""
    shifted = a - a.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def softmax(x: Tensor, dim: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim) or (0,)
    return Softmax.apply(x, d)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim) or (0,)
    return LogSoftmax.apply(x, d)
