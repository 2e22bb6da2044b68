"""Reference answers for notebook 07's exercises (kept out of the notebook)."""

from __future__ import annotations

import numpy as np


def classify(H: np.ndarray) -> str:
    """By the signs of the (symmetric) Hessian's eigenvalues; zero within rounding counts as zero."""
    lam = np.linalg.eigvalsh(H)
    tol = 1e-9 * max(1.0, np.abs(lam).max())
    if (lam > tol).any() and (lam < -tol).any():
        return "saddle"
    if (lam > tol).all():
        return "minimum"
    if (lam < -tol).all():
        return "maximum"
    return "inconclusive"


def newton_step(grad: np.ndarray, H: np.ndarray) -> np.ndarray:
    """δw = −H⁻¹∇C (lecture 004, eq. 13), by solving H δw = −∇C rather than inverting H."""
    return -np.linalg.solve(H, grad)
