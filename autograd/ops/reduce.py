"""Reductions: sum, mean, var/std, amax/amin, max/min, argmax/argmin, logsumexp, norm.

A reduction's backward broadcasts the output gradient back over the reduced dims (``_expand_back``).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import cast, keepdim_shape, norm_dims


def _expand_back(grad: Any, shape: tuple, dims: tuple) -> Any:
    """The gradient of a reduction over ``dims``, spread back to the input ``shape`` (a Tensor or an array)."""
    grad = grad.reshape(keepdim_shape(shape, dims))
    return grad.broadcast_to(shape) if grad.__class__ is Tensor else np.broadcast_to(grad, shape)


class Sum(Function):
    """z = Σᵢ xᵢ over dims.   ∂z/∂xᵢ = 1."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        return np.sum(x.array, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, dims, _ = ctx.args
        return _expand_back(grad, x.shape, dims), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return sum(t, ctx.args[1], ctx.args[2])


class Mean(Function):
    """z = (1/n) Σᵢ xᵢ over dims.   ∂z/∂xᵢ = 1/n."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        return np.mean(x.array, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, dims, _ = ctx.args
        n = int(np.prod([x.shape[d] for d in dims]))
        return _expand_back(grad / n, x.shape, dims), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return mean(t, ctx.args[1], ctx.args[2])


class Amax(Function):
    """z = max over dims.   ∂z/∂xᵢ = 1/k for each of the k maximal elements, 0 elsewhere (ties split, as torch)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = Tensor._make(np.asarray(np.max(x.array, axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return _extreme_jvp(ctx, t)


class Amin(Function):
    """z = min over dims.   ∂z/∂xᵢ = 1/k for each of the k minimal elements, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = Tensor._make(np.asarray(np.min(x.array, axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _extreme_backward(ctx, grad), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return _extreme_jvp(ctx, t)


def _extreme_weights(ctx: Function) -> np.ndarray:
    x, out = ctx.saved_tensors
    dims = ctx.args[1]
    hit = x.array == out.array.reshape(keepdim_shape(x.shape, dims))
    return hit / np.sum(hit, axis=dims, keepdims=True)


def _extreme_backward(ctx: Function, grad: Tensor) -> Tensor:
    x = ctx.saved_tensors[0]
    w = Tensor._make(_extreme_weights(ctx).astype(grad.dtype))
    return _expand_back(grad, x.shape, ctx.args[1]) * w


def _extreme_jvp(ctx: Function, t: Tensor) -> Tensor:
    w = Tensor._make(_extreme_weights(ctx).astype(t.dtype))
    return sum(t * w, ctx.args[1], ctx.args[2])


class Logsumexp(Function):
    """z = log Σᵢ e^(xᵢ), computed as m + log Σ e^(xᵢ − m) with m = max x.   ∂z/∂xᵢ = e^(xᵢ − z) (the softmax)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = np.max(x.array, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # a row of −inf gives −inf, not NaN
        out = np.log(np.sum(np.exp(x.array - m), axis=dims, keepdims=True)) + m
        out = Tensor._make(out if keepdim else np.squeeze(out, axis=dims))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import exp
        from .shape import reshape

        x, out = ctx.saved_tensors
        dims = ctx.args[1]
        p = exp(x - reshape(out, keepdim_shape(x.shape, dims)))
        return _expand_back(grad, x.shape, dims) * p, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        from .elementwise import exp
        from .shape import reshape

        x, out = ctx.saved_tensors
        dims = ctx.args[1]
        return sum(t * exp(x - reshape(out, keepdim_shape(x.shape, dims))), dims, ctx.args[2])


class Norm2(Function):
    """z = √(Σ xᵢ²).   ∂z/∂xᵢ = xᵢ / z (taken as 0 where z = 0, the subgradient torch uses)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = Tensor._make(np.asarray(np.sqrt(np.sum(x.array * x.array, axis=dims, keepdims=keepdim))))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dims = ctx.args[1]
        return _expand_back(grad / _nonzero(out), x.shape, dims) * x, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        x, out = ctx.saved_tensors
        return sum(t * x, ctx.args[1], ctx.args[2]) / _nonzero(out)


def _nonzero(out: Tensor) -> Tensor:
    from .elementwise import where

    return where(out == 0, 1.0, out)


# ---- functions ---------------------------------------------------------------------------------------------------
def sum(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    dims = norm_dims(dim, x.ndim)
    if x.array.dtype.kind in "bu" or x.array.dtype.kind == "i" and x.array.dtype.itemsize < 8:
        x = cast(x, np.dtype("int64"))  # torch sums integers and bools as int64
    return Sum.apply(x, dims, keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if x.array.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating point, got "
                           f"{x.dtype}; use x.float().mean()")
    return Mean.apply(x, norm_dims(dim, x.ndim), keepdim)


def var(x: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    """Σ(x − mean)² / (N − correction); correction=1 (the default) is Bessel's unbiased estimate, as in torch."""
    if unbiased is not None:
        correction = 1 if unbiased else 0
    dims = norm_dims(dim, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims]))
    centred = x - mean(x, dims, keepdim=True)
    return sum(centred * centred, dims, keepdim) / (n - correction if n > correction else 0)


def std(x: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return var(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased).sqrt()


def amax(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = norm_dims(None if dim == () else dim, x.ndim)
    _check_nonempty("amax", x, dims)
    return Amax.apply(x, dims, keepdim)


def amin(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = norm_dims(None if dim == () else dim, x.ndim)
    _check_nonempty("amin", x, dims)
    return Amin.apply(x, dims, keepdim)


def _check_nonempty(op: str, x: Tensor, dims: tuple) -> None:
    if x.array.size == 0:
        raise RuntimeError(f"{op}(): expected a non-empty tensor, got shape {x.shape}")


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``max(x)``: the largest value (ties share the gradient). ``max(x, dim)``: ``(values, indices)``; the gradient
    goes to the returned index. ``max(x, other)`` with a tensor: the elementwise maximum."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(x, dim)
    if dim is None:
        return amax(x)
    return _select_extreme(x, dim, keepdim, np.argmax, MaxResult)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(x, dim)
    if dim is None:
        return amin(x)
    return _select_extreme(x, dim, keepdim, np.argmin, MinResult)


def _select_extreme(x: Tensor, dim: int, keepdim: bool, arg: Any, result: Any) -> Any:
    from .shape import gather, squeeze

    (d,) = norm_dims(dim, x.ndim)
    idx = Tensor._make(arg(x.array, axis=d, keepdims=True).astype(np.int64)) if x.ndim else Tensor._make(
        np.asarray(0, dtype=np.int64))
    if x.ndim == 0:
        return result(x * 1, idx)
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = squeeze(values, d), squeeze(idx, d)
    return result(values, idx)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(x.array), dtype=np.int64))
    return Tensor._make(np.asarray(np.argmax(x.array, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(x.array), dtype=np.int64))
    return Tensor._make(np.asarray(np.argmin(x.array, axis=dim, keepdims=keepdim), dtype=np.int64))


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return Logsumexp.apply(x, norm_dims(dim, x.ndim), keepdim)


def norm(x: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The p-norm over ``dim`` (all elements by default): p = 2, 1, inf, or any p > 0."""
    dims = norm_dims(dim, x.ndim)
    if p in (2, "fro"):
        return Norm2.apply(x, dims, keepdim)
    if p == 1:
        return sum(x.abs(), dims, keepdim)
    if p == float("inf"):
        return amax(x.abs(), dims, keepdim)
    return sum(x.abs() ** p, dims, keepdim) ** (1.0 / p)
