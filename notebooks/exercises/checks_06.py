"""Checks for notebook 06 (the optimiser zoo): the largest learning rate gradient descent tolerates, and Nesterov's
look-ahead step (lecture 004's form)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd
import optim

from .feedback import Hint, ask, exercise

CASES = [[0.02, 2.0], [1.0], [4.0, 0.5, 10.0], [0.3, 0.3]]     # the notebook's ravine first


@exercise("6.1", "define largest_stable_lr(curvatures) returning a learning rate")
def check_6_1(largest_stable_lr: Callable[[list[float]], float]) -> str:
    """``largest_stable_lr(curvatures)``: the learning rate above which GD diverges on the quadratic bowl
    C(w) = ½ Σ λ_i w_i² with the given curvatures λ_i (for the ravine 0.01 w1² + w2²: λ = 0.02 and 2)."""
    for lams in CASES:
        got = float(ask(largest_stable_lr, list(lams)))
        want = 2 / max(lams)
        if np.isclose(got, want):
            continue
        if np.isclose(got, 1 / max(lams)):
            raise Hint(f"curvatures {lams}: 1/λ is the rate that lands on the minimum in one step; GD still "
                       "converges, oscillating, while |1 − ηλ| < 1")
        if np.isclose(got, 2 / min(lams)) or np.isclose(got, 1 / min(lams)):
            raise Hint(f"curvatures {lams}: all coordinates share one η, and the steepest one diverges first")
        raise Hint(f"curvatures {lams}: each step multiplies w_i by (1 − η λ_i); find the largest η for which "
                   "every factor stays between −1 and 1")
    return "on the ravine η < 2/2 = 1: why the race gives GD 0.95, and why GD then crawls along the floor"


RAVINE_START = np.array([-8.0, 1.5])


def _ravine_grad(w: np.ndarray) -> np.ndarray:
    return np.array([0.02 * w[0], 2 * w[1]])


def _run(step: Callable[..., tuple[np.ndarray, np.ndarray]], steps: int = 20) -> tuple[np.ndarray, np.ndarray]:
    w, v, ws, vs = RAVINE_START.copy(), np.zeros(2), [], []
    for _ in range(steps):
        got = ask(step, w.copy(), v.copy(), _ravine_grad, 0.5, 0.7)
        if len(got) != 2:
            raise Hint("return the pair (new w, new v)")
        w, v = (np.asarray(a, dtype=float) for a in got)
        if w.shape != (2,) or v.shape != (2,):
            raise Hint("w and v keep their shape (2,)")
        ws.append(w)
        vs.append(v)
    return np.array(ws), np.array(vs)


def _optim_nesterov(steps: int = 20) -> np.ndarray:
    """optim.SGD(nesterov=True)'s iterates (PyTorch's form)."""
    p = autograd.tensor(RAVINE_START, requires_grad=True)
    opt = optim.SGD([p], lr=0.5, momentum=0.7, nesterov=True)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        (0.01 * p[0] ** 2 + p[1] ** 2).backward()
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@exercise("6.2", "define nesterov_step(w, v, grad_fn, eps, alpha) returning (w, v)")
def check_6_2(nesterov_step: Callable[..., tuple[np.ndarray, np.ndarray]]) -> str:
    """``nesterov_step(w, v, grad_fn, eps, alpha)``: one step of v ← αv − ε∇C(w + αv), w ← w + v."""
    ws, vs = _run(nesterov_step)
    lookahead = ws + 0.7 * vs
    if np.allclose(lookahead, _optim_nesterov()):
        return ("and w + αv is exactly optim.SGD(nesterov=True)'s iterate: PyTorch's form stores the look-ahead "
                "point itself")

    def momentum(w: np.ndarray, v: np.ndarray, grad_fn: Callable, eps: float, alpha: float) -> tuple:
        v = alpha * v - eps * grad_fn(w)
        return w + v, v
    if np.allclose(ws, _run(momentum)[0]):
        raise Hint("that is plain momentum: Nesterov evaluates the gradient at the look-ahead point w + αv, "
                   "where the velocity is about to carry w")
    raise Hint("first the velocity: v ← αv − ε∇C(w + αv) (the gradient at the look-ahead point, with the old v), "
               "then the weights: w ← w + v (with the new v)")
