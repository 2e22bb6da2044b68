"""Lookup tables: ``embedding`` and ``embedding_bag`` with torch.nn.functional's signatures.

Looking rows up and adding rows into a table are each other's adjoints, and two ops carry both layers:

* ``Lookup``  y[p] = c[p]·W[idx[p]]           (c = 1 when not given)
* ``Spread``  W[i] = Σ_{p: idx[p] = i} c[p]·g[p]   (scatter-add into a table of ``rows`` rows)

Lookup's backward is a Spread and Spread's a Lookup, so both are differentiable to any order. An embedding is a
Lookup; an embedding bag is a Lookup of every index followed by a Spread of the looked-up rows into their bags (the
sum, or the mean with c = 1/bag size), or, for mode="max", a gather of each bag's maximal entries.

torch's gradient rules, which are not the derivative of the forward, live in the Lookup's backward coefficients:
the ``padding_idx`` row gets no gradient (coefficient 0), and ``scale_grad_by_freq`` divides each position's gradient
by how often its index occurs in the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor, from_numpy
from autograd.function import Op


class Lookup(Op):
    """y[p] = c[p]·W[idx[p]].   W̄ = Spread(ȳ, idx, c̄): each position's gradient added into its row, times c̄[p]
    (= c[p] for the true derivative; torch's padding/frequency rules for an embedding)."""

    @staticmethod
    def forward(ctx, w, idx, coef, grad_coef):
        ctx.idx, ctx.coef, ctx.grad_coef, ctx.rows = idx, coef, grad_coef, w.shape[0]
        y = w[idx]
        return y if coef is None else y * coef[..., None]

    @staticmethod
    def backward(ctx, grad):
        return Spread.apply(grad, ctx.idx, ctx.grad_coef, ctx.rows), None, None, None

    @staticmethod
    def jvp(ctx, tw, *_):
        return Lookup.apply(tw, ctx.idx, ctx.coef, ctx.grad_coef)


class Spread(Op):
    """W[i] = Σ_{p: idx[p]=i} c[p]·g[p] (rows × D).   ḡ[p] = c[p]·W̄[idx[p]]: a Lookup."""

    @staticmethod
    def forward(ctx, g, idx, coef, rows):
        ctx.idx, ctx.coef, ctx.rows = idx, coef, rows
        d = g.shape[-1]
        out = np.zeros((rows, d), dtype=g.dtype)
        np.add.at(out, idx.reshape(-1), (g if coef is None else g * coef[..., None]).reshape(-1, d))
        return out

    @staticmethod
    def backward(ctx, grad):
        return Lookup.apply(grad, ctx.idx, ctx.coef, ctx.coef), None, None, None

    @staticmethod
    def jvp(ctx, tg, *_):
        return Spread.apply(tg, ctx.idx, ctx.coef, ctx.rows)


# ---- argument handling ---------------------------------------------------------------------------------------------
def _indices(op: str, t: Any, name: str = "indices") -> np.ndarray:
    idx = np.asarray(t.array if isinstance(t, Tensor) else t)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: {name} must be an integer tensor (e.g. dtype=autograd.int64), got {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _padding_idx(padding_idx: int | None, n: int, error: type, message: str) -> int | None:
    if padding_idx is None:
        return None
    if not -n <= padding_idx < n:
        raise error(message)
    return padding_idx % n


def _grad_coef(idx: np.ndarray, padding_idx: int | None, scale_grad_by_freq: bool, dtype: np.dtype
               ) -> np.ndarray | None:
    """torch's backward coefficient per position: 0 at padding_idx; 1/(occurrences of the index) if scaling."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    coef = np.ones(idx.shape, dtype=dtype)
    if scale_grad_by_freq and idx.size:
        _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        coef /= counts[inverse.reshape(idx.shape)]
    if padding_idx is not None:
        coef *= idx != padding_idx
    return coef


def _renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch.embedding_renorm_: each row looked up whose ``norm_type``-norm exceeds ``max_norm`` is scaled to
    max_norm/(norm + 1e-7) of itself — in place and outside autograd, as torch does (the weight's version moves)."""
    weight._check_writeable("embedding_renorm_")
    rows = np.unique(idx)
    w = weight.array
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1) if rows.size else np.zeros(0)
    over = norms > max_norm
    w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
    weight._shared_counter()[0] += 1


def _no_sparse(op: str, sparse: bool) -> None:
    if sparse:
        raise NotImplementedError(f"{op}: sparse=True (sparse gradients) is not supported; pathgrad's gradients are "
                                  "dense, so use sparse=False")


def embedding(input: Tensor | np.ndarray, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer indices ``input``: out[..., :] = weight[input[...], :].

    W̄[i] = sum of ȳ over the positions holding index i — none for ``padding_idx``, and divided by the number of
    those positions if ``scale_grad_by_freq``. With ``max_norm``, the rows looked up are first renormalised in place
    to norm ≤ max_norm."""
    idx = _indices("embedding", input)
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
                           f"{list(weight.shape)}")
    n = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, n, AssertionError, "Padding_idx must be within num_embeddings")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].reshape(-1)[0]
        raise IndexError(f"embedding: index {bad} is out of range for an embedding table of {n} rows "
                         f"(valid indices are 0..{n - 1})")
    _no_sparse("embedding", sparse)
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    return Lookup.apply(weight, idx, None, _grad_coef(idx, padding_idx, scale_grad_by_freq, weight.dtype))


def _bags(off: np.ndarray, total: int, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each bag from torch's offsets."""
    if off.size and off[0] != 0:
        raise RuntimeError(f"embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                           f"start from position 0. However, got {off[0]}")
    if off.size and off[-1] > total:
        raise RuntimeError(f"embedding_bag: offsets[-1] can not be greater than input's length {total} but got "
                           f"offsets[-1] of {off[-1]}")
    if np.any(np.diff(off) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset:
        return off[:-1], off[1:]
    return off, np.append(off[1:], total).astype(np.int64)[:off.size]  # (no offsets: no bags)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the embedding rows in each bag, without materialising the (bags, length, dim) lookup.

    Bags are the rows of a 2-D ``input``, or the runs of a 1-D ``input`` that start at ``offsets``. Entries equal to
    ``padding_idx`` are left out (and excluded from a mean's count); an empty bag gives zeros.
    ``per_sample_weights`` (mode="sum" only) scales each entry's row first."""
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    idx = _indices("embedding_bag", input)
    psw = per_sample_weights
    if psw is not None and tuple(psw.shape) != idx.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(psw.shape)}) is not None, then it must have "
                         f"the same shape as the input ({idx.shape})")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets).__name__}")
        starts = np.arange(idx.shape[0], dtype=np.int64) * idx.shape[1]
        ends = starts + idx.shape[1]
        idx, psw = idx.reshape(-1), None if psw is None else psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = _indices("embedding_bag", offsets, "offsets")
        if off.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts, ends = _bags(off, idx.size, include_last_offset)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(f"embedding_bag: per_sample_weights ({psw.dtype}) must have the weight's dtype "
                           f"({weight.dtype})")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    _no_sparse("embedding_bag", sparse)
    n, dim = weight.shape
    padding_idx = _padding_idx(padding_idx, n, RuntimeError, f"padding_idx must be within the number of embeddings, "
                               f"-{n} through {n - 1}, but got {padding_idx}")
    used = int(ends[-1]) if ends.size else 0  # entries past the last bag (include_last_offset) belong to none
    idx = idx[:used]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        p = int(np.flatnonzero((idx < 0) | (idx >= n))[0])
        raise RuntimeError(f"embedding_bag: Index {p} of input takes value {idx[p]} which is not in the valid range "
                           f"[0, {n})")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    bag_of = np.repeat(np.arange(starts.size), ends - starts)
    keep = np.ones(idx.shape, dtype=bool) if padding_idx is None else idx != padding_idx
    counts = np.bincount(bag_of[keep], minlength=starts.size)
    rows = Lookup.apply(weight, idx, None, _grad_coef(idx, None, scale_grad_by_freq, weight.dtype))
    if mode == "max":
        return _bag_max(weight, rows, idx, keep, bag_of, starts, counts)
    coef = keep.astype(weight.dtype)
    if mode == "mean":
        coef /= np.maximum(counts, 1)[bag_of]
    if psw is not None:
        rows = rows * psw[:used].unsqueeze(-1)
    return Spread.apply(rows, bag_of, coef, starts.size)


def _bag_max(weight: Tensor, rows: Tensor, idx: np.ndarray, keep: np.ndarray, bag_of: np.ndarray,
             starts: np.ndarray, counts: np.ndarray) -> Tensor:
    """Per bag and feature, the row of the first maximal (non-padding) entry, gathered from ``rows``; an empty bag
    gives zeros. Laid out as (bags, longest bag, dim) so that one argmax finds them all."""
    b, dim = starts.size, weight.shape[1]
    if idx.size == 0:
        return autograd.zeros(b, dim, dtype=weight.dtype)
    grid = np.full((b, int(np.max(np.bincount(bag_of, minlength=b))), dim), -np.inf, dtype=weight.dtype)
    grid[bag_of, np.arange(idx.size) - starts[bag_of]] = np.where(keep[:, None], weight.array[idx], -np.inf)
    nonempty = counts > 0
    entry = np.where(nonempty[:, None], starts[:, None] + np.argmax(grid, axis=1), 0)
    return autograd.gather(rows, 0, entry) * from_numpy(nonempty[:, None].astype(weight.dtype))
