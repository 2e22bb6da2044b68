"""Checks for notebook 12 (the autoencoder): counting a network's parameters, and the reconstruction error's gradient
with respect to the decoder's last pre-activations, derived by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .arrays import close, sigmoid
from .feedback import Hint, ask, exercise

WIDTHS = [[64, 32, 8, 32, 64], [64, 256, 256, 10], [3, 1], [5, 7, 2]]


@exercise("12.1", "define n_parameters(widths) returning a count")
def check_12_1(n_parameters: Callable[[list[int]], int]) -> str:
    """``n_parameters(widths)``: the number of parameters of a chain of nn.Linear layers of these widths."""
    got = [ask(n_parameters, list(widths)) for widths in WIDTHS]
    layers = [list(zip(ws[:-1], ws[1:])) for ws in WIDTHS]
    if got == [sum(i * o + o for i, o in ls) for ls in layers]:
        return "the notebook's autoencoder has 4,744 parameters"
    if got == [sum(i * o for i, o in ls) for ls in layers]:
        raise Hint("each Linear(i, o) also has a bias, one per output unit")
    if got == [sum(i * o + i for i, o in ls) for ls in layers]:
        raise Hint("a Linear(i, o) has one bias per *output* unit")
    raise Hint(f"for widths {WIDTHS[2]} (one Linear(3, 1)) you return {got[2]}; add up weights and biases layer by "
               "layer")


@exercise("12.2", "define grad_logits(z, x) returning ∂L/∂z")
def check_12_2(grad_logits: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``grad_logits(z, x)``: ∂L/∂z for L = mean over all entries of (σ(z) − x)², x̂ = σ(z) the decoder's output."""
    rng = np.random.default_rng(122)
    z0, x0 = rng.normal(size=(6, 64)), rng.random((6, 64))
    got = ask(grad_logits, z0.copy(), x0.copy())
    z = autograd.tensor(z0, dtype=autograd.float64, requires_grad=True)
    ((autograd.sigmoid(z) - autograd.tensor(x0, dtype=autograd.float64)) ** 2).mean().backward()
    want = z.grad.numpy()
    if close(got, want, atol=1e-12):
        return "your ∂L/∂z equals backward()'s"
    n, d = x0.shape
    for hint, value in {
        "x̂ = σ(z): the chain rule multiplies by σ'(z) = x̂(1 − x̂)": 2 * (sigmoid(z0) - x0) / (n * d),
        "the derivative of (x̂ − x)² is 2(x̂ − x)": want / 2,
        "MSELoss averages over every entry, N·D of them, not over the N images only": want * d,
        "the loss is a mean, so its gradient is divided by the number of entries": want * n * d,
        "check the sign: the loss grows when x̂ moves away from x": -want,
    }.items():
        if close(got, value, atol=1e-12):
            raise Hint(hint)
    raise Hint("chain rule: ∂L/∂x̂ first, then through the sigmoid")
