"""dtypes and torch's type-promotion rules.

pathgrad's dtypes are numpy dtypes. Promotion follows torch, not numpy: categories rank bool < integer < floating;
within a category the wider dtype wins, but 0-d tensors and Python scalars only decide the result when they belong to
a higher category than every dimensioned tensor (so ``float32 tensor * 2.5`` stays float32, and
``int64 tensor * 2.5`` becomes the default float dtype).
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype of new floating tensors (float32 unless changed), like ``torch.set_default_dtype``."""
    global _default_dtype
    d = to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default_dtype = d


def to_dtype(dtype: Any) -> np.dtype:
    """Normalise a dtype given as a numpy dtype, a type or a string such as "float32"."""
    if dtype is None:
        return _default_dtype
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"unknown dtype {dtype!r}: use e.g. autograd.float32, np.float64 or 'float64'") from e


def _category(dtype: np.dtype) -> int:
    return 2 if dtype.kind in "fc" else (0 if dtype.kind == "b" else 1)


def _scalar_dtype(x: Any) -> np.dtype:
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    return _default_dtype


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """Two tensor dtypes: the higher category wins outright (float32 with int64 stays float32), else the wider."""
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def result_type(*operands: Any) -> np.dtype:
    """The dtype torch would give an elementwise op on ``operands`` (Tensors, arrays or Python scalars)."""
    dim_dtype = zero_dim_dtype = scalar_dtype = None
    for x in operands:
        dt = getattr(x, "dtype", None)
        if dt is None:
            d = _scalar_dtype(x)
            if scalar_dtype is None or _category(d) > _category(scalar_dtype):
                scalar_dtype = d
        elif x.ndim == 0:
            zero_dim_dtype = dt if zero_dim_dtype is None else _promote(zero_dim_dtype, dt)
        else:
            dim_dtype = dt if dim_dtype is None else _promote(dim_dtype, dt)
    result = None
    for d in (dim_dtype, zero_dim_dtype, scalar_dtype):
        if d is not None and (result is None or _category(d) > _category(result)):
            result = d
    return result if result is not None else _default_dtype
