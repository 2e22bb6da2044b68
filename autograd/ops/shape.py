"""Shape and indexing ops: reshape, permute, expand, indexing, gather, cat, pad, and the helpers built on them.

These move numbers without changing them, so each backward moves the gradient back the same way: reshape it back,
permute it back, sum it over the expanded dims (the engine does that), or scatter-add it into the source positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import result_type
from ..function import Function
from ..tensor import Tensor
from ._util import as_tensor, cast, norm_dims


class Reshape(Function):
    """z = x with a new shape.   x̄ = z̄ reshaped back."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, shape):
        try:
            return x.array.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: shape {list(shape)} is invalid for input of size {x.array.size} "
                             f"(shape {tuple(x.shape)})") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.args[0].shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return reshape(t, ctx.args[1])


class Permute(Function):
    """z = x with its dims reordered.   x̄ = z̄ with the inverse order."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dims):
        return np.transpose(x.array, dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = tuple(np.argsort(ctx.args[1]))
        return (permute(grad, inverse) if grad.__class__ is Tensor else np.transpose(grad, inverse)), None

    @staticmethod
    def jvp(ctx, t, _):
        return permute(t, ctx.args[1])


class Expand(Function):
    """z = x broadcast to a larger shape.   x̄ = z̄ summed over the broadcast dims (done by the engine)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x.array, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    @staticmethod
    def jvp(ctx, t, _):
        return broadcast_to(t, ctx.args[1])


class GetItem(Function):
    """z = x[index].   x̄ = zeros of x's shape with z̄ added at index (repeated indices add up)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, index):
        return x.array[index]

    @staticmethod
    def backward(ctx, grad):
        x, index = ctx.args
        return index_add(grad, index, x.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return GetItem.apply(t, ctx.args[1])


class IndexAdd(Function):
    """z = zeros(shape) with g added at index (GetItem's backward).   ḡ = z̄[index]."""

    array_backward = True

    @staticmethod
    def forward(ctx, g, index, shape):
        return _index_add(g.array, index, shape)

    @staticmethod
    def backward(ctx, grad):
        index = ctx.args[1]
        return (GetItem.apply(grad, index) if grad.__class__ is Tensor else grad[index]), None, None

    @staticmethod
    def jvp(ctx, t, _i, _s):
        return IndexAdd.apply(t, ctx.args[1], ctx.args[2])


class IndexPut(Function):
    """z = x with z[index] = v.   x̄ = z̄ with zeros at index;  v̄ = z̄[index]."""

    @staticmethod
    def forward(ctx, x, index, v):
        out = x.array.copy()
        out[index] = v.array if isinstance(v, Tensor) else v
        return out

    @staticmethod
    def backward(ctx, grad):
        x, index, v = ctx.args
        keep = np.ones(x.shape, dtype=grad.array.dtype)
        keep[index] = 0
        gx = grad * Tensor._make(keep) if ctx.needs_input_grad[0] else None
        gv = GetItem.apply(grad, index) if ctx.needs_input_grad[2] else None
        return gx, None, gv

    @staticmethod
    def jvp(ctx, tx, _, tv):
        index = ctx.args[1]
        return IndexPut.apply(tx, index, tv if tv is not None else 0.0)


class Gather(Function):
    """z = x gathered along dim at index (torch.gather).   x̄ = zeros with z̄ added at the gathered positions."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, dim, index):
        return np.take_along_axis(x.array, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        x, dim, index = ctx.args
        return index_add(grad, _gather_index(index, dim), x.shape), None, None

    @staticmethod
    def jvp(ctx, t, _d, _i):
        return Gather.apply(t, ctx.args[1], ctx.args[2])


def index_add(g: Any, index: Any, shape: tuple) -> Any:
    """zeros(shape) with g added at index: the IndexAdd op for a Tensor (recorded), its numpy kernel for an array."""
    return IndexAdd.apply(g, index, shape) if g.__class__ is Tensor else _index_add(g, index, shape)


def _index_add(g: np.ndarray, index: Any, shape: tuple) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g  # basic indexing cannot repeat a position: a plain assignment is enough
    else:
        np.add.at(out, index, g)
    return out


def _gather_index(index: np.ndarray, dim: int) -> tuple:
    """The full advanced index that ``take_along_axis(x, index, dim)`` reads, for scatter-adding into x."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


class Cat(Function):
    """z = the tensors joined along dim.   Each input's gradient is its slice of z̄."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        return np.concatenate([t.array for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        dim, *tensors = ctx.args
        grads, start = [None], 0
        for t, need in zip(tensors, ctx.needs_input_grad[1:]):
            stop = start + t.shape[dim]
            grads.append(narrow(grad, dim, start, stop - start) if need else None)
            start = stop
        return tuple(grads)

    @staticmethod
    def jvp(ctx, _, *tangents):
        return Cat.apply(ctx.args[0], *tangents)


class Pad(Function):
    """z = x padded with a constant.   x̄ = the interior of z̄."""

    @staticmethod
    def forward(ctx, x, widths, fill):
        return np.pad(x.array, widths, mode="constant", constant_values=fill)

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, _interior(ctx.args[1], grad.shape)), None, None

    @staticmethod
    def jvp(ctx, t, _w, _f):
        return Pad.apply(t, ctx.args[1], 0.0)


def _interior(widths: tuple, shape: tuple) -> tuple:
    return tuple(slice(lo, n - hi) for (lo, hi), n in zip(widths, shape))


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in items)


# ---- functions ---------------------------------------------------------------------------------------------------
def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    return Reshape.apply(x, shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = norm_dims((start_dim, end_dim), x.ndim)
    return reshape(x, x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    (d,) = norm_dims(dim, x.ndim)
    sizes = list(sizes)
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes[sizes.index(-1)] = x.shape[d] // known
    if int(np.prod(sizes)) != x.shape[d]:
        raise ValueError(f"unflatten: sizes {tuple(sizes)} don't multiply up to dim {d} of size {x.shape[d]}")
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    dims = norm_dims(dim, x.ndim) if dim is not None else tuple(range(x.ndim))
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    dims = norm_dims(tuple(dims), x.ndim)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} dims of shape {x.shape}")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = norm_dims((dim0, dim1), x.ndim)
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, dims)


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    x = as_tensor(x)
    shape = tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    try:
        np.broadcast_shapes(x.shape, shape)
        if len(shape) < x.ndim:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"expand: the shape {x.shape} cannot be expanded to {shape}; each dim must match or be 1") from None
    return Expand.apply(x, shape)


def expand(x: Tensor, sizes: Sequence[int]) -> Tensor:
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def repeat(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """Tile x ``sizes`` times along each dim (torch's repeat), as reshape → expand → reshape."""
    sizes = tuple(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: needs at least {x.ndim} sizes for a tensor of shape {x.shape}, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    spread = reshape(x, tuple(v for n in shape for v in (1, n)))
    tiled = broadcast_to(spread, tuple(v for r, n in zip(sizes, shape) for v in (r, n)))
    return reshape(tiled, tuple(r * n for r, n in zip(sizes, shape)))


def _index_value(i: Any) -> Any:
    if isinstance(i, Tensor):
        return i.array
    if isinstance(i, list):
        return np.asarray(i)
    return i


def getitem(x: Tensor, index: Any) -> Tensor:
    index = tuple(_index_value(i) for i in index) if isinstance(index, tuple) else _index_value(index)
    return GetItem.apply(x, index)


def index_put(x: Tensor, index: Any, v: Any) -> Tensor:
    index = tuple(_index_value(i) for i in index) if isinstance(index, tuple) else _index_value(index)
    if isinstance(v, Tensor | np.ndarray):
        v = cast(as_tensor(v), x.dtype)
    return IndexPut.apply(x, index, v)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim)
    return GetItem.apply(x, (slice(None),) * d + (slice(start, start + length),))


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    idx = np.asarray(_index_value(index))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != x.ndim:
        raise ValueError(f"gather: index {idx.shape} and input {x.shape} must have the same number of dims")
    (d,) = norm_dims(dim, x.ndim)
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise IndexError(f"gather: index out of range for dim {d} of size {x.shape[d]} "
                         f"(got values in [{idx.min()}, {idx.max()}])")
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
            raise ValueError(f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                             f"{tensors[0].shape} and tensor {i} has shape {t.shape}")
    return Cat.apply(d, *tensors)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: expects each tensor to be equal size, but got {tensors[0].shape} at entry 0 "
                             f"and {t.shape} at entry {i}")
    (d,) = norm_dims(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = norm_dims(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        sizes = [min(split_size_or_sections, n - s) for s in range(0, n, split_size_or_sections)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} must sum to the size {n} of dim {d}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = norm_dims(dim, x.ndim)
    size = -(-x.shape[d] // chunks)
    return split(x, max(size, 1), d)


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """torch.nn.functional.pad: ``pad`` lists (left, right) widths starting from the last dim."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; only 'constant'")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: padding {tuple(pad)} must have an even length of at most 2 × ndim ({2 * x.ndim})")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {tuple(pad)} is not supported")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return Pad.apply(x, tuple(widths), value)
