"""Questions asked of tensors with torch's top-level names: is_tensor, numel, equal, is_floating_point, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor


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
