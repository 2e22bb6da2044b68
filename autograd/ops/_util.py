"""Helpers shared by the op families: operand conversion, dtype promotion, dim normalisation.

Every function here takes Tensors or plain NumPy arrays: ops' backward formulas call them on arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import result_type
from ..tensor import Tensor


def as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """A Tensor for ``x`` (returned as is when it already is one of the right dtype)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else cast(x, dtype)
    if dtype is None:
        return Tensor(x) if not isinstance(x, np.ndarray) else Tensor._make(x)
    return Tensor._make(np.asarray(x, dtype=dtype))


_PY_NUMBERS = (int, float, bool)


def binary(a: Any, b: Any) -> tuple[Any, Any]:
    """Bring two operands to torch's common dtype. Python scalars stay scalars (they are constants in the graph);
    two plain arrays are left to NumPy (a backward formula on arrays)."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb and a.array.dtype == b.array.dtype or not (ta or tb):
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
        a, ta = as_tensor(a), True
    if not tb and not isinstance(b, int | float | bool):
        b, tb = as_tensor(b), True
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


def cast(x: Any, dtype: Any) -> Any:
    """x converted to ``dtype`` (differentiably); x itself when it already has it."""
    from .arithmetic import Cast  # arithmetic imports this module

    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Cast.apply(x, dtype)


def add_tangents(*ts: Any) -> Any:
    """Sum of tangents, skipping the Nones of constant arguments."""
    out = None
    for t in ts:
        if t is not None:
            out = t if out is None else out + t
    return out
