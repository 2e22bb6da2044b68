"""Per-channel passes over (N, C, *) arrays, split over the batch in threads: the whole-array work of batch norm.

* ``ChannelAffine``  y = x·s + t, with s, t of shape (C,) broadcast over every dim but 1 (t may be None).
                     x̄ = A(ȳ, s),  s̄ = D(ȳ, x),  t̄ = Σ ȳ over every dim but 1.
* ``ChannelDot``     d = Σ a·b over every dim but 1, of shape (C,).
                     ā = A(b, d̄),  b̄ = A(a, d̄).

Each op's derivatives are written with the two ops, so gradients of any order run on the same threaded kernels. The
batch's partial sums of ``ChannelDot`` are added in slice order: the same bits for a given thread count.
"""

from __future__ import annotations

import numpy as np

import autograd
from autograd.function import Op
from autograd.parallel import grain, parallel_for


def _flat(x: np.ndarray) -> np.ndarray:
    """(N, C, *) → (N, C, L), a view when x is contiguous."""
    return x.reshape(*x.shape[:2], int(np.prod(x.shape[2:], dtype=np.int64)))


def _affine(x: np.ndarray, s: np.ndarray, t: np.ndarray | None) -> np.ndarray:
    x3 = _flat(x)
    n = x3.shape[0]
    out = np.empty(x3.shape, dtype=np.result_type(x, s) if t is None else np.result_type(x, s, t))
    sb, tb = s.reshape(1, -1, 1), None if t is None else t.reshape(1, -1, 1)

    def work(sl: slice) -> None:
        np.multiply(x3[sl], sb, out=out[sl])
        if tb is not None:
            out[sl] += tb

    parallel_for(n, work, grain(x3[0].size))
    return out.reshape(x.shape)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a3, b3 = _flat(a), _flat(b)
    sums = parallel_for(a3.shape[0], lambda sl: np.einsum("ncl,ncl->c", a3[sl], b3[sl]), grain(a3[0].size))
    total = sums[0]
    for part in sums[1:]:  # in slice order
        total = total + part
    return total


def _other_dims(ndim: int) -> tuple[int, ...]:
    return (0,) + tuple(range(2, ndim))


class ChannelAffine(Op):
    """y = x·s + t per channel.   x̄ = ȳ·s,  s̄ = Σ ȳ·x,  t̄ = Σ ȳ (sums over every dim but 1)."""

    @staticmethod
    def forward(ctx, x, s, t):
        ctx.save_for_backward(x, s)
        return _affine(x, s, t)

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = ChannelAffine.apply(grad, s, None) if need[0] else None
        gs = ChannelDot.apply(grad, x) if need[1] else None
        gt = autograd.sum(grad, _other_dims(grad.ndim)) if need[2] else None
        return gx, gs, gt

    @staticmethod
    def jvp(ctx, tx, ts, tt):
        x, s = ctx.saved_tensors
        return ChannelAffine.apply(tx, s, tt) + ChannelAffine.apply(x, ts, None)


class ChannelDot(Op):
    """d = Σ a·b per channel (over every dim but 1).   ā = b·d̄,  b̄ = a·d̄."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _dot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (ChannelAffine.apply(b, grad, None) if need[0] else None,
                ChannelAffine.apply(a, grad, None) if need[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return ChannelDot.apply(ta, b) + ChannelDot.apply(a, tb)
