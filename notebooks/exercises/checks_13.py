"""Checks for notebook 13 (forward vs reverse mode): tangents pushed through the lecture's graph by hand, dual
numbers of one's own, and a Jacobian from one jvp per input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import forward_ad

from .arrays import as_array, close
from .feedback import Hint, Unanswered, ask, exercise

F64 = autograd.float64


def engine_tangents(a_dot: float, b_dot: float) -> tuple[float, float, float]:
    """(ċ, ḋ, ė) for c = a + b, d = b + 1, e = c·d at a = 2, b = 1, from the engine's dual numbers."""
    with forward_ad.dual_level():
        a = forward_ad.make_dual(autograd.tensor(2.0, dtype=F64), autograd.tensor(a_dot, dtype=F64))
        b = forward_ad.make_dual(autograd.tensor(1.0, dtype=F64), autograd.tensor(b_dot, dtype=F64))
        c, d = a + b, b + 1
        return tuple(forward_ad.unpack_dual(t).tangent.item() for t in (c, d, c * d))


@exercise("13.1", "replace None with a tuple (c_dot, d_dot, e_dot)")
def check_13_1(tangents: tuple[float, float, float]) -> str:
    """(ċ, ḋ, ė) for e = (a + b)(b + 1) at a = 2, b = 1 with both tangents ȧ = ḃ = 1."""
    try:
        got = tuple(float(t) for t in tangents)
    except (TypeError, ValueError):
        raise Hint("give three numbers, (c_dot, d_dot, e_dot)") from None
    if len(got) != 3:
        raise Hint("give three numbers, (c_dot, d_dot, e_dot)")
    want = engine_tangents(1.0, 1.0)
    if got == want:
        return "ė = 7 = 2 + 5: the derivative along the direction (1, 1) is ∂e/∂a + ∂e/∂b"
    if got[:2] != want[:2]:
        raise Hint("c = a + b and d = b + 1 pass their inputs' tangents on with local derivative 1")
    if got[2] == want[0] * want[1]:
        raise Hint("ε² = 0, so (c + ċε)(d + ḋε) = cd + (ċd + cḋ)ε: the product rule, not ċ·ḋ")
    raise Hint("e = c·d: its tangent uses both factors' values and tangents (c = 3, d = 2)")


@exercise("13.2", "write __add__ and __mul__ of Dual")
def check_13_2(Dual: type) -> str:
    """``Dual(value, tangent)``: a dual number value + tangent·ε, ε² = 0, with +, * and plain numbers on either side."""
    if Dual(1.0, 1.0) + Dual(2.0, 0.0) is None or Dual(1.0, 1.0) * Dual(2.0, 0.0) is None:
        raise Unanswered("__add__ and __mul__ still return None: return a new Dual")

    def e(a: Any, b: Any) -> Any:
        return (a + b) * (b + 1)

    def f(x: Any) -> Any:
        return 3 * x * x + x + 1

    cases = [(lambda: e(Dual(2.0, 1.0), Dual(1.0, 0.0)), (6.0, 2.0), "∂e/∂a"),
             (lambda: e(Dual(2.0, 0.0), Dual(1.0, 1.0)), (6.0, 5.0), "∂e/∂b"),
             (lambda: f(Dual(2.0, 1.0)), (15.0, 13.0), "f(x) = 3x² + x + 1 at x = 2")]
    for run, (value, tangent), what in cases:
        try:
            out = run()
            v, t = float(out.value), float(out.tangent)
        except (AttributeError, TypeError) as err:
            raise Hint(f"{what} raised {type(err).__name__}: {err}. + and * get plain numbers too (b + 1, 3 * x): "
                       "treat c as c + 0ε, on either side (__radd__, __rmul__)") from None
        if abs(v - value) > 1e-12:
            raise Hint(f"{what}: the value part is {v:g}; it must be what plain numbers give")
        if abs(t - tangent) > 1e-12:
            if what == "∂e/∂a" and abs(t) < 1e-12 or what == "∂e/∂b" and abs(t - 1) < 1e-12:
                raise Hint("a product's tangent is not the product of the tangents: (a + a'ε)(b + b'ε) = ab + "
                           "(a'b + ab')ε, because ε² = 0")
            if what.startswith("f"):
                raise Hint("a plain number c is the dual number c + 0ε: it has tangent 0")
            raise Hint(f"{what}: tangent {t:g}; (a + a'ε) + (b + b'ε) = (a + b) + (a' + b')ε and (a + a'ε)(b + b'ε) "
                       "= ab + (a'b + ab')ε")
    return "your dual numbers give e = 6 + 2ε and 6 + 5ε: one forward pass per input"


@exercise("13.3", "define jacobian_by_jvp(f, x) returning J")
def check_13_3(jacobian_by_jvp: Callable[[Callable, autograd.Tensor], Any]) -> str:
    """``jacobian_by_jvp(f, x)``: f's m×n Jacobian at x from n forward-mode jvps, one per input direction e_j."""
    rng = np.random.default_rng(133)
    n, m = 4, 3
    W = autograd.tensor(rng.normal(size=(m, n)), dtype=F64)
    x = autograd.tensor(rng.normal(size=n), dtype=F64)
    calls = [0]

    def f(t: autograd.Tensor) -> autograd.Tensor:
        calls[0] += 1
        return autograd.tanh(W @ t)

    got = as_array(ask(jacobian_by_jvp, f, x))
    J = (1 - np.tanh(W.numpy() @ x.numpy()) ** 2)[:, None] * W.numpy()
    if close(got, J.T):
        raise Hint("jvp(f, x, e_j) is column j of J (∂f/∂x_j for every output): stack them as columns")
    if not close(got, J):
        raise Hint(f"J has shape (m, n) = {J.shape}; column j is the tangent output of jvp(f, x, e_j), e_j the j-th "
                   "unit vector")
    if calls[0] != n:
        raise Hint(f"the numbers are right, but f ran {calls[0]} times; build J from n = {n} jvps, one forward "
                   "pass each")
    return f"J from {n} forward passes: forward mode costs one pass per input"
