"""Constraints: the sets that parameters and values of a distribution must lie in (torch.distributions.constraints).

``constraint.check(value)`` gives a bool tensor, True where the value lies in the set (over the last ``event_dim``
dims at once for constraints on vectors and matrices). Their reprs are torch's: they appear in its error messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def _array(value: Any) -> np.ndarray:
    return value.array if isinstance(value, Tensor) else np.asarray(value)


class Constraint:
    """A set of values. ``is_discrete``: integer-valued; ``event_dim``: how many rightmost dims make one element."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        return Tensor._make(np.asarray(self._check(_array(value))))

    def _check(self, v: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__[1:] + "()"


class _Real(Constraint):
    def _check(self, v):
        return v == v  # not NaN


class _Boolean(Constraint):
    is_discrete = True

    def _check(self, v):
        return (v == 0) | (v == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def _check(self, v):
        return v > _array(self.lower_bound)

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={_bound(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def _check(self, v):
        return v >= _array(self.lower_bound)


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def _check(self, v):
        return v < _array(self.upper_bound)

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={_bound(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _check(self, v):
        return (_array(self.lower_bound) <= v) & (v <= _array(self.upper_bound))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={_bound(self.lower_bound)}, "
                f"upper_bound={_bound(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    def _check(self, v):
        return (_array(self.lower_bound) <= v) & (v < _array(self.upper_bound))


class _IntegerInterval(_Interval):
    is_discrete = True

    def _check(self, v):
        return (v % 1 == 0) & super()._check(v)


class _Simplex(Constraint):
    event_dim = 1

    def _check(self, v):
        return np.all(v >= 0, axis=-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def _check(self, v):
        return np.all((v == 0) | (v == 1), axis=-1) & (v.sum(-1) == 1)


class _RealVector(Constraint):
    event_dim = 1

    def _check(self, v):
        return np.all(v == v, axis=-1)

    def __repr__(self) -> str:
        return "IndependentConstraint(Real(), 1)"


class _LowerCholesky(Constraint):
    event_dim = 2

    def _check(self, v):
        lower = np.all(np.triu(v, 1) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(v, axis1=-2, axis2=-1) > 0, axis=-1)


class _PositiveDefinite(Constraint):
    event_dim = 2

    def _check(self, v):
        symmetric = np.all(np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6), axis=(-2, -1))
        with np.errstate(invalid="ignore"):
            positive = np.all(np.linalg.eigvalsh(v) > 0, axis=-1) if v.size else np.ones(v.shape[:-2], bool)
        return symmetric & positive


def _bound(b: Any) -> Any:
    return b.item() if isinstance(b, Tensor) and b.numel() == 1 else b


real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _RealVector()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
