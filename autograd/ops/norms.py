"""torch.linalg's norms: vector_norm, matrix_norm, and norm, which picks one of the two from ord and dim."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._lapack import check_float
from ._util import keepdim_shape, norm_dims
from .decomp import svdvals
from .elementwise import abs, sign, where
from .reduce import Norm2, _expand_back, amax, amin, sum
from .view import permute, reshape

_INF = math.inf


class VectorNorm(Op):
    """z = (Σᵢ |xᵢ|ᵖ)^(1/p) over dims, for p other than 0, 1, 2 and ±inf.
    ∂z/∂xᵢ = sign(xᵢ) |xᵢ|^(p−1) / z^(p−1) (0 where z = 0, as torch)."""

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        with np.errstate(divide="ignore"):  # p < 0 and a zero element: |0|ᵖ = inf, and z = 0
            out = np.asarray(np.sum(np.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1 / p))
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _expand_back(grad, x.shape, ctx.dims) / _scale(ctx, x, out) * _dnorm(ctx, x), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        x, out = ctx.saved_tensors
        return sum(t * _dnorm(ctx, x), ctx.dims, ctx.keepdim) / reshape(_scale(ctx, x, out), out.shape)


def _dnorm(ctx: VectorNorm, x: Any) -> Any:
    """sign(x) |x|^(p−1), the elementwise part of the derivative."""
    return sign(x) * abs(x) ** (ctx.p - 1)


def _scale(ctx: VectorNorm, x: Any, out: Any) -> Any:
    """z^(p−1), in the reduced shape with kept dims (1 where z = 0, so that the gradient there is 0)."""
    z = reshape(out, keepdim_shape(x.shape, ctx.dims))
    return where(z == 0, 1.0, z) ** (ctx.p - 1)


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
                ) -> Tensor:
    """(Σ|xᵢ|^ord)^(1/ord) over ``dim`` (all elements by default); ord inf/-inf: max/min |xᵢ|; ord 0: the number of
    non-zero elements (no gradient)."""
    if isinstance(ord, bool) or not isinstance(ord, int | float):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    check_float(x, "linalg.vector_norm", half=True)
    dims = norm_dims(dim, x.ndim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {next(d for d in dims if dims.count(d) > 1)} appears multiple times in the list of "
                           "dims")
    if ord in (_INF, -_INF):
        if x.numel() == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the "
                               "operation does not have an identity")
        return (amax if ord > 0 else amin)(abs(x), dims, keepdim)
    if ord == 2:
        return Norm2.apply(x, dims, keepdim)
    if ord == 1:
        return sum(abs(x), dims, keepdim)
    if ord == 0:
        return Tensor._make(np.asarray(np.count_nonzero(x.array, axis=dims, keepdims=keepdim), dtype=x.dtype))
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None
                ) -> Tensor:
    """A matrix norm over the two dims ``dim``: 'fro' (√Σaᵢⱼ²), 'nuc' (Σσᵢ), 2 / -2 (largest / smallest singular
    value), 1 / -1 (max / min column sum of |aᵢⱼ|), inf / -inf (max / min row sum)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    check_float(A, "linalg.matrix_norm", half=True)
    if not isinstance(dim, tuple | list) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = norm_dims(dim, A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if isinstance(ord, str) and ord == "fro":
        return Norm2.apply(A, (d0, d1), keepdim)
    if isinstance(ord, str) and ord == "nuc" or ord in (2, -2):
        rest = tuple(d for d in range(A.ndim) if d not in (d0, d1))
        s = svdvals(permute(A, rest + (d0, d1)))  # the matrices' dims last
        out = sum(s, -1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
        return reshape(out, keepdim_shape(A.shape, (d0, d1))) if keepdim else out
    if ord in (1, -1, _INF, -_INF):
        across, pick = (d0, d1) if ord in (1, -1) else (d1, d0)  # 1: sum each column; inf: each row
        out = (amax if ord > 0 else amin)(sum(abs(A), across, keepdim=True), pick, keepdim=True)
        return out if keepdim else reshape(out, tuple(s for i, s in enumerate(A.shape) if i not in (d0, d1)))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """linalg.norm: a vector norm when ``dim`` is an int or a 1-tuple (or A is 1-D), a matrix norm when it is a
    2-tuple (or A is 2-D and ord is given); with neither ord nor dim, the 2-norm of all elements."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if isinstance(ord, str) or A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")
