"""Checks for notebook 02 (backprop by hand): lecture 000's δ/ε derivation with sigmoid units, and a backward of
one's own in a custom ``autograd.Function``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .feedback import Hint, Unanswered, ask, exercise


def _network(seed: int, m: int, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Lecture 000's network: x with x_0 = 1, V of shape (m + 1, p), w of length p + 1 (w_0 the bias), target y."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([[1.0], rng.normal(size=m)])
    return x, rng.normal(size=(m + 1, p)), rng.normal(size=p + 1), float(rng.normal())


def _engine_grads(x: np.ndarray, V: np.ndarray, w: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray]:
    Vt, wt = autograd.tensor(V, requires_grad=True), autograd.tensor(w, requires_grad=True)
    u = autograd.cat([autograd.ones(1, dtype=Vt.dtype), (autograd.tensor(x) @ Vt).sigmoid()])
    (0.5 * (u @ wt - y) ** 2).backward()
    return Vt.grad.numpy(), wt.grad.numpy()


def _sigmoid(r: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-r))


@exercise("2.1", "define backprop_sigmoid(x, V, w, y) returning (dL_dV, dL_dw)")
def check_2_1(backprop_sigmoid: Callable[..., tuple[np.ndarray, np.ndarray]]) -> str:
    """``backprop_sigmoid(x, V, w, y)`` returns (∂L/∂V, ∂L/∂w) for lecture 000's network with g = sigmoid."""
    for seed, (m, p) in enumerate([(3, 4), (2, 5), (4, 2)]):
        x, V, w, y = _network(seed, m, p)
        got = ask(backprop_sigmoid, x, V, w, y)
        if len(got) != 2:
            raise Hint("return a pair (dL_dV, dL_dw)")
        dV, dw = (np.asarray(g, dtype=float) for g in got)
        want_V, want_w = _engine_grads(x, V, w, y)
        if dw.shape != w.shape:
            raise Hint(f"dL_dw must have w's shape {w.shape}: one entry per w_j, j = 0..p (u_0 = 1 for w_0)")
        if dV.shape != V.shape:
            raise Hint(f"dL_dV must have V's shape {V.shape}: ∂L/∂v_ij = ε_j x_i, inputs along the rows")
        r = x @ V
        z = np.concatenate([[1.0], _sigmoid(r)]) @ w
        if not np.allclose(dw, want_w):
            raise Hint("dL_dw is off: ∂L/∂w_j = δ u_j with δ = z − y and u = (1, g(r_1), ..., g(r_p))")
        if not np.allclose(dV, want_V):
            tanh_prime = np.outer(x, (z - y) * w[1:] * (1 - np.tanh(r) ** 2))
            plain_g = np.outer(x, (z - y) * w[1:] * _sigmoid(r))
            if np.allclose(dV, tanh_prime):
                raise Hint("that is the tanh network's ε: here g is the sigmoid, whose g'(r) is g(r)(1 − g(r))")
            if np.allclose(dV.T, want_V):
                raise Hint("∂L/∂v_ij belongs in row i (input i) and column j (hidden unit j): ε_j x_i")
            if np.allclose(dV, plain_g):
                raise Hint("ε_j needs g'(r_j), the derivative of the unit, not g(r_j) itself")
            raise Hint("dL_dV is off: ε_j = δ w_j g'(r_j) for j = 1..p (w_0 feeds no hidden unit), then "
                       "∂L/∂v_ij = ε_j x_i")
    return "the engine agrees on three networks of different sizes"


@exercise("2.2", "write Tanh.backward (it still returns None)")
def check_2_2(Tanh: type) -> str:
    """``Tanh`` is an ``autograd.Function`` whose backward returns ∂L/∂x = ∂L/∂y · (1 − tanh²x)."""
    if not (isinstance(Tanh, type) and issubclass(Tanh, autograd.Function)):
        raise Hint("pass the class itself (Tanh), a subclass of autograd.Function")
    rng = np.random.default_rng(0)
    x0, upstream = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x = autograd.tensor(x0, requires_grad=True)
    y = Tanh.apply(x)
    if not np.allclose(y.detach().numpy(), np.tanh(x0)):
        raise Hint("forward no longer computes tanh: leave forward as given and write backward")
    (y * autograd.tensor(upstream)).sum().backward()     # an upstream gradient that is not all ones
    if x.grad is None:
        raise Unanswered("Tanh.backward returns None: return ∂L/∂x")
    got, t = x.grad.numpy(), np.tanh(x0)
    if np.allclose(got, upstream * (1 - t ** 2)):
        return "backward(ctx, grad) is all an op needs: grad times the local derivative"
    if np.allclose(got, 1 - t ** 2):
        raise Hint("backward receives grad = ∂L/∂y and must return ∂L/∂x: multiply by grad (the chain rule)")
    if np.allclose(got, upstream * t * (1 - t)):
        raise Hint("y(1 − y) is the sigmoid's derivative in terms of its output; tanh's is different")
    if np.allclose(got, upstream * (1 - x0 ** 2)):
        raise Hint("the derivative of tanh is written with tanh(x) (the saved output y), not with x")
    raise Hint("d tanh(x)/dx = 1 − tanh²(x); return grad times that, using the output y that forward saved")
