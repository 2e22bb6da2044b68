"""Arithmetic: + - * / ** and negation, dtype casts and copies.

Each op's backward may return a gradient of the broadcast (output) shape: the engine sums it back to each input's
shape in one place (``engine._reduce_to``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import get_default_dtype
from ..function import Op
from ..tensor import Tensor
from ._util import add_tangents, as_tensor, binary, cast


class Add(Op):
    """z = a + b.   ∂z/∂a = 1,  ∂z/∂b = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(ctx, ta, tb):
        return add_tangents(ta, tb)


class Sub(Op):
    """z = a − b.   ∂z/∂a = 1,  ∂z/∂b = −1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        return add_tangents(ta, None if tb is None else -tb)


class Mul(Op):
    """z = a·b.   ∂z/∂a = b,  ∂z/∂b = a."""

    @staticmethod
    def forward(ctx, a, b):
        # Each factor is kept only if the other needs its gradient: then d = a * 2; d += 1 is fine, as in torch.
        ctx.save_for_backward(b if ctx.needs_input_grad[0] else None, a if ctx.needs_input_grad[1] else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        b, a = ctx.saved_tensors
        return add_tangents(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Op):
    """z = a / b.   ∂z/∂a = 1/b,  ∂z/∂b = −a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)  # 1/b serves both gradients; a only b's
        return np.true_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * a / (b * b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return add_tangents(None if ta is None else ta / b, None if tb is None else -tb * a / (b * b))


class Neg(Op):
    """z = −a.   ∂z/∂a = −1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, ta):
        return -ta


class Pow(Op):
    """z = aᵇ.   ∂z/∂a = b·aᵇ⁻¹,  ∂z/∂b = aᵇ·ln a (taken as 0 where a = 0 and b ≥ 0, as torch does)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.power(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * _dpow_da(a, b) if ctx.needs_input_grad[0] else None,
                grad * _dpow_db(a, b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return add_tangents(None if ta is None else ta * _dpow_da(a, b), None if tb is None else tb * _dpow_db(a, b))


def _dpow_da(a: Any, b: Any) -> Any:
    if isinstance(b, int | float):
        return a * 0.0 if b == 0 else b * a ** (b - 1)
    from .elementwise import where

    return where(b == 0, 0.0, b * a ** (b - 1))  # at a = b = 0, 0·0⁻¹ would be NaN: torch takes 0


def _dpow_db(a: Any, b: Any) -> Any:
    from .elementwise import log, where

    z = a ** b
    if isinstance(a, int | float):
        return z * float(np.log(a)) if a > 0 else z * 0.0
    safe = where(a == 0, 1.0, a)  # ln 0 = −inf would turn 0·(−inf) into NaN
    return where((a == 0) & (b >= 0), 0.0, z * log(safe))


class Cast(Op):
    """z = a converted to another dtype.   ∂z/∂a = 1 (the engine casts the gradient back to a's dtype)."""

    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    @staticmethod
    def jvp(ctx, ta, _):
        return ta


class Clone(Op):
    """z = a copied into new memory (in a's memory order if a is dense, else, and for ``contiguous``, in C order).
    ∂z/∂a = 1."""

    @staticmethod
    def forward(ctx, a, order):
        dense = a.flags.c_contiguous or a.flags.f_contiguous  # (an expanded or strided a is not: torch copies to C)
        return np.array(a, order=order if dense else "C")

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    @staticmethod
    def jvp(ctx, ta, _):
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


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        from .rounding import rounded_div  # (rounding imports this module)

        return rounded_div(a, b, rounding_mode)
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
    return Clone.apply(a, "K")


def contiguous(a: Tensor) -> Tensor:
    return a if a.array.flags.c_contiguous else Clone.apply(a, "C")


def copy_from(dst: Tensor, src: Any) -> Tensor:
    """``src`` broadcast to ``dst``'s shape and cast to its dtype, in new memory: what ``dst.copy_(src)`` writes.
    dst's old values are overwritten, but, as in torch, dst keeps its history with a zero gradient."""
    from .elementwise import where

    src = as_tensor(src)
    src = clone(src.broadcast_to(dst.shape) if src.shape != dst.shape else src).to(dst.dtype)
    return where(np.ones(dst.shape, dtype=bool), src, dst)
