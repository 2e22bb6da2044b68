"""Checks for notebook 08 (backprop through a convolution): an output size, and the two gradients of conv2d — the
input's, a full convolution with the filter rotated by 180° (lecture 004, eq. 7–8), and the filter's."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import autograd

from .arrays import as_array, close
from .feedback import Hint, ask, exercise

CASES = [(8, 3, 0, 1), (8, 3, 1, 1), (8, 3, 1, 2), (7, 3, 0, 2), (5, 5, 0, 1), (10, 4, 1, 3), (28, 5, 2, 2)]
SHAPES = [(7, 7, 3, 3), (6, 8, 2, 3)]   # x's and w's shapes: a square filter, then a non-square one


@exercise("8.1", "define conv_out(H, M, padding, stride) returning the output size")
def check_8_1(conv_out: Callable[[int, int, int, int], int]) -> str:
    """``conv_out(H, M, padding, stride)``: the output size of conv2d along one side."""
    got = [ask(conv_out, *case) for case in CASES]
    want = [(h + 2 * p - m) // s + 1 for h, m, p, s in CASES]
    if all(isinstance(g, (int, np.integer, float)) and g == w for g, w in zip(got, want)):
        return "every case agrees with conv2d's output size"
    mistakes = {
        "a filter as large as the input (H = M) still gives one output: count the positions, not the steps": [
            (h + 2 * p - m) // s for h, m, p, s in CASES],
        "padding adds zeros on both sides of the input": [(h + p - m) // s + 1 for h, m, p, s in CASES],
        "the window moves by `stride` pixels, so there are fewer positions when stride > 1": [
            h + 2 * p - m + 1 for h, m, p, s in CASES],
        "a window that would stick out of the padded input is dropped: round down": [
            math.ceil((h + 2 * p - m) / s) + 1 for h, m, p, s in CASES],
    }
    for hint, values in mistakes.items():
        if got == values:
            raise Hint(hint)
    if any(isinstance(g, float) and g != int(g) for g in got):
        raise Hint("a size is a whole number of window positions: use integer (floor) division")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    raise Hint(f"for (H, M, padding, stride) = {CASES[i]} you return {got[i]}; count the positions of an M-wide "
               "window in the padded input, moving `stride` at a time")


def _correlate(x: autograd.Tensor, w: autograd.Tensor) -> autograd.Tensor:
    """conv2d's 'valid' cross-correlation of one channel, Σ_ab w_ab x_{x'+a, y'+b}, from the engine's slicing."""
    (h, wd), (m, n) = x.shape, w.shape
    return sum(w[a, b] * x[a:a + h - m + 1, b:b + wd - n + 1] for a in range(m) for b in range(n))


def _engine_grads(x: np.ndarray, w: np.ndarray, ybar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x̄, w̄) for y = conv2d(x, w) and upstream gradient ȳ, from backward()."""
    xt = autograd.tensor(x, dtype=autograd.float64, requires_grad=True)
    wt = autograd.tensor(w, dtype=autograd.float64, requires_grad=True)
    _correlate(xt, wt).backward(autograd.tensor(ybar, dtype=autograd.float64))
    return xt.grad.numpy(), wt.grad.numpy()


def _case(seed: int, h: int, wd: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(h, wd)), rng.normal(size=(m, n)), rng.normal(size=(h - m + 1, wd - n + 1))


@exercise("8.2", "define conv_input_grad(ybar, w) returning x̄")
def check_8_2(conv_input_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``conv_input_grad(ybar, w)``: x̄ = ∂C/∂x for y = conv2d(x, w) (one channel, no padding), given ȳ = ∂C/∂y."""
    for seed, shape in enumerate(SHAPES):
        x, w, ybar = _case(seed, *shape)
        got = as_array(ask(conv_input_grad, ybar.copy(), w.copy()))
        xbar, _ = _engine_grads(x, w, ybar)
        if got.shape != xbar.shape:
            raise Hint(f"x̄ has x's shape, {xbar.shape} for ȳ {ybar.shape} and w {w.shape}, and you return "
                       f"{got.shape}: pad ȳ with M − 1 zeros on every side (a *full* convolution)")
        if not close(got, xbar):
            if close(got, _engine_grads(x, w[::-1, ::-1], ybar)[0]):
                raise Hint("you slid the filter over ȳ as it is; the backward pass uses it rotated by 180°")
            raise Hint("compare one entry with eq. (7) by hand: x̄_{x,y} = Σ ȳ_{x',y'} w_{x−x', y−y'} (in conv2d's "
                       "cross-correlation indexing, y_{x',y'} = Σ w_ab x_{x'+a, y'+b})")
    return "your x̄ equals backward()'s, for a square and a non-square filter"


@exercise("8.3", "define conv_weight_grad(x, ybar) returning w̄")
def check_8_3(conv_weight_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``conv_weight_grad(x, ybar)``: w̄ = ∂C/∂w for y = conv2d(x, w) (one channel, no padding)."""
    for seed, shape in enumerate(SHAPES):
        x, w, ybar = _case(10 + seed, *shape)
        got = as_array(ask(conv_weight_grad, x.copy(), ybar.copy()))
        _, wbar = _engine_grads(x, w, ybar)
        if got.shape != wbar.shape:
            raise Hint(f"w̄ has w's shape, here {wbar.shape} = x's shape − ȳ's shape + 1, and you return {got.shape}")
        if not close(got, wbar):
            if close(got, wbar[::-1, ::-1]):
                raise Hint("no rotation for the filter's gradient: w̄_ab = Σ ȳ_{x',y'} x_{x'+a, y'+b}")
            if close(got, wbar.T):
                raise Hint("rows and columns are swapped: a is the row offset into x, b the column offset")
            raise Hint("w_ab multiplies x_{x'+a, y'+b} in every output y_{x',y'}: sum ȳ times that input over all "
                       "outputs (a cross-correlation of x with ȳ)")
    return "your w̄ equals backward()'s"
