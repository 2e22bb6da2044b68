"""Elementwise functions of one tensor (exp, log, tanh, relu, ...), max/min of two, where, and comparisons.

Backward and jvp formulas use only operators and autograd's functions, so each reads the same on arrays (a plain
``backward()``) and on Tensors (``create_graph=True``, where they are recorded and can be differentiated again).
Ops whose derivative is a function of their output (exp, tanh, sigmoid, sqrt) save the output, not the input.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..function import Op
from ..tensor import Tensor
from ._util import binary, cast


class Exp(Op):
    """z = eˣ.   dz/dx = eˣ = z."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out


class Log(Op):
    """z = ln x.   dz/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x

    jvp = backward


class Log1p(Op):
    """z = ln(1 + x).   dz/dx = 1/(1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)

    jvp = backward


class Sqrt(Op):
    """z = √x.   dz/dx = 1/(2√x) = 1/(2z)."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (out * 2)

    jvp = backward


class Sin(Op):
    """z = sin x.   dz/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * cos(x)

    jvp = backward


class Cos(Op):
    """z = cos x.   dz/dx = −sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * sin(x)

    jvp = backward


class Tanh(Op):
    """z = tanh x.   dz/dx = 1 − z²."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)

    jvp = backward


class Sigmoid(Op):
    """z = σ(x) = 1/(1 + e⁻ˣ).   dz/dx = z(1 − z)."""

    @staticmethod
    def forward(ctx, x):
        # Two branches so that e^(−x) never overflows: σ(x) = e^x / (1 + e^x) for x < 0.
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)

    jvp = backward


class Erf(Op):
    """z = erf x.   dz/dx = 2/√π · e^(−x²)."""

    _erf = np.frompyfunc(math.erf, 1, 1)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(Erf._erf(x), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * exp(-x * x) * (2 / math.sqrt(math.pi))

    jvp = backward


class Abs(Op):
    """z = |x|.   dz/dx = sign(x) (0 at x = 0, as torch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sign(x)

    jvp = backward


class Relu(Op):
    """z = max(x, 0).   dz/dx = 1 where x > 0, else 0."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)

    jvp = backward


class LeakyRelu(Op):
    """z = x if x > 0 else slope·x.   dz/dx = 1 where x > 0, else slope."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * ctx.slope), None

    @staticmethod
    def jvp(ctx, t, _):
        return LeakyRelu.backward(ctx, t)[0]


class Sign(Op):
    """z = sign(x).   dz/dx = 0 (a step has zero derivative almost everywhere)."""

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype == bool else np.sign(x)  # NumPy has no sign for bool; torch's is the identity

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0

    jvp = backward


class Step(Op):
    """z = 1 if x ≥ 0 else 0 (the threshold unit g of lecture 000, g(0) = 1).   dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return (x >= 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0

    jvp = backward


class Clamp(Op):
    """z = min(max(x, lo), hi).   dz/dx = 1 where lo ≤ x ≤ hi, else 0."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = grad * ((x >= ctx.lo) if ctx.lo is not None else 1)
        return inside * ((x <= ctx.hi) if ctx.hi is not None else 1), None, None

    @staticmethod
    def jvp(ctx, t, _lo, _hi):
        return Clamp.backward(ctx, t)[0]


class Maximum(Op):
    """z = max(a, b) elementwise.   ∂z/∂a = 1 where a > b, ½ where a = b (ties split, as torch), else 0."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = where(a > b, grad, where(a == b, grad * 0.5, grad * 0))
        return ga, grad - ga  # the two shares add up to grad

    @staticmethod
    def jvp(ctx, ta, tb):
        ga, gb = type(ctx).backward(ctx, 1.0)  # the local derivatives (Minimum shares this rule)
        return (0 if ta is None else ta * ga) + (0 if tb is None else tb * gb)


class Minimum(Op):
    """z = min(a, b) elementwise.   ∂z/∂a = 1 where a < b, ½ where a = b, else 0."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = where(a < b, grad, where(a == b, grad * 0.5, grad * 0))
        return ga, grad - ga

    jvp = Maximum.jvp


class Where(Op):
    """z = a where cond else b.   ∂z/∂a = cond,  ∂z/∂b = not cond (cond is not differentiated)."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        return (None,
                where(ctx.cond, grad, 0.0) if ctx.needs_input_grad[1] else None,
                where(ctx.cond, 0.0, grad) if ctx.needs_input_grad[2] else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        return where(ctx.cond, 0.0 if ta is None else ta, 0.0 if tb is None else tb)


# ---- functions ---------------------------------------------------------------------------------------------------
def exp(x: Tensor) -> Tensor:
    return Exp.apply(_float(x))


def log(x: Tensor) -> Tensor:
    return Log.apply(_float(x))


def log1p(x: Tensor) -> Tensor:
    return Log1p.apply(_float(x))


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(_float(x))


def sin(x: Tensor) -> Tensor:
    return Sin.apply(_float(x))


def cos(x: Tensor) -> Tensor:
    return Cos.apply(_float(x))


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(_float(x))


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(_float(x))


def erf(x: Tensor) -> Tensor:
    return Erf.apply(_float(x))


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(x, negative_slope)


def sign(x: Tensor) -> Tensor:
    return Sign.apply(x)


def step(x: Tensor) -> Tensor:
    """The threshold unit: 1.0 where x ≥ 0, else 0.0 (lecture 000's g, with g(0) = 1); its gradient is zero.
    For another value at 0, use ``where``."""
    return Step.apply(_float(x))


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # tensor bounds: a tie gives its gradient to x, as torch
        from .pointwise import clamp_max, clamp_min

        out = x if min is None else clamp_min(x, min)
        return out if max is None else clamp_max(out, max)
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of min and max must be given")
    if x.dtype.kind in "iub" and any(isinstance(b, float) for b in (min, max)):  # int clamped to 2.5: float32, as torch
        x = cast(x, get_default_dtype())
    return Clamp.apply(x, min, max)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(*binary(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    return Minimum.apply(*binary(a, b))


def where(condition: Any, input: Any, other: Any) -> Tensor:
    cond = np.asarray(condition.array if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = binary(input, other)
    return Where.apply(cond, a, b)


def _float(x: Tensor) -> Tensor:
    """Integer inputs of float functions (exp, log, ...) are promoted to the default float dtype, as in torch."""
    if not isinstance(x, Tensor | np.ndarray | np.generic):
        x = Tensor(x)
    if x.dtype.kind != "f":
        return cast(x, get_default_dtype())
    return x


# ---- comparisons and logic: not differentiable, bool results --------------------------------------------------------
def value(x: Any) -> Any:
    """The raw value of an operand: a Tensor's array, or a Python scalar as is."""
    return x.array if isinstance(x, Tensor) else x


def _compare(a: Any, b: Any, fn: Any) -> Tensor:
    return Tensor._make(np.asarray(fn(value(a), value(b))))


def eq(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.equal)


def ne(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.not_equal)


def lt(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.less)


def le(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.less_equal)


def gt(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.greater)


def ge(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.greater_equal)


def logical_and(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.logical_and)


def logical_or(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.logical_or)


def logical_xor(a: Any, b: Any) -> Tensor:
    return _compare(a, b, np.logical_xor)


def logical_not(a: Any) -> Tensor:
    return Tensor._make(np.asarray(np.logical_not(value(a))))


def isclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> Tensor:
    return Tensor._make(np.asarray(np.isclose(value(a), value(b), rtol=rtol, atol=atol)))


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(value(a), value(b), rtol=rtol, atol=atol))
