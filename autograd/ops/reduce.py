"""Reductions: sum, mean, var/std, amax/amin, max/min, argmax/argmin, logsumexp, norm.

A reduction's backward spreads the output gradient back over the reduced dims (``_expand_back``).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import cast, keepdim_shape, norm_dims
from .elementwise import exp, where
from .shape import broadcast_to, reshape


def _expand_back(grad: Any, shape: tuple, dims: tuple) -> Any:
    """The gradient of a reduction over ``dims``, spread back to the input ``shape``."""
    return broadcast_to(reshape(grad, keepdim_shape(shape, dims)), shape)


class Sum(Op):
    """z = Σᵢ xᵢ over dims.   ∂z/∂xᵢ = 1."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        wide = np.float32 if x.dtype == np.float16 else None  # half precision adds up in float32, as in torch
        return np.sum(x, axis=dims, keepdims=keepdim, dtype=wide).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return sum(t, ctx.dims, ctx.keepdim)


class Mean(Op):
    """z = (1/n) Σᵢ xᵢ over dims.   ∂z/∂xᵢ = 1/n."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return np.mean(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        n = int(np.prod([ctx.shape[d] for d in ctx.dims]))
        # times 1/n, not divided by n: in float16, n > 65504 itself would be inf and the gradient 0
        return _expand_back(grad * (1.0 / n), ctx.shape, ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        return mean(t, ctx.dims, ctx.keepdim)


class Var(Op):
    """z = Σ(x − x̄)² / (N − c) over dims (c: the correction).   ∂z/∂xᵢ = 2(xᵢ − x̄)/(N − c) (the terms through x̄
    add up to zero, since Σ(x − x̄) = 0). x is saved, as torch saves it: an in-place change to x before backward is
    caught by its version counter."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        ctx.save_for_backward(x)
        n = int(np.prod([x.shape[d] for d in dims]))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.scale = 2.0 / (n - correction) if n > correction else np.nan  # N ≤ c: NaN, as torch
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.var(x, axis=dims, ddof=correction, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = grad if ctx.keepdim else reshape(grad, keepdim_shape(x.shape, ctx.dims))
        return g * (x - mean(x, ctx.dims, keepdim=True)) * ctx.scale, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (x,) = ctx.saved_tensors
        return sum((x - mean(x, ctx.dims, keepdim=True)) * t, ctx.dims, ctx.keepdim) * ctx.scale


class Amax(Op):
    """z = max over dims.   ∂z/∂xᵢ = 1/k for each of the k maximal elements, 0 elsewhere (ties split, as torch)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = np.asarray(np.max(x, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _expand_back(grad, x.shape, ctx.dims) * _share(x, out, ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        x, out = ctx.saved_tensors
        return sum(t * _share(x, out, ctx.dims), ctx.dims, ctx.keepdim)


class Amin(Amax):
    """z = min over dims.   ∂z/∂xᵢ = 1/k for each of the k minimal elements, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = np.asarray(np.min(x, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out


def _share(x: Any, out: Any, dims: tuple) -> Any:
    """1/k at each of the k elements equal to the extreme (a constant: not differentiated), 0 elsewhere."""
    hit = np.asarray(x == reshape(out, keepdim_shape(x.shape, dims)), dtype=x.dtype)
    return hit / np.sum(hit, axis=dims, keepdims=True)


class Logsumexp(Op):
    """z = log Σᵢ e^(xᵢ), computed as m + log Σ e^(xᵢ − m) with m = max x.   ∂z/∂xᵢ = e^(xᵢ − z) (the softmax)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = np.max(x, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # a row of −inf gives −inf, not NaN
        out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        out = out if keepdim else np.squeeze(out, axis=dims)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p = exp(x - reshape(out, keepdim_shape(x.shape, ctx.dims)))
        return _expand_back(grad, x.shape, ctx.dims) * p, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        x, out = ctx.saved_tensors
        return sum(t * exp(x - reshape(out, keepdim_shape(x.shape, ctx.dims))), ctx.dims, ctx.keepdim)


class Norm2(Op):
    """z = √(Σ xᵢ²).   ∂z/∂xᵢ = xᵢ / z (taken as 0 where z = 0, the subgradient torch uses)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = np.asarray(np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _expand_back(grad / where(out == 0, 1.0, out), x.shape, ctx.dims) * x, None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        x, out = ctx.saved_tensors
        return sum(t * x, ctx.dims, ctx.keepdim) / where(out == 0, 1.0, out)


# ---- functions ---------------------------------------------------------------------------------------------------
def sum(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    dims = norm_dims(dim, x.ndim)
    if x.dtype.kind in "bu" or x.dtype.kind == "i" and x.dtype.itemsize < 8:
        x = cast(x, np.dtype("int64"))  # torch sums integers and bools as int64
    return Sum.apply(x, dims, keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if x.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating point, got "
                           f"{x.dtype}; use x.float().mean()")
    return Mean.apply(x, norm_dims(dim, x.ndim), keepdim)


def var(x: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    """Σ(x − mean)² / (N − correction); correction=1 (the default) is Bessel's unbiased estimate, as in torch."""
    if unbiased is not None:
        correction = 1 if unbiased else 0
    return Var.apply(x, norm_dims(dim, x.ndim), correction, keepdim)


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
    from .shape import gather
    from .view import squeeze

    if x.ndim == 0:  # dim 0 or -1 of a 0-d tensor: the value itself, at index 0 (as in torch)
        norm_dims(dim, 0)
        return result(x * 1, Tensor._make(np.asarray(0, dtype=np.int64)))
    (d,) = norm_dims(dim, x.ndim)
    idx = Tensor._make(arg(x.array, axis=d, keepdims=True).astype(np.int64))
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = squeeze(values, d), squeeze(idx, d)
    return result(values, idx)


def _check_arg_nonempty(op: str, x: Tensor, dim: int | None) -> None:
    if x.array.size == 0 and (dim is None or x.shape[norm_dims(dim, x.ndim)[0]] == 0):  # NumPy: a ValueError
        raise IndexError(f"{op}(): the input of shape {x.shape} is empty, so it has no {op[3:]}imum" + (
            "; pass a dim whose size is not 0" if dim is None else f" along dim {dim}, of size 0"))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _check_arg_nonempty("argmax", x, dim)
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(x.array), dtype=np.int64))
    return Tensor._make(np.asarray(np.argmax(x.array, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _check_arg_nonempty("argmin", x, dim)
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
