"""Matrix multiplication, with torch's rules for 1-D operands and batch broadcasting."""

from __future__ import annotations

from typing import Any

from ..function import Op
from ..tensor import Tensor
from ._util import binary


class MatMul(Op):
    """Z = A @ B (batched over leading dims).   Ā = Z̄ @ Bᵀ,  B̄ = Aᵀ @ Z̄ (the engine sums over broadcast batches)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(b if ctx.needs_input_grad[0] else None, a if ctx.needs_input_grad[1] else None)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        return (grad @ b.mT if ctx.needs_input_grad[0] else None,
                a.mT @ grad if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        b, a = ctx.saved_tensors
        return (0 if ta is None else ta @ b) + (0 if tb is None else a @ tb)


def matmul(a: Any, b: Any) -> Tensor:
    a, b = binary(a, b)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                           f"{tuple(getattr(a, 'shape', ()))} and {tuple(getattr(b, 'shape', ()))}")
    k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:  # torch's type (RuntimeError), and a message that says which dims disagree
        raise RuntimeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} are not aligned: "
                         f"{k_a} (dim {a.ndim - 1} of the first) != {k_b} (dim {max(b.ndim - 2, 0)} of the second)")
    # 1-D operands are promoted to matrices and the added dim removed afterwards, as torch.matmul does.
    if a.ndim == 1 and b.ndim == 1:
        return MatMul.apply(a.unsqueeze(0), b.unsqueeze(1)).reshape(())
    if a.ndim == 1:
        return MatMul.apply(a.unsqueeze(0), b).squeeze(-2)
    if b.ndim == 1:
        return MatMul.apply(a, b.unsqueeze(1)).squeeze(-1)
    return MatMul.apply(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.reshape((-1, 1)) * b.reshape((1, -1))
