"""Bitwise not/and/or/xor of integer and bool tensors (on bool tensors: logical not/and/or/xor). Not differentiable.

These are what ``~``, ``&``, ``|`` and ``^`` do on a Tensor, as in torch; floating tensors are refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import binary
from .elementwise import value
from .pointwise import _kinds

_WHAT = "integer and bool tensors"


def _bitwise(name: str, fn: Any, input: Any, other: Any) -> Tensor:
    a, b = binary(input, other)
    _kinds(name, a if isinstance(a, Tensor) else b, "biu", _WHAT)
    return Tensor._make(np.asarray(fn(value(a), value(b))))


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    _kinds("bitwise_not", input, "biu", _WHAT)
    return Tensor._make(np.asarray(np.invert(value(input))))


def invert(input: Tensor) -> Tensor:
    """``~input``: bitwise_not, but a TypeError for floating tensors, as torch's operator gives."""
    if input.dtype.kind not in "biu":
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, not "
                        f"{input.dtype}; for a mask use (x == 0) or logical_not(x)")
    return bitwise_not(input)
