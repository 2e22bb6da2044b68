"""Pooling: ``max_pool1d/2d``, ``avg_pool1d/2d``, ``adaptive_avg_pool2d`` with torch.nn.functional's signatures.

Max pooling picks, in each window, the first maximal element (as torch does), and its gradient goes to that one
position only. Given the chosen positions, both directions are linear: the forward is a *gather* and the backward a
*scatter* of the gradient to those positions — so ``MaxPoolScatter``'s backward is a gather and vice versa, which
makes max pooling differentiable to any order. Average pooling is a window *sum* (``SumPool``) divided by the
window size; its adjoint is spreading each gradient over its window (``SumPoolT``, i.e. col2im), and back again.
All loops run over the KH×KW kernel offsets only; each step is a whole-array numpy operation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy
from autograd.function import Op
from autograd.parallel import grain, parallel_for

from ._windows import Geometry, add_windows, crop, pad, windows

IntOr2 = int | tuple[int, int]


# ---- max pooling ---------------------------------------------------------------------------------------------------
# The kernels split the batch over threads (``parallel_for``); each slice writes its own rows of the result.
def _argmax_windows(x: np.ndarray, g: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """(max, kernel offset of the first max) per window, as torch picks it: the comparison is strict, so ties keep
    the first; a NaN wins, so it propagates."""
    kk = g.kernel[0] * g.kernel[1]
    best = np.empty((*x.shape[:2], *g.out_hw), dtype=x.dtype)
    arg = np.empty(best.shape, dtype=np.uint8 if kk <= 256 else np.int64)

    def work(s: slice) -> None:
        win = windows(pad(x[s], g, -np.inf), g)
        # One transposing copy lays each kernel offset's values out contiguously: the passes below then run over long
        # contiguous arrays (SIMD) rather than short strided rows. Masks are applied by arithmetic, not
        # np.where/copyto, whose masked paths are ~30x slower on random masks.
        stack = np.ascontiguousarray(win.transpose(2, 3, 0, 1, 4, 5)).reshape(kk, *win.shape[:2], *win.shape[4:])
        b, a = best[s], arg[s]
        b[...] = stack[0]
        a[...] = 0
        for k in range(1, kk):
            v = stack[k]
            better = (v > b) | np.isnan(v)
            np.maximum(b, v, out=b)
            a *= ~better
            a += better.astype(a.dtype) * a.dtype.type(k)

    parallel_for(best.shape[0], work, grain(best[0].size))
    return best, arg


def _flat_index(arg: np.ndarray, g: Geometry) -> np.ndarray:
    """Kernel offsets → flat positions h·W + w in the *unpadded* input (torch's ``return_indices``)."""
    kw, (oh, ow) = g.kernel[1], g.out_hw
    (th, tw), (dh, dw), ((t, _), (l, _)) = g.stride, g.dilation, g.padding
    arg = arg.astype(np.int64)
    h = (np.arange(oh) * th - t).reshape(-1, 1) + (arg // kw) * dh
    w = (np.arange(ow) * tw - l) + (arg % kw) * dw
    return h * g.in_hw[1] + w


def _offset_slice(g: Geometry, k: int) -> tuple:
    """The (padded) input positions read at kernel offset k by all windows: a strided 2-D slice."""
    (oh, ow), (th, tw), (dh, dw) = g.out_hw, g.stride, g.dilation
    i, j = divmod(k, g.kernel[1])
    return (slice(None), slice(None), slice(i * dh, i * dh + th * (oh - 1) + 1, th),
            slice(j * dw, j * dw + tw * (ow - 1) + 1, tw))


def _gather(x: np.ndarray, arg: np.ndarray, g: Geometry) -> np.ndarray:
    """x read at each window's chosen offset (the argmax never points into the padding, so zero padding is fine)."""
    out = np.zeros(arg.shape, dtype=x.dtype)
    kk = g.kernel[0] * g.kernel[1]

    def work(s: slice) -> None:
        xp, dst = pad(x[s], g), out[s]
        for k in range(kk):
            dst += xp[_offset_slice(g, k)] * (arg[s] == k)

    parallel_for(out.shape[0], work, grain(out[0].size))
    return out


def _scatter(grad: np.ndarray, arg: np.ndarray, g: Geometry) -> np.ndarray:
    """grad placed at each window's chosen offset; positions chosen by several windows add up."""
    out = np.zeros((*grad.shape[:2], *g.padded_hw), dtype=grad.dtype)
    kk = g.kernel[0] * g.kernel[1]

    def work(s: slice) -> None:
        gs, a = grad[s], arg[s]
        for k in range(kk):
            dst = out[s][_offset_slice(g, k)]
            if g.overlapping:
                dst += gs * (a == k)
            else:  # the offsets' slices are disjoint: write, don't add
                np.multiply(gs, a == k, out=dst)

    parallel_for(out.shape[0], work, grain(grad[0].size))
    return crop(out, g)


class MaxPool2dFn(Op):
    """y = max over each window.   x̄ = ȳ scattered to each window's (first) argmax; zero elsewhere."""

    @staticmethod
    def forward(ctx, x, geom):
        out, ctx.arg = _argmax_windows(x, geom)
        ctx.geom = geom
        return out

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return MaxPoolGather.apply(t, ctx.arg, ctx.geom)


class MaxPoolScatter(Op):
    """x̄ = ȳ placed at the argmax positions (linear in ȳ).   Its adjoint: ḡ = the gather of x̄̄ at those positions."""

    @staticmethod
    def forward(ctx, grad, arg, geom):
        ctx.arg, ctx.geom = arg, geom
        return _scatter(grad, arg, geom)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolGather.apply(grad, ctx.arg, ctx.geom), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return MaxPoolScatter.apply(t, ctx.arg, ctx.geom)


class MaxPoolGather(Op):
    """y = x read at fixed argmax positions (linear in x).   x̄ = ȳ scattered back to them."""

    @staticmethod
    def forward(ctx, x, arg, geom):
        ctx.arg, ctx.geom = arg, geom
        return _gather(x, arg, geom)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.arg, ctx.geom), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return MaxPoolGather.apply(t, ctx.arg, ctx.geom)


# ---- sum / average pooling -----------------------------------------------------------------------------------------
def _window_sum(x: np.ndarray, g: Geometry) -> np.ndarray:
    kh, kw = g.kernel
    out = np.empty((*x.shape[:2], *g.out_hw), dtype=x.dtype)

    def work(s: slice) -> None:
        win, dst = windows(pad(x[s], g), g), out[s]
        dst[...] = win[:, :, 0, 0]
        for k in range(1, kh * kw):
            dst += win[:, :, k // kw, k % kw]

    parallel_for(out.shape[0], work, grain(out[0].size))
    return out


def _spread(grad: np.ndarray, g: Geometry) -> np.ndarray:
    """Each value of ``grad`` (N, C, OH, OW) added onto every position of its window: ``_window_sum``'s adjoint."""
    n, c = grad.shape[:2]
    out = np.zeros((n, c, *g.padded_hw), dtype=grad.dtype)

    def work(s: slice) -> None:
        gs = grad[s]
        add_windows(out[s], np.broadcast_to(gs[:, :, None, None], (*gs.shape[:2], *g.kernel, *g.out_hw)), g)

    parallel_for(n, work, grain(grad[0].size))
    return crop(out, g)


class SumPool(Op):
    """y = Σ over each window (zero padding).   x̄ = each ȳ spread over its window (col2im)."""

    @staticmethod
    def forward(ctx, x, geom):
        ctx.geom = geom
        return _window_sum(x, geom)

    @staticmethod
    def backward(ctx, grad):
        return SumPoolT.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return SumPool.apply(t, ctx.geom)


class SumPoolT(Op):
    """x̄ = ȳ spread over the windows (SumPool's adjoint).   ḡ = the window sums of x̄̄."""

    @staticmethod
    def forward(ctx, grad, geom):
        ctx.geom = geom
        return _spread(grad, geom)

    @staticmethod
    def backward(ctx, grad):
        return SumPool.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return SumPoolT.apply(t, ctx.geom)


# ---- argument handling ---------------------------------------------------------------------------------------------
def _tuple(v: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    t = tuple(int(a) for a in v) if isinstance(v, tuple | list) else (int(v),) * n
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise RuntimeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return t


def _geometry(op: str, x: Tensor, nd: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool) -> Geometry:
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not supported")
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, tuple | list) and len(stride) == 0) else _tuple(
        stride, nd, "stride", op)
    p, d = _tuple(padding, nd, "padding", op), _tuple(dilation, nd, "dilation", op)
    if any(v <= 0 for v in k + s + d):
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive, got {k}, {s}, {d}")
    if any(pi < 0 or pi > (di * (ki - 1) + 1) // 2 for pi, ki, di in zip(p, k, d)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                         f"kernel_size={k} and dilation={d}")
    if nd == 1:
        k, s, p, d = (1, *k), (1, *s), (0, *p), (1, *d)
    geom = Geometry(k, s, tuple((v, v) for v in p), d, tuple(x.shape[2:]))
    if any(o <= 0 for o in geom.out_hw):
        raise RuntimeError(f"{op}: input of spatial size {tuple(x.shape[2:])} is too small for kernel_size {k} "
                         f"(output size would be {geom.out_hw})")
    return geom


def _batched(op: str, x: Tensor, nd: int) -> tuple[Tensor, bool]:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected a {nd + 1}D (unbatched) or {nd + 2}D (batched) input, got shape {x.shape}")
    unbatched = x.ndim == nd + 1
    x = x.unsqueeze(0) if unbatched else x
    return (x.unsqueeze(2) if nd == 1 else x), unbatched


def _unbatch(y: Tensor, nd: int, unbatched: bool) -> Tensor:
    y = y.squeeze(2) if nd == 1 else y
    return y.squeeze(0) if unbatched else y


def _max_pool(op: str, x: Tensor, nd: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool, return_indices: bool) -> Any:
    x4, unbatched = _batched(op, x, nd)
    geom = _geometry(op, x4, nd, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2dFn.apply(x4, geom)
    y = _unbatch(out, nd, unbatched)
    if not return_indices:
        return y
    idx = _flat_index(_argmax_windows(x4.array, geom)[1], geom)
    if nd == 1:
        idx = idx % geom.in_hw[1]
    return y, _unbatch(from_numpy(idx), nd, unbatched)


def max_pool2d(input: Tensor, kernel_size: IntOr2, stride: IntOr2 | None = None, padding: IntOr2 = 0,
               dilation: IntOr2 = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over KH×KW windows of (N, C, H, W) or (C, H, W); padding counts as −inf. The gradient goes to the first
    maximal element of each window."""
    return _max_pool("max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d(input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0, dilation: int = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over length-K windows of (N, C, L) or (C, L)."""
    return _max_pool("max_pool1d", input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(op: str, x: Tensor, nd: int, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
              count_include_pad: bool, divisor_override: int | None) -> Tensor:
    x4, unbatched = _batched(op, x, nd)
    geom = _geometry(op, x4, nd, kernel_size, stride, padding, 1, ceil_mode)
    total = SumPool.apply(x4, geom)
    if divisor_override is not None:
        y = total / float(divisor_override)
    elif count_include_pad or all(p == (0, 0) for p in geom.padding):
        y = total / float(geom.kernel[0] * geom.kernel[1])
    else:  # divide by the number of real (non-padding) elements in each window
        ones = np.ones((1, 1, *geom.in_hw), dtype=x4.dtype)
        y = total / from_numpy(_window_sum(ones, geom))
    return _unbatch(y, nd, unbatched)


def avg_pool2d(input: Tensor, kernel_size: IntOr2, stride: IntOr2 | None = None, padding: IntOr2 = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None
               ) -> Tensor:
    """Mean over KH×KW windows (zero padding; ``count_include_pad`` decides whether padding counts in the mean).
    Linear, so x̄ = ȳ / window size spread over each window."""
    return _avg_pool("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool1d(input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over length-K windows of (N, C, L) or (C, L)."""
    return _avg_pool("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def _adaptive_matrix(n_in: int, n_out: int, dtype: np.dtype) -> np.ndarray:
    """(n_out, n_in) averaging matrix over torch's bins [⌊i·n_in/n_out⌋, ⌈(i+1)·n_in/n_out⌉)."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):  # a loop over output rows, not pixels: n_out is a handful
        lo, hi = (i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average over the bins that split H and W into ``output_size`` (None keeps that dim): Pₕ · x · P_wᵀ, with the
    averaging matrices as constants — so its derivatives are the matmul's, to any order."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected a 3D or 4D input, got shape {input.shape}")
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh, ow = h if oh is None else int(oh), w if ow is None else int(ow)
    ph = from_numpy(_adaptive_matrix(h, oh, input.dtype))
    pwt = from_numpy(np.ascontiguousarray(_adaptive_matrix(w, ow, input.dtype).T))
    return ph @ (input @ pwt)
