"""Reference answers for notebook 06's exercises (kept out of the notebook)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def largest_stable_lr(curvatures: list[float]) -> float:
    """GD multiplies w_i by (1 − η λ_i); |1 − η λ_i| < 1 for all i iff η < 2 / max λ_i."""
    return 2 / max(curvatures)


def nesterov_step(w: np.ndarray, v: np.ndarray, grad_fn: Callable[[np.ndarray], np.ndarray], eps: float,
                  alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Lecture 004's momentum step with the gradient taken at the look-ahead point w + αv."""
    v = alpha * v - eps * grad_fn(w + alpha * v)
    return w + v, v
