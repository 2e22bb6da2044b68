"""Checks for notebook 14 (backpropagation through time): a scalar RNN's state adjoints and weight gradient by
hand, and the forget-gate bias that keeps a gradient alive for 50 steps."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd

from .feedback import Hint, ask, exercise

F64 = autograd.float64
STEPS = 50          # exercise 14.3: how far back the gradient must reach
KEEP = 0.5          # ... with at least this much of its size


def _cases() -> list[tuple[float, float, np.ndarray, float]]:
    """(w, u, xs, h0): short and long sequences, small and large recurrent weights, a negative w."""
    rng = np.random.default_rng(14)
    return [(0.5, 1.0, np.array([1.0, -0.5, 2.0]), 0.3), (1.7, -0.8, rng.normal(size=6), -0.2),
            (-0.9, 0.6, rng.normal(size=12), 0.9), (0.3, 2.0, rng.normal(size=1), 0.0)]


def _engine(w: float, u: float, xs: np.ndarray, h0: float) -> tuple[list[float], float]:
    """[∂L/∂h_0..∂L/∂h_T] and ∂L/∂w for h_t = tanh(w h_{t−1} + u x_t), L = h_T, from backward()."""
    wt = autograd.tensor(w, dtype=F64, requires_grad=True)
    h = autograd.tensor(h0, dtype=F64, requires_grad=True)
    hs = [h]
    for x in xs:
        h = autograd.tanh(wt * h + u * float(x))
        h.retain_grad()
        hs.append(h)
    h.backward()
    return [s.grad.item() for s in hs], wt.grad.item()


def _forward(w: float, u: float, xs: np.ndarray, h0: float) -> list[float]:
    hs = [h0]
    for x in xs:
        hs.append(math.tanh(w * hs[-1] + u * x))
    return hs


def _numbers(value: Any, n: int, what: str) -> np.ndarray:
    try:
        a = np.asarray([v.item() if isinstance(v, autograd.Tensor) else v for v in value], dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"return {what}: a list of {n} numbers") from None
    if a.shape != (n,):
        raise Hint(f"return {n} numbers, ∂L/∂h_0 to ∂L/∂h_T (T = {n - 1} here); you returned {a.size}")
    return a


@exercise("14.1", "define state_adjoints(w, u, xs, h0) returning [∂L/∂h_0, ..., ∂L/∂h_T]")
def check_14_1(state_adjoints: Callable[..., Any]) -> str:
    """``state_adjoints(w, u, xs, h0)`` is [∂L/∂h_0, ..., ∂L/∂h_T] for h_t = tanh(w h_{t−1} + u x_t), L = h_T."""
    for w, u, xs, h0 in _cases():
        got = _numbers(ask(state_adjoints, w, u, xs.copy(), h0), len(xs) + 1, "[∂L/∂h_0, ..., ∂L/∂h_T]")
        want, _ = _engine(w, u, xs, h0)
        if np.allclose(got, want, rtol=1e-7, atol=1e-12):
            continue
        hs = np.array(_forward(w, u, xs, h0))
        if np.allclose(got[::-1], want, rtol=1e-7, atol=1e-12) and len(xs) > 1:
            raise Hint("your list runs backwards: give ∂L/∂h_0 first and ∂L/∂h_T = 1 last")
        if not np.isclose(got[-1], 1.0):
            raise Hint("the sweep starts at the loss itself: L = h_T, so ∂L/∂h_T = 1")
        no_tanh = [float(w ** (len(xs) - t)) for t in range(len(xs) + 1)]
        if np.allclose(got, no_tanh):
            raise Hint("each step back multiplies by ∂h_t/∂h_{t−1} = w·tanh'(·) = w·(1 − h_t²), not by w alone")
        wrong_h = [float(np.prod(w * (1 - hs[t:-1] ** 2))) for t in range(len(xs) + 1)]
        if np.allclose(got, wrong_h):
            raise Hint("the factor from h_{t−1} to h_t is w·(1 − h_t²) with the *later* state h_t (the output of "
                       "that tanh), not h_{t−1}")
        bad = int(np.argmax(~np.isclose(got, want, rtol=1e-7, atol=1e-12)))
        raise Hint(f"with w = {w}, u = {u}, T = {len(xs)}: ∂L/∂h_{bad} is off. Keep the states of the forward loop; "
                   "then from ∂L/∂h_T = 1 go back one step at a time: ∂L/∂h_{t−1} = ∂L/∂h_t · w · (1 − h_t²)")
    return "the same numbers as retain_grad() and backward(); each step back multiplies by w·(1 − h_t²)"


@exercise("14.2", "define weight_grad(w, u, xs, h0) returning ∂L/∂w")
def check_14_2(weight_grad: Callable[..., Any]) -> str:
    """``weight_grad(w, u, xs, h0)`` is ∂L/∂w for h_t = tanh(w h_{t−1} + u x_t), L = h_T."""
    for w, u, xs, h0 in _cases():
        got = ask(weight_grad, w, u, xs.copy(), h0)
        try:
            got = float(got.item() if isinstance(got, autograd.Tensor) else got)
        except (TypeError, ValueError):
            raise Hint("return one number, ∂L/∂w") from None
        adj, want = _engine(w, u, xs, h0)
        if np.isclose(got, want, rtol=1e-7, atol=1e-12):
            continue
        hs = _forward(w, u, xs, h0)
        terms = [adj[t] * (1 - hs[t] ** 2) * hs[t - 1] for t in range(1, len(xs) + 1)]
        if len(xs) > 1 and np.isclose(got, terms[-1]):
            raise Hint("that is only the last step's term: w is used at every step, and ∂L/∂w adds one term per step")
        if len(xs) > 1 and np.isclose(got, sum(adj[t] * hs[t - 1] for t in range(1, len(xs) + 1))):
            raise Hint("each term needs the tanh's derivative at that step: ∂h_t/∂w (holding h_{t−1}) is "
                       "(1 − h_t²)·h_{t−1}")
        raise Hint(f"with w = {w}, u = {u}, T = {len(xs)} the answer is off. Sum over t = 1..T of ∂L/∂h_t · (1 − h_t²) "
                   "· h_{t−1}, with ∂L/∂h_t from exercise 14.1")
    return "one term per time step, added up: what the engine does for a weight shared by every step"


def _kept(bias: float) -> float:
    """∂c_STEPS/∂c_0 along an LSTM's cell, c_t = σ(bias)·c_{t−1} + i_t g_t (the gate's other inputs at zero)."""
    b = autograd.tensor(bias, dtype=F64)
    c0 = autograd.tensor(0.0, dtype=F64, requires_grad=True)
    c = c0
    for t in range(STEPS):
        c = autograd.sigmoid(b) * c + 0.1 * math.sin(t)      # i_t g_t: anything that does not depend on c
    c.backward()
    return c0.grad.item()


def smallest_bias() -> float:
    """The smallest bias, to two decimals, with σ(b)^STEPS ≥ KEEP."""
    p = KEEP ** (1 / STEPS)
    return math.ceil(math.log(p / (1 - p)) * 100) / 100


@exercise("14.3", "set forget_bias to a number")
def check_14_3(forget_bias: Any) -> str:
    """``forget_bias``: the smallest b (two decimals) with ∂c_50/∂c_0 ≥ 1/2 along the cell."""
    if isinstance(forget_bias, (list, tuple, dict)) or not np.isscalar(forget_bias):
        raise Hint("give one number, the bias")
    b = float(forget_bias)
    kept = _kept(b)
    if kept < KEEP:
        raise Hint(f"with b = {b:g} only {kept:.3f} of the gradient is left after {STEPS} steps. Each step "
                   f"multiplies it by σ(b), so after {STEPS} steps by σ(b)^{STEPS}: solve σ(b)^{STEPS} = 1/2 for b")
    if b > smallest_bias() + 1e-9:
        raise Hint(f"b = {b:g} keeps {kept:.3f}, but a smaller bias does it too: solve σ(b)^{STEPS} = 1/2 "
                   "exactly and round up to two decimals")
    return (f"σ({b:g}) = {1 / (1 + math.exp(-b)):.4f} per step keeps {kept:.3f} of the gradient after {STEPS} "
            "steps")
