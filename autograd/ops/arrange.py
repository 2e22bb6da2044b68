"""Rearranging: flip, roll, rot90, triangles and diagonals (tril/triu, diag, diag_embed, diagflat, trace), grids and
stacks (meshgrid, h/v/d/column_stack, block_diag, cartesian_prod, combinations), repetition (repeat_interleave, tile),
dim moves (movedim, swapaxes, atleast_nd) and flat picking (take, take_along_dim).

As torch does: movedim, swapaxes, atleast_nd and meshgrid give views of their input; the others give new memory.
Two new ops, ``Flip`` and ``Roll``, each its own backward run the other way; the rest are composites of view ops,
indexing, where, cat and pad, so their derivatives come from those.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype, result_type
from ..function import Op
from ..tensor import Tensor
from . import reduce, view
from ._util import as_tensor, cast, norm_dims
from .arithmetic import clone
from .elementwise import where
from .shape import Gather, cat, pad, repeat
from .view import DiagonalEmbed, GetItem, broadcast_to, permute, reshape, transpose


class Flip(Op):
    """z = x reversed along dims (a copy, as in torch).   x̄ = z̄ reversed along the same dims."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None

    @staticmethod
    def jvp(ctx, t, _):
        return Flip.apply(t, ctx.dims)


class Roll(Op):
    """z = x shifted cyclically by shifts along dims.   x̄ = z̄ shifted back."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return Roll.apply(t, ctx.shifts, ctx.dims)


def _ints(x: Any) -> tuple:
    return (int(x),) if isinstance(x, int | np.integer) else tuple(int(v) for v in x)


# ---- flips and rotations -------------------------------------------------------------------------------------------
def flip(input: Tensor, dims: Sequence[int]) -> Tensor:
    if not isinstance(dims, list | tuple):
        raise TypeError(f"flip(): argument 'dims' must be a tuple of ints, not {type(dims).__name__}")
    d = norm_dims(dims, input.ndim)
    if len(set(d)) < len(d):
        raise RuntimeError(f"flip: dim {next(x for x in d if d.count(x) > 1)} appears multiple times in the list of "
                           f"dims {tuple(dims)}")
    return Flip.apply(input, d)


def fliplr(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got shape {tuple(input.shape)}")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d, got a 0-d tensor")
    return flip(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift cyclically along dims; without dims, along the flattened tensor (shape kept)."""
    shifts = _ints(shifts)
    n_dims = 0 if dims is None else len(_ints(dims))
    if len(shifts) != max(n_dims, 1) or dims is None and len(shifts) != 1:
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {n_dims}")
    if dims is None:
        return reshape(Roll.apply(reshape(input, (-1,)), shifts, (0,)), input.shape)
    if input.ndim == 0:
        raise IndexError(f"roll: dimension specified as {dims} but tensor has no dimensions")
    return Roll.apply(input, shifts, norm_dims(_ints(dims), input.ndim))


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90° k times in the plane of dims, from the first dim towards the second (torch's flips and a
    transpose)."""
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = norm_dims(dims, input.ndim)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = "
                           f"{dims[1]}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return clone(input)


# ---- triangles and diagonals ---------------------------------------------------------------------------------------
def _triangle(input: Tensor, keep: np.ndarray) -> Tensor:
    return where(keep, input, np.zeros((), input.dtype))  # (where, not a product: NaN and inf outside become 0)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below the ``diagonal``-th diagonal); zeros above."""
    if input.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got shape {tuple(input.shape)}")
    return _triangle(input, np.tri(*input.shape[-2:], diagonal, dtype=bool))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above the ``diagonal``-th diagonal); zeros below."""
    if input.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got shape {tuple(input.shape)}")
    return _triangle(input, ~np.tri(*input.shape[-2:], diagonal - 1, dtype=bool))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal. 2-D input: that diagonal, copied."""
    if input.ndim == 1:
        n = input.shape[0] + abs(diagonal)
        return DiagonalEmbed.apply(input, (n, n), int(diagonal), 0, 1)
    if input.ndim == 2:
        return clone(view.diagonal(input, diagonal, 0, 1))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D (shape {tuple(input.shape)}); use "
                       "diagonal() or diag_embed()")



def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each vector along input's last dim put on a diagonal of the (dim1, dim2) planes of a new tensor (one more
    dim), zeros elsewhere."""
    d1, d2 = norm_dims((dim1, dim2), input.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape = list(input.shape[:-1])
    n = input.shape[-1] + abs(offset)
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return DiagonalEmbed.apply(input, tuple(shape), int(offset), d1, d2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    return diag(reshape(input, (-1,)), offset)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return reduce.sum(view.diagonal(input))


# ---- grids and stacks ----------------------------------------------------------------------------------------------
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids: output i holds input i along dim i (dims 0 and 1 swapped for indexing="xy"), expanded
    along the others (views of the inputs). Without ``indexing``, "ij" and torch's UserWarning."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    tensors = [as_tensor(t) for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but tensor {i} has "
                               f"shape {tuple(t.shape)}")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got "
                           f"{', '.join(str(t.dtype) for t in tensors)}")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(axes) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, a in zip(tensors, axes):
        shape[a] = t.numel()
    return tuple(broadcast_to(reshape(t, [t.numel() if i == a else 1 for i in range(len(shape))]), shape)
                 for t, a in zip(tensors, axes))


def _tensor_list(tensors: Any, op: str) -> list[Tensor]:
    if not isinstance(tensors, list | tuple):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return [as_tensor(t) for t in tensors]


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1 (along dim 0 for 1-D tensors)."""
    ts = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0, 1-D tensors taken as rows."""
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 2, after atleast_3d."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1, 0-D and 1-D tensors taken as columns."""
    ts = _tensor_list(tensors, "column_stack")
    return cat([reshape(t, (t.numel(), 1)) if t.ndim < 2 else t for t in ts], 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-, 1- or 2-D, taken as matrices) as blocks on the diagonal of a matrix, zeros elsewhere."""
    if not tensors:
        return Tensor._make(np.zeros((1, 0), get_default_dtype()))
    blocks = []
    for i, t in enumerate(as_tensor(t) for t in tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        blocks.append(t if t.ndim == 2 else reshape(t, (1, -1)))
    dtype = result_type(*blocks)
    width, left, rows = sum(b.shape[1] for b in blocks), 0, []
    for b in blocks:
        rows.append(pad(cast(b, dtype), (left, width - left - b.shape[1])))
        left += b.shape[1]
    return cat(rows, 0)


def _vectors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    tensors = [as_tensor(t) for t in tensors]
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"{op}: Expect a 1D vector, but got shape {list(t.shape)}")
    return tensors


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows (one tensor: returned as it is)."""
    tensors = _vectors(tensors, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return cat([reshape(g, (-1, 1)) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-D tensor's elements, as rows (itertools' order)."""
    (input,) = _vectors([input], "combinations")
    if r < 0:
        raise RuntimeError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return GetItem.apply(input, (np.zeros(0, np.int64),))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return GetItem.apply(input, (index,))


# ---- repetition ----------------------------------------------------------------------------------------------------
def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
                      ) -> Tensor:
    """Each element repeated ``repeats`` times (an int, or a 1-D integer tensor with one count per element) along
    ``dim``; without dim, of the flattened tensor. ``repeat_interleave(counts)``: 0, 1, … repeated by counts."""
    if repeats is None:
        counts = _counts(input, None, "repeat_interleave")
        return Tensor._make(np.repeat(np.arange(counts.size), counts))
    if dim is not None and input.ndim == 0:
        raise IndexError(f"repeat_interleave: a 0-d tensor has no dim {dim}; leave dim=None to repeat its element")
    if dim is None:
        input, d = reshape(input, (-1,)), 0
    else:
        (d,) = norm_dims(dim, input.ndim)
    counts = _counts(repeats, input.shape[d], "repeat_interleave")
    if output_size is not None and output_size != counts.sum():
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {counts.sum()} but got {output_size}")
    return GetItem.apply(input, (slice(None),) * d + (np.repeat(np.arange(input.shape[d]), counts),))


def _counts(repeats: Any, n: int | None, op: str) -> np.ndarray:
    """repeat_interleave's counts as an int array of length n (one count given: the same for all)."""
    if isinstance(repeats, Tensor):
        if repeats.dtype.kind not in "iu":
            raise NotImplementedError(f"{op}: repeats must be an integer tensor, got {repeats.dtype}")
        if repeats.ndim > 1:
            raise RuntimeError(f"{op}: repeats must be 0-dim or 1-dim tensor, got shape {tuple(repeats.shape)}")
        counts = repeats.array.reshape(-1)
    elif isinstance(repeats, int | np.integer) and not isinstance(repeats, bool):
        counts = np.array([repeats])
    else:
        raise TypeError(f"{op}(): repeats must be an int or an integer Tensor, not {type(repeats).__name__}")
    if n is not None and counts.size == 1:
        counts = np.full(n, counts[0])
    if n is not None and counts.size != n:
        raise RuntimeError(f"{op}: repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{counts.size} and input.size = {n}")
    if (counts < 0).any():
        raise RuntimeError(f"{op}: repeats can not be negative, got {counts.tolist()}")
    return counts.astype(np.int64)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Repeat the whole tensor ``dims[i]`` times along dim i (missing leading counts are 1), in new memory."""
    dims = _ints(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


# ---- moving dims ---------------------------------------------------------------------------------------------------
def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the others keep their order (a view)."""
    src, dst = _ints(source), _ints(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    s, d = norm_dims(src, input.ndim), norm_dims(dst, input.ndim)
    for name, given, dims in (("source", src, s), ("destination", dst, d)):
        if len(set(dims)) < len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order: list = [None] * input.ndim
    for a, b in zip(s, d):
        order[b] = a
    rest = iter(i for i in range(input.ndim) if i not in s)
    return permute(input, [next(rest) if o is None else o for o in order])


moveaxis = movedim


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(input, dim0, dim1)


def _atleast(tensors: tuple, shape_for: Any) -> Any:
    """One tensor in: one out (itself if it has dims enough). Several, or a list: a tuple."""
    one = len(tensors) == 1 and not isinstance(tensors[0], list | tuple)
    if len(tensors) == 1 and not one:
        tensors = tuple(tensors[0])
    out = []
    for t in (as_tensor(t) for t in tensors):
        shape = shape_for(t.shape)
        out.append(t if shape == t.shape else reshape(t, shape))
    return out[0] if one else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    return _atleast(tensors, lambda s: s or (1,))


def atleast_2d(*tensors: Any) -> Any:
    return _atleast(tensors, lambda s: (1,) * (2 - len(s)) + s if len(s) < 2 else s)


def atleast_3d(*tensors: Any) -> Any:
    # 1-D (n,) becomes (1, n, 1) and 2-D (m, n) becomes (m, n, 1), as in NumPy and torch
    return _atleast(tensors, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s))


# ---- flat picking --------------------------------------------------------------------------------------------------
def _index_array(index: Any, op: str, arg: str) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): expected a long tensor for {arg}, but got {index.dtype}")
    return index.array.astype(np.int64, copy=False)


def take(input: Tensor, index: Tensor) -> Tensor:
    """input's elements at ``index`` in its flattened order (negative indices count from the end); index's shape."""
    idx = _index_array(index, "take", "index")
    n = input.numel()
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"take: out of range: tried to access index {bad.flat[0]} on a tensor of {n} elements.")
    return GetItem.apply(reshape(input, (-1,)), (idx % max(n, 1),))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """input's elements at ``indices`` along ``dim`` (gather, with broadcasting of the other dims); without dim,
    along the flattened tensor. Indices are in [0, size), as gather's."""
    idx = _index_array(indices, "take_along_dim", "indices")
    if dim is None:
        input, idx, d = reshape(input, (-1,)), idx.reshape(-1), 0
    else:
        if idx.ndim != input.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {input.ndim} dimensions for input, and {idx.ndim} dimensions "
                               "for indices")
        (d,) = norm_dims(dim, input.ndim)
        try:
            shape = np.broadcast_shapes(input.shape[:d] + (1,) + input.shape[d + 1:],
                                        idx.shape[:d] + (1,) + idx.shape[d + 1:])
        except ValueError:
            raise RuntimeError(f"take_along_dim: the shapes of input {tuple(input.shape)} and indices "
                               f"{idx.shape} must broadcast in all dims but dim {d}") from None
        input = broadcast_to(input, shape[:d] + input.shape[d:d + 1] + shape[d + 1:])
        idx = np.broadcast_to(idx, shape[:d] + idx.shape[d:d + 1] + shape[d + 1:])
    n = input.shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= n):  # (no negative indices, as gather)
        raise RuntimeError(f"take_along_dim: index {idx.min() if idx.min() < 0 else idx.max()} is out of bounds "
                           f"for dimension {d} with size {n}; indices must be in [0, {n - 1}]")
    return Gather.apply(input, d, idx)
