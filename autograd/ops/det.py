"""Determinants: det, slogdet, logdet, and the cofactor matrix that is det's gradient."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._lapack import check_matrix
from .elementwise import where
from .reduce import sum
from .solve import Inv

SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])


class Det(Op):
    """z = det A.   dz = tr(adj(A) dA) = Σᵢⱼ cof(A)ᵢⱼ dAᵢⱼ;   Ā = z̄ · cof(A), where cof(A) = adj(A)ᵀ (= det A · A⁻ᵀ when
    A is invertible; a singular A has a cofactor matrix too)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad[..., None, None] * Cofactor.apply(a)

    @staticmethod
    def jvp(ctx, t):
        (a,) = ctx.saved_tensors
        return sum(Cofactor.apply(a) * t, (-2, -1))


class Cofactor(Op):
    """C = cof(A) = adj(A)ᵀ, computed from the SVD A = U S Vᵀ as det(U) det(V) · U diag(Πⱼ≠ᵢ sⱼ) Vᵀ, which holds for
    singular A too. Its derivative (used for det's second derivative) is taken where A is invertible, C = det A · A⁻ᵀ:
    dC = tr(A⁻¹dA) C − C dAᵀ A⁻ᵀ;   Ā = ⟨C̄, C⟩ A⁻ᵀ − A⁻ᵀ C̄ᵀ C."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a)
        n = s.shape[-1]
        others = np.prod(np.where(np.eye(n, dtype=bool), 1, s[..., None, :]), axis=-1)  # Πⱼ≠ᵢ sⱼ for each i
        sign = np.linalg.det(u) * np.linalg.det(vh)
        out = sign[..., None, None] * (u * others[..., None, :]) @ vh
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, c = ctx.saved_tensors
        inv_t = Inv.apply(a).mT
        return sum(grad * c, (-2, -1), keepdim=True) * inv_t - inv_t @ grad.mT @ c

    @staticmethod
    def jvp(ctx, t):
        a, c = ctx.saved_tensors
        inv = Inv.apply(a)
        return sum(inv.mT * t, (-2, -1), keepdim=True) * c - c @ t.mT @ inv.mT


class Slogdet(Op):
    """(sign, log|det A|).   d log|det A| = tr(A⁻¹ dA);   Ā = ḡ · A⁻ᵀ. The sign is piecewise constant: no gradient."""

    materialize_grads = False

    @staticmethod
    def forward(ctx, a):
        sign, logabsdet = (np.asarray(v) for v in np.linalg.slogdet(a))
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(a)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, _gsign, grad):
        (a,) = ctx.saved_tensors
        return grad[..., None, None] * Inv.apply(a).mT

    @staticmethod
    def jvp(ctx, t):
        (a,) = ctx.saved_tensors
        return None, sum(Inv.apply(a).mT * t, (-2, -1))


# ---- functions -----------------------------------------------------------------------------------------------------
def det(A: Tensor) -> Tensor:
    """The determinant of a (batch of) square matrices."""
    return Det.apply(check_matrix(A, "linalg.det"))


def slogdet(A: Tensor) -> SlogdetResult:
    """(sign, logabsdet) with det A = sign · exp(logabsdet): the log of a determinant that would over- or underflow.
    A singular matrix gives (0, −inf)."""
    return SlogdetResult(*Slogdet.apply(check_matrix(A, "linalg.slogdet")))


def logdet(A: Tensor) -> Tensor:
    """log det A (torch.logdet): nan where det A < 0, −inf where it is 0."""
    sign, logabsdet = slogdet(check_matrix(A, "logdet"))
    return where(sign.detach() < 0, float("nan"), logabsdet)
