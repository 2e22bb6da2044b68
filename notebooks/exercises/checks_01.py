"""Checks for notebook 01 (the computation graph): a gradient derived by hand, and every node's adjoint."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .feedback import Hint, Unanswered, ask, exercise

POINTS = [(2.0, 1.0), (-1.5, 0.5), (0.3, -2.0), (4.0, 3.0)]   # the lecture's (2, 1) first


def _lecture_grads(a: float, b: float) -> tuple[float, float]:
    """∂e/∂a and ∂e/∂b of e = (a + b)(b + 1), from the engine."""
    at, bt = autograd.tensor(a, requires_grad=True), autograd.tensor(b, requires_grad=True)
    ((at + bt) * (bt + 1)).backward()
    return at.grad.item(), bt.grad.item()


@exercise("1.1", "define de_grad(a, b) returning (∂e/∂a, ∂e/∂b)")
def check_1_1(de_grad: Callable[[float, float], tuple[float, float]]) -> str:
    """``de_grad(a, b)`` returns (∂e/∂a, ∂e/∂b) for e(a, b) = (a + b)(b + 1) at any (a, b)."""
    for a, b in POINTS:
        got = ask(de_grad, a, b)
        if np.shape(got) != (2,):
            raise Hint("return a pair (∂e/∂a, ∂e/∂b)")
        da, db = (float(v) for v in got)
        want_a, want_b = _lecture_grads(a, b)
        if not np.isclose(da, want_a):
            raise Hint(f"∂e/∂a is wrong at (a, b) = ({a}, {b}). a reaches e only through c = a + b: "
                       "multiply ∂e/∂c (the other factor of the product) by ∂c/∂a")
        if not np.isclose(db, want_b):
            one_path = any(np.isclose(db, v) for v in (b + 1, a + b))
            raise Hint(f"∂e/∂b is wrong at (a, b) = ({a}, {b}). " + (
                "You followed one path only: b reaches e through c = a + b and through d = b + 1; add the "
                "products along both" if one_path else
                "Sum over the paths b → c → e and b → d → e the product of the local derivatives"))
    return "at the lecture's (2, 1) that is (2, 5), as e.backward() gave"


# f(x, y) = (x·y)·(x + y) at x = 2, y = 3, with p = x·y, s = x + y, f = p·s
X, Y = 2.0, 3.0
NODES = ("f", "p", "s", "x", "y")
WHY = {
    "f": "the adjoint of the output with respect to itself starts the sweep",
    "p": "∂f/∂p for f = p·s is the other factor of the product",
    "s": "∂f/∂s for f = p·s is the other factor of the product",
    "x": "x feeds both p = x·y and s = x + y: add p̄·∂p/∂x and s̄·∂s/∂x",
    "y": "y feeds both p = x·y and s = x + y: add p̄·∂p/∂y and s̄·∂s/∂y",
}


def _adjoints() -> dict[str, float]:
    x, y = autograd.tensor(X, requires_grad=True), autograd.tensor(Y, requires_grad=True)
    p, s = x * y, x + y
    f = p * s
    for t in (p, s, f):
        t.retain_grad()
    f.backward()
    return {"f": f.grad.item(), "p": p.grad.item(), "s": s.grad.item(), "x": x.grad.item(), "y": y.grad.item()}


@exercise("1.2", "fill in the dict of adjoints {'f': ..., 'p': ..., 's': ..., 'x': ..., 'y': ...}")
def check_1_2(adjoints: dict[str, float]) -> str:
    """``adjoints`` maps each node of f = p·s, p = x·y, s = x + y (at x = 2, y = 3) to ∂f/∂node."""
    if not isinstance(adjoints, dict) or set(adjoints) != set(NODES):
        raise Hint(f"give a dict with exactly the keys {list(NODES)}")
    if all(v is None for v in adjoints.values()):
        raise Unanswered("replace the None values with your adjoints")
    want = _adjoints()
    for name in NODES:   # output first: the order the reverse sweep visits them
        if adjoints[name] is None:
            raise Hint(f"the adjoint of {name} is still None")
        if not np.isclose(float(adjoints[name]), want[name]):
            raise Hint(f"the adjoint of {name} is off: {WHY[name]}")
    return "these are the numbers retain_grad() and backward() give"
