"""Reference answers for notebook 15's exercises (kept out of the notebook)."""

from __future__ import annotations

import numpy as np


def attention_weights(x: np.ndarray, in_proj_weight: np.ndarray, in_proj_bias: np.ndarray,
                      num_heads: int) -> np.ndarray:
    """Per head: softmax over the keys of q kᵀ/√(d/h) on that head's d/h columns; then the mean over heads."""
    L, d = x.shape
    dh = d // num_heads
    q = x @ in_proj_weight[:d].T + in_proj_bias[:d]
    k = x @ in_proj_weight[d:2 * d].T + in_proj_bias[d:2 * d]
    q, k = (a.reshape(L, num_heads, dh).transpose(1, 0, 2) for a in (q, k))   # (heads, L, d/h)
    s = q @ k.transpose(0, 2, 1) / np.sqrt(dh)
    a = np.exp(s - s.max(-1, keepdims=True))
    return (a / a.sum(-1, keepdims=True)).mean(0)


def causal_mask(n: int) -> np.ndarray:
    """True strictly above the diagonal: query i may not see keys j > i (nn.MultiheadAttention's convention)."""
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def sinusoidal(n_positions: int, d_model: int) -> np.ndarray:
    """Column pair (2i, 2i + 1) is (sin, cos) of p / 10000^(2i/d)."""
    angle = np.arange(n_positions)[:, None] / 10000 ** (np.arange(0, d_model, 2)[None, :] / d_model)
    pe = np.zeros((n_positions, d_model))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe
