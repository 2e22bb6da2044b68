"""What the linear-algebra ops share: ``LinAlgError``, torch's input checks, and small matrix helpers that take
arrays and Tensors alike (so backward formulas can use them on both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .view import Diagonal, DiagonalEmbed

_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix, a matrix that is not positive-definite),
    as ``torch.linalg.LinAlgError``: a RuntimeError."""


def torch_dtype_name(dtype: np.dtype) -> str:
    return _TORCH_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def check_matrix(a: Any, op: str, square: bool = True, name: str = "A") -> Tensor:
    """``a`` as a Tensor of (batches of) float32/float64 matrices, square if asked, with torch's errors."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    check_float(a, op)
    if square:
        check_square(a, op, name)
    return a


def check_square(a: Tensor, op: str, name: str = "A") -> None:
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")


def check_float(a: Tensor, op: str, half: bool = False) -> None:
    """torch's errors for integer input, and for float16 unless ``half`` (LAPACK has no half precision)."""
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{torch_dtype_name(a.dtype)}")
    if a.dtype.itemsize < 4 and not half:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {torch_dtype_name(a.dtype)}")


def same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{torch_dtype_name(a.dtype)} and B of type {torch_dtype_name(b.dtype)} instead")


def lapack(compute: Callable[[], Any], a: np.ndarray, probe: Callable[[np.ndarray], Any],
           failure: Callable[[np.ndarray], str]) -> Any:
    """``compute()``, with NumPy's LinAlgError turned into ours. Once something has failed, the matrices of ``a``'s
    batch are tried one by one with ``probe``; ``failure(matrix)`` words the failure of the first that fails."""
    try:
        return compute()
    except np.linalg.LinAlgError:
        pass
    for i, m in enumerate(a.reshape((-1,) + a.shape[-2:])):
        try:
            probe(m)
        except np.linalg.LinAlgError:
            message = failure(m)
            if a.ndim > 2:  # torch names the batch element after the op's name
                op, _, rest = message.partition(": ")
                message = f"{op}: (Batch element {i}): {rest}"
            raise LinAlgError(message) from None
    raise LinAlgError(failure(a))  # (NumPy failed on the batch but on no single matrix: not expected)


# ---- helpers for formulas on arrays and Tensors ------------------------------------------------------------------
def diag(x: Any) -> Any:
    """The diagonals of a batch of matrices, as a batch of vectors."""
    return Diagonal.apply(x, 0, x.ndim - 2, x.ndim - 1)


def diag_embed(v: Any) -> Any:
    """A batch of diagonal matrices with ``v``'s last dim on their diagonals."""
    n = v.shape[-1]
    return DiagonalEmbed.apply(v, tuple(v.shape) + (n,), 0, v.ndim - 1, v.ndim)


def tril_mask(n: int, dtype: Any, k: int = 0, diagonal: float = 1.0) -> np.ndarray:
    """A constant n×n mask: ones on and below the k-th diagonal, with the main diagonal set to ``diagonal``."""
    m = np.tril(np.ones((n, n), dtype=dtype), k)
    if k >= 0:
        np.fill_diagonal(m, diagonal)
    return m


def eye_like(x: Any) -> np.ndarray:
    return np.eye(x.shape[-1], dtype=x.dtype)
