"""Reference answers for notebook 02's exercises (kept out of the notebook)."""

from __future__ import annotations

import numpy as np

import autograd


def backprop_sigmoid(x: np.ndarray, V: np.ndarray, w: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Lecture 000's equations with g = σ, g' = σ(1 − σ)."""
    r = x @ V
    g = 1 / (1 + np.exp(-r))
    u = np.concatenate([[1.0], g])
    delta = u @ w - y                      # δ = z − y
    eps = delta * w[1:] * g * (1 - g)      # ε_j = δ w_j g'(r_j)
    return np.outer(x, eps), delta * u     # ∂L/∂v_ij = ε_j x_i, ∂L/∂w_j = δ u_j


class Tanh(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.tanh()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y ** 2)
