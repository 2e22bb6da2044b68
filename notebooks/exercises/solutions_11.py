"""Reference answers for notebook 11's exercises (kept out of the notebook; try them yourself first)."""

from __future__ import annotations

import numpy as np

import autograd


def sgd_step_l2(w: np.ndarray, grad_L: np.ndarray, lr: float, lam: float) -> np.ndarray:
    """∇(L + λΣw²) = ∇L + 2λw: the lecture's "2λw terms"."""
    return w - lr * (grad_L + 2 * lam * w)


class MyDropout(autograd.Function):
    """Inverted dropout with a given mask: y = x·mask/(1 − p), so ∂y/∂x = mask/(1 − p)."""

    @staticmethod
    def forward(ctx, x, mask, p):  # noqa: ANN001, ANN205 - torch's Function signature
        ctx.save_for_backward(mask)
        ctx.p = p
        return x * mask / (1 - p)

    @staticmethod
    def backward(ctx, grad):  # noqa: ANN001, ANN205
        (mask,) = ctx.saved_tensors
        return grad * mask / (1 - ctx.p), None, None
