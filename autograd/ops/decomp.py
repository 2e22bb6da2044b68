"""Matrix factorizations: cholesky, qr, eigh, svd, with torch's derivative conventions.

The formulas are torch's (FunctionsManual.cpp), for real matrices. eigh and svd are differentiable where the
eigenvalues (singular values) are distinct; a loss that uses U or V where they repeat gets inf/nan, as in torch.
Outputs nobody used reach backward as None (``materialize_grads = False``), so that ``eigvalsh`` and ``svdvals``,
which use the values only, never divide by the gaps between them.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._lapack import check_matrix, diag, diag_embed, lapack, tril_mask
from .shape import Cat
from .solve import SolveTriangular

QRResult = namedtuple("linalg_qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])


def _lower_solve(l, b):
    """L⁻¹ B for lower-triangular L."""
    return SolveTriangular.apply(l, b, False, False)


def _upper_solve(r, b):
    """R⁻¹ B for upper-triangular R."""
    return SolveTriangular.apply(r, b, True, False)


class Cholesky(Op):
    """L with A = L Lᵀ, L lower triangular (only A's lower triangle is read).
    dL = L Φ(L⁻¹ dA L⁻ᵀ), Φ = the lower triangle with its diagonal halved;
    Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹), sym(X) = (X + Xᵀ)/2: A is taken as symmetric, as in torch."""

    @staticmethod
    def forward(ctx, a):
        def failure(m):
            k = next((k for k in range(1, len(m) + 1) if not np.all(np.linalg.eigvalsh(m[:k, :k]) > 0)), len(m))
            return ("linalg.cholesky: The factorization could not be completed because the input is not "
                    f"positive-definite (the leading minor of order {k} is not positive-definite).")

        out = lapack(lambda: np.linalg.cholesky(a), a, np.linalg.cholesky, failure)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (l,) = ctx.saved_tensors
        phi = (l.mT @ grad) * tril_mask(l.shape[-1], l.dtype, diagonal=0.5)
        x = _upper_solve(l.mT, _upper_solve(l.mT, phi).mT).mT  # L⁻ᵀ Φ L⁻¹
        return (x + x.mT) * 0.5

    @staticmethod
    def jvp(ctx, t):
        (l,) = ctx.saved_tensors
        x = _lower_solve(l, _lower_solve(l, t).mT).mT  # L⁻¹ dA L⁻ᵀ
        return l @ (x * tril_mask(l.shape[-1], l.dtype, diagonal=0.5))


class QR(Op):
    """A = QR, Q with orthonormal columns, R upper triangular (LAPACK's signs, as torch).
    m ≥ n (reduced):  Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ,  M = R R̄ᵀ − Q̄ᵀ Q, copyltu(M) = tril(M) + tril(M, −1)ᵀ;
    dQ = D − Q(C − Ω), dR = (C − Ω)R, with D = dA R⁻¹, C = Qᵀ D, Ω = tril(C, −1) − tril(C, −1)ᵀ.
    m < n: A = [X | Y], R = [U | V] with X = QU square: X as above (Q̄ gets Y V̄ᵀ), Ȳ = Q V̄, dV = Qᵀ(dY − dQ V)."""

    materialize_grads = False

    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode = mode
        if mode == "r":
            return np.zeros((0,), a.dtype), np.linalg.qr(a, mode="r")
        q, r = np.linalg.qr(a, mode=mode)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        _differentiable(ctx)
        q, r = ctx.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if m >= n:
            return _qr_backward(q, r, gq, gr), None
        u, v = r[..., :, :m], r[..., :, m:]
        gu, gv = (None, None) if gr is None else (gr[..., :, :m], gr[..., :, m:])
        if gv is not None:  # V = QᵀY depends on Q too: Q̄ gains Y V̄ᵀ = Q V V̄ᵀ
            gq = q @ v @ gv.mT if gq is None else gq + q @ v @ gv.mT
        gy = q @ gv if gv is not None else q @ (v * 0)
        return Cat.apply(q.ndim - 1, _qr_backward(q, u, gq, gu), gy), None

    @staticmethod
    def jvp(ctx, t, _):
        _differentiable(ctx)
        q, r = ctx.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if m >= n:
            return _qr_jvp(q, r, t)
        dq, du = _qr_jvp(q, r[..., :, :m], t[..., :, :m])
        dv = q.mT @ (t[..., :, m:] - dq @ r[..., :, m:])
        return dq, Cat.apply(r.ndim - 1, du, dv)


def _differentiable(ctx: QR) -> None:
    if ctx.mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    q, r = ctx.saved_tensors
    if ctx.mode == "complete" and q.shape[-2] > r.shape[-1]:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")


def _qr_backward(q, r, gq, gr):
    """Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ with M = R R̄ᵀ − Q̄ᵀ Q, for m ≥ n (a None gradient counts as zero)."""
    n = r.shape[-1]
    m_ = 0
    if gr is not None:
        m_ = r @ gr.mT
    if gq is not None:
        m_ = m_ - gq.mT @ q
    lower = m_ * tril_mask(n, r.dtype)
    b = q @ (lower + (lower * tril_mask(n, r.dtype, -1)).mT)
    b = b if gq is None else gq + b
    return _upper_solve(r, b.mT).mT  # B R⁻ᵀ = (R⁻¹ Bᵀ)ᵀ


def _qr_jvp(q, r, t):
    """(dQ, dR) for m ≥ n: D = dA R⁻¹, C = Qᵀ D, Ω its skew part from the strict lower triangle."""
    d = _right_upper_inv(r, t)
    c = q.mT @ d
    low = c * tril_mask(r.shape[-1], r.dtype, -1)
    upper = c - low + low.mT  # C − Ω
    return d - q @ upper, upper @ r


def _right_upper_inv(r, x):
    """X R⁻¹ = (R⁻ᵀ Xᵀ)ᵀ, R⁻ᵀ lower triangular."""
    return SolveTriangular.apply(r.mT, x.mT, False, False).mT


class Eigh(Op):
    """A = V diag(L) Vᵀ for symmetric A (one triangle read, UPLO); eigenvalues ascending.
    dL = diag(Vᵀ dA V);  dV = V (Vᵀ dA V ∘ F),  Fᵢⱼ = 1/(Lⱼ − Lᵢ) off the diagonal, 0 on it;
    Ā = V (diag(L̄) + skew(Vᵀ V̄)/2 ∘ F) Vᵀ, skew(X) = X − Xᵀ (symmetric, as in torch)."""

    materialize_grads = False

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        w, v = ctx.saved_tensors
        inner = 0
        if gv is not None:
            vtgv = v.mT @ gv
            inner = (vtgv - vtgv.mT) * 0.5 / _gaps(w)
        if gl is not None:
            inner = inner + diag_embed(gl)
        return v @ inner @ v.mT, None

    @staticmethod
    def jvp(ctx, t, _):
        w, v = ctx.saved_tensors
        p = v.mT @ t @ v
        off = 1 - np.eye(w.shape[-1], dtype=w.dtype)
        return diag(p), v @ (p * off / _gaps(w))


def _gaps(w):
    """Eᵢⱼ = wⱼ − wᵢ, with ones on the diagonal (divided into zeros there)."""
    return w[..., None, :] - w[..., :, None] + np.eye(w.shape[-1], dtype=w.dtype)


class SVD(Op):
    """A = U diag(S) Vh, S descending (torch's svd_backward and linalg_svd_jvp, real case). With k = min(m, n),
    Eᵢⱼ = Sⱼ² − Sᵢ² (1 on the diagonal), skew(X) = X − Xᵀ:
    Ā = U [diag(S̄) + (skew(Uᵀ Ū) S + S skew(Vh V̄h ᵀ)) / E] Vh, plus (I − UUᵀ) Ū S⁻¹ Vh when m > n and
    U S⁻¹ V̄h (I − VhᵀVh) when m < n. full_matrices: only the first k columns of U (rows of Vh) count."""

    materialize_grads = False

    @staticmethod
    def forward(ctx, a, full):
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        ctx.save_for_backward(u, s, vh)
        ctx.full = full
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        if ctx.full:
            u, vh = u[..., :, :k], vh[..., :k, :]
            gu = None if gu is None else gu[..., :, :k]
            gvh = None if gvh is None else gvh[..., :k, :]
        if gu is None and gvh is None:
            return (u * gs[..., None, :]) @ vh, None
        ret = 0
        if gu is not None:
            utgu = u.mT @ gu
            ret = (utgu - utgu.mT) * s[..., None, :]
        if gvh is not None:
            vhgv = vh @ gvh.mT
            ret = ret + s[..., :, None] * (vhgv - vhgv.mT)
        s2 = s * s
        ret = ret / (s2[..., None, :] - s2[..., :, None] + np.eye(k, dtype=s.dtype))
        if gs is not None:
            ret = ret + diag_embed(gs)
        if m > n and gu is not None:
            gus = gu / s[..., None, :]
            return (u @ ret + gus - u @ (u.mT @ gus)) @ vh, None
        if m < n and gvh is not None:
            sgvh = gvh / s[..., :, None]
            return u @ (ret @ vh + sgvh - (sgvh @ vh.mT) @ vh), None
        return u @ ret @ vh, None

    @staticmethod
    def jvp(ctx, t, _):
        u, s, vh = ctx.saved_tensors
        m, n, k = t.shape[-2], t.shape[-1], s.shape[-1]
        if ctx.full:
            u, vh = u[..., :, :k], vh[..., :k, :]
        v = vh.mT
        p = u.mT @ t @ v
        ds = diag(p)
        p = p - diag_embed(ds)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None] + np.eye(k, dtype=s.dtype)
        ps = p * s[..., None, :]
        du = u @ ((ps + ps.mT) / e)
        sp = s[..., :, None] * p
        dvh = -((sp + sp.mT) / e) @ vh
        if m > n:
            avs = t @ (v / s[..., None, :])
            du = du + avs - u @ (u.mT @ avs)
            if ctx.full:
                du = Cat.apply(du.ndim - 1, du, np.zeros(du.shape[:-1] + (m - n,), du.dtype))
        elif m < n:
            uas = (u.mT / s[..., :, None]) @ t
            dvh = dvh + uas - (uas @ v) @ vh
            if ctx.full:
                dvh = Cat.apply(dvh.ndim - 2, dvh, np.zeros(dvh.shape[:-2] + (n - m, n), dvh.dtype))
        return du, ds, dvh


# ---- functions -----------------------------------------------------------------------------------------------------
def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L (lower, A = L Lᵀ) or, with upper=True, U = Lᵀ (A = Uᵀ U), of a symmetric positive-definite A. Only the
    lower triangle of A is read; a matrix that is not positive-definite raises LinAlgError."""
    l_ = Cholesky.apply(check_matrix(A, "linalg.cholesky"))
    return l_.mT.contiguous() if upper else l_


def qr(A: Tensor, mode: str = "reduced") -> QRResult:
    """(Q, R) with A = QR. mode 'reduced': Q is m×k, R k×n (k = min(m, n)); 'complete': Q is m×m, R m×n; 'r': R
    only (Q is empty, and there is no gradient)."""
    check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or "
                           "'complete'")
    return QRResult(*QR.apply(A, mode))


def eigh(A: Tensor, UPLO: str = "L") -> EighResult:  # noqa: N803 (torch's argument name)
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric A; only its lower (UPLO='L') or upper ('U')
    triangle is read. Eigenvectors are defined up to sign: a loss should not depend on it."""
    check_matrix(A, "linalg.eigh")
    _check_uplo(UPLO)
    return EighResult(*Eigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of a symmetric A, ascending. Its gradient V diag(L̄) Vᵀ exists even where they repeat."""
    check_matrix(A, "linalg.eigvalsh")
    _check_uplo(UPLO)
    return Eigh.apply(A, UPLO)[0]


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> SVDResult:
    """(U, S, Vh) with A = U diag(S) Vh, S descending. full_matrices=True (torch's default) gives square U and Vh;
    pass False for the reduced m×k and k×n. Singular vectors are defined up to sign."""
    check_matrix(A, "linalg.svd", square=False)
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """The singular values, descending. Their gradient U diag(S̄) Vh exists even where they repeat."""
    check_matrix(A, "linalg.svdvals", square=False)
    return SVD.apply(A, False)[1]


def _check_uplo(uplo: str) -> None:
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")

