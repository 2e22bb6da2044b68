"""Softmax and log-softmax: vector activations, each computed stably by shifting by the row maximum."""

from __future__ import annotations

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import norm_dims
from .elementwise import exp
from .reduce import sum


class Softmax(Op):
    """yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) along dim.   ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ), so x̄ = y ⊙ (ȳ − Σⱼ ȳⱼ yⱼ)."""

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - sum(grad * y, ctx.dim, keepdim=True)), None

    @staticmethod
    def jvp(ctx, t, _):
        return Softmax.backward(ctx, t)[0]  # the Jacobian is symmetric: jvp and vjp are the same product


class LogSoftmax(Op):
    """zᵢ = xᵢ − log Σⱼ e^(xⱼ) along dim.   x̄ = z̄ − softmax(x) · Σⱼ z̄ⱼ."""

    @staticmethod
    def forward(ctx, x, dim):
        out = log_softmax_array(x, dim)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad - exp(z) * sum(grad, ctx.dim, keepdim=True), None

    @staticmethod
    def jvp(ctx, t, _):
        (z,) = ctx.saved_tensors
        return t - sum(exp(z) * t, ctx.dim, keepdim=True)


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
