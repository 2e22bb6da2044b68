"""Matrix multiplication, with torch's rules for 1-D operands and batch broadcasting."""

from __future__ import annotations

from typing import Any

from ..function import Function
from ..tensor import Tensor
from ._util import binary, save_cross, saved_or_args


class MatMul(Function):
    """Z = A @ B (batched over leading dims).   Ā = Z̄ @ Bᵀ,  B̄ = Aᵀ @ Z̄ (the engine sums over broadcast batches)."""

    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        save_cross(ctx, a, b)
        return a.array @ b.array

    @staticmethod
    def backward(ctx, grad):
        a, b = saved_or_args(ctx, grad)
        grad_b = None
        if ctx.needs_input_grad[1]:
            flags = ctx.args[1].array.flags
            # x @ W.mT (nn.Linear) makes b a transposed view of W: compute b's gradient transposed as well,
            # (Z̄ᵀ A)ᵀ = Aᵀ Z̄, so that W's gradient comes out in W's own memory order, not as a strided view.
            grad_b = (grad.mT @ a).mT if flags.f_contiguous and not flags.c_contiguous else a.mT @ grad
        return (grad @ b.mT if ctx.needs_input_grad[0] else None, grad_b)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = saved_or_args(ctx)
        return ta @ b + a @ tb


def matmul(a: Any, b: Any) -> Tensor:
    a, b = binary(a, b)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes "
                         f"{getattr(a, 'shape', ())} and {getattr(b, 'shape', ())}")
    k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
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
        raise ValueError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.reshape((-1, 1)) * b.reshape((1, -1))
