"""Questions asked of tensors and dtypes with torch's top-level names: is_tensor, numel, equal, finfo, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .tensor import Tensor

_deterministic = False


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002 (torch's argument name)
    return input.numel()


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input.dtype.kind == "f"


def is_complex(input: Tensor) -> bool:  # noqa: A002
    return input.dtype.kind == "c"


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no' if input.numel() == 0 else 'more than one'} values "
                           "is ambiguous")
    return bool(input.item())


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both have the same shape and the same elements (torch.equal: no broadcasting, no tolerance)."""
    return input.shape == other.shape and bool(np.array_equal(input.array, other.array))


def finfo(type: Any = None) -> np.finfo:  # noqa: A002 (torch's argument name)
    """Machine limits of a float dtype (eps, max, min, tiny, resolution, bits); the default dtype's when None."""
    dtype = dtypes.get_default_dtype() if type is None else dtypes.to_dtype(type)
    if dtype.kind != "f":
        raise TypeError(f"finfo: {dtype} is not a floating point dtype (use iinfo for integer dtypes)")
    return np.finfo(dtype)


def iinfo(type: Any) -> np.iinfo:  # noqa: A002
    """Machine limits of an integer dtype (max, min, bits)."""
    dtype = dtypes.to_dtype(type)
    if dtype.kind not in "iub":
        raise TypeError(f"iinfo: {dtype} is not an integer dtype (use finfo for floating point dtypes)")
    return np.iinfo(dtype if dtype.kind != "b" else np.uint8)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded for ``are_deterministic_algorithms_enabled``; pathgrad's ops are deterministic either way (no
    atomics, no GPU): the same inputs and seed give the same bits."""
    global _deterministic
    _deterministic = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic
