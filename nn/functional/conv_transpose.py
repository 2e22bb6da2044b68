"""Transposed convolution: ``conv_transpose1d`` and ``conv_transpose2d`` with torch.nn.functional's signatures.

A transposed convolution is the adjoint of a convolution: conv_transpose(x, w) = T(x, w), the map that takes a
convolution's output gradient to its input gradient (``ConvInputGrad`` in conv.py), run forward. So it needs no new
kernel, and its derivatives are again convolutions: x̄ = C(ȳ, w), w̄ = W(ȳ, x), to any order. Its output is the input
of that convolution, of size (per spatial dim)

    out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1,

where output_padding (< stride or < dilation) picks one of the sizes that a strided convolution maps to ``in``.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ._windows import Geometry
from .conv import ConvInputGrad


def _ints(op: str, name: str, v: Any, n: int) -> tuple[int, ...]:
    if isinstance(v, str):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not str (transposed convolutions take no "
                        "'same'/'valid' padding)")
    t = tuple(int(a) for a in v) if isinstance(v, tuple | list) else (int(v),) * n
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got {name}={list(t)}")
    return t


def output_size(in_size: tuple, kernel: tuple, stride: tuple, padding: tuple, output_padding: tuple,
                dilation: tuple) -> tuple[int, ...]:
    """Spatial output size of a transposed convolution (see the module docstring)."""
    return tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for n, k, s, p, op, d in zip(in_size, kernel, stride, padding, output_padding, dilation))


def _check(op: str, x: Tensor, w: Tensor, b: Tensor | None, groups: int, nd: int) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got input of "
                           f"size: {list(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be {nd + 2}D (in_channels, out_channels/groups, *kernel), got "
                           f"{list(w.shape)}")
    if groups < 1:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got groups={groups}")
    c = x.shape[0 if x.ndim == nd + 1 else 1]
    if c != w.shape[0] or w.shape[0] % groups:
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {list(w.shape)}, expected input"
                           f"{list(x.shape)} to have {w.shape[0]} channels, but got {c} channels instead (and "
                           f"weight.shape[0] divisible by groups={groups})")
    if b is not None and tuple(b.shape) != (w.shape[1] * groups,):
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {list(w.shape)}, expected bias to be "
                           f"1-dimensional with {w.shape[1] * groups} elements, but got bias of size "
                           f"{list(b.shape)} instead")


def _conv_transpose(op: str, x: Tensor, w: Tensor, b: Tensor | None, stride: Any, padding: Any,
                    output_padding: Any, groups: int, dilation: Any, nd: int) -> Tensor:
    groups = int(groups)
    _check(op, x, w, b, groups, nd)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x.unsqueeze(0)
    s, p = _ints(op, "stride", stride, nd), _ints(op, "padding", padding, nd)
    op_, d = _ints(op, "output_padding", output_padding, nd), _ints(op, "dilation", dilation, nd)
    if any(v <= 0 for v in s + d):
        raise RuntimeError(f"{op}: stride and dilation must be positive, got stride={s}, dilation={d}")
    if any(v < 0 for v in p + op_):
        raise RuntimeError(f"{op}: negative padding is not supported, got padding={p}, output_padding={op_}")
    if any(o >= max(si, di) for o, si, di in zip(op_, s, d)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={op_}, stride={s}, dilation={d}")
    kernel = tuple(w.shape[2:])
    out = output_size(tuple(x.shape[2:]), kernel, s, p, op_, d)
    if any(o <= 0 for o in out):
        raise RuntimeError(f"{op}: Given input size per channel: {tuple(x.shape[2:])}. Calculated output size per "
                           f"channel: {out}. Output size is too small")
    pads = tuple((v, v) for v in p)
    if nd == 1:  # a 1-D transposed convolution is a 2-D one over a height-1 image
        x, w = x.unsqueeze(2), w.unsqueeze(2)
        kernel, s, d, pads, out = (1, *kernel), (1, *s), (1, *d), ((0, 0), *pads), (1, *out)
    # the convolution whose adjoint this is: it maps an image of size ``out`` to one of x's size
    geom = Geometry(kernel, s, pads, d, out)
    extra = [g - n for g, n in zip(geom.out_hw, x.shape[2:])]
    if any(extra):  # output_padding ≥ stride (allowed when < dilation): that convolution has more windows than x
        x = autograd.pad(x, (0, extra[1], 0, extra[0]))  # the extra windows' gradients are zero
    y = ConvInputGrad.apply(x, w if w.dtype == x.dtype else w.to(x.dtype), geom, groups,
                            (x.shape[0], w.shape[1] * groups, *out))
    if b is not None:
        y = y + autograd.reshape(b if b.dtype == x.dtype else b.to(x.dtype), (-1, 1, 1))
    if nd == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution of (N, C_in, H, W) (or (C_in, H, W)) with weight (C_in, C_out/groups, KH, KW),
    plus bias (C_out,). Note torch's argument order: groups comes before dilation."""
    return _conv_transpose("conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of (N, C_in, L) (or (C_in, L)) with weight (C_in, C_out/groups, K)."""
    return _conv_transpose("conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)
