"""View ops: reshape/view, permute/transpose, expand, basic indexing, diagonal, as_strided — and in-place writes
through views (``CopySlices``).

A view op's output shares its input's memory whenever NumPy's result does (``is_view``; see ``Function.apply``):
writing into it writes into the base. Each backward moves the gradient back the way the view moved the numbers:
reshape it back, permute it back, sum it over expanded dims (the engine does that), or put it into zeros of the
input's shape at the viewed positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..function import Op
from ..size import Size
from ..tensor import Tensor
from ._util import as_tensor, norm_dims


class Reshape(Op):
    """z = x with a new shape (a view where x's memory layout allows, as NumPy and torch decide).
    x̄ = z̄ reshaped back."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape, ctx.new_shape = x.shape, shape
        try:
            return np.reshape(x, shape)
        except ValueError:
            raise RuntimeError(f"reshape: shape {list(shape)} is invalid for input of size {np.size(x)} "
                             f"(shape {tuple(np.shape(x))})") from None

    @staticmethod
    def backward(ctx, grad):
        return reshape(grad, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return reshape(t, ctx.new_shape)


class Permute(Op):
    """z = x with its dims reordered.   x̄ = z̄ with the inverse order."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return permute(grad, tuple(np.argsort(ctx.dims))), None

    @staticmethod
    def jvp(ctx, t, _):
        return permute(t, ctx.dims)


class Expand(Op):
    """z = x broadcast to a larger shape (a read-only view).   x̄ = z̄ summed over the broadcast dims (by the engine)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.new_shape = shape
        if np.size(x) == int(np.prod(shape)):  # nothing repeated (only new size-1 dims): a writable view, as in torch
            return np.reshape(x, shape)
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    @staticmethod
    def jvp(ctx, t, _):
        return broadcast_to(t, ctx.new_shape)


class GetItem(Op):
    """z = x[index] (a view for basic indexing, a copy for advanced).   x̄ = zeros with z̄ added at index."""

    is_view = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        out = np.asarray(x)[index]
        # an advanced index copies; NumPy may lay the copy out in another order, torch's is contiguous
        return out if np.may_share_memory(out, x) else np.asarray(out, order="C")  # (keeps a 0-d result 0-d)

    @staticmethod
    def backward(ctx, grad):
        from .shape import index_add

        return index_add(grad, ctx.index, ctx.shape), None

    @staticmethod
    def jvp(ctx, t, _):
        return GetItem.apply(t, ctx.index)


class Diagonal(Op):
    """z = the diagonal of x over dims (d1, d2), shifted by offset, as the last dim (a writable view).
    x̄ = zeros with z̄ on that diagonal."""

    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.diagonal = x.shape, (offset, d1, d2)
        a = np.moveaxis(x, (d1, d2), (-2, -1))
        a = a[..., :, offset:] if offset >= 0 else a[..., -offset:, :]
        n = max(min(a.shape[-2], a.shape[-1]), 0)
        step = a.strides[-2] + a.strides[-1]  # one row down and one column right
        return np.lib.stride_tricks.as_strided(a, a.shape[:-2] + (n,), a.strides[:-2] + (step,))

    @staticmethod
    def backward(ctx, grad):
        return DiagonalEmbed.apply(grad, ctx.shape, *ctx.diagonal), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Diagonal.apply(t, *ctx.diagonal)


class DiagonalEmbed(Op):
    """z = zeros(shape) with g on the (offset, d1, d2) diagonal (Diagonal's backward).   ḡ = diagonal of z̄."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        out = np.zeros(shape, dtype=g.dtype)
        Diagonal.forward(ctx, out, offset, d1, d2)[...] = g  # (sets ctx.shape and ctx.diagonal too)
        ctx.shape = shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, *ctx.diagonal), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return DiagonalEmbed.apply(t, ctx.shape, *ctx.diagonal)


class AsStrided(Op):
    """z = a strided window on x's elements (x contiguous; sizes, strides and offset in elements, as torch).
    x̄ = zeros with z̄ added at the positions read (repeated positions add up)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        ctx.shape, ctx.strided = x.shape, (size, stride, offset)
        ctx.positions = offset + sum(i * s for i, s in zip(np.indices(size), stride))
        flat = np.reshape(x, -1)[offset:]
        return np.lib.stride_tricks.as_strided(flat, size, tuple(s * flat.itemsize for s in stride))

    @staticmethod
    def backward(ctx, grad):
        from .shape import index_add

        return reshape(index_add(grad, ctx.positions, (int(np.prod(ctx.shape)),)), ctx.shape), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return AsStrided.apply(t, *ctx.strided)


class CopySlices(Op):
    """z = base with its viewed part replaced by v: an in-place op on a view, recorded on the view's base.
    ∂z/∂base = 1 outside the viewed part, 0 inside;  ∂z/∂v = 1 inside (v̄ = that part of z̄)."""

    @staticmethod
    def forward(ctx, base, v, view_fn):
        ctx.view_fn = view_fn
        replay_view(base, view_fn)[...] = v  # the write itself: base's memory now holds the new values
        return base

    @staticmethod
    def backward(ctx, grad):
        outside = np.ones(np.shape(grad), dtype=bool)
        replay_view(outside, ctx.view_fn)[...] = False
        return grad * outside, replay_view(grad, ctx.view_fn), None

    @staticmethod
    def jvp(ctx, tb, tv, _):
        out = np.array(tb)
        replay_view(out, ctx.view_fn)[...] = tv
        return out


def replay_view(x: Any, view_fn: tuple) -> Any:
    """Apply a view's chain of view ops (recorded when it was made from its base) to ``x``: to the base for its
    current history, to a gradient, or to an array."""
    for op, args in view_fn:
        x = op.apply(x, *args)
    return x


# ---- functions ---------------------------------------------------------------------------------------------------
def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    shape = tuple(int(s) for s in shape)
    # to its own shape: an array as it is; a Tensor's result is still a new view, as in torch
    return x if shape == tuple(x.shape) and not isinstance(x, Tensor) else Reshape.apply(x, shape)


def view(x: Tensor, shape: Sequence[int]) -> Tensor:
    """``reshape`` that must not copy: an error, as in torch, where x's memory layout does not allow it."""
    shape = tuple(int(s) for s in shape)
    try:
        np.reshape(x.array, shape, copy=False)
    except ValueError as e:
        if "copy" not in str(e):
            raise RuntimeError(f"view: shape {list(shape)} is invalid for input of size {x.array.size} "
                             f"(shape {x.shape})") from None
        raise RuntimeError(f"view size is not compatible with input tensor's size and stride (shape {x.shape}): at "
                           "least one dimension spans across two contiguous subspaces. Use .reshape(...) instead."
                           ) from None
    return Reshape.apply(x, shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = norm_dims((start_dim, end_dim), x.ndim)
    if s == e:  # nothing to flatten: the input itself, as torch returns it
        return x
    return reshape(x, x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    (d,) = norm_dims(dim, x.ndim)
    sizes = list(sizes)
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes[sizes.index(-1)] = x.shape[d] // known
    if int(np.prod(sizes)) != x.shape[d]:
        raise RuntimeError(f"unflatten: sizes {tuple(sizes)} don't multiply up to dim {d} of size {x.shape[d]}")
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    dims = norm_dims(dim, x.ndim) if dim is not None else tuple(range(x.ndim))
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def permute(x: Any, dims: Sequence[int]) -> Tensor:
    dims = norm_dims(tuple(dims), x.ndim)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} dims of shape {x.shape}")
    return Permute.apply(x, dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim == 0:  # dims 0 and -1 of a 0-d tensor are the tensor itself, as in torch
        norm_dims((dim0, dim1), 0)
        return permute(x, ())
    d0, d1 = norm_dims((dim0, dim1), x.ndim)
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, dims)


def t(x: Tensor) -> Tensor:
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but got {x.ndim}; use transpose()")
    return permute(x, tuple(range(x.ndim))[::-1])


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    x = x if isinstance(x, Tensor | np.ndarray) else as_tensor(x)
    shape = tuple(int(s) for s in shape)
    if shape == tuple(x.shape) and not isinstance(x, Tensor):
        return x
    try:
        np.broadcast_shapes(x.shape, shape)
        if len(shape) < x.ndim:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"expand: the shape {x.shape} cannot be expanded to {shape}; each dim must match or be 1") from None
    return Expand.apply(x, shape)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape all of ``shapes`` broadcast to (torch's RuntimeError, naming them, when they don't)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {', '.join(map(str, shapes))} cannot be broadcast together; "
                           "each dim must match or be 1") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Each tensor expanded (a view) to the shape they broadcast to together."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(broadcast_to(t, shape) for t in tensors)


def expand(x: Tensor, sizes: Sequence[int]) -> Tensor:
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def index_value(index: Any) -> Any:
    """An index as NumPy takes it: Tensors and lists inside it become arrays; a basic index gets a trailing ``...``
    so that NumPy returns a view even when it picks a single element."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(i.array if isinstance(i, Tensor) else np.asarray(i) if isinstance(i, list) else i for i in items)
    if is_basic(items):
        return items if Ellipsis in items else items + (Ellipsis,)
    return items if isinstance(index, tuple) else items[0]


def is_basic(index: tuple) -> bool:
    """Whether an index (as ``index_value`` gives it) picks a view: only ints, slices, None and ``...``."""
    return all(isinstance(i, int | np.integer | slice) or i is None or i is Ellipsis for i in index)


def getitem(x: Tensor, index: Any) -> Tensor:
    return GetItem.apply(x, index_value(index))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim)
    return GetItem.apply(x, (slice(None),) * d + (slice(start, start + length), Ellipsis))


def select(x: Tensor, dim: int, index: int) -> Tensor:
    (d,) = norm_dims(dim, x.ndim)
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {x.shape} at dimension {d}")
    return GetItem.apply(x, (slice(None),) * d + (int(index), Ellipsis))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = norm_dims(dim, x.ndim)
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = norm_dims(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        sizes = [min(split_size_or_sections, n - s) for s in range(0, n, split_size_or_sections)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split: sizes {sizes} must sum to the size {n} of dim {d}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = norm_dims(dim, x.ndim)
    size = -(-x.shape[d] // chunks)
    return split(x, max(size, 1), d)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    d1, d2 = norm_dims((dim1, dim2), x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(x, int(offset), d1, d2)


def as_strided(x: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None) -> Tensor:
    size, stride, offset = tuple(int(s) for s in size), tuple(int(s) for s in stride), int(storage_offset or 0)
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided: mismatch in length of strides {stride} and shape {size}")
    if not x.array.flags.c_contiguous:
        raise RuntimeError(f"as_strided: supported on contiguous tensors only (shape {x.shape}); call "
                           ".contiguous() first")
    last = offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
    if min(stride, default=0) < 0 or offset < 0 or (all(size) and last >= x.array.size):
        raise RuntimeError(f"as_strided: size {size}, stride {stride} and offset {offset} reach outside the "
                           f"{x.array.size} elements of the tensor")
    return AsStrided.apply(x, size, stride, offset)
