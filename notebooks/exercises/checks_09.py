"""Checks for notebook 09 (vanishing gradients): lecture 004's eq. (19) by hand, and a weight for which the chain's
gradient neither vanishes nor explodes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .arrays import close, sigmoid
from .feedback import Hint, ask, exercise


def chain_bias_grads(w: list[float], b: list[float], a0: float) -> np.ndarray:
    """∂C/∂b_j for the chain a_j = σ(w_j a_{j−1} + b_j), C = a_L, from backward()."""
    bs = [autograd.tensor(v, dtype=autograd.float64, requires_grad=True) for v in b]
    a = autograd.tensor(a0, dtype=autograd.float64)
    for wj, bj in zip(w, bs):
        a = autograd.sigmoid(wj * a + bj)
    a.backward()
    return np.array([bj.grad.item() for bj in bs])


def _mistakes(w: np.ndarray, b: np.ndarray, a0: float) -> dict[str, float]:
    z, a = [], a0
    for wj, bj in zip(w, b):
        z.append(wj * a + bj)
        a = sigmoid(z[-1])
    z = np.array(z)
    ds = sigmoid(z) * (1 - sigmoid(z))
    right = ds[0] * np.prod(w[1:] * ds[1:])
    return {
        "b_1 enters through z_1 = w_1 a_0 + b_1, so the product starts with σ'(z_1)": right / ds[0],
        "w_1 multiplies a_0; it is not on the path from b_1 to C": right * w[0],
        "the factors are the derivatives σ'(z_j) = σ(z_j)(1 − σ(z_j)), not σ(z_j)":
            sigmoid(z[0]) * np.prod(w[1:] * sigmoid(z[1:])),
        "C = a_L = σ(z_L): the last factor σ'(z_L) belongs in the product too (then ∂C/∂a_L = 1)": right / ds[-1],
    }


@exercise("9.1", "define dC_db1(w, b, a0) returning ∂C/∂b_1")
def check_9_1(dC_db1: Callable[[np.ndarray, np.ndarray, float], float]) -> str:
    """``dC_db1(w, b, a0)``: eq. (19), ∂C/∂b_1 for the one-neuron-per-layer sigmoid chain with C = a_L."""
    rng = np.random.default_rng(9)
    for depth in (4, 4, 3, 6):
        w, b, a0 = rng.normal(size=depth), rng.normal(size=depth), float(rng.uniform(0.1, 0.9))
        got = ask(dC_db1, w.copy(), b.copy(), a0)
        want = chain_bias_grads(list(w), list(b), a0)[0]
        if close(got, want, atol=1e-12):
            continue
        for hint, value in _mistakes(w, b, a0).items():
            if close(got, value, atol=1e-12):
                raise Hint(hint)
        raise Hint(f"for a chain of {depth} neurons you return {got!r}, backward() {want:.6g}; compute every "
                   "z_j = w_j a_{j−1} + b_j forward first, then multiply the factors of eq. (19)")
    return "eq. (19) agrees with backward() for chains of 3, 4 and 6 neurons"


@exercise("9.2", "replace None with a number")
def check_9_2(w: float) -> str:
    """A weight w for which, with every z_j = 0, |∂C/∂b_j| is the same in every layer of the chain."""
    try:
        w = float(w)
    except (TypeError, ValueError):
        raise Hint("the answer is one number, the weight shared by every layer") from None
    depth = 6
    # a_0 = 1/2 and b_j = −w·a_{j−1} = −w/2 make every z_j = 0, as in the notebook's exploding-gradient chain
    grads = np.abs(chain_bias_grads([w] * depth, [-w / 2] * depth, 0.5))
    factor = float(grads[0] / grads[1]) if grads[1] else 0.0
    if abs(factor - 1) < 1e-9:
        return f"|∂C/∂b_j| = {grads[0]:.4g} in all {depth} layers, because |w·σ'(0)| = 1"
    if abs(w - 0.25) < 1e-12:
        raise Hint("that is σ'(0) itself; the gradient is multiplied by w·σ'(0) per layer")
    raise Hint(f"with w = {w:g}, backward() finds |∂C/∂b_j| multiplied by {factor:.4g} from each layer to the one "
               "before it; that factor is |w·σ'(0)|, and you want it to be 1")
