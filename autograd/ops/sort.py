"""Sorting and selection (sort, topk, kthvalue, median, mode), uniques, searching, counting and histograms.

The ops that pick elements find indices with NumPy, then take the values with ``gather``: the gradient is gather's,
scattered back to the picked positions (and differentiable again). Which of several equal elements is picked
follows torch's CPU kernels: sort is stable; median takes the lower median, first in (value, index) order; for
topk, kthvalue and mode, whose choice among ties is whatever torch's algorithm leaves in place, the slices with ties
replay that algorithm (``_cpu_order``). Searching and counting results are int64 and not differentiable.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from . import _cpu_order
from ._util import norm_dims
from .reduce import sum
from .shape import Gather
from .view import reshape, squeeze

SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
NanmedianResult = namedtuple("nanmedian", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


def _lift(x: Tensor, dim: int) -> tuple[Tensor, int]:
    """x as at least 1-d (a 0-d tensor, whose only dims are 0 and −1, as one element) and dim as an axis of it."""
    if x.ndim == 0:
        norm_dims(dim, 0)
        return reshape(x, (1,)), 0
    (d,) = norm_dims(dim, x.ndim)
    return x, d


def _pick(result: type, x: Tensor, d: int, idx: np.ndarray, keep: bool, scalar: bool) -> Any:
    """``result(values, indices)`` from indices along d (with d kept, size 1 or k): values = gather(x, d, idx)."""
    values, indices = Gather.apply(x, d, idx), Tensor._make(idx)
    if scalar:
        return result(reshape(values, ()), reshape(indices, ()))
    if not keep:
        values, indices = squeeze(values, d), squeeze(indices, d)
    return result(values, indices)


def _argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort, NaN counted as the largest value (last ascending, first descending), as torch."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # descending and stable: sort the reversed array ascending, then reverse the order back
    n = a.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


def _same(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise equal, NaN equal to NaN (ties, for the selection algorithms)."""
    return (p == q) | (np.isnan(p) & np.isnan(q)) if p.dtype.kind == "f" else p == q


def _rows(mask: np.ndarray) -> list:
    """Index tuples of the slices (rows over the leading dims) where mask is true."""
    return [tuple(r) for r in np.argwhere(mask)]


# ---- sort -------------------------------------------------------------------------------------------------------
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> SortResult:
    """(values, indices) sorted along dim. Always stable here: equal elements keep their order (with stable=False
    torch's CPU order of equal elements is unspecified and depends on the processor)."""
    x, d = _lift(input, dim)
    idx = _argsort(x.array, d, descending).astype(np.int64)
    return _pick(SortResult, x, d, idx, True, input.ndim == 0)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    return sort(input, dim, descending, stable=stable).indices


def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:
    """The k largest (or smallest) elements along dim and their indices; NaN counts as the largest value."""
    x, d = _lift(input, dim)
    if x.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU; convert with .int() or .float()")
    n = x.shape[d]
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range: topk got k = {k} for dim {d} of size {n} (shape "
                           f"{input.shape}); k must be in [0, {n}]")
    k = 1 if input.ndim == 0 else k  # a 0-d input gives itself for k = 0 too, as in torch
    a = np.moveaxis(x.array, d, -1)
    order = _argsort(a, -1, largest)
    idx = order[..., :k].astype(np.int64)
    if k:
        # The answer is unique unless the first k + 1 values in order have a tie; torch's unsorted order (sorted=False,
        # without partial_sort) is nth_element's arrangement. Those slices replay torch's algorithm.
        ranked = np.take_along_axis(a, order[..., :k + 1], -1)
        replay = _same(ranked[..., 1:], ranked[..., :-1]).any(-1)
        if not sorted and k * 64 > n:
            replay = np.ones_like(replay)
        for r in _rows(replay):
            idx[r] = [i for _, i in _cpu_order.topk(a[r].tolist(), k, largest, sorted)]
    return _pick(TopkResult, x, d, np.moveaxis(idx, -1, d), True, input.ndim == 0)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> KthvalueResult:
    """The k-th smallest element along dim (k from 1) and its index."""
    x, d = _lift(input, dim)
    n = x.shape[d]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}: got k = {k}, the dim has "
                           f"size {n}; k must be in [1, {n}]")
    a = np.moveaxis(x.array, d, -1)
    order = np.argsort(a, axis=-1, kind="stable")
    idx = np.array(order[..., k - 1], dtype=np.int64)
    ranked = np.take_along_axis(a, order[..., max(k - 2, 0):k + 1], -1)
    for r in _rows(_same(ranked[..., 1:], ranked[..., :-1]).any(-1)):  # tied with a neighbour: torch's quickselect
        idx[r] = _cpu_order.kthvalue(a[r].tolist(), k)[1]
    return _pick(KthvalueResult, x, d, np.expand_dims(idx, d), keepdim, input.ndim == 0)


class SelectAll(Op):
    """z = v, a value of x chosen by the caller (median() of all elements).
    ∂z/∂xᵢ = 1/k at each of the k elements equal to v (the NaNs, if v is NaN), 0 elsewhere: torch's rule."""

    @staticmethod
    def forward(ctx, x, v):
        hit = np.isnan(x) if np.isnan(v) else x == v
        ctx.share = (hit / max(hit.sum(), 1)).astype(x.dtype)  # a constant: zero second derivative
        return np.asarray(v, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.share, None

    @staticmethod
    def jvp(ctx, t, _):
        return sum(t * ctx.share)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median(x)``: the lower median of all elements (NaN if there is one). ``median(x, dim)``:
    ``(values, indices)``, the index first in (value, index) order, or the first NaN's."""
    return _median(input, dim, keepdim, False)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """median ignoring NaNs (NaN where all are NaN)."""
    return _median(input, dim, keepdim, True)


def _median(x: Tensor, dim: int | None, keepdim: bool, skip_nan: bool) -> Any:
    name = "nanmedian" if skip_nan else "median"
    is_float = x.dtype.kind == "f"
    if dim is None:
        a = x.array.reshape(-1)
        nan = np.isnan(a) if is_float else np.zeros(a.shape, bool)
        if a.size == 0 or nan.all() or (nan.any() and not skip_nan):
            return SelectAll.apply(x, np.nan) if is_float else Tensor._make(np.asarray(0, x.dtype))
        kept = a[~nan]
        return SelectAll.apply(x, np.partition(kept, (kept.size - 1) // 2)[(kept.size - 1) // 2])
    x1, d = _lift(x, dim)
    n = x1.shape[d]
    if n == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size (shape {x.shape})")
    a = np.moveaxis(x1.array, d, -1)
    nan = np.isnan(a) if is_float else np.zeros(a.shape, bool)
    order = np.argsort(a, axis=-1, kind="stable")  # (value, index) order, NaN last: torch's comparator
    if skip_nan:
        rank = np.maximum((n - nan.sum(-1) - 1) // 2, 0)
        idx = np.take_along_axis(order, rank[..., None], -1)[..., 0]
        for r in _rows(nan.all(-1)):  # all NaN: whichever index std::nth_element leaves first
            pairs = [(np.nan, i) for i in range(n)]
            _cpu_order.nth_element(pairs, 0, lambda p, q: False)
            idx[r] = pairs[0][1]
    else:
        idx = np.where(nan.any(-1), np.argmax(nan, -1), order[..., (n - 1) // 2])
    result = NanmedianResult if skip_nan else MedianResult
    return _pick(result, x1, d, np.expand_dims(idx.astype(np.int64), d), keepdim, x.ndim == 0)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    """The most frequent value along dim (the smallest of equally frequent ones) and an index of it: the last one
    for slices of up to 16 elements; beyond, where std::sort leaves it (replayed)."""
    x, d = _lift(input, dim)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size (shape {input.shape})")
    a = np.moveaxis(x.array, d, -1)
    nan = np.isnan(a).any(-1) if a.dtype.kind == "f" else np.zeros(a.shape[:-1], bool)
    counts = (a[..., :, None] == a[..., None, :]).sum(-1) if n <= 16 else np.zeros(a.shape, int)
    frequent = counts == counts.max(-1, keepdims=True)
    value = np.where(frequent, a, a.max(-1, keepdims=True)).min(-1, keepdims=True)
    idx = np.array(n - 1 - np.argmax(np.flip(a == value, -1), -1), dtype=np.int64)  # the last occurrence
    for r in _rows(nan | (n > 16)):  # std::sort is an insertion sort (stable) up to 16 elements; not beyond
        idx[r] = _cpu_order.mode(a[r].tolist())[1]
    return _pick(ModeResult, x, d, np.expand_dims(idx, d), keepdim, input.ndim == 0)


# ---- unique -----------------------------------------------------------------------------------------------------
class Unique(Op):
    """The distinct values (sorted), with the inverse map and counts. Like torch, the float output is part of the
    graph but has no derivative: backward raises."""

    @staticmethod
    def forward(ctx, x, dim, consecutive):
        if dim is None:
            flat = x.reshape(-1)
            values, inverse, counts = _consecutive(flat) if consecutive else np.unique(
                flat, return_inverse=True, return_counts=True, equal_nan=False)
            return values, inverse.reshape(x.shape).astype(np.int64), counts.astype(np.int64)
        rows = np.moveaxis(x, dim, 0)
        flat = rows.reshape(rows.shape[0], int(np.prod(rows.shape[1:])))
        if consecutive:
            _, inverse, counts = _consecutive(flat)
            firsts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
            values = rows[firsts]
        else:
            _, firsts, inverse, counts = np.unique(flat, axis=0, return_index=True, return_inverse=True,
                                                   return_counts=True)
            values = rows[firsts]
        return (np.ascontiguousarray(np.moveaxis(values, 0, dim)), inverse.reshape(-1).astype(np.int64),
                counts.astype(np.int64))

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for 'unique' is not implemented (its output's positions are not "
                                  "a function of the input's values); detach() the input first")


def _consecutive(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """unique_consecutive along axis 0 (of a 1-d array, or of the rows of a 2-d one); NaN differs from NaN."""
    if len(a) == 0:
        return a, np.zeros(0, np.int64), np.zeros(0, np.int64)
    changed = a[1:] != a[:-1]
    starts = np.concatenate([[True], changed if a.ndim == 1 else changed.any(axis=1)])
    inverse = np.cumsum(starts) - 1
    return a[starts], inverse, np.bincount(inverse)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None) -> Any:
    """The sorted distinct elements (or slices along dim); with return_inverse and return_counts, a tuple that also
    holds each element's position in the result and each result's count. Always sorted, as torch's CPU kernel."""
    return _unique(input, return_inverse, return_counts, dim, False)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """The first element of every run of equal consecutive elements (or slices along dim)."""
    return _unique(input, return_inverse, return_counts, dim, True)


def _unique(x: Tensor, return_inverse: bool, return_counts: bool, dim: int | None, consecutive: bool) -> Any:
    d = None if dim is None else norm_dims(dim, x.ndim)[0] if x.ndim else None
    values, inverse, counts = Unique.apply(x, d, consecutive)
    out = (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out if len(out) > 1 else values


# ---- searching and counting -------------------------------------------------------------------------------------
def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """For each value, the index in the innermost dim of sorted_sequence where it would be inserted to keep it
    sorted: before equal elements (side="left") or after them (right=True or side="right")."""
    if side not in (None, "left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True (give only one of them)")
    right = right or side == "right"
    seq = np.asarray(sorted_sequence.array)
    values = input.array if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        s = np.asarray(sorter.array if isinstance(sorter, Tensor) else sorter)
        if s.shape != seq.shape or s.dtype.kind not in "iu":
            raise RuntimeError(f"torch.searchsorted(): sorter must be an int64 tensor of the boundaries' shape "
                               f"{seq.shape}, got {s.dtype} of shape {s.shape}")
        seq = np.take_along_axis(seq, s.astype(np.int64), -1)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got a 0-d "
                           "boundaries tensor; give at least one boundary in a 1-d tensor")
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    # torch's binary search, run on all values at once: start moves past every element x with not (x >= v) (left)
    # or not (x > v) (right); these comparisons, not NumPy's NaN-last order, decide where NaNs go
    n = seq.shape[-1]
    start, end = np.zeros(values.shape, np.int64), np.full(values.shape, n, np.int64)
    while (start < end).any():
        mid = (start + end) // 2
        safe = np.minimum(mid, n - 1)
        x = seq[safe] if seq.ndim == 1 else np.take_along_axis(seq, safe, -1)
        go_right = ~(x > values) if right else ~(x >= values)
        active = start < end
        start, end = np.where(active & go_right, mid + 1, start), np.where(active & ~go_right, mid, end)
    return Tensor._make(start.astype(np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value: i with boundaries[i−1] < v <= boundaries[i] (right=False) or
    boundaries[i−1] <= v < boundaries[i] (right=True)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim}); use "
                           "searchsorted for a batch of boundaries")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with as_tuple one 1-d tensor per dim."""
    a = input.array
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor._make(np.argwhere(a).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    dims = None if dim is None else norm_dims(dim, input.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(input.array, axis=dims), dtype=np.int64))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts of the elements in ``bins`` equal-width bins between min and max (the data's own range when both are
    0; widened by 1 each way when it is a single point). Elements outside are ignored; max falls in the last bin."""
    if input.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for {input.dtype} (histc: convert the input '
                                  "with .float() first)")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, but got {bins}")
    a = input.array.reshape(-1)
    lo, hi = a.dtype.type(min), a.dtype.type(max)
    if min == max and a.size:
        lo, hi = np.min(a), np.max(a)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite; pass finite min and max, or drop "
                           "the NaN and inf values")
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (got min={min}, max={max})")
    inside = a[(a >= lo) & (a <= hi)]
    # in the input's dtype, as torch computes it: (x − min)·bins / (max − min), truncated; max goes in the last bin
    pos = ((inside - lo) * a.dtype.type(bins) / (hi - lo)).astype(np.int64)
    counts = np.bincount(np.minimum(pos, bins - 1), minlength=bins)
    return Tensor._make(counts.astype(a.dtype))
