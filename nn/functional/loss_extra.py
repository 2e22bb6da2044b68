"""More losses: margin and ranking losses (embeddings, ranking, triplets, multi-class hinge), soft-margin losses and
the Poisson and Gaussian negative log-likelihoods, with torch's signatures, formulas and errors.

Each is a composite of engine ops (so differentiable to any order), written as torch's own kernels compute it, so
that the values, and the derivatives at the kinks, are torch's.
"""

from __future__ import annotations

import math

import numpy as np

import autograd
from autograd import Tensor, from_numpy, where

from .activation_extra import logsigmoid
from .distance import pairwise_distance
from .loss import _check_reduction, _reduce, _softplus, _tensor


def _legacy(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """torch's deprecated size_average/reduce pair, mapped to ``reduction`` when either is given."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    return reduction


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
                        ) -> Tensor:
    """max(0, −y·(x1 − x2) + margin), y = 1 when x1 should rank higher, −1 when x2 should.
    ∂/∂x1 = −y where the hinge is active, else 0."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _tensor(target, input1)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1 (x is a distance; torch adds both terms for other y).
    ∂/∂x = 1, or −1 where the hinge is active."""
    reduction = _reduction(size_average, reduce, reduction)
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    margin_term = where(t != 1, (margin - input).clamp(min=0), 0.0)
    return _reduce(margin_term + where(t != -1, input, 0.0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + e^(−y·x)) for labels y = ±1 (computed without overflow).   ∂/∂x = −y·σ(−y·x)."""
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce(_softplus(-input * _tensor(target, input)), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """−(y·log σ(x) + (1 − y)·log σ(−x)), times the class weight, averaged over the classes (the last dim): one
    binary cross-entropy with logits per class, for multi-label targets y ∈ {0, 1}."""
    reduction = _legacy(size_average, reduce, reduction)
    target = _tensor(target, input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
                          ) -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1, 0 for other y; cos along dim 1 of
    (N, D) inputs with targets (N,), or of (D,) inputs with a 0-d target. As torch: cos = Σx1x2/√((Σx1² + ε)(Σx2² + ε)),
    ε = 1e-12."""
    reduction = _reduction(size_average, reduce, reduction)
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.ndim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if t.ndim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    d = t.ndim
    eps = 1e-12
    cos = (input1 * input2).sum(d) / (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    loss = where(t == 1, 1 - cos, 0.0) + where(t == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) − d(a, n) + margin), d the pairwise p-norm distance (with ``swap``, d(a, n) is replaced by
    min(d(a, n), d(p, n)), the harder negative)."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           "inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = autograd.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
                      ) -> Tensor:
    """The multi-class hinge loss: Σ_{j≠y} max(0, margin − x[y] + x[j])^p / C for each sample, times weight[y].
    input (N, C) or (C,), target class indices (N,) (or 0-d/one element for a single sample)."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    if not (input.ndim == 2 and input.shape[1] != 0 or input.ndim == 1 and input.shape[0] != 0 or input.ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {t.dtype}")
    n = input.shape[0] if input.ndim == 2 else 1
    if t.ndim > 1 or t.size != n:
        raise RuntimeError(f"inconsistent target size, expected {n} but got {list(t.shape)}")
    x = input.reshape((n, -1))
    c = x.shape[1]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    y = t.reshape(n)
    if np.any((y < 0) | (y >= c)):
        raise RuntimeError("target out of range")
    x_target = x.gather(1, from_numpy(y[:, None]))  # (n, 1)
    others = from_numpy((np.arange(c) != y[:, None]).astype(x.dtype))
    hinge = autograd.relu(margin - x_target + x) * others
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[from_numpy(y)].reshape((n, 1))
    loss = hinge.sum(1) / c
    if input.ndim < 2:
        loss = loss.reshape(t.shape)
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of counts y under a Poisson rate λ, up to a constant: eˣ − y·x with x = log λ
    (``log_input``), else λ − y·log(λ + eps). ``full`` adds Stirling's y·log y − y + ½log(2πy) for y > 1."""
    reduction = _reduction(size_average, reduce, reduction)
    target = _tensor(target, input)
    if log_input:
        loss = autograd.exp(input) - target * input
    else:
        loss = input - target * autograd.log(input + eps)
    if full:
        big = target.array > 1
        y = where(big, target, 1.0)  # (y ≤ 1 gets no term, and its log is never taken)
        loss = loss + where(big, y * autograd.log(y) - y + 0.5 * autograd.log(2 * math.pi * y), 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """½(log max(var, eps) + (x − y)²/max(var, eps)) (+ ½log 2π if ``full``): the negative log-likelihood of y under
    N(x, var). ``var`` has the input's shape, or one dimension of size 1 (shared variance), or lacks the last
    dimension; the clamp to eps is outside autograd (as torch: the derivative in var is that of the unclamped
    formula)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = autograd.ones_like(input) * var
    elif np.any(np.asarray(var.array) < 0):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var + (var.clamp(min=eps) - var).detach()
    loss = 0.5 * (autograd.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
