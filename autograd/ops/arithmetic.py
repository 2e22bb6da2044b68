"""Arithmetic: + - * / ** and negation, dtype casts and copies.

Each op's backward may return a gradient of the broadcast (output) shape: the engine sums it back to each input's
shape in one place (``engine._reduce_to``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..function import Function
from ..tensor import Tensor
from ._util import add_tangents, binary, cast, needs_grad, save_cross, saved_or_args, tensors_or_none, value


class Add(Function):
    """z = a + b.   ∂z/∂a = 1,  ∂z/∂b = 1."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return value(a) + value(b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(ctx, ta, tb):
        return add_tangents(ta, tb)


class Sub(Function):
    """z = a − b.   ∂z/∂a = 1,  ∂z/∂b = −1."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return value(a) - value(b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        return add_tangents(ta, None if tb is None else -tb)


class Mul(Function):
    """z = a·b.   ∂z/∂a = b,  ∂z/∂b = a."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        save_cross(ctx, a, b)
        return value(a) * value(b)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved_or_args(ctx, grad)
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = saved_or_args(ctx)
        return add_tangents(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    """z = a / b.   ∂z/∂a = 1/b,  ∂z/∂b = −a/b²."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        # 1/b serves both gradients; a only b's.
        ctx.save_for_backward(a if isinstance(a, Tensor) and needs_grad(b) else None,
                              b if isinstance(b, Tensor) else None)
        return np.true_divide(value(a), value(b))

    @staticmethod
    def backward(ctx, grad):
        a, b = saved_or_args(ctx, grad)
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * a / (b * b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = saved_or_args(ctx)
        return add_tangents(None if ta is None else ta / b, None if tb is None else -tb * a / (b * b))


class Neg(Function):
    """z = −a.   ∂z/∂a = −1."""

    array_backward = True

    @staticmethod
    def forward(ctx, a):
        return -a.array

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, ta):
        return -ta


class Pow(Function):
    """z = aᵇ.   ∂z/∂a = b·aᵇ⁻¹,  ∂z/∂b = aᵇ·ln a (taken as 0 where a = 0 and b ≥ 0, as torch does)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*tensors_or_none(a, b))
        return np.power(value(a), value(b))

    @staticmethod
    def backward(ctx, grad):
        a, b = saved_or_args(ctx)
        return (grad * _dpow_da(a, b) if ctx.needs_input_grad[0] else None,
                grad * _dpow_db(a, b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = saved_or_args(ctx)
        return add_tangents(None if ta is None else ta * _dpow_da(a, b), None if tb is None else tb * _dpow_db(a, b))


def _dpow_da(a: Any, b: Any) -> Any:
    if not isinstance(b, Tensor) and b == 0:
        return a * 0.0
    return b * pow(a, b - 1)


def _dpow_db(a: Any, b: Any) -> Any:
    from .elementwise import where

    z = pow(a, b)
    if not isinstance(a, Tensor):
        return z * float(np.log(a)) if a > 0 else z * 0.0
    safe = where(a == 0, 1.0, a)  # ln 0 = −inf would turn 0·(−inf) into NaN
    return where((a == 0) & (b >= 0), 0.0, z * safe.log())


class Cast(Function):
    """z = a converted to another dtype.   ∂z/∂a = 1 (the engine casts the gradient back to a's dtype)."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, dtype):
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    @staticmethod
    def jvp(ctx, ta, _):
        return ta.array.astype(ctx.args[1])


class Clone(Function):
    """z = a copied into new memory.   ∂z/∂a = 1."""

    array_backward = True

    @staticmethod
    def forward(ctx, a):
        return a.array.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, ta):
        return ta


def add(a: Any, b: Any, *, alpha: float = 1) -> Tensor:
    if alpha != 1:
        b = mul(b, alpha)
    return Add.apply(*binary(a, b))


def sub(a: Any, b: Any, *, alpha: float = 1) -> Tensor:
    if alpha != 1:
        b = mul(b, alpha)
    return Sub.apply(*binary(a, b))


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*binary(a, b))


def div(a: Any, b: Any) -> Tensor:
    a, b = binary(a, b)
    if isinstance(a, Tensor) and a.array.dtype.kind in "biu" and (not isinstance(b, Tensor) or b.dtype.kind in "biu"):
        a = cast(a, get_default_dtype())  # true division of integers gives floats, as in torch
        b = b if not isinstance(b, Tensor) else cast(b, get_default_dtype())
    return Div.apply(a, b)


def pow(a: Any, b: Any) -> Tensor:
    return Pow.apply(*binary(a, b))


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def clone(a: Tensor) -> Tensor:
    return Clone.apply(a)
