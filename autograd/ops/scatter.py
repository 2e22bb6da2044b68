"""Indexing with an index tensor, torch's functions: index_select, scatter, scatter_add, scatter_reduce, index_add,
index_copy, index_fill, masked_select, masked_scatter, put and index_put (take is in arrange.py).

Most are composites of the copying-index ops (``GetItem``, ``IndexPut``, ``IndexAdd``): an index along one dim
becomes a full NumPy index, and the gradient goes back through the same positions (what a scatter wrote is read back
from z̄ by a gather; what a gather read gets z̄ scatter-added back). scatter_reduce is an op of its own.

Each function first checks its index as torch does (dtype, shape, range) and raises torch's error type, naming the
op and the shapes: NumPy would otherwise wrap a negative index or broadcast a wrongly shaped one without a word.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import add_tangents, cast, norm_dims
from .arithmetic import add, clone
from .elementwise import where
from .shape import IndexAdd, IndexPut, _gather_index
from .view import GetItem, broadcast_to, reshape

_LONG = ("int64",)
_INTS = ("int32", "int64")


# ---- checks ----------------------------------------------------------------------------------------------------------
def _index(op: str, index: Any, allowed: tuple = _INTS, error: type = RuntimeError) -> np.ndarray:
    """The index's array, after torch's type checks."""
    if not isinstance(index, Tensor | np.ndarray):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index.array if isinstance(index, Tensor) else index
    if idx.dtype.name not in allowed:
        raise error(f"{op}(): expected dtype {' or '.join(allowed)} for index, but got {idx.dtype} (convert it with "
                    f".long())")
    return idx


def _in_range(op: str, idx: np.ndarray, size: int, dim: int, shape: tuple, error: type = RuntimeError,
              negative: bool = False) -> None:
    """Every index in [0, size) (in [-size, size) where torch wraps negative indices)."""
    low = -size if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= size):
        bad = idx.min() if idx.min() < low else idx.max()
        raise error(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size} (input shape "
                    f"{tuple(shape)}); indices must be in [{low}, {size - 1}]")


def _tensor(op: str, name: str, t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    return t


def _same_dtype(op: str, x: Tensor, src: Tensor, name: str = "src") -> None:
    if src.dtype != x.dtype:
        raise RuntimeError(f"{op}(): expected self and {name} to have the same dtype, but got {x.dtype} (self) and "
                           f"{src.dtype} ({name}); cast {name} with .to(self.dtype)")


def _lift(t: Any) -> Any:
    """A 0-d tensor or array as 1-d: torch treats a scalar input as a vector of one element along dim 0."""
    if isinstance(t, Tensor):
        return reshape(t, (1,)) if t.ndim == 0 else t
    return np.reshape(t, (1,)) if isinstance(t, np.ndarray) and t.ndim == 0 else t


def _along(d: int, idx: np.ndarray) -> tuple:
    """The NumPy index that picks positions ``idx`` (a vector) along dim d, everything along the other dims."""
    return (slice(None),) * d + (idx.reshape(-1), Ellipsis)


def _vector_index(op: str, idx: np.ndarray, error: type) -> None:
    if idx.ndim > 1:
        raise error(f"{op}(): index is supposed to be a vector (or a scalar), but got shape {tuple(idx.shape)}")


# ---- scatter family: an index of the input's rank, one position along dim per element --------------------------------
def _scatter_args(op: str, x: Tensor, dim: int, index: Any, src: Any) -> tuple[int, np.ndarray]:
    """dim (normalised) and the index array, checked as torch's scatter and gather check them."""
    idx = _index(op, index)
    (d,) = norm_dims(dim, x.ndim)
    if isinstance(src, Tensor):
        _same_dtype(op, x, src)
    if idx.size == 0:  # nothing is written; torch checks no shapes then
        return d, idx
    for name, t in (("self", x), ("src", src)):
        if isinstance(t, Tensor) and t.ndim != idx.ndim:
            raise RuntimeError(f"{op}(): index tensor must have the same number of dimensions as {name} tensor "
                               f"(index {tuple(idx.shape)}, {name} {tuple(t.shape)})")
    larger = any(n > s for k, (n, s) in enumerate(zip(idx.shape, x.shape)) if k != d)
    if larger or isinstance(src, Tensor) and any(n > s for n, s in zip(idx.shape, src.shape)):
        raise RuntimeError(f"{op}(): expected index {list(idx.shape)} to be no larger than self {list(x.shape)} "
                           f"apart from dimension {d}" + (f" and no larger than src {list(src.shape)}"
                                                          if isinstance(src, Tensor) else ""))
    _in_range(op, idx, x.shape[d], d, x.shape)
    return d, idx


def _read(src: Tensor, shape: tuple) -> Tensor:
    """The part of src that a scatter reads: its leading ``shape`` corner (src may be larger than the index)."""
    if tuple(src.shape) == tuple(shape):
        return src
    return GetItem.apply(src, tuple(slice(0, n) for n in shape) + (Ellipsis,))


def scatter(input: Tensor, dim: int, index: Any, src: Any = None, value: Any = None, reduce: str | None = None
            ) -> Tensor:
    """z = input with, along dim, z[index[i][j]][j] = src[i][j] (dim 0; likewise for any dim and rank); ``value``
    (a number) instead of src writes that number. With ``reduce="add"`` or ``"multiply"`` the values are added or
    multiplied in instead (scatter_reduce's "sum" and "prod"). Where index repeats a position, which write wins is
    unspecified (as in torch), and so is the gradient there."""
    if src is not None and not isinstance(src, Tensor):  # scatter(input, dim, index, 2.5): the value form
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter(): give src (a tensor) or value (a number)")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got {reduce!r}")
    if input.ndim == 0:
        return reshape(scatter(_lift(input), dim, _lift(index), _lift(src), value, reduce), ())
    d, idx = _scatter_args("scatter", input, dim, index, src)
    if idx.size == 0:
        return clone(input)
    if reduce is not None:
        if src is not None:
            warnings.warn("The reduce argument of scatter with a tensor src is deprecated in torch: use "
                          "scatter_reduce, which has more reductions", UserWarning, stacklevel=2)
        else:
            src = Tensor._make(np.full(idx.shape, value, dtype=input.dtype))
        return scatter_reduce(input, d, idx, src, "sum" if reduce == "add" else "prod")
    return IndexPut.apply(input, _gather_index(idx, d), value if src is None else _read(src, idx.shape))


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """z = input with src[i][j] added at z[index[i][j]][j] (dim 0; likewise for any dim); repeats add up."""
    _tensor("scatter_add", "src", src)
    if input.ndim == 0:
        return reshape(scatter_add(_lift(input), dim, _lift(index), _lift(src)), ())
    d, idx = _scatter_args("scatter_add", input, dim, index, src)
    if idx.size == 0:
        return clone(input)
    return add(input, IndexAdd.apply(_read(src, idx.shape), _gather_index(idx, d), tuple(input.shape)))


_REDUCTIONS = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin",
               "max": "amax", "min": "amin"}  # (torch takes max and min too, undocumented)


def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, include_self: bool = True
                   ) -> Tensor:
    """z = input with the src values scattered to each position (as in scatter) reduced together, with input's own
    value too if include_self: "sum", "prod", "mean", "amax" or "amin". Positions no index names keep input's value."""
    _tensor("scatter_reduce", "src", src)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"scatter_reduce(): reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce!r}")
    if input.ndim == 0:
        return reshape(scatter_reduce(_lift(input), dim, _lift(index), _lift(src), reduce, include_self), ())
    d, idx = _scatter_args("scatter_reduce", input, dim, index, src)
    if idx.size == 0:
        return clone(input)
    return ScatterReduce.apply(input, d, idx, _read(src, idx.shape), _REDUCTIONS[reduce], bool(include_self))


class ScatterReduce(Op):
    """z[p] = reduce(x[p] (if included), every src[j] scattered to p); positions nothing is scattered to keep x[p].
    The derivative of z[p] by one of its factors f: sum: 1;  mean: 1/N (N values reduced at p);  amax/amin: 1/T
    where f is the extreme value (T of them tie), else 0;  prod: the product of the other factors at p.
    x̄ = z̄ · ∂z/∂x;  src̄ = z̄ gathered at index · ∂z/∂src."""

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        pos = _gather_index(index, dim)
        hit = np.zeros(x.shape, dtype=bool)
        hit[pos] = True
        incl = np.ones(x.shape, dtype=bool) if include_self else ~hit  # where x's own value is a factor
        ctx.pos, ctx.shape, ctx.dim, ctx.index, ctx.reduce, ctx.include_self = pos, x.shape, dim, index, reduce, \
            include_self
        if reduce in ("sum", "mean"):
            out = np.where(incl, x, 0).astype(x.dtype)
            np.add.at(out, pos, src)
            if reduce == "mean":
                count = incl.astype(np.int64)
                np.add.at(count, pos, 1)
                out = out // count if x.dtype.kind in "iub" else (out / count).astype(x.dtype)
                ctx.w_self, ctx.w_src = (incl / count).astype(x.dtype), (1 / count[pos]).astype(x.dtype)
            else:
                ctx.w_self, ctx.w_src = incl.astype(x.dtype), 1
        elif reduce == "prod":
            out = np.where(incl, x, 1).astype(x.dtype)
            np.multiply.at(out, pos, src)
            ctx.incl, ctx.x_zero, ctx.src_zero = incl, x == 0, src == 0
            zeros = (incl & (x == 0)).astype(np.int64)
            np.add.at(zeros, pos, (src == 0).astype(np.int64))
            ctx.zeros = zeros  # how many factors at each position are 0
        else:
            ufunc = np.maximum if reduce == "amax" else np.minimum
            info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
            start = (-np.inf if reduce == "amax" else np.inf) if x.dtype.kind == "f" else \
                (info.min if reduce == "amax" else info.max)
            out = np.where(incl, x, start).astype(x.dtype)
            ufunc.at(out, pos, src)
            self_is, src_is = incl & (x == out), src == out[pos]  # the factors that are the extreme value
            ties = self_is.astype(np.int64)
            np.add.at(ties, pos, src_is.astype(np.int64))
            ties = np.maximum(ties, 1)  # (a NaN is equal to nothing)
            ctx.w_self, ctx.w_src = (self_is / ties).astype(x.dtype), (src_is / ties[pos]).astype(x.dtype)
        if reduce == "prod":
            ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def _weights(ctx) -> tuple:
        """(∂z/∂x, ∂z/∂src) elementwise: constants, except for prod, where they are built from the saved values (so
        that they can be differentiated again)."""
        if ctx.reduce != "prod":
            return ctx.w_self, ctx.w_src
        x, src, out = ctx.saved_tensors
        # the product of the non-zero factors at each position; a factor's "others" product is out / f when f is not
        # 0, this product when f is the only 0 there, and 0 when another factor is 0 too
        nonzero = ScatterReduce.apply(where(ctx.x_zero, 1.0, x), ctx.dim, ctx.index, where(ctx.src_zero, 1.0, src),
                                      "prod", ctx.include_self)
        one_zero = ctx.zeros == 1
        w_self = where(ctx.incl, where(ctx.x_zero, where(one_zero, nonzero, 0.0), out / where(ctx.x_zero, 1.0, x)),
                       0.0)
        w_src = where(ctx.src_zero, where(one_zero[ctx.pos], GetItem.apply(nonzero, ctx.pos), 0.0),
                      GetItem.apply(out, ctx.pos) / where(ctx.src_zero, 1.0, src))
        if (ctx.zeros > 1).any():  # as torch: "others" is then 0 as a value, but not as a function of the inputs
            w_self, w_src = _NoDoubleBackward.apply(w_self), _NoDoubleBackward.apply(w_src)
        return w_self, w_src

    @staticmethod
    def backward(ctx, grad):
        w_self, w_src = ScatterReduce._weights(ctx)
        gx = grad * w_self if ctx.needs_input_grad[0] else None
        gs = GetItem.apply(grad, ctx.pos) * w_src if ctx.needs_input_grad[3] else None
        return gx, None, None, gs, None, None

    @staticmethod
    def jvp(ctx, tx, _, __, ts, *___):
        w_self, w_src = ScatterReduce._weights(ctx)
        return add_tangents(tx * w_self, IndexAdd.apply(ts * w_src, ctx.pos, ctx.shape))


class _NoDoubleBackward(Op):
    """z = x, whose own derivative is not available (torch's DelayedError): a second derivative through it raises."""

    @staticmethod
    def forward(ctx, x):
        return np.array(x)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("scatter_reduce(): double backward is unsupported for prod when more than one zero is "
                           "reduced to the same position")

    jvp = backward


# ---- index along one dim: a vector index picks whole slices ----------------------------------------------------------
def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of input at positions ``index`` (a vector) along dim, in that order (repeats allowed)."""
    idx = _index("index_select", index)
    _vector_index("index_select", idx, IndexError)
    if input.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): an index into a scalar can have only 1 value, got {idx.size}")
        return reshape(index_select(_lift(input), dim, idx), ())
    (d,) = norm_dims(dim, input.ndim)
    _in_range("index_select", idx, input.shape[d], d, input.shape, IndexError)
    return GetItem.apply(input, _along(d, idx))


def _index_dim_args(op: str, x: Tensor, dim: int, idx: np.ndarray, source: Tensor, error: type) -> int:
    """Checks for index_add and index_copy: source is x's shape with len(index) along dim."""
    _tensor(op, "source", source)
    _same_dtype(op, x, source, "source")
    (d,) = norm_dims(dim, x.ndim)
    if source.ndim != x.ndim or source.shape[d] != idx.size:
        n = source.shape[d] if source.ndim == x.ndim else "-"
        raise error(f"{op}(): number of indices ({idx.size}) should be equal to source.size(dim) ({n}), for dim {d} "
                    f"(self {tuple(x.shape)}, source {tuple(source.shape)})")
    if any(s != n for k, (s, n) in enumerate(zip(source.shape, x.shape)) if k != d):
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension {d}: self {tuple(x.shape)}, source {tuple(source.shape)}")
    return d


def index_add(input: Tensor, dim: int, index: Any, source: Tensor, alpha: float = 1) -> Tensor:
    """z = input with alpha · source's slices added at positions ``index`` along dim; repeats add up."""
    idx = _index("index_add", index)
    _vector_index("index_add", idx, IndexError)
    if input.ndim == 0:
        return reshape(index_add(_lift(input), dim, idx, _lift(source), alpha), ())
    d = _index_dim_args("index_add", input, dim, idx, source, RuntimeError)
    _in_range("index_add", idx, input.shape[d], d, input.shape)
    scaled = source if alpha == 1 else cast(source * alpha, input.dtype)
    return add(input, IndexAdd.apply(scaled, _along(d, idx), tuple(input.shape)))


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """z = input with source's slices written at positions ``index`` along dim."""
    idx = _index("index_copy", index, _LONG)
    _vector_index("index_copy", idx, IndexError)
    if input.ndim == 0:
        return reshape(index_copy(_lift(input), dim, idx, _lift(source)), ())
    d = _index_dim_args("index_copy", input, dim, idx, source, IndexError)
    _in_range("index_copy", idx, input.shape[d], d, input.shape, IndexError)
    return IndexPut.apply(input, _along(d, idx), source)


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """z = input with the slices at positions ``index`` along dim filled with ``value`` (a number or a 0-d tensor,
    differentiable; negative positions count from the end)."""
    idx = _index("index_fill", index, _LONG, IndexError)
    _vector_index("index_fill", idx, RuntimeError)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"index_fill(): only supports a 0-dimensional value tensor, but got a tensor of shape "
                               f"{tuple(value.shape)}")
        value = cast(value, input.dtype)
    if input.ndim == 0:
        return reshape(index_fill(_lift(input), dim, idx, value), ())
    (d,) = norm_dims(dim, input.ndim)
    _in_range("index_fill", idx, input.shape[d], d, input.shape, IndexError, negative=True)
    # each slice once: a value tensor's gradient is then the sum over the filled slices, each counted once
    return IndexPut.apply(input, _along(d, np.unique(idx % max(input.shape[d], 1))), value)


# ---- masks -----------------------------------------------------------------------------------------------------------
def _mask(op: str, mask: Any, shape: tuple) -> tuple[np.ndarray, tuple]:
    """The mask's array and the shape mask and input broadcast to."""
    m = _tensor(op, "mask", mask).array
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}(): expected a bool tensor for mask, but got dtype {m.dtype}; compare to make one "
                           "(x > 0) or use .bool()")
    try:
        return m, np.broadcast_shapes(m.shape, tuple(shape))
    except ValueError:
        raise RuntimeError(f"{op}(): the shapes of mask {tuple(m.shape)} and input {tuple(shape)} cannot be "
                           "broadcast together") from None


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """A 1-d tensor of input's elements where mask is True, in row-major order (mask and input broadcast)."""
    m, shape = _mask("masked_select", mask, input.shape)
    return GetItem.apply(_flat(input, shape), (np.flatnonzero(np.broadcast_to(m, shape)),))


def _flat(x: Tensor, shape: tuple) -> Tensor:
    """x broadcast to shape, as 1-d."""
    return reshape(broadcast_to(x, shape) if tuple(x.shape) != shape else x, (-1,))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """z = input with the positions where mask is True filled, in row-major order, by source's first elements."""
    m, shape = _mask("masked_scatter", mask, input.shape)
    _tensor("masked_scatter", "source", source)
    _same_dtype("masked_scatter", input, source, "source")
    positions = np.flatnonzero(np.broadcast_to(m, shape))
    if source.numel() < positions.size:
        raise RuntimeError(f"masked_scatter(): number of elements of source ({source.numel()}) < number of ones in "
                           f"mask ({positions.size})")
    values = GetItem.apply(reshape(source, (-1,)), (slice(0, positions.size),))
    return reshape(IndexPut.apply(_flat(input, shape), (positions,), values), shape)


# ---- flat positions: input read as 1-d -------------------------------------------------------------------------------
def _flat_index(op: str, x: Tensor, index: Any) -> np.ndarray:
    idx = _index(op, index, _LONG)
    n = x.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"{op}(): out of range: tried to access index {bad} on a tensor of {n} elements (shape "
                         f"{tuple(x.shape)})")
    return idx


def put(input: Tensor, index: Any, source: Tensor, accumulate: bool = False) -> Tensor:
    """z = input with source's elements written (or added, if accumulate) at flat positions ``index``."""
    idx = _flat_index("put", input, index)
    _tensor("put", "source", source)
    if source.numel() != idx.size:
        raise IndexError(f"put(): expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {idx.size}")
    _same_dtype("put", input, source, "source")
    flat, values, where_ = reshape(input, (-1,)), reshape(source, (-1,)), (idx.reshape(-1),)
    out = add(flat, IndexAdd.apply(values, where_, flat.shape)) if accumulate else IndexPut.apply(flat, where_, values)
    return reshape(out, tuple(input.shape))


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """z = input with z[indices] = values (broadcast), or values added there (repeats adding up) if accumulate;
    ``indices`` is a tuple of index tensors (integer or bool), one per leading dim, as in ``input[indices]``."""
    if not isinstance(indices, tuple | list):
        raise TypeError(f"index_put(): indices must be a tuple of tensors, not {type(indices).__name__}")
    key, d = [], 0
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"index_put(): expected Tensor as element {k} of indices, but got {type(i).__name__}")
        a = _index("index_put", i, _INTS + ("bool", "uint8"), IndexError)
        if a.dtype.kind in "bu" and a.dtype != np.int64:  # a mask covers a.ndim dims
            a = a.astype(bool)
            if a.shape != tuple(input.shape[d:d + a.ndim]):
                raise IndexError(f"index_put(): the shape of the mask {tuple(a.shape)} at index {k} does not match "
                                 f"the shape of the indexed tensor {tuple(input.shape)} at index {d}")
            d += a.ndim
        else:
            if d >= input.ndim:
                raise IndexError(f"index_put(): too many indices for a tensor of dimension {input.ndim}")
            _in_range("index_put", a, input.shape[d], d, input.shape, IndexError, negative=True)
            d += 1
        key.append(a)
    if d > input.ndim:
        raise IndexError(f"index_put(): too many indices for a tensor of dimension {input.ndim}")
    _tensor("index_put", "values", values)
    if values.dtype != input.dtype:
        raise RuntimeError(f"index_put(): requires the source and destination dtypes to match, got {input.dtype} for "
                           f"the destination and {values.dtype} for the source")
    key = tuple(key)
    target = np.empty(input.shape, dtype=bool)[key].shape
    try:
        if np.broadcast_shapes(tuple(values.shape), target) != target:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"index_put(): shape mismatch: values of shape {tuple(values.shape)} cannot be broadcast "
                           f"to the indexing result of shape {target}") from None
    if accumulate:
        return add(input, IndexAdd.apply(values, key, tuple(input.shape)))
    return IndexPut.apply(input, key, values)
