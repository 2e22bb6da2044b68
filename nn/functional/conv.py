"""Convolution: ``conv1d`` and ``conv2d`` with torch.nn.functional's signatures (stride, padding incl. "same" and
"valid", dilation, groups).

A convolution y = C(x, w) is bilinear, so its whole derivative story is three ops that are each other's adjoints:

* ``Conv2dFn``       y  = C(x, w):   im2col (a strided view of x, copied once) followed by ONE batched matmul;
* ``ConvInputGrad``  x̄  = T(ȳ, w):   the adjoint of x ↦ C(x, w): matmul by wᵀ, then col2im. For stride 1 this is
                                     lecture 004's identity — a *full* convolution of ȳ with w rotated by 180°;
* ``ConvWeightGrad`` w̄  = W(x, ȳ):   the adjoint of w ↦ C(x, w): ȳ contracted with im2col(x) over batch and pixels.

Each backward is written with the other two (e.g. the gradients of T(g, w) are C(ḡ, w) and W(ḡ, g)), so gradients
of any order are again convolutions, and every forward is whole-array numpy (no loop over pixels or the batch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.function import Op
from autograd.parallel import grain, parallel_for

from ._windows import Geometry, add_windows, crop, pad, windows

IntOr2 = int | tuple[int, int]


# ---- numpy kernels -------------------------------------------------------------------------------------------------
# Each splits the batch over threads (``parallel_for``): a slice's samples are computed exactly as in one pass, into
# its rows of a preallocated result, so only the weight gradient's sum over the batch depends on the thread count.
def _im2col(x: np.ndarray, g: Geometry, groups: int, out: np.ndarray | None = None) -> np.ndarray:
    """(N, C, H, W) → (N, G, C/G·KH·KW, OH·OW), into ``out`` if given: the one copy a convolution makes of its
    input."""
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = g.kernel, g.out_hw
    if out is None:
        out = np.empty((n, groups, (c // groups) * kh * kw, oh * ow), dtype=x.dtype)
    out.reshape(n, c, kh, kw, oh, ow)[...] = windows(pad(x, g), g)
    return out


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry, groups: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """y = C(x, w) + b, and the im2col matrix it multiplied: one GEMM per (sample, group)."""
    n, c = x.shape[:2]
    o, p = w.shape[0], g.out_hw[0] * g.out_hw[1]
    cols = np.empty((n, groups, w[0].size, p), dtype=x.dtype)
    out = np.empty((n, groups, o // groups, p), dtype=np.result_type(x, w))
    wg = w.reshape(groups, o // groups, -1)
    bias = None if b is None else b.reshape(groups, o // groups, 1)

    def work(s: slice) -> None:
        _im2col(x[s], g, groups, cols[s])
        np.matmul(wg, cols[s], out=out[s])
        if bias is not None:
            out[s] += bias

    parallel_for(n, work, grain(cols[0].size))
    return out.reshape(n, o, *g.out_hw), cols


def _conv_input_grad(gy: np.ndarray, w: np.ndarray, g: Geometry, groups: int) -> np.ndarray:
    n, o, oh, ow = gy.shape
    cg, kh, kw = w.shape[1:]
    wt = np.ascontiguousarray(w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1))
    hp, wp = g.padded_hw
    if g.stride != (1, 1):
        full = np.zeros((n, groups * cg, hp, wp), dtype=gy.dtype)

        def strided(s: slice) -> None:
            ns = s.stop - s.start
            cols = np.matmul(wt, gy[s].reshape(ns, groups, o // groups, oh * ow))  # (ns, G, C/G·KH·KW, OH·OW)
            add_windows(full[s], cols.reshape(ns, groups * cg, kh, kw, oh, ow), g)

        parallel_for(n, strided, grain(wt.size // (o // groups) * oh * ow))
        return crop(full, g)
    # Stride 1: give gȳ the padded input's width Wp (zero columns), so that kernel offset (i, j) becomes the flat
    # shift i·dh·Wp + j·dw, and col2im is KH·KW adds of long contiguous runs instead of short strided rows.
    dh, dw = g.dilation
    flat = np.zeros((n, groups * cg, hp * wp + (kw - 1) * dw), dtype=gy.dtype)

    def shifted(s: slice) -> None:
        ns = s.stop - s.start
        gyp = np.zeros((ns, o, oh, wp), dtype=gy.dtype)
        gyp[..., :ow] = gy[s]
        cols = np.matmul(wt, gyp.reshape(ns, groups, o // groups, oh * wp)).reshape(ns, groups * cg, kh, kw, oh * wp)
        dst = flat[s]
        for i in range(kh):
            for j in range(kw):
                off = i * dh * wp + j * dw
                dst[:, :, off:off + oh * wp] += cols[:, :, i, j]

    parallel_for(n, shifted, grain(wt.size // (o // groups) * oh * wp))
    return crop(flat[:, :, :hp * wp].reshape(n, groups * cg, hp, wp), g)


def _conv_weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry, groups: int, w_shape: tuple,
                      cols: np.ndarray | None = None) -> np.ndarray:
    n, o = gy.shape[:2]

    def partial(s: slice) -> np.ndarray:
        c = _im2col(x[s], g, groups) if cols is None else cols[s]
        # per-sample gemms (n, G, O/G, P) @ (n, G, P, K), then Σ over the slice: faster here than one big gemm,
        # which would first need a transposing copy of both operands
        ns = s.stop - s.start
        return np.matmul(gy[s].reshape(ns, groups, o // groups, c.shape[-1]), c.transpose(0, 1, 3, 2)).sum(0)

    cols_per_sample = groups * int(np.prod(w_shape[1:])) * int(np.prod(gy.shape[2:]))
    sums = parallel_for(n, partial, grain(cols_per_sample))
    gw = sums[0]
    for part in sums[1:]:  # in slice order: the same bits every run for a given thread count
        gw += part
    return gw.reshape(w_shape)


# ---- the three ops ------------------------------------------------------------------------------------------------
class Conv2dFn(Op):
    """y[n,o] = Σ_c w[o,c] ⋆ x[n,c] + b[o] (cross-correlation).   x̄ = T(ȳ, w),  w̄ = W(x, ȳ),  b̄ = Σ_{n,h,w} ȳ."""

    @staticmethod
    def forward(ctx, x, w, b, geom, groups):
        out, cols = _conv(x, w, b, geom, groups)
        # cols (im2col of x) is kept for the weight gradient, since it is the expensive part; saved, it is freed
        # with the rest after backward
        ctx.save_for_backward(x, w, cols)
        ctx.geom, ctx.groups = geom, groups
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w, cols = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvInputGrad.apply(grad, w, ctx.geom, ctx.groups, x.shape) if need[0] else None
        gw = ConvWeightGrad.apply(x, grad, ctx.geom, ctx.groups, w.shape, cols) if need[1] else None
        gb = autograd.sum(grad, (0, 2, 3)) if need[2] else None
        return gx, gw, gb, None, None

    @staticmethod
    def jvp(ctx, tx, tw, tb, _g, _gr):
        x, w, _ = ctx.saved_tensors
        out = Conv2dFn.apply(tx, w, None, ctx.geom, ctx.groups) + Conv2dFn.apply(x, tw, None, ctx.geom, ctx.groups)
        return out if tb is None else out + autograd.reshape(tb, (-1, 1, 1))


class ConvInputGrad(Op):
    """x̄ = T(g, w), the transpose of x ↦ C(x, w) applied to g.   ḡ = C(x̄̄, w),  w̄ = W(x̄̄, g)."""

    @staticmethod
    def forward(ctx, g, w, geom, groups, x_shape):
        ctx.save_for_backward(g, w)
        ctx.geom, ctx.groups, ctx.x_shape = geom, groups, x_shape
        return _conv_input_grad(g, w, geom, groups)

    @staticmethod
    def backward(ctx, grad):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gg = Conv2dFn.apply(grad, w, None, ctx.geom, ctx.groups) if need[0] else None
        gw = ConvWeightGrad.apply(grad, g, ctx.geom, ctx.groups, w.shape, None) if need[1] else None
        return gg, gw, None, None, None

    @staticmethod
    def jvp(ctx, tg, tw, *_):
        g, w = ctx.saved_tensors
        return (ConvInputGrad.apply(tg, w, ctx.geom, ctx.groups, ctx.x_shape)
                + ConvInputGrad.apply(g, tw, ctx.geom, ctx.groups, ctx.x_shape))


class ConvWeightGrad(Op):
    """w̄ = W(x, g) = Σ_{n,pixels} g ⊗ im2col(x).   x̄ = T(g, w̄̄),  ḡ = C(x, w̄̄)."""

    @staticmethod
    def forward(ctx, x, g, geom, groups, w_shape, cols):
        ctx.save_for_backward(x, g)
        ctx.geom, ctx.groups, ctx.w_shape = geom, groups, w_shape
        return _conv_weight_grad(x, g, geom, groups, w_shape, cols)

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ConvInputGrad.apply(g, grad, ctx.geom, ctx.groups, x.shape) if need[0] else None
        gg = Conv2dFn.apply(x, grad, None, ctx.geom, ctx.groups) if need[1] else None
        return gx, gg, None, None, None, None

    @staticmethod
    def jvp(ctx, tx, tg, *_):
        x, g = ctx.saved_tensors
        return (ConvWeightGrad.apply(tx, g, ctx.geom, ctx.groups, ctx.w_shape, None)
                + ConvWeightGrad.apply(x, tg, ctx.geom, ctx.groups, ctx.w_shape, None))


# ---- argument handling ---------------------------------------------------------------------------------------------
def _tuple(v: Any, n: int, name: str) -> tuple[int, ...]:
    t = tuple(int(a) for a in v) if isinstance(v, tuple | list) else (int(v),) * n
    if len(t) != n:
        raise RuntimeError(f"conv: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return t


def _padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """Per-dim (before, after) padding; "same" puts the odd extra element after, as torch does."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("conv: padding='same' is not supported for strided convolutions")
            return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
        raise RuntimeError(f"conv: Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    p = _tuple(padding, len(kernel), "padding")
    if any(v < 0 for v in p):
        raise RuntimeError(f"conv: negative padding is not supported, got {padding!r}")
    return tuple((v, v) for v in p)


def _check(op: str, x: Tensor, w: Tensor, groups: int, nd: int) -> None:
    if x.ndim != nd + 2:
        raise RuntimeError(f"{op}: expected a {nd + 1}D (unbatched) or {nd + 2}D (batched) input, got shape {x.shape}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be {nd + 2}D (out_channels, in_channels/groups, *kernel), got {w.shape}")
    if groups < 1 or x.shape[1] != w.shape[1] * groups or w.shape[0] % groups:
        raise RuntimeError(f"{op}: input of shape {x.shape} (so {x.shape[1]} channels) and weight of shape {w.shape} "
                         f"with groups={groups}: expected input channels = weight.shape[1] × groups = "
                         f"{w.shape[1] * groups} and out_channels divisible by groups")


def _conv2d(op: str, x: Tensor, w: Tensor, b: Tensor | None, stride: Any, padding: Any, dilation: Any,
            groups: int, nd: int) -> Tensor:
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    _check(op, x, w, groups, nd)
    kernel = tuple(w.shape[2:])
    stride, dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
    pads = _padding(padding, kernel, stride, dilation)
    if nd == 1:  # a 1-D convolution is a 2-D one over a height-1 image
        x, w = x.unsqueeze(2), w.unsqueeze(2)
        kernel, stride, dilation, pads = (1, *kernel), (1, *stride), (1, *dilation), ((0, 0), *pads)
    geom = Geometry(kernel, stride, pads, dilation, tuple(x.shape[2:]))
    if any(o <= 0 for o in geom.out_hw):
        raise RuntimeError(f"{op}: input of spatial size {tuple(x.shape[2:])} (padded {geom.padded_hw}) is smaller "
                         f"than the dilated kernel {tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))}")
    if b is not None and b.dtype != x.dtype:
        b = b.to(x.dtype)
    out = Conv2dFn.apply(x, w if w.dtype == x.dtype else w.to(x.dtype), b, geom, int(groups))
    if nd == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOr2 = 1,
           padding: IntOr2 | str = 0, dilation: IntOr2 = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of (N, C, H, W) (or (C, H, W)) with weight (O, C/groups, KH, KW), plus bias (O,)."""
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int] = 1,
           padding: int | tuple[int] | str = 0, dilation: int | tuple[int] = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of (N, C, L) (or (C, L)) with weight (O, C/groups, K), plus bias (O,)."""
    return _conv2d("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)
