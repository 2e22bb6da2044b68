"""``torch.linalg`` for pathgrad: factorizations, solvers, inverses, determinants and norms, differentiable
(batched over leading dims) wherever torch's are.

The ops and their derivatives live in ``autograd.ops``: ``solve.py`` (inv, solve, solve_triangular, pinv),
``det.py``, ``decomp.py`` (cholesky, qr, eigh, svd), ``matrix_functions.py`` (matrix_exp, matrix_power),
``norms.py``, and cross in ``products.py``. What is here is built from them: lstsq, matrix_rank, cond, multi_dot,
vecdot.

    >>> import autograd as ag
    >>> A = ag.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> ag.linalg.det(A).backward()       # d det A / dA = det A · A⁻ᵀ
    >>> A.grad
    tensor([[ 3., -1.],
            [-1.,  2.]])
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from .ops import diagonal as _diagonal
from .ops import matmul, where
from .ops import sum as _sum
from .ops._lapack import LinAlgError, check_matrix, torch_dtype_name
from .ops.decomp import cholesky, eigh, eigvalsh, qr, svd, svdvals
from .ops.det import det, slogdet
from .ops.matrix_functions import matrix_exp, matrix_power
from .ops.norms import matrix_norm, norm, vector_norm
from .ops.products import linalg_cross as cross
from .ops.solve import inv, pinv, solve, solve_triangular
from .tensor import Tensor

LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def matrix_rank(A: Tensor, *, atol: float | None = None, rtol: float | None = None, hermitian: bool = False,
                tol: float | None = None) -> Tensor:
    """The number of singular values above max(atol, rtol·σ_max) (rtol defaults to eps·max(m, n); ``tol`` is torch's
    older name for atol). An int64 tensor, with no gradient."""
    check_matrix(A, "linalg.matrix_rank", square=hermitian)
    atol = tol if atol is None else atol
    s = np.abs(np.linalg.eigvalsh(A.array)) if hermitian else np.linalg.svd(A.array, compute_uv=False)
    return Tensor._make(_rank(s, A.shape, atol, rtol))


def _rank(s: np.ndarray, shape: tuple, atol: float | None, rtol: float | None) -> np.ndarray:
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(s.dtype).eps * max(shape[-2:])
    tol = np.maximum(0.0 if atol is None else atol, rtol * s.max(axis=-1, initial=0.0, keepdims=True))
    return np.asarray(np.sum(s > tol, axis=-1), dtype=np.int64)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> LstsqResult:
    """The least-squares solution X of AX ≈ B (the minimum-norm one where A has dependent columns), as
    ``(solution, residuals, rank, singular_values)``. Which fields are filled depends on ``driver`` as in torch:
    residuals (‖AX − B‖² per column) when m > n, A has full rank and the driver is not 'gelsy' (the default); rank
    except for 'gels'; singular values for 'gelsd' and 'gelss'. The solution and residuals are differentiable."""
    check_matrix(A, "torch.linalg.lstsq", square=False)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if not isinstance(B, Tensor) or B.ndim > A.ndim or A.ndim - B.ndim > 1:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    if A.dtype != B.dtype:
        raise RuntimeError("torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {_name(A)} and other's dtype {_name(B)}")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if b.shape[-2] != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    if rcond is None:
        rcond = np.finfo(A.dtype).eps * max(m, n)
    x = pinv(A, rtol=rcond) @ b  # its gradient is torch's: lstsq's backward goes through pinv too
    s = np.linalg.svd(A.array, compute_uv=False)
    rank = _rank(s, A.shape, None, rcond)
    empty = Tensor._make(np.zeros((0,), A.dtype))
    residuals = empty
    if m > n and driver != "gelsy" and np.all(rank == n):
        residuals = _sum((matmul(A, x) - b) ** 2, -2)
    return LstsqResult(x.squeeze(-1) if vector else x, residuals,
                       Tensor._make(np.zeros((0,), np.int64)) if driver == "gels" else Tensor._make(rank),
                       Tensor._make(s) if driver in ("gelsd", "gelss") else empty)


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number ‖A‖_p ‖A⁻¹‖_p: with p None, 2 or -2, σ_max/σ_min (or its inverse) from the singular
    values, for any m×n A; for 'fro', 'nuc', ±1, ±inf, A must be square, and a singular one gives inf."""
    if p not in (None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf) or isinstance(p, bool):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p in (None, 2, -2):
        check_matrix(A, "linalg.cond", square=False)
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    check_matrix(A, f"linalg.cond(ord={p})")
    singular = _singular(A.array)
    safe = where(singular[..., None, None], np.eye(A.shape[-1], dtype=A.dtype), A) if singular.any() else A
    return where(singular, np.inf, matrix_norm(A, p) * matrix_norm(inv(safe), p))


def _singular(a: np.ndarray) -> np.ndarray:
    """Which matrices of the batch LAPACK cannot invert (an exactly zero pivot)."""
    try:
        np.linalg.inv(a)
        return np.zeros(a.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        flat = [_fails(np.linalg.inv, m) for m in a.reshape((-1,) + a.shape[-2:])]
        return np.array(flat, dtype=bool).reshape(a.shape[:-2])


def _fails(fn: Any, m: np.ndarray) -> bool:
    try:
        fn(m)
        return False
    except np.linalg.LinAlgError:
        return True


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of a chain of matrices; the first may be a row vector and the last a column vector (1-D)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        end = "the first tensor" if i == 0 else "the last tensor" if i == len(tensors) - 1 else None
        if end and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): {end} must be 1D or 2D but got {t.ndim}D")
        if not end and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = [tensors[0].unsqueeze(0) if first else tensors[0], *tensors[1:-1],
            tensors[-1].unsqueeze(-1) if last else tensors[-1]]
    out = mats[0]
    for i, m in enumerate(mats[1:]):
        if out.shape[-1] != m.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
        out = out @ m
    if first and last:
        return out.reshape(())
    return out.squeeze(0) if first else out.squeeze(-1) if last else out


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σᵢ xᵢ yᵢ along ``dim`` (batch dims broadcast)."""
    _broadcast("linalg.vecdot", x, y)
    return _sum(x * y, dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of a batch of matrices (a view), as torch.diagonal with matrix-friendly defaults."""
    return _diagonal(A, offset, dim1, dim2)


def _broadcast(op: str, a: Tensor, b: Tensor) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{op}: the shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together; "
                           "each dim must match or be 1") from None


def _name(t: Tensor) -> str:
    return torch_dtype_name(t.dtype)


__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq",
           "matmul", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm"]
