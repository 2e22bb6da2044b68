"""Norms and distances between vectors: normalize, cosine_similarity, pairwise_distance, pdist (torch's formulas,
composites of engine ops, so differentiable to any order)."""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops._util import norm_dims


def _pnorm(x: Tensor, p: float, dim: int, keepdim: bool = False) -> Tensor:
    """The p-norm along ``dim``, for any p torch's ``norm`` takes: 0 (the number of non-zero entries, derivative 0),
    ±inf (largest/smallest |x|), or any other real p."""
    if p == 0:
        return autograd.sum(autograd.sign(x).abs(), dim, keepdim)  # sign has derivative 0: so has this count
    if p == float("-inf"):
        return autograd.amin(x.abs(), dim, keepdim)
    return autograd.norm(x, p, dim, keepdim)


def _broadcast_shape(a: Tensor, b: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        n = max(a.ndim, b.ndim)
        sa, sb = (1,) * (n - a.ndim) + tuple(a.shape), (1,) * (n - b.ndim) + tuple(b.shape)
        d = next(i for i in range(n) if sa[i] != sb[i] and 1 not in (sa[i], sb[i]))
        raise RuntimeError(f"The size of tensor a ({sa[d]}) must match the size of tensor b ({sb[d]}) at "
                           f"non-singleton dimension {d}") from None


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim`` (unit vectors; eps keeps a zero vector finite)."""
    norm_dims(dim, input.ndim)  # torch's IndexError for a dim out of range
    result = input / _pnorm(input, p, dim, keepdim=True).clamp(min=eps)
    if out is not None:
        return out.copy_(result)
    return result


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along ``dim``, after broadcasting x1 and x2 together.

    As torch, each input is divided by its own norm before the product (the result stays in [−1, 1]), and the
    clamp to eps is applied outside autograd: the derivative is that of x1·x2/(‖x1‖‖x2‖) even where a norm is
    below eps."""
    shape = _broadcast_shape(x1, x2)
    (d,) = norm_dims(dim, len(shape))
    if x1.dtype.kind != "f":
        x1 = x1.to(autograd.get_default_dtype())
    if x2.dtype.kind != "f":
        x2 = x2.to(autograd.get_default_dtype())
    x1, x2 = x1.broadcast_to(shape), x2.broadcast_to(shape)
    n1, n2 = x1.norm(2, d, keepdim=True), x2.norm(2, d, keepdim=True)
    n1 = n1 + (n1.clamp(min=eps) - n1).detach()  # torch clamps under no_grad: the value changes, the derivative not
    n2 = n2 + (n2.clamp(min=eps) - n2).detach()
    return ((x1 / n1) * (x2 / n2)).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dimension (of the broadcast shape): the distance between rows."""
    diff = x1 - x2 + eps
    if diff.ndim == 0:  # a number: its one-element norm, 0-d whatever keepdim says (as torch)
        return _pnorm(diff.reshape((1,)), p, 0)
    return _pnorm(diff, p, max(x1.ndim, x2.ndim) - 1, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between every pair of rows i < j of an (N, M) input, in the order (0, 1), (0, 2), ...,
    (1, 2), ...: N(N − 1)/2 values (the upper triangle of the distance matrix, row by row)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    return _pnorm(input[i] - input[j], p, 1)
