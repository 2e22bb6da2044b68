"""Checks for notebook 03 (Boolean functions with step units): majority with one unit, parity with a hidden layer."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .feedback import Hint, exercise

INPUTS = np.array(list(itertools.product([0.0, 1.0], repeat=3)))     # the 8 rows of {0,1}^3, in binary order
MAJORITY = (INPUTS.sum(axis=1) >= 2).astype(int)
PARITY = (INPUTS.sum(axis=1) % 2).astype(int)


def g(r: np.ndarray) -> np.ndarray:
    """Lecture 000's threshold unit: 1 where r >= 0, else 0."""
    return (np.asarray(r) >= 0).astype(int)


def _array(value: Any, name: str, shape: tuple[int | None, ...]) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"{name} must be numbers (a list or an array)") from None
    if shape == () and a.shape != ():
        raise Hint(f"{name} must be a single number")
    if a.ndim != len(shape) or any(want is not None and got != want for got, want in zip(a.shape, shape)):
        dims = ", ".join("h" if s is None else str(s) for s in shape)
        raise Hint(f"{name} has shape {a.shape}; it needs shape ({dims}{',' if len(shape) == 1 else ''})")
    return a


def _wrong_rows(got: np.ndarray, want: np.ndarray) -> str:
    rows = [f"{tuple(int(v) for v in x)} gives {o}" for x, o, t in zip(INPUTS, got, want) if o != t]
    return "; ".join(rows)


@exercise("3.1", "set w (three weights) and b (the bias) of one step unit")
def check_3_1(unit: tuple[Any, Any]) -> str:
    """``unit = (w, b)``: one step unit g(w·x + b) computing the majority of three inputs."""
    if len(unit) != 2:
        raise Hint("answer with a pair (w, b)")
    w, b = _array(unit[0], "w", (3,)), _array(unit[1], "b", ())
    out = g(INPUTS @ w + b)
    if np.array_equal(out, MAJORITY):
        return "one unit suffices: majority, like AND and OR, is linearly separable"
    if np.array_equal(out, (INPUTS.sum(axis=1) >= 1).astype(int)):
        raise Hint("your unit fires as soon as one input is on (that is OR): raise the threshold")
    if np.array_equal(out, (INPUTS.sum(axis=1) >= 3).astype(int)):
        raise Hint("your unit fires only when all three are on (that is AND): lower the threshold")
    raise Hint("wrong on " + _wrong_rows(out, MAJORITY) + ". Majority treats its inputs alike, so equal weights "
               "will do; then choose b so that w·x + b ≥ 0 exactly when two or more inputs are on (g(0) = 1)")


@exercise("3.2", "set W1, b1, W2, b2 of a two-layer step network")
def check_3_2(net: tuple[Any, Any, Any, Any]) -> str:
    """``net = (W1, b1, W2, b2)``: g(g(X W1 + b1) W2 + b2) is the parity (XOR) of three inputs."""
    if len(net) != 4:
        raise Hint("answer with four arrays (W1, b1, W2, b2)")
    W1 = _array(net[0], "W1", (3, None))
    h = W1.shape[1]
    b1, W2, b2 = _array(net[1], "b1", (h,)), _array(net[2], "W2", (h, 1)), _array(net[3], "b2", (1,))
    out = g(g(INPUTS @ W1 + b1) @ W2 + b2).reshape(-1)
    if not np.array_equal(out, PARITY):
        raise Hint("wrong on " + _wrong_rows(out, PARITY) + ". The notebook's construction always works: one "
                   "hidden unit per input pattern with an odd number of ones, each firing on its pattern only, "
                   "and an output unit that ORs them")
    if h > 3:
        return (f"{h} hidden units, within the lecture's bound 2^3 = 8; three suffice: units that fire when at "
                "least 1, 2 and 3 inputs are on, added with output weights +1, −1, +1")
    return f"{h} hidden units, well within the lecture's bound 2^3 = 8"
