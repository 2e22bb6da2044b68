"""Functions of a square matrix: matrix_power (a composite of matmuls and inv) and matrix_exp, whose derivative is
taken through a block matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._lapack import check_matrix, check_square
from .shape import Cat
from .solve import inv


class MatrixExp(Op):
    """Z = exp(A). Its derivative in direction E is the upper-right block of exp([[A, E], [0, A]]) (Mathias, 1996):
    dZ = exp([[A, dA], [0, A]])₁₂;   Ā = exp([[Aᵀ, Z̄], [0, Aᵀ]])₁₂."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return _upper_right(MatrixExp.apply(_block(a.mT, grad)))

    @staticmethod
    def jvp(ctx, t):
        (a,) = ctx.saved_tensors
        return _upper_right(MatrixExp.apply(_block(a, t)))


def _block(a: Any, e: Any) -> Any:
    """[[a, e], [0, a]], batched."""
    d = a.ndim - 1
    return Cat.apply(d - 1, Cat.apply(d, a, e), Cat.apply(d, e * 0, a))


def _upper_right(m: Any) -> Any:
    n = m.shape[-1] // 2
    return m[..., :n, n:]


def _expm(a: np.ndarray) -> np.ndarray:
    """Scaling and squaring: exp(A) = exp(A/2ˢ)^(2ˢ), with 2ˢ ≥ 2‖A‖₁ so that a Taylor series of degree 16 is
    exact to rounding for A/2ˢ."""
    if a.size == 0:
        return a.copy()
    norm = float(np.max(np.sum(np.abs(a), axis=-2)))
    s = int(np.ceil(np.log2(2 * norm))) if np.isfinite(norm) and norm > 0.5 else 0
    x = a / 2.0**s
    eye = np.eye(a.shape[-1], dtype=a.dtype)
    out = eye
    for k in range(16, 0, -1):  # Horner: I + x(I + x/2(I + x/3(…)))
        out = eye + (x @ out) / k
    for _ in range(s):
        out = out @ out
    return out.astype(a.dtype, copy=False)


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = I + A + A²/2! + … for a (batch of) square matrices."""
    return MatrixExp.apply(check_matrix(A, "linalg.matrix_exp"))


def matrix_power(A: Tensor, n: int) -> Tensor:
    """Aⁿ by repeated squaring; n = 0 gives the identity (no gradient), n < 0 powers of A⁻¹. Integer matrices are
    fine for n ≥ 0, as in torch."""
    check_square(A, "linalg.matrix_power")
    if n == 0:
        return Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result.clone() if result is A else result  # a new tensor, never the input itself
