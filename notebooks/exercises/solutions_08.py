"""Reference answers for notebook 08's exercises (kept out of the notebook; try them yourself first)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_out(H: int, M: int, padding: int = 0, stride: int = 1) -> int:
    """Positions of an M-wide window in the padded input (H + 2·padding wide), moving `stride` at a time."""
    return (H + 2 * padding - M) // stride + 1


def correlate(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation, as conv2d: out_{x',y'} = Σ_ab k_ab x_{x'+a, y'+b}."""
    return np.einsum("ijab,ab->ij", sliding_window_view(x, k.shape), k)


def conv_input_grad(ybar: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x̄: ȳ padded by M − 1 on every side (a full convolution), cross-correlated with w rotated by 180° (eq. 7–8)."""
    m, n = w.shape
    return correlate(np.pad(ybar, ((m - 1, m - 1), (n - 1, n - 1))), w[::-1, ::-1])


def conv_weight_grad(x: np.ndarray, ybar: np.ndarray) -> np.ndarray:
    """w̄_ab = Σ_{x',y'} ȳ_{x',y'} x_{x'+a, y'+b}: the input cross-correlated with the error, no rotation."""
    return correlate(x, ybar)
