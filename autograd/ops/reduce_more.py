"""More reductions: prod, nansum/nanmean, std_mean/var_mean, aminmax, all/any.

prod's gradient at xₖ is the product of all the other elements, computed as (product left of k)·(product right of k)
with cumulative products: no division by xₖ, so it is right with one zero or several.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import cast, norm_dims
from .reduce import _expand_back, amax, amin, mean, std, sum, var
from .scan import Cumprod, _flip, _shift
from .view import reshape

AminmaxResult = namedtuple("aminmax", ["min", "max"])


class Prod(Op):
    """z = Π xᵢ along dim.   ∂z/∂xₖ = Π_{i≠k} xᵢ = Lₖ·Rₖ, the products of the elements before and after k."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.asarray(np.prod(x, axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _expand_back(grad, x.shape, (ctx.dim,)) * _others(x, ctx.dim), None, None

    @staticmethod
    def jvp(ctx, t, _d, _k):
        (x,) = ctx.saved_tensors
        return sum(t * _others(x, ctx.dim), ctx.dim, ctx.keepdim)


class NanToZero(Op):
    """z = 0 where x is NaN, else x.   ∂z/∂x = 0 at the NaNs, 1 elsewhere (a product with the mask, as torch's nansum:
    an infinite upstream gradient gives NaN there, not 0)."""

    @staticmethod
    def forward(ctx, x):
        nan = np.isnan(x)
        ctx.keep = (~nan).astype(x.dtype)
        return np.where(nan, x.dtype.type(0), x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.keep

    jvp = backward


def _others(x: Any, d: int) -> Any:
    """Π_{i≠k} xᵢ along dim d, at every k: exclusive cumulative products from the left and from the right."""
    left = _shift(Cumprod.apply(x, d), d, 1.0)
    right = _flip(_shift(Cumprod.apply(_flip(x, d), d), d, 1.0), d)
    return left * right


# ---- functions ---------------------------------------------------------------------------------------------------
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product of all elements, or along one dim. Bools and integers multiply as int64, as in torch."""
    if dim is not None and not isinstance(dim, int | np.integer):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}; to multiply over several "
                        "dims, flatten them first or call prod once per dim")
    x = cast(input, dtype) if dtype is not None else input
    if x.dtype.kind in "biu" and dtype is None:
        x = cast(x, np.dtype("int64"))
    if dim is None or x.ndim == 0:
        if dim is not None:
            norm_dims(dim, 0)
        return Prod.apply(reshape(x, (-1,)), 0, False)
    (d,) = norm_dims(dim, x.ndim)
    return Prod.apply(x, d, keepdim)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """sum with NaNs counted as zero (they get zero gradient)."""
    x = cast(input, dtype) if dtype is not None else input
    if x.dtype.kind == "f":
        x = NanToZero.apply(x)
    return sum(x, dim, keepdim)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the non-NaN elements (NaN where there are none)."""
    x = cast(input, dtype) if dtype is not None else input
    if x.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {x.dtype}; "
                           "use x.float()")
    dims = norm_dims(dim, x.ndim)
    count = np.sum(~np.isnan(x.array), axis=dims, keepdims=keepdim).astype(x.dtype)
    return nansum(x, dims, keepdim) / Tensor._make(count)


def std_mean(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False,
             unbiased: bool | None = None) -> tuple[Tensor, Tensor]:
    return (std(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased),
            mean(input, dim, keepdim))


def var_mean(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False,
             unbiased: bool | None = None) -> tuple[Tensor, Tensor]:
    return (var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased),
            mean(input, dim, keepdim))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> AminmaxResult:
    """(min, max) over dim (all elements by default); ties share the gradient, as amin and amax."""
    dims = norm_dims(dim, input.ndim)
    if 0 in [input.shape[d] for d in dims] or input.array.size == 0 and dim is None:
        raise RuntimeError(f"aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           f"identity (shape {input.shape}, dim {dim})")
    d = () if dim is None else dim
    return AminmaxResult(amin(input, d, keepdim), amax(input, d, keepdim))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether all elements (along dim) are nonzero: bool (uint8 for a uint8 input, as torch)."""
    return _logical(np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _logical(np.any, input, dim, keepdim)


def _logical(fn: Any, x: Tensor, dim: Any, keepdim: bool) -> Tensor:
    dims = None if dim is None else norm_dims(dim, x.ndim)
    out = np.asarray(fn(x.array, axis=dims, keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)
