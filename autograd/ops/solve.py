"""Inverting and solving: inv, solve (AX = B), solve_triangular, pinv.

Each backward is written with the ops themselves (a solve's gradient is another solve), so it runs on arrays for a
plain ``backward()`` and on Tensors, recorded, for ``create_graph=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._lapack import check_matrix, lapack, same_dtype, tril_mask


def _singular(op: str) -> Any:
    def failure(m: np.ndarray) -> str:
        k = _zero_pivot(m)
        where = f"The diagonal element {k} is zero, the inversion" if k else "The inversion"
        return f"{op}: {where} could not be completed because the input matrix is singular."
    return failure


def _zero_pivot(m: np.ndarray) -> int:
    """The 1-based position of the first zero pivot of m's LU factorization with partial pivoting (LAPACK's getrf
    reports it; torch's message names it), or 0 if rounding hid it."""
    u = np.array(m, dtype=np.float64)
    for j in range(len(u)):
        p = j + int(np.argmax(np.abs(u[j:, j])))
        if u[p, j] == 0:
            return j + 1
        u[[j, p]] = u[[p, j]]
        u[j + 1:, j:] -= np.outer(u[j + 1:, j] / u[j, j], u[j, j:])
    return 0


class Inv(Op):
    """Y = A⁻¹.   dY = −Y dA Y;   Ā = −Yᵀ Ȳ Yᵀ."""

    @staticmethod
    def forward(ctx, a):
        out = lapack(lambda: np.linalg.inv(a), a, np.linalg.inv, _singular("linalg.inv"))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -(y.mT @ grad @ y.mT)

    @staticmethod
    def jvp(ctx, t):
        (y,) = ctx.saved_tensors
        return -(y @ t @ y)


class Solve(Op):
    """X = A⁻¹B, the solution of AX = B (batches broadcast).   dX = A⁻¹(dB − dA X);   B̄ = A⁻ᵀ X̄,  Ā = −B̄ Xᵀ."""

    @staticmethod
    def forward(ctx, a, b):
        def failure(_):
            return "torch.linalg.solve: The solver failed because the input matrix is singular."

        x = lapack(lambda: np.linalg.solve(a, b), a, np.linalg.inv, failure)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = Solve.apply(a.mT, grad)
        return -(gb @ x.mT) if ctx.needs_input_grad[0] else None, gb

    @staticmethod
    def jvp(ctx, ta, tb):
        a, x = ctx.saved_tensors
        return Solve.apply(a, tb - ta @ x)


class SolveTriangular(Op):
    """X = A⁻¹B for A triangular (only its upper or lower triangle is read; with unitriangular, a unit diagonal is
    assumed).   dX = A⁻¹(dB − dA X);   B̄ = A⁻ᵀ X̄,  Ā = −B̄ Xᵀ on A's triangle (the other entries are not read)."""

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.mask = _triangle(a, upper, unit)
        x = _substitute(a * ctx.mask, b, upper, unit)
        ctx.save_for_backward(a, x)
        ctx.upper, ctx.unit = upper, unit
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = SolveTriangular.apply(a.mT, grad, not ctx.upper, ctx.unit)
        return -(gb @ x.mT) * ctx.mask if ctx.needs_input_grad[0] else None, gb, None, None

    @staticmethod
    def jvp(ctx, ta, tb, _u, _t):
        a, x = ctx.saved_tensors
        return SolveTriangular.apply(a, tb - (ta * ctx.mask) @ x, ctx.upper, ctx.unit)


def _triangle(a: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """The mask of the entries of A that a triangular solve reads."""
    lower = tril_mask(a.shape[-1], a.dtype, -1 if unit else 0)
    return lower.T if upper else lower


def _substitute(a: np.ndarray, b: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """Back (upper) or forward (lower) substitution, row by row over a broadcast batch. As in torch, a zero on the
    diagonal gives inf/nan, not an error."""
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = np.zeros(batch + b.shape[-2:], dtype=np.result_type(a, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            # rows of x not solved yet are zero, and so are the entries of a that would multiply them
            r = b[..., i, :] - np.einsum("...j,...jk->...k", a[..., i, :], x)
            x[..., i, :] = r if unit else r / a[..., i, i, None]
    return x


class Pinv(Op):
    """P = A⁺, the Moore–Penrose pseudo-inverse, from the SVD with singular values ≤ tol dropped. Where A's rank is
    locally constant:  dP = −P dA P + P Pᵀ dAᵀ (I − AP) + (I − PA) dAᵀ Pᵀ P;
    Ā = −Pᵀ P̄ Pᵀ + (I − AP) P̄ᵀ P Pᵀ + Pᵀ P P̄ᵀ (I − PA)  (arranged below as torch's pinv_backward does)."""

    @staticmethod
    def forward(ctx, a, atol, rtol):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        smax = s.max(axis=-1, initial=0.0, keepdims=True)
        tol = np.maximum(atol, rtol * smax)
        s_inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > tol)
        out = (vh.mT * s_inv[..., None, :]) @ u.mT
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        ph, gh = p.mT, grad.mT
        if a.shape[-2] <= a.shape[-1]:
            k = gh @ p
            kph = k @ ph
            ga = -(p @ k).mT + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
        else:
            k = p @ gh
            phk = ph @ k
            ga = -(k @ p).mT + (gh - a @ k) @ p @ ph + phk - phk @ p @ a
        return ga, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        a, p = ctx.saved_tensors
        th = t.mT
        pt = p @ t
        return -(pt @ p) + (p @ p.mT) @ (th - th @ a @ p) + (th - p @ a @ th) @ p.mT @ p


# ---- functions -----------------------------------------------------------------------------------------------------
def inv(A: Tensor) -> Tensor:
    """A⁻¹ for a (batch of) square matrices; a singular one raises LinAlgError (linalg.pinv always exists)."""
    return Inv.apply(check_matrix(A, "linalg.inv"))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with AX = B (or XA = B with left=False). B is a batch of vectors when it is 1-D or has A's shape without
    its last dim, else a batch of matrices; batch dims broadcast."""
    check_matrix(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' must be Tensor, not {type(B).__name__}")
    same_dtype("linalg.solve", A, B)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    n, rows = A.shape[-1], b.shape[-2] if left else b.shape[-1]
    if rows != n or b.ndim < 2:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    _broadcastable("linalg.solve", A, b)
    x = Solve.apply(A, b) if left else Solve.apply(A.mT, b.mT).mT
    return x.squeeze(-1) if vector else x


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
                     ) -> Tensor:
    """X with AX = B (XA = B with left=False) for triangular A: only A's upper (``upper=True``) or lower triangle is
    read. A zero on the diagonal gives inf/nan, as in torch."""
    check_matrix(A, "linalg.solve_triangular")
    check_matrix(B, "linalg.solve_triangular", square=False, name="B")
    same_dtype("linalg.solve_triangular", A, B)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    _broadcastable("linalg.solve_triangular", A, B)
    if left:
        return SolveTriangular.apply(A, B, bool(upper), bool(unitriangular))
    return SolveTriangular.apply(A.mT, B.mT, not upper, bool(unitriangular)).mT  # XA = B ⇔ AᵀXᵀ = Bᵀ


def pinv(A: Tensor, *, atol: float | None = None, rtol: float | None = None, hermitian: bool = False,
         rcond: float | None = None) -> Tensor:
    """The pseudo-inverse A⁺. Singular values ≤ max(atol, rtol·σ_max) count as zero; by default rtol is
    eps·max(m, n) (rcond is torch's older name for rtol). ``hermitian=True`` states that A is symmetric (it must be
    square); the whole of A is used, not one triangle."""
    check_matrix(A, "linalg.pinv", square=hermitian)
    if rcond is not None:
        rtol = rcond
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(A.dtype).eps * max(A.shape[-2:])
    return Pinv.apply(A, 0.0 if atol is None else float(atol), float(rtol))


def pinverse(input: Tensor, rcond: float = 1e-15, hermitian: bool = False) -> Tensor:  # noqa: A002
    """torch.pinverse: linalg.pinv with torch's older signature (``rcond`` is a relative tolerance)."""
    return pinv(input, rtol=rcond, hermitian=hermitian)


def _broadcastable(op: str, a: Tensor, b: Tensor) -> None:
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dimensions of A {tuple(a.shape)} and B {tuple(b.shape)} cannot be "
                           "broadcast together; each must match or be 1") from None
