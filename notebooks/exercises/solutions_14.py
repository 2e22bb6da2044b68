"""Reference answers for notebook 14's exercises (kept out of the notebook), in NumPy: an independent check of
what backward() does."""

from __future__ import annotations

import math

import numpy as np


def _states(w: float, u: float, xs: np.ndarray, h0: float) -> np.ndarray:
    hs = [h0]
    for x in xs:
        hs.append(np.tanh(w * hs[-1] + u * x))
    return np.array(hs)


def state_adjoints(w: float, u: float, xs: np.ndarray, h0: float) -> list[float]:
    """From ∂L/∂h_T = 1 backwards: ∂L/∂h_{t−1} = ∂L/∂h_t · w · (1 − h_t²), tanh' written with its output h_t."""
    hs = _states(w, u, xs, h0)
    adj = [1.0]
    for t in range(len(xs), 0, -1):
        adj.append(adj[-1] * w * (1 - hs[t] ** 2))
    return adj[::-1]


def weight_grad(w: float, u: float, xs: np.ndarray, h0: float) -> float:
    """w is used at every step: ∂L/∂w = Σ_t ∂L/∂h_t · (1 − h_t²) · h_{t−1}."""
    hs, adj = _states(w, u, xs, h0), state_adjoints(w, u, xs, h0)
    return float(sum(adj[t] * (1 - hs[t] ** 2) * hs[t - 1] for t in range(1, len(xs) + 1)))


# σ(b)^50 = 1/2  ⇔  σ(b) = p = 2^(−1/50)  ⇔  b = ln(p / (1 − p)) = 4.2717…, rounded up to two decimals
forget_bias = math.ceil(math.log(2 ** (-1 / 50) / (1 - 2 ** (-1 / 50))) * 100) / 100
