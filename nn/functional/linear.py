"""The affine map and dropout (the embedding lookup is in sparse.py)."""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, from_numpy
from autograd.function import Op
from autograd.random import get_rng


class Linear(Op):
    """Y = X Wᵀ + b for a batch X (N, in), W (out, in), b (out,) or None.   X̄ = Ȳ W,  W̄ = Ȳᵀ X,  b̄ = Σₙ Ȳ.

    One node instead of three (transpose, matmul, add): the affine map of every layer, fused for speed.
    """

    @staticmethod
    def forward(ctx, x, w, b):
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, w if need_x else None)  # as for any product: see Mul
        out = x @ w.T
        if b is not None:
            out += b  # the fresh product is ours to add into
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        return (grad @ w if need_x else None,
                grad.mT @ x if need_w else None,  # (out, in), in W's own memory order
                grad.sum(0) if need_b else None)  # (the sum over the batch: an array's or a Tensor's method)

    @staticmethod
    def jvp(ctx, tx, tw, tb):
        x, w = ctx.saved_tensors
        out = (0 if tx is None else tx @ w.mT) + (0 if tw is None else x @ tw.mT)
        return out if tb is None else out + tb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b over the last dim of x (W has shape (out_features, in_features)).

    x̄ = ȳ W,  W̄ = ȳᵀ x (summed over batch dims),  b̄ = ȳ summed over batch dims.
    """
    x = input.array if isinstance(input, Tensor) else np.asarray(input)
    w = weight.array
    if x.shape[-1:] != w.shape[-1:]:
        raise RuntimeError(f"linear: input's last dim is {x.shape[-1] if x.ndim else '()'} (shape "
                         f"{x.shape}) but weight has shape {w.shape}, which expects in_features={w.shape[-1]}")
    if (isinstance(input, Tensor) and w.ndim == 2 and x.dtype == w.dtype and x.dtype.kind == "f"
            and (bias is None or isinstance(bias, Tensor) and bias.array.dtype == w.dtype
                 and bias.array.shape == w.shape[:1])):
        if x.ndim == 2:
            return Linear.apply(input, weight, bias)
        out = Linear.apply(input.reshape(-1, w.shape[1]), weight, bias)  # batch dims folded into one
        return out.reshape(*x.shape[:-1], w.shape[0])
    # anything else (a 1-D weight, a broadcast bias, mixed dtypes): the same map composed of engine ops
    out = autograd.matmul(input, weight.mT if weight.ndim == 2 else weight)
    return out if bias is None else out + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1 − p), in training only.

    y = x·m/(1 − p) with m ~ Bernoulli(1 − p), drawn from ``autograd.random.get_rng()``; dy/dx = m/(1 − p).
    In eval (``training=False``) it is the identity, so no rescaling is needed at test time.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = np.zeros(input.shape, dtype=input.dtype)
    else:
        keep = get_rng().random(input.shape) >= p
        mask = keep.astype(input.dtype) * np.asarray(1.0 / (1.0 - p), dtype=input.dtype)
    return input._inplace(autograd.mul, from_numpy(mask)) if inplace else input * from_numpy(mask)

