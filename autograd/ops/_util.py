"""Helpers shared by the op families: operand conversion, dtype promotion, dim normalisation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import result_type
from ..grad_mode import _state
from ..tensor import Tensor


def as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """A Tensor for ``x`` (returned as is when it already is one of the right dtype)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else cast(x, dtype)
    if dtype is None:
        return Tensor(x)
    return Tensor._make(np.asarray(x, dtype=dtype))


def value(x: Any) -> Any:
    """The raw value of an operand: a Tensor's array, or a Python scalar as is."""
    return x.array if isinstance(x, Tensor) else x


_PY_NUMBERS = (int, float, bool)


def binary(a: Any, b: Any) -> tuple[Any, Any]:
    """Bring two operands to torch's common dtype. Python scalars stay scalars (they are constants in the graph)."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb and a.array.dtype == b.array.dtype:
        return a, b
    # The usual mixed case, x * 2.0: a floating tensor keeps its dtype against a Python number (result_type's rule).
    if ta and b.__class__ in _PY_NUMBERS and a.array.dtype.kind == "f":
        return a, b
    if tb and a.__class__ in _PY_NUMBERS and b.array.dtype.kind == "f":
        return a, b
    # numpy scalars (np.float64 subclasses float) count as Python numbers, as in torch: no promotion.
    if isinstance(a, np.generic) and a.ndim == 0:
        a = a.item()
    if isinstance(b, np.generic) and b.ndim == 0:
        b = b.item()
    if not ta and not isinstance(a, int | float | bool):
        a, ta = Tensor(a) if not isinstance(a, np.ndarray | np.generic) else Tensor._make(np.asarray(a)), True
    if not tb and not isinstance(b, int | float | bool):
        b, tb = Tensor(b) if not isinstance(b, np.ndarray | np.generic) else Tensor._make(np.asarray(b)), True
    dt = result_type(a, b)
    if ta and a.array.dtype != dt:
        a = cast(a, dt)
    if tb and b.array.dtype != dt:
        b = cast(b, dt)
    return a, b


def norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, an int or a sequence) as a tuple of non-negative axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                             f"{max(ndim, 1) - 1}], but got {d})")
        out.append(int(d) % max(ndim, 1))
    return tuple(out) if ndim else ()


def keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def cast(x: Tensor, dtype: Any) -> Tensor:
    """x converted to ``dtype`` (differentiably); x itself when it already has it."""
    from .arithmetic import Cast  # arithmetic imports this module

    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Cast.apply(x, dtype)


def saved_or_args(ctx: Any, like: Any = None) -> tuple:
    """Saved tensors, with the constant (non-Tensor) arguments filled in where None was saved. As plain arrays when
    ``like`` (the incoming gradient) is an array: the engine is running the backward formula on numbers."""
    saved, args = ctx.saved_tensors, ctx.args
    if like is None or like.__class__ is Tensor:
        return tuple([args[i] if t is None else t for i, t in enumerate(saved)])
    return tuple([args[i] if t is None else t.array for i, t in enumerate(saved)])


def saved_values(ctx: Any, like: Any) -> tuple:
    """``ctx.saved_tensors``, as plain arrays when ``like`` (the incoming gradient) is an array."""
    saved = ctx.saved_tensors
    return saved if like.__class__ is Tensor else tuple([None if t is None else t.array for t in saved])


def const(x: Any, like: Any) -> Any:
    """A constant (a mask, a slope) to multiply a gradient or tangent with: a Tensor of ``like``'s dtype, or for an
    array ``like`` an array (a boolean mask as it is: numpy multiplies it in without a converted copy)."""
    x = np.asarray(x)
    if like.__class__ is Tensor:
        return Tensor._make(x.astype(like.dtype, copy=False))
    return x if x.dtype.kind == "b" else x.astype(like.dtype, copy=False)


def sum_keepdim(x: Any, dims: Any) -> Any:
    """x summed over ``dims``, keeping them as size 1: for a Tensor (recorded) or an array."""
    return x.sum(dims, keepdim=True) if x.__class__ is Tensor else x.sum(dims, keepdims=True)


def exp(x: Any) -> Any:
    """eˣ of a Tensor (recorded) or an array."""
    return x.exp() if x.__class__ is Tensor else np.exp(x)


def needs_grad(x: Any) -> bool:
    """Whether a backward will want a gradient for ``x`` (or forward mode will want its value)."""
    return isinstance(x, Tensor) and (x.requires_grad or _state.fw_level > 0)


def save_cross(ctx: Any, a: Any, b: Any) -> None:
    """For products (a·b, a @ b): save a only if b needs a gradient and b only if a does. Saving no more than the
    backward needs is what lets ``d += d * 2`` work: d's old value is not kept, so changing it in place is safe."""
    fw = _state.fw_level > 0
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    ctx.save_for_backward(a if ta and (fw or tb and b.requires_grad) else None,
                          b if tb and (fw or ta and a.requires_grad) else None)


def tensors_or_none(*xs: Any) -> tuple:
    return tuple(x if isinstance(x, Tensor) else None for x in xs)


def add_tangents(*ts: Any) -> Any:
    """Sum of tangents, skipping the Nones of constant arguments."""
    out = None
    for t in ts:
        if t is not None:
            out = t if out is None else out + t
    return out
