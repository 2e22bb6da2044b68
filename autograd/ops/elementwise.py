"""Elementwise functions of one tensor (exp, log, tanh, relu, ...), max/min of two, where, and comparisons.

The backward of each is written with Tensor ops, so that it can itself be differentiated (``create_graph=True``);
those marked ``array_backward`` read the same on numpy arrays, which a plain ``backward()`` passes them (the saved
values come through ``saved_values``/``saved_or_args``, masks through ``const``, in the kind of the gradient).
Ops whose derivative is a function of their output (exp, tanh, sigmoid, sqrt) save the output, not the input.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..function import Function
from ..tensor import Tensor
from ._util import binary, cast, const, saved_or_args, saved_values, tensors_or_none, value


class Exp(Function):
    """z = eˣ.   dz/dx = eˣ = z."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        out = Tensor._make(np.exp(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved_values(ctx, grad)
        return grad * out

    @staticmethod
    def jvp(ctx, t):
        return t * ctx.saved_tensors[0]


class Log(Function):
    """z = ln x.   dz/dx = 1/x."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad / saved_values(ctx, grad)[0]

    @staticmethod
    def jvp(ctx, t):
        return t / ctx.saved_tensors[0]


class Log1p(Function):
    """z = ln(1 + x).   dz/dx = 1/(1 + x)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad / (saved_values(ctx, grad)[0] + 1)

    @staticmethod
    def jvp(ctx, t):
        return t / (ctx.saved_tensors[0] + 1)


class Sqrt(Function):
    """z = √x.   dz/dx = 1/(2√x) = 1/(2z)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        out = Tensor._make(np.sqrt(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad / (saved_values(ctx, grad)[0] * 2)

    @staticmethod
    def jvp(ctx, t):
        return t / (ctx.saved_tensors[0] * 2)


class Sin(Function):
    """z = sin x.   dz/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * cos(ctx.saved_tensors[0])

    @staticmethod
    def jvp(ctx, t):
        return t * cos(ctx.saved_tensors[0])


class Cos(Function):
    """z = cos x.   dz/dx = −sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x.array)

    @staticmethod
    def backward(ctx, grad):
        return -grad * sin(ctx.saved_tensors[0])

    @staticmethod
    def jvp(ctx, t):
        return -t * sin(ctx.saved_tensors[0])


class Tanh(Function):
    """z = tanh x.   dz/dx = 1 − z²."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        out = Tensor._make(np.tanh(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved_values(ctx, grad)
        return grad * (1 - out * out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * (1 - out * out)


class Sigmoid(Function):
    """z = σ(x) = 1/(1 + e⁻ˣ).   dz/dx = z(1 − z)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        d = x.array
        # Two branches so that e^(−x) never overflows: σ(x) = e^x / (1 + e^x) for x < 0.
        e = np.exp(-np.abs(d))
        out = Tensor._make(np.where(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype, copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved_values(ctx, grad)
        return grad * out * (1 - out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out * (1 - out)


class Erf(Function):
    """z = erf x.   dz/dx = 2/√π · e^(−x²)."""

    _erf = np.frompyfunc(math.erf, 1, 1)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(Erf._erf(x.array), dtype=x.array.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * exp(-x * x) * (2 / math.sqrt(math.pi))

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return t * exp(-x * x) * (2 / math.sqrt(math.pi))


class Abs(Function):
    """z = |x|.   dz/dx = sign(x) (0 at x = 0, as torch)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * const(np.sign(ctx.saved_tensors[0].array), grad)

    @staticmethod
    def jvp(ctx, t):
        return t * const(np.sign(ctx.saved_tensors[0].array), t)


class Relu(Function):
    """z = max(x, 0).   dz/dx = 1 where x > 0, else 0."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        out = Tensor._make(np.maximum(x.array, 0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * const(ctx.saved_tensors[0].array > 0, grad)

    @staticmethod
    def jvp(ctx, t):
        return t * const(ctx.saved_tensors[0].array > 0, t)


class LeakyRelu(Function):
    """z = x if x > 0 else slope·x.   dz/dx = 1 where x > 0, else slope."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        return np.where(x.array > 0, x.array, x.array * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * const(np.where(x.array > 0, 1.0, ctx.args[1]), grad), None

    @staticmethod
    def jvp(ctx, t, _):
        (x,) = ctx.saved_tensors
        return t * const(np.where(x.array > 0, 1.0, ctx.args[1]), t)


class Sign(Function):
    """z = sign(x).   dz/dx = 0 (a step has zero derivative almost everywhere)."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        return np.sign(x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0

    @staticmethod
    def jvp(ctx, t):
        return t * 0.0


class Step(Function):
    """z = 1 if x ≥ 0 else 0 (the threshold unit g of lecture 000, g(0) = 1).   dz/dx = 0."""

    array_backward = True

    @staticmethod
    def forward(ctx, x):
        return (x.array >= 0).astype(x.array.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0

    @staticmethod
    def jvp(ctx, t):
        return t * 0.0


class Clamp(Function):
    """z = min(max(x, lo), hi).   dz/dx = 1 where lo ≤ x ≤ hi, else 0."""

    array_backward = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        return np.clip(x.array, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        return grad * _clamp_mask(ctx, grad), None, None

    @staticmethod
    def jvp(ctx, t, _lo, _hi):
        return t * _clamp_mask(ctx, t)


def _clamp_mask(ctx: Function, like: Any) -> Any:
    x = ctx.saved_tensors[0].array
    lo, hi = ctx.args[1], ctx.args[2]
    mask = np.ones(x.shape, dtype=bool)
    if lo is not None:
        mask &= x >= lo
    if hi is not None:
        mask &= x <= hi
    return const(mask, like)


class Maximum(Function):
    """z = max(a, b) elementwise.   ∂z/∂a = 1 where a > b, ½ where a = b (ties split, as torch), else 0."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*tensors_or_none(a, b))
        return np.maximum(value(a), value(b))

    @staticmethod
    def backward(ctx, grad):
        wa, wb = _tie_weights(ctx, grad, larger=True)
        return grad * wa, grad * wb

    @staticmethod
    def jvp(ctx, ta, tb):
        return _tie_jvp(ctx, ta, tb, larger=True)


class Minimum(Function):
    """z = min(a, b) elementwise.   ∂z/∂a = 1 where a < b, ½ where a = b, else 0."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*tensors_or_none(a, b))
        return np.minimum(value(a), value(b))

    @staticmethod
    def backward(ctx, grad):
        wa, wb = _tie_weights(ctx, grad, larger=False)
        return grad * wa, grad * wb

    @staticmethod
    def jvp(ctx, ta, tb):
        return _tie_jvp(ctx, ta, tb, larger=False)


def _tie_weights(ctx: Function, like: Any, larger: bool) -> tuple[Any, Any]:
    a, b = (value(v) for v in saved_or_args(ctx))
    wins = (a > b) if larger else (a < b)
    wa = np.where(a == b, 0.5, wins.astype(float))
    return const(wa, like), const(1 - wa, like)


def _tie_jvp(ctx: Function, ta: Any, tb: Any, larger: bool) -> Tensor:
    wa, wb = _tie_weights(ctx, ta if ta is not None else tb, larger)
    out = None if ta is None else ta * wa
    return out if tb is None else (tb * wb if out is None else out + tb * wb)


class Where(Function):
    """z = a where cond else b.   ∂z/∂a = cond,  ∂z/∂b = not cond (cond is not differentiated)."""

    array_backward = True

    @staticmethod
    def forward(ctx, cond, a, b):
        return np.where(cond, value(a), value(b))

    @staticmethod
    def backward(ctx, grad):
        cond = ctx.args[0]
        # the same op again on Tensors (recorded), its numpy form on arrays
        select = Where.apply if grad.__class__ is Tensor else np.where
        zero = const(np.zeros((), dtype=grad.dtype), grad)
        return (None,
                select(cond, grad, zero) if ctx.needs_input_grad[1] else None,
                select(cond, zero, grad) if ctx.needs_input_grad[2] else None)

    @staticmethod
    def jvp(ctx, _, ta, tb):
        cond = ctx.args[0]
        zero = Tensor._make(np.zeros((), dtype=(ta if ta is not None else tb).array.dtype))
        return Where.apply(cond, zero if ta is None else ta, zero if tb is None else tb)


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
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x if min is None else maximum(x, min)
        return out if max is None else minimum(out, max)
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, min, max)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(*binary(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    return Minimum.apply(*binary(a, b))


def where(condition: Any, input: Any, other: Any) -> Tensor:
    cond = np.asarray(value(condition), dtype=bool)
    a, b = binary(input, other)
    return Where.apply(cond, a, b)


def _float(x: Tensor) -> Tensor:
    """Integer inputs of float functions (exp, log, ...) are promoted to the default float dtype, as in torch."""
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.array.dtype.kind != "f":
        return cast(x, get_default_dtype())
    return x


# ---- comparisons and logic: not differentiable, bool results --------------------------------------------------------
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
