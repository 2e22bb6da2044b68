"""Checks for notebook 04 (an MLP on moons): count an MLP's parameters, and the hinge loss's gradient by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .feedback import Hint, ask, exercise

ARCHITECTURES = [(2, [8, 8, 1]), (3, [4, 1]), (784, [30, 30, 30, 30, 10]), (5, [1])]   # the third is lecture 004's


@exercise("4.1", "define n_params(n_in, widths) returning the parameter count")
def check_4_1(n_params: Callable[[int, list[int]], int]) -> str:
    """``n_params(n_in, widths)``: the number of scalar parameters of ``MLP(n_in, widths)``."""
    for n_in, widths in ARCHITECTURES:
        sizes = [n_in, *widths]
        want = sum((i + 1) * o for i, o in zip(sizes, sizes[1:]))
        got = ask(n_params, n_in, list(widths))
        if got == want:
            continue
        weights = sum(i * o for i, o in zip(sizes, sizes[1:]))
        if got == weights:
            raise Hint(f"MLP({n_in}, {widths}): you counted the weights only; every neuron also has a bias")
        if got == weights + sum(sizes):
            raise Hint(f"MLP({n_in}, {widths}): the inputs are not neurons and have no bias")
        raise Hint(f"MLP({n_in}, {widths}) has a different count: a Neuron(n_in) holds n_in weights and one bias, "
                   "and layer k has widths[k] neurons, each seeing every output of the layer before")
    return "MLP(2, [8, 8, 1]) has 105 parameters, as the notebook printed"


def _engine_grad(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    s = autograd.tensor(scores, requires_grad=True)
    (1 - autograd.tensor(y) * s).relu().mean().backward()
    return s.grad.numpy()


@exercise("4.2", "define hinge_grad(scores, y) returning ∂loss/∂scores")
def check_4_2(hinge_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``hinge_grad(scores, y)``: the gradient of mean(max(0, 1 − y·score)) with respect to each score."""
    rng = np.random.default_rng(4)
    for n in (20, 7):
        y = rng.choice([-1.0, 1.0], size=n)
        scores = rng.normal(scale=1.5, size=n)
        scores[:3] = 1 / y[:3] + np.array([0.5, -0.5, 2.0]) / y[:3]    # margins 1.5, 0.5 and 3: both sides of 1
        got = np.asarray(ask(hinge_grad, scores, y), dtype=float)
        want = _engine_grad(scores, y)
        if got.shape != scores.shape:
            raise Hint(f"return one derivative per score: shape {scores.shape}, got {got.shape}")
        if np.allclose(got, want):
            continue
        active = y * scores < 1
        if np.allclose(got, n * want):
            raise Hint("the loss is the mean over the batch: each score's derivative carries a factor 1/B")
        if np.allclose(got, -want):
            raise Hint("check the sign: raising y_i·score_i lowers max(0, 1 − y_i·score_i)")
        if np.allclose(got, -y / n) or np.allclose(got, -y):
            raise Hint("points with margin y·score ≥ 1 contribute nothing: max(0, ·) is flat there")
        if np.allclose(got[active], want[active]):
            raise Hint("the points with margin y·score ≥ 1 are wrong: there max(0, 1 − y·score) = 0, a constant")
        raise Hint("where 1 − y_i·score_i > 0 the loss term is 1 − y_i·score_i, elsewhere 0; differentiate each "
                   "case, then divide by the batch size")
    return "this is what `(1 - y * scores).relu().mean().backward()` puts in scores.grad"
