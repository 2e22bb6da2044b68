"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp; and diff.

Output i of a scan depends on inputs 0..i, so each gradient runs the other way: input k collects from outputs k..n−1,
a scan from the end. cumprod's and logcumsumexp's are *linear* scans from the end, ``S_k = ḡ_k + a_{k+1}·S_{k+1}``
(``LinearScan``): no division by the input, so zeros (cumprod) and far-apart values (logcumsumexp) are fine.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import add_tangents, cast, norm_dims
from .elementwise import exp, logical_xor
from .shape import Gather, Pad, cat
from .view import GetItem, narrow, reshape

CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])


def _flip(x: Any, d: int) -> Any:
    """x reversed along dim d (a view)."""
    return GetItem.apply(x, (slice(None),) * d + (slice(None, None, -1), Ellipsis))


def _shift(x: Any, d: int, fill: float, step: int = 1) -> Any:
    """x moved ``step`` (1 or −1) places along dim d: the element at i goes to i + step; the freed end holds fill."""
    n = x.shape[d]
    widths = tuple(((1, 0) if step > 0 else (0, 1)) if i == d else (0, 0) for i in range(x.ndim))
    start = 0 if step > 0 else 1
    return GetItem.apply(Pad.apply(x, widths, fill), (slice(None),) * d + (slice(start, start + n), Ellipsis))


class LinearScan(Op):
    """y_i = u_i + a_i·y_{i−1} along dim (y_{−1} = 0; a_0 unused); with ``reverse``, from the end:
    y_i = u_i + a_{i+1}·y_{i+1}. The two are each other's transpose in u, hence
    forward:  ū = reverse scan of (ȳ, a),   ā_i = y_{i−1}·ū_i;
    reverse:  ū = forward scan of (ȳ, a),   ā_i = ū_{i−1}·y_i."""

    @staticmethod
    def forward(ctx, u, a, dim, reverse):
        y = np.array(u, dtype=np.result_type(u, a))
        ym, am = np.moveaxis(y, dim, 0), np.moveaxis(a, dim, 0)
        n = ym.shape[0]
        if reverse:
            for i in range(n - 2, -1, -1):
                ym[i] += am[i + 1] * ym[i + 1]
        else:
            for i in range(1, n):
                ym[i] += am[i] * ym[i - 1]
        ctx.save_for_backward(a, y)
        ctx.dim, ctx.reverse = dim, reverse
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        d = ctx.dim
        u_bar = LinearScan.apply(grad, a, d, not ctx.reverse)
        a_bar = _shift(u_bar, d, 0.0) * y if ctx.reverse else _shift(y, d, 0.0) * u_bar
        return u_bar, a_bar, None, None

    @staticmethod
    def jvp(ctx, tu, ta, _d, _r):
        # differentiate the recurrence: ẏ_i = u̇_i + ȧ_i·y_{i−1} + a_i·ẏ_{i−1} (and the mirror image for reverse)
        a, y = ctx.saved_tensors
        d = ctx.dim
        extra = None if ta is None else _shift(ta * y, d, 0.0, -1) if ctx.reverse else ta * _shift(y, d, 0.0)
        return LinearScan.apply(add_tangents(tu, extra), a, d, ctx.reverse)


class Cumsum(Op):
    """z_i = Σ_{j≤i} x_j.   x̄_k = Σ_{i≥k} z̄_i (a cumulative sum from the end)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _flip(Cumsum.apply(_flip(grad, ctx.dim), ctx.dim), ctx.dim), None

    @staticmethod
    def jvp(ctx, t, _):
        return Cumsum.apply(t, ctx.dim)


class Cumprod(Op):
    """z_i = Π_{j≤i} x_j.   x̄_k = Σ_{i≥k} z̄_i·Π_{j≤i, j≠k} x_j = E_k·S_k, where E_k = Π_{j<k} x_j = z_{k−1} and
    S_k = z̄_k + x_{k+1}·S_{k+1} (a linear scan from the end). No division by x: zeros in x are fine."""

    @staticmethod
    def forward(ctx, x, dim):
        out = np.cumprod(x, axis=dim)
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _shift(out, ctx.dim, 1.0) * LinearScan.apply(grad, x, ctx.dim, True), None

    @staticmethod
    def jvp(ctx, t, _):
        # ż_i = Σ_{k≤i} E_k·ẋ_k·Π_{k<j≤i} x_j: a forward linear scan of E·ẋ
        x, out = ctx.saved_tensors
        return LinearScan.apply(_shift(out, ctx.dim, 1.0) * t, x, ctx.dim, False)


class Logcumsumexp(Op):
    """z_i = log Σ_{j≤i} e^(x_j).   x̄_k = Σ_{i≥k} z̄_i·e^(x_k − z_i) = e^(x_k − z_k)·S_k, where
    S_k = z̄_k + e^(z_k − z_{k+1})·S_{k+1}: every factor is at most 1, so nothing overflows."""

    @staticmethod
    def forward(ctx, x, dim):
        out = np.logaddexp.accumulate(x, axis=dim)  # exact at every step, however far apart the values
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return exp(x - out) * LinearScan.apply(grad, _decay(out, ctx.dim), ctx.dim, True), None

    @staticmethod
    def jvp(ctx, t, _):
        # ż_i = e^(x_i − z_i)·ẋ_i + e^(z_{i−1} − z_i)·ż_{i−1}
        x, out = ctx.saved_tensors
        return LinearScan.apply(exp(x - out) * t, _decay(out, ctx.dim), ctx.dim, False)


def _decay(out: Any, d: int) -> Any:
    """a_i = e^(z_{i−1} − z_i) (≤ 1); a_0 (unused) is 0."""
    return exp(_shift(out, d, -np.inf) - out)


# ---- functions ---------------------------------------------------------------------------------------------------
def _scan(op: type, x: Tensor, dim: int) -> Tensor:
    """Apply a scan op along dim; a 0-d tensor (dim 0 or −1) is scanned as one element."""
    if x.ndim == 0:
        norm_dims(dim, 0)
        return reshape(op.apply(reshape(x, (1,)), 0), ())
    (d,) = norm_dims(dim, x.ndim)
    return op.apply(x, d)


def _accumulating(x: Tensor, dtype: Any) -> Tensor:
    """cumsum/cumprod's input dtype: ``dtype`` if given, else int64 for bool and integers (as torch)."""
    if dtype is not None:
        return cast(x, dtype)
    return cast(x, np.dtype("int64")) if x.dtype.kind in "biu" else x


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _scan(Cumsum, _accumulating(input, dtype), dim)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _scan(Cumprod, _accumulating(input, dtype), dim)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    if input.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: not implemented for dtype {input.dtype}; convert the input with "
                                  ".float() first")
    return _scan(Logcumsumexp, input, dim)


def cummax(input: Tensor, dim: int) -> CummaxResult:
    """The running maximum and where it was last reached (a later equal value, or a NaN, takes over, as in torch).
    The gradient goes to those indices."""
    return CummaxResult(*_running(input, dim, np.maximum))


def cummin(input: Tensor, dim: int) -> CumminResult:
    return CumminResult(*_running(input, dim, np.minimum))


def _running(x: Tensor, dim: int, extreme: Any) -> tuple[Tensor, Tensor]:
    if x.ndim == 0:
        norm_dims(dim, 0)
        values, idx = _running(reshape(x, (1,)), 0, extreme)
        return reshape(values, ()), reshape(idx, ())
    (d,) = norm_dims(dim, x.ndim)
    a = x.array
    best = extreme.accumulate(a, axis=d)
    # torch moves the index whenever x_i >= the running max (or x_i is NaN): i.e. wherever x_i is the new value
    hit = (a == best) | (np.isnan(a) if a.dtype.kind == "f" else False)
    steps = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
    idx = np.maximum.accumulate(np.where(hit, steps, 0), axis=d).astype(np.int64)
    return Gather.apply(x, d, idx), Tensor._make(idx)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along dim (``logical_xor`` for bools), after joining prepend and append."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional (got a 0-d tensor); unsqueeze it")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    (d,) = norm_dims(dim, input.ndim)
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is not None and not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(extra).__name__}")
        if extra is not None and extra.ndim != input.ndim:
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as input: input has "
                               f"{input.ndim} dims, {name} has {extra.ndim}")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        later, earlier = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        x = logical_xor(later, earlier) if x.dtype.kind == "b" else later - earlier
    return x
