"""Reference answers for notebook 04's exercises (kept out of the notebook)."""

from __future__ import annotations

import numpy as np


def n_params(n_in: int, widths: list[int]) -> int:
    """Each layer of o neurons seeing i inputs holds i·o weights and o biases."""
    sizes = [n_in, *widths]
    return sum(i * o + o for i, o in zip(sizes, sizes[1:]))


def hinge_grad(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d/ds_i of (1/B) Σ max(0, 1 − y_i s_i): −y_i/B where the margin y_i s_i < 1, else 0."""
    return np.where(y * scores < 1, -y, 0.0) / len(scores)
