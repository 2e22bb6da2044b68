"""Reference answers for notebook 12's exercises (kept out of the notebook; try them yourself first)."""

from __future__ import annotations

import numpy as np


def n_parameters(widths: list[int]) -> int:
    """Each Linear(i, o) has i·o weights and o biases."""
    return sum(i * o + o for i, o in zip(widths[:-1], widths[1:]))


def grad_logits(z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """L = (1/ND)·Σ(σ(z) − x)², so ∂L/∂z = 2(x̂ − x)·x̂(1 − x̂)/(ND) with x̂ = σ(z)."""
    x_hat = 1 / (1 + np.exp(-z))
    return 2 * (x_hat - x) * x_hat * (1 - x_hat) / x.size
