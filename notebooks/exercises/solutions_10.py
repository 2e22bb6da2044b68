"""Reference answers for notebook 10's exercises (kept out of the notebook; try them yourself first)."""

from __future__ import annotations

import numpy as np


def bn_backward(dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, ...]:
    """The three paths of x_i to the loss — directly, through μ_B, through σ²_B — added up; then dγ and dβ."""
    m = len(x)
    mu, var = x.mean(0), x.var(0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dx_hat = dy * gamma
    dvar = (dx_hat * (x - mu)).sum(0) * -0.5 * (var + eps) ** -1.5
    dmu = -(dx_hat / np.sqrt(var + eps)).sum(0)  # plus dvar·∂σ²/∂μ = dvar·(−2/m)Σ(x_j − μ) = 0
    dx = dx_hat / np.sqrt(var + eps) + dmu / m + dvar * 2 * (x - mu) / m
    return dx, (dy * x_hat).sum(0), dy.sum(0)


sum_of_outputs_grad = 0.0  # Σ_i y_i = γ·Σ_i x̂_i + mβ = mβ, whatever x is


def running_stats(batches: list[np.ndarray], momentum: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """From mean 0 and variance 1; per batch new = (1 − momentum)·old + momentum·batch, the variance unbiased."""
    mean, var = np.zeros(batches[0].shape[1]), np.ones(batches[0].shape[1])
    for x in batches:
        mean = (1 - momentum) * mean + momentum * x.mean(0)
        var = (1 - momentum) * var + momentum * x.var(0, ddof=1)
    return mean, var
