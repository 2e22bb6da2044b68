"""Flattening parameters into one vector and back (for second-order methods and parameter-space arithmetic)."""

from __future__ import annotations

from collections.abc import Iterable

import autograd
from autograd import Tensor
from autograd.graph import increment_version


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order (differentiable: its gradient flows back to them)."""
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return autograd.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (the inverse of ``parameters_to_vector``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: vec has shape {tuple(vec.shape)}, but the parameters hold "
                         f"{total} elements; expected shape ({total},)")
    start = 0
    for p in params:
        n = p.numel()
        p.array = vec.array[start:start + n].reshape(p.shape).astype(p.dtype)
        increment_version(p)
        start += n
