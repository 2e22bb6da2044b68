"""``unfold`` (im2col) and ``fold`` (col2im) with torch.nn.functional's signatures.

unfold lays each sliding kH×kW block of a (N, C, H, W) image out as a column: (N, C·kH·kW, L), L = number of blocks.
fold is its adjoint: it adds each column back onto the positions its block covers (overlaps add up). Both are linear,
so each one's backward is the other (``Im2Col`` ↔ ``Col2Im``), to any order. They share ``_windows`` with conv2d and
the pooling layers: unfold(x) is exactly the matrix a convolution multiplies its weight with.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.function import Op

from ._windows import Geometry, col2im, pad, windows


class Im2Col(Op):
    """y[n, (c, i, j), l] = x[n, c] at block l's offset (i, j).   x̄ = Col2Im(ȳ): each block added back."""

    @staticmethod
    def forward(ctx, x, geom):
        ctx.geom = geom
        n, c = x.shape[:2]
        (kh, kw), (oh, ow) = geom.kernel, geom.out_hw
        return windows(pad(x, geom), geom).reshape(n, c * kh * kw, oh * ow)

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return Im2Col.apply(t, ctx.geom)


class Col2Im(Op):
    """y = Σ over blocks of each column placed at its block (Im2Col's adjoint).   x̄ = Im2Col(ȳ)."""

    @staticmethod
    def forward(ctx, cols, geom):
        ctx.geom = geom
        (kh, kw), (oh, ow) = geom.kernel, geom.out_hw
        n = cols.shape[0]
        return col2im(cols.reshape(n, cols.shape[1] // (kh * kw), kh, kw, oh, ow), geom)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, ctx.geom), None

    @staticmethod
    def jvp(ctx, t, _):
        return Col2Im.apply(t, ctx.geom)


def _pair(name: str, v: Any) -> tuple[int, int]:
    t = tuple(int(a) for a in v) if isinstance(v, tuple | list) else (int(v),) * 2
    if len(t) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(t)}")
    return t  # type: ignore[return-value]


def _geometry(op: str, size: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> Geometry:
    k, d, p, s = (_pair(n, v) for n, v in (("kernel_size", kernel_size), ("dilation", dilation),
                                             ("padding", padding), ("stride", stride)))
    for name, v, least in (("kernel", k, 1), ("stride", s, 1), ("dilation", d, 1), ("padding", p, 0)):
        if min(v) < least:
            raise RuntimeError(f"{op}: {name} should be {'greater than zero' if least else 'non-negative'}, but got "
                               f"{name}_height: {v[0]} {name}_width: {v[1]}")
    geom = Geometry(k, s, ((p[0], p[0]), (p[1], p[1])), d, tuple(size))
    if min(geom.out_hw) < 1:
        raise RuntimeError(f"{op}: Given input with spatial size {tuple(size)}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, calculated shape of the array of sliding blocks as {geom.out_hw}, but its "
                           "components must be at least one.")
    return geom


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding blocks of (N, C, H, W) (or (C, H, W)) as columns: (N, C·kH·kW, L), blocks in row-major order."""
    if input.ndim < 3:  # torch fails here looking up dim 2
        raise IndexError(f"unfold: Dimension out of range: expected a 3D (C, H, W) or 4D (N, C, H, W) input, got "
                         f"shape {list(input.shape)}")
    if input.ndim > 4:
        raise RuntimeError(f"unfold: Expected 3D or 4D (batch mode) tensor for input, but got: {list(input.shape)}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    y = Im2Col.apply(x, _geometry("unfold", tuple(x.shape[2:]), kernel_size, dilation, padding, stride))
    return y.squeeze(0) if unbatched else y


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Columns (N, C·kH·kW, L) (or (C·kH·kW, L)) summed back into (N, C, *output_size): unfold's adjoint."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: Expected 2D or 3D (batch mode) tensor for input, but got: {list(input.shape)}")
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    geom = _geometry("fold", _pair("output_size", output_size), kernel_size, dilation, padding, stride)
    (kh, kw), (oh, ow) = geom.kernel, geom.out_hw
    if x.shape[1] % (kh * kw):
        raise RuntimeError(f"fold: Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={geom.kernel}.")
    if x.shape[2] != oh * ow:
        raise RuntimeError(f"fold: Given output_size={geom.in_hw}, kernel_size={geom.kernel}, dilation="
                           f"{geom.dilation}, padding={(geom.padding[0][0], geom.padding[1][0])}, stride="
                           f"{geom.stride}, expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {oh} * {ow} = {oh * ow}, but got input.size(2)={x.shape[2]}.")
    y = Col2Im.apply(x, geom)
    return y.squeeze(0) if unbatched else y
