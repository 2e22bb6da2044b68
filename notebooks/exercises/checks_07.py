"""Checks for notebook 07 (second order): classify a critical point by its Hessian, and lecture 004's Newton step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd
from autograd.functional import hessian

from .feedback import Hint, ask, exercise

LABELS = ("minimum", "maximum", "saddle", "inconclusive")


def _critical_hessian() -> np.ndarray:
    """The Hessian of f(x, y) = x³ − 3x + y² at its critical point (−1, 0), from the engine."""
    return hessian(lambda w: w[0] ** 3 - 3 * w[0] + w[1] ** 2, autograd.tensor([-1.0, 0.0])).numpy()


# (Hessian, its class, the hint when it is misclassified): traps for reading the diagonal or the determinant only
CASES = [
    (np.diag([2.0, 1.0]), "minimum", None),
    (np.diag([-1.0, -3.0]), "maximum", "it curves down along both axes, as −x² does in one variable"),
    (np.array([[0.0, 1.0], [1.0, 0.0]]), "saddle",
     "its diagonal is zero, yet it curves up along (1, 1) and down along (1, −1): look at its eigenvalues"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), "saddle",
     "positive diagonal entries do not make a minimum when the coupling is strong: look at its eigenvalues"),
    (np.array([[-2.0, 0.5], [0.5, -1.0]]), "maximum",
     "a positive determinant holds for a maximum as well as a minimum (in 2-D): look at the signs of the eigenvalues"),
    (np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]]), "minimum", None),
    (np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, -1.0]]), "saddle",
     "in 3-D a positive determinant and trace can hide two negative eigenvalues: look at the signs of all of "
     "them"),
    (np.diag([1.0, 0.0]), "inconclusive",
     "an eigenvalue 0 and none negative: the second-order test cannot decide (lecture 002: 'require further "
     "investigation'); answer 'inconclusive'"),
    (np.array([[4.0, 2.0], [2.0, 1.0]]), "inconclusive",
     "its eigenvalues are 0 and 5: a zero eigenvalue with no negative one leaves the test undecided"),
    (np.diag([1.0, -1.0, 0.0]), "saddle",
     "one eigenvalue up and one down already make a saddle, whatever the zero one does"),
    (_critical_hessian(), "saddle", "x³ − 3x + y² at (−1, 0): compute the eigenvalues of the Hessian you were given"),
]


@exercise("7.1", "define classify(H) returning 'minimum', 'maximum', 'saddle' or 'inconclusive'")
def check_7_1(classify: Callable[[np.ndarray], str]) -> str:
    """``classify(H)``: the kind of critical point whose Hessian is the symmetric matrix ``H``."""
    for H, want, why in CASES:
        got = ask(classify, H.copy())
        if not isinstance(got, str) or got.strip().lower() not in LABELS:
            raise Hint(f"answer with one of {', '.join(repr(x) for x in LABELS)} (got {got!r})")
        if got.strip().lower() != want:
            raise Hint(f"H = {np.round(H, 3).tolist()} is not a {got.strip().lower()}: " + (
                why or "the signs of the Hessian's eigenvalues decide, as the sign of f'' does in one variable"))
    return "the signs of the eigenvalues decide; a zero one (with no other sign change) leaves it open"


def _rosenbrock_at(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f = lambda t: (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2   # noqa: E731
    wt = autograd.tensor(w, requires_grad=True)
    grad = autograd.grad(f(wt), wt)[0].numpy()
    return grad, hessian(f, autograd.tensor(w)).numpy()


@exercise("7.2", "define newton_step(grad, H) returning δw")
def check_7_2(newton_step: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``newton_step(grad, H)``: lecture 004's eq. (13), the δw that minimises the quadratic model."""
    rng = np.random.default_rng(7)
    A = rng.normal(size=(3, 3))
    cases = [_rosenbrock_at(np.array([-1.2, 1.0])), (rng.normal(size=3), A @ A.T + 3 * np.eye(3))]
    for grad, H in cases:
        got = np.asarray(ask(newton_step, grad.copy(), H.copy()), dtype=float)
        want = -np.linalg.solve(H, grad)
        if got.shape != grad.shape:
            raise Hint(f"δw has the shape of w {grad.shape}; got {got.shape}")
        if np.allclose(got, want):
            continue
        if np.allclose(got, -want):
            raise Hint("check the sign: the step goes downhill, against the gradient")
        if np.allclose(got, -H @ grad):
            raise Hint("that multiplies by H; Newton divides by the curvature: it needs H⁻¹∇C (np.linalg.solve)")
        if np.allclose(got, -grad / np.diag(H)):
            raise Hint("dividing by the diagonal of H ignores how the coordinates are coupled: use all of H")
        if np.allclose(got, -grad):
            raise Hint("that is a gradient step; Newton rescales the gradient by the inverse Hessian")
        raise Hint("set the derivative of the quadratic model ∇C δw + ½ δwᵀ H δw to zero and solve for δw")
    return "from Rosenbrock's (-1.2, 1) one full step (η = 1) goes to about (-1.18, 1.38)"
