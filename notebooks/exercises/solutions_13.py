"""Reference answers for notebook 13's exercises (kept out of the notebook; try them yourself first)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd
from autograd.functional import jvp

tangents = (2.0, 1.0, 7.0)  # ċ = ȧ + ḃ = 2, ḋ = ḃ = 1, ė = ċ·d + c·ḋ = 2·2 + 3·1


class Dual:
    """value + tangent·ε with ε² = 0."""

    def __init__(self, value: float, tangent: float = 0.0) -> None:
        self.value, self.tangent = value, tangent

    @staticmethod
    def _lift(other: object) -> Dual:
        return other if isinstance(other, Dual) else Dual(other, 0.0)  # a plain number c is c + 0ε

    def __add__(self, other: object) -> Dual:
        other = self._lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other: object) -> Dual:
        other = self._lift(other)
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    __radd__, __rmul__ = __add__, __mul__


def jacobian_by_jvp(f: Callable[[autograd.Tensor], autograd.Tensor], x: autograd.Tensor) -> autograd.Tensor:
    """Column j of J is the tangent f carries out when x's tangent is e_j: n forward passes."""
    n = x.shape[0]
    columns = [jvp(f, x, autograd.tensor(np.eye(n)[j], dtype=x.dtype))[1] for j in range(n)]
    return autograd.stack(columns, dim=1)
