"""Rounding (floor, ceil, round, trunc/fix, frac), division with rounding (remainder, fmod, floor_divide, div's
rounding_mode), sign-like functions (sgn, signbit, heaviside) and predicates (isnan, isinf, isfinite, ...).

Rounding is piecewise constant: its derivative is zero between the jumps and undefined at them; torch's convention,
followed here, is a zero gradient everywhere. floor/ceil/round/trunc of an integer tensor is a copy of it, as in
torch. Predicates are not differentiable: plain functions returning bool tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import binary
from .arithmetic import clone
from .elementwise import sign, value
from .pointwise import _kinds, _tensor_arg


class _PiecewiseConstant(Op):
    """Base of the rounding ops: z is flat between its jumps, so dz/dx = 0 (taken as 0 at the jumps too)."""

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0

    jvp = backward


class Floor(_PiecewiseConstant):
    """z = ⌊x⌋, the largest integer ≤ x.   dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)


class Ceil(_PiecewiseConstant):
    """z = ⌈x⌉, the smallest integer ≥ x.   dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x)


class Trunc(_PiecewiseConstant):
    """z = x rounded toward zero.   dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x)


class Round(_PiecewiseConstant):
    """z = x rounded to ``decimals`` decimal places (negative: to tens, hundreds, ...), halves to even.   dz/dx = 0."""

    @staticmethod
    def forward(ctx, x, decimals=0):
        return np.round(x, decimals)  # x·10ᵈ rounded, then divided by 10ᵈ, in x's dtype: torch's steps


def _rounding(op: type, name: str, x: Any, decimals: int = 0) -> Any:
    if x.dtype.kind == "b":
        raise NotImplementedError(f"{name}: not implemented for bool tensors; convert with .long() or .float() first")
    if x.dtype.kind in "iu":
        if decimals:
            raise NotImplementedError(f"{name}: decimals={decimals} is not implemented for integer tensors; convert "
                                      "with .float() first")
        return clone(x)  # integers are already whole
    return op.apply(x, decimals=decimals) if decimals else op.apply(x)


def floor(input: Tensor) -> Tensor:
    return _rounding(Floor, "floor", input)


def ceil(input: Tensor) -> Tensor:
    return _rounding(Ceil, "ceil", input)


def trunc(input: Tensor) -> Tensor:
    return _rounding(Trunc, "trunc", input)


fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even (0.5 → 0, 1.5 → 2, 2.5 → 2), to ``decimals`` decimal places."""
    return _rounding(Round, "round", input, decimals)


def frac(input: Tensor) -> Tensor:
    """input − trunc(input): the fractional part, with input's sign.   d/dx = 1."""
    _kinds("frac", input, "f", "floating tensors")
    return input - trunc(input)


# ---- division with rounding ------------------------------------------------------------------------------------------
class Remainder(Op):
    """z = a − ⌊a/b⌋·b (the sign of b, like Python's %).   ∂z/∂a = 1,  ∂z/∂b = −⌊a/b⌋."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad if ctx.needs_input_grad[0] else None,
                -grad * floor(a / b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return (0 if ta is None else ta) - (0 if tb is None else tb * floor(a / b))


class Fmod(Op):
    """z = a − trunc(a/b)·b (the sign of a, like C's fmod).   ∂z/∂a = 1,  ∂z/∂b = −trunc(a/b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad if ctx.needs_input_grad[0] else None,
                -grad * trunc(a / b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return (0 if ta is None else ta) - (0 if tb is None else tb * trunc(a / b))


class RoundedDiv(Op):
    """z = a/b rounded toward zero ("trunc") or down ("floor").   ∂z/∂a = ∂z/∂b = 0 (piecewise constant)."""

    @staticmethod
    def forward(ctx, a, b, mode):
        if np.result_type(a, b).kind == "f":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.floor_divide(a, b) if mode == "floor" else np.trunc(np.true_divide(a, b))
        q = np.floor_divide(a, b)
        # (integers: a float quotient would lose digits; floor and trunc differ where the quotient is negative and
        # inexact)
        return q if mode == "floor" else q + ((q < 0) & (q * b != a))

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0, grad * 0.0, None

    @staticmethod
    def jvp(ctx, ta, tb, _):
        return 0.0 * (ta if ta is not None else tb)


def _no_derivative(op: str) -> Any:
    def rule(ctx: Op, *_: Any) -> Any:
        raise RuntimeError(f"the derivative for {op} is not implemented (as in torch); detach its input, or use an "
                           "op with a derivative")

    return staticmethod(rule)


class FloorDivide(RoundedDiv):
    """z = ⌊a/b⌋. torch defines no derivative for floor_divide: backward raises (div with rounding_mode="floor"
    computes the same values, with zero gradients)."""

    backward = jvp = _no_derivative("floor_divide (use div(a, b, rounding_mode='floor'))")


def _division(name: str, op: type, a: Any, b: Any, *extra: Any) -> Tensor:
    a, b = binary(a, b)
    t = a if isinstance(a, Tensor) else b
    _kinds(name, t, "iuf", "integer and floating tensors")
    if t.dtype.kind in "iu" and np.any(value(b) == 0):
        raise RuntimeError(f"{name}: integer division by zero (ZeroDivisionError); a floating dtype gives inf/nan")
    return op.apply(a, b, *extra)


def remainder(input: Any, other: Any) -> Tensor:
    """Python's %: the result has the sign of ``other``."""
    return _division("remainder", Remainder, input, other)


def fmod(input: Tensor, other: Any) -> Tensor:
    """C's fmod: the result has the sign of ``input``."""
    _tensor_arg("fmod", "input", 1, input)
    return _division("fmod", Fmod, input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """Python's //: the quotient rounded down (integers stay integers)."""
    return _division("floor_divide", FloorDivide, input, other, "floor")


def rounded_div(input: Any, other: Any, rounding_mode: str) -> Tensor:
    """div(input, other, rounding_mode=...): "trunc" rounds the quotient toward zero, "floor" down."""
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"{rounding_mode!r}")
    return _division("div", RoundedDiv, input, other, rounding_mode)


# ---- sign-like ---------------------------------------------------------------------------------------------------
def sgn(input: Tensor) -> Tensor:
    """sign(input) for real tensors (torch's sgn also covers complex ones, which pathgrad has not)."""
    return clone(input) if input.dtype.kind == "b" else sign(input)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, −0.0 and −NaN. Not differentiable."""
    return Tensor._make(np.asarray(np.signbit(value(input))))


class Heaviside(Op):
    """z = 0 where x < 0, ``values`` where x = 0, 1 where x > 0. torch defines no derivative: backward raises."""

    @staticmethod
    def forward(ctx, x, values):
        return np.where(x == 0, values, x > 0).astype(x.dtype)  # NaN → 0, as in torch

    backward = jvp = _no_derivative("heaviside")


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    _tensor_arg("heaviside", "input", 1, input)
    _tensor_arg("heaviside", "values", 2, values)
    if input.dtype != values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes (input "
                           f"{input.dtype}, values {values.dtype}); convert values with .to({input.dtype})")
    return Heaviside.apply(input, values)


# ---- predicates: not differentiable, bool results --------------------------------------------------------------------
def _predicate(fn: Any, x: Any) -> Tensor:
    return Tensor._make(np.asarray(fn(value(x))))


def isnan(input: Tensor) -> Tensor:
    return _predicate(np.isnan, input)


def isinf(input: Tensor) -> Tensor:
    return _predicate(np.isinf, input)


def isposinf(input: Tensor) -> Tensor:
    return _predicate(np.isposinf, input)


def isneginf(input: Tensor) -> Tensor:
    return _predicate(np.isneginf, input)


def isfinite(input: Tensor) -> Tensor:
    return _predicate(np.isfinite, input)


def isreal(input: Tensor) -> Tensor:
    """All True: pathgrad's tensors are real."""
    return _predicate(np.isreal, input)
