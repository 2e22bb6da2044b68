"""Indexing that copies (scatter-add, index_put, gather), joining (cat, stack), padding and tiling.

These move numbers without changing them, so each backward moves the gradient back the same way: scatter-add it into
the source positions, or cut it into the slices the inputs came from. (The view ops are in ``view.py``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import result_type
from ..function import Op
from ..tensor import Tensor
from ._util import as_tensor, cast, norm_dims
from .arithmetic import Clone
from .view import GetItem, broadcast_to, index_value, narrow, reshape, unsqueeze


class IndexAdd(Op):
    """z = zeros(shape) with g added at index (GetItem's backward; repeated positions add up).   ḡ = z̄[index]."""

    @staticmethod
    def forward(ctx, g, index, shape):
        ctx.index, ctx.out_shape = index, shape
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g  # basic indexing cannot repeat a position: a plain assignment is enough
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, ctx.index), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return IndexAdd.apply(t, ctx.index, ctx.out_shape)


class IndexPut(Op):
    """z = x with z[index] = v.   x̄ = z̄ with zeros at index;  v̄ = z̄[index]."""

    @staticmethod
    def forward(ctx, x, index, v):
        ctx.index = index
        out = np.array(x)
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        keep = np.ones(np.shape(grad), dtype=bool)
        keep[ctx.index] = False
        return (grad * keep if ctx.needs_input_grad[0] else None, None,
                GetItem.apply(grad, ctx.index) if ctx.needs_input_grad[2] else None)

    @staticmethod
    def jvp(ctx, tx, _, tv):
        return IndexPut.apply(tx, ctx.index, 0.0 if tv is None else tv)


class Gather(Op):
    """z = x gathered along dim at index (torch.gather).   x̄ = zeros with z̄ added at the gathered positions."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return index_add(grad, _gather_index(ctx.index, ctx.dim), ctx.shape), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Gather.apply(t, ctx.dim, ctx.index)


def _gather_index(index: np.ndarray, dim: int) -> tuple:
    """The full advanced index that ``take_along_axis(x, index, dim)`` reads, for scatter-adding into x."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


class Cat(Op):
    """z = the tensors joined along dim.   Each input's gradient is its slice of z̄."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim, ctx.sizes = dim, [t.shape[dim] for t in tensors]
        return np.concatenate(tensors, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [None], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            grads.append(narrow(grad, ctx.dim, start, size) if need else None)
            start += size
        return tuple(grads)

    @staticmethod
    def jvp(ctx, _, *tangents):
        return Cat.apply(ctx.dim, *tangents)


class Pad(Op):
    """z = x padded with a constant.   x̄ = the interior of z̄."""

    @staticmethod
    def forward(ctx, x, widths, fill):
        ctx.widths = widths
        return np.pad(x, widths, mode="constant", constant_values=fill)

    @staticmethod
    def backward(ctx, grad):
        interior = tuple(slice(lo, n - hi) for (lo, hi), n in zip(ctx.widths, np.shape(grad)))
        return GetItem.apply(grad, interior), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Pad.apply(t, ctx.widths, 0.0)


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in items)


# ---- functions ---------------------------------------------------------------------------------------------------
def index_add(g: Any, index: Any, shape: tuple) -> Any:
    """zeros(shape) with g added at index."""
    return IndexAdd.apply(g, index, tuple(shape))


def index_put(x: Tensor, index: Any, v: Any) -> Tensor:
    if isinstance(v, Tensor | np.ndarray):
        v = cast(as_tensor(v), x.dtype)
    return IndexPut.apply(x, index_value(index), v)


def repeat(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """Tile x ``sizes`` times along each dim (torch's repeat), as reshape → expand → reshape."""
    sizes = tuple(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"repeat: needs at least {x.ndim} sizes for a tensor of shape {x.shape}, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    spread = reshape(x, tuple(v for n in shape for v in (1, n)))
    tiled = broadcast_to(spread, tuple(v for r, n in zip(sizes, shape) for v in (r, n)))
    out = reshape(tiled, tuple(r * n for r, n in zip(sizes, shape)))
    # every count 1: nothing was tiled, and out is still x's memory; repeat copies, as in torch
    return Clone.apply(out, "C") if all(r == 1 for r in sizes) else out


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    idx = np.asarray(index.array if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"gather: index {idx.shape} and input {x.shape} must have the same number of dims")
    (d,) = norm_dims(dim, x.ndim)
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):  # no negative indices either, as in torch
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise RuntimeError(f"gather: index {bad} is out of bounds for dimension {d} with size {x.shape[d]} "
                           f"(input shape {x.shape}); indices must be in [0, {x.shape[d] - 1}]")
    return Gather.apply(x, d, idx)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    dt = result_type(*[t for t in tensors])
    tensors = [cast(t, dt) for t in tensors]
    (d,) = norm_dims(dim, tensors[0].ndim)
    for i, t in enumerate(tensors):
        first = tensors[0].shape
        if t.ndim != len(first) or t.shape[:d] + t.shape[d + 1:] != first[:d] + first[d + 1:]:
            raise RuntimeError(f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                             f"{tensors[0].shape} and tensor {i} has shape {t.shape}")
    return Cat.apply(d, *tensors)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: expects each tensor to be equal size, but got {tensors[0].shape} at entry 0 "
                             f"and {t.shape} at entry {i}")
    (d,) = norm_dims(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """torch.nn.functional.pad: ``pad`` lists (left, right) widths starting from the last dim."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; only 'constant'")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: padding {tuple(pad)} must have an even length of at most 2 × ndim ({2 * x.ndim})")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return Pad.apply(x, tuple(widths), value)
