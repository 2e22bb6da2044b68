"""autograd.linalg's derivatives: finite-difference gradcheck with the forward-mode check, and gradgradcheck, in
float64 over random batch shapes (hypothesis), including broadcast batches and non-contiguous inputs.

Inputs are kept well conditioned: square matrices get n·I added, symmetric positive-definite ones are X Xᵀ + n·I.
eigh and svd are checked through functions that do not depend on the eigenvectors' signs (U diag(f(S)) Vh,
projectors), which is how their gradients are meant to be used."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import gradcheck, gradgradcheck, linalg

SETTINGS = settings(max_examples=3, deadline=None, derandomize=True)
BATCH = st.sampled_from([(), (2,), (2, 1)])


def leaf(shape, seed=0, shift=0.0):
    x = np.random.default_rng(seed).standard_normal(shape)
    if shift:  # a well-conditioned square matrix
        x = x + shift * np.eye(shape[-1])
    return ag.tensor(x, dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def spd(x):
    return x @ x.mT + x.shape[-1] * ag.eye(x.shape[-1], dtype=ag.float64)


def sym(x):
    return x + x.mT


def svd_invariants(x, full=False):
    """Functions of the SVD that its sign freedom does not change: U diag(S²) Vh, the first singular pair's outer
    product u₁v₁ᵀ, the projectors U Uᵀ and Vhᵀ Vh, and S."""
    u, s, vh = linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return (u * s[..., None, :] ** 2) @ vh, u[..., :, :1] @ vh[..., :1, :], u @ u.mT, vh.mT @ vh, s


def eigh_invariants(x):
    w, v = linalg.eigh(sym(x))
    return (v * w[..., None, :] ** 2) @ v.mT, v[..., :, :1] @ v[..., :, :1].mT, w


SQUARE = {
    "inv": lambda a: linalg.inv(a),
    "inverse_method": lambda a: a.inverse(),
    "det": lambda a: linalg.det(a),
    "slogdet": lambda a: linalg.slogdet(a).logabsdet,
    "logdet_spd": lambda a: ag.logdet(spd(a)),
    "cholesky": lambda a: linalg.cholesky(spd(a)),
    "cholesky_upper": lambda a: linalg.cholesky(spd(a), upper=True),
    "eigh": eigh_invariants,
    "eigh_upper": lambda a: linalg.eigh(sym(a), UPLO="U").eigenvalues,
    "eigvalsh": lambda a: linalg.eigvalsh(sym(a)),
    "matrix_exp": lambda a: linalg.matrix_exp(a * 0.5),
    "matrix_power_3": lambda a: linalg.matrix_power(a, 3),
    "matrix_power_-2": lambda a: linalg.matrix_power(a, -2),
    "pinv_hermitian": lambda a: linalg.pinv(spd(a), hermitian=True),
    "cond": lambda a: linalg.cond(a),
    "cond_fro": lambda a: linalg.cond(a, "fro"),
    "cond_1": lambda a: linalg.cond(a, 1),
    "matrix_norm_nuc": lambda a: linalg.matrix_norm(a, "nuc"),
    "matrix_norm_2": lambda a: linalg.matrix_norm(a, 2),
    "matrix_norm_-2": lambda a: linalg.matrix_norm(a, -2),
    "matrix_norm_inf": lambda a: linalg.matrix_norm(a, float("inf")),
    "solve_triangular_upper": lambda a: linalg.solve_triangular(a, a.mT, upper=True),
    "solve_triangular_lower_unit": lambda a: linalg.solve_triangular(a, a * 2, upper=False, unitriangular=True),
}


@pytest.mark.parametrize("name", sorted(SQUARE))
@SETTINGS
@given(batch=BATCH, n=st.integers(1, 3))
def test_square_matrix_ops(name, batch, n):
    check(SQUARE[name], leaf(batch + (n, n), 1, shift=n))


RECTANGULAR = {
    "qr": lambda a: tuple(linalg.qr(a)),
    "svd": svd_invariants,
    "svd_full_matrices": lambda a: svd_invariants(a, full=True),
    "svdvals": lambda a: linalg.svdvals(a),
    "pinv": lambda a: linalg.pinv(a),
    "cond": lambda a: linalg.cond(a),
    "matrix_norm_fro_dims": lambda a: linalg.matrix_norm(a, dim=(0, -1), keepdim=True),
    "matrix_norm_1": lambda a: linalg.matrix_norm(a, 1),
    "norm_default": lambda a: linalg.norm(a),
    "vector_norm_3": lambda a: linalg.vector_norm(a, 3, dim=-1),
    "vector_norm_-1.5": lambda a: linalg.vector_norm(a, -1.5, dim=(-2, -1), keepdim=True),
}


@pytest.mark.parametrize("name", sorted(RECTANGULAR))
@SETTINGS
@given(batch=BATCH, mn=st.sampled_from([(3, 2), (2, 3), (2, 2), (3, 1)]))
def test_rectangular_matrix_ops(name, batch, mn):
    check(RECTANGULAR[name], leaf(batch + mn, 2))


def test_qr_complete_wide_and_square():
    check(lambda a: tuple(linalg.qr(a, mode="complete")), leaf((2, 3), 3))
    check(lambda a: tuple(linalg.qr(a, mode="complete")), leaf((3, 3), 3))


@SETTINGS
@given(batch_a=BATCH, batch_b=st.sampled_from([(), (3,), (1, 3)]), n=st.integers(1, 3), k=st.integers(1, 2))
def test_solve_broadcasts_batches(batch_a, batch_b, n, k):
    check(linalg.solve, leaf(batch_a + (n, n), 4, shift=n), leaf(batch_b + (n, k), 5))
    check(lambda a, b: linalg.solve(a, b, left=False), leaf(batch_a + (n, n), 4, shift=n), leaf(batch_b + (k, n), 6))


def test_solve_with_vectors():
    check(linalg.solve, leaf((3, 3), 7, shift=3), leaf((3,), 8))
    check(linalg.solve, leaf((2, 3, 3), 7, shift=3), leaf((2, 3), 8))  # B of A's shape without the last dim


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
def test_solve_triangular_in_both_inputs(upper, left):
    b = leaf((2, 3, 2) if left else (2, 2, 3), 10)
    check(lambda a, b: linalg.solve_triangular(a, b, upper=upper, left=left), leaf((3, 3), 9, shift=3), b)


def test_lstsq_solution_and_residuals():
    a, b = leaf((2, 5, 3), 11), leaf((2, 5, 2), 12)
    check(lambda a, b: linalg.lstsq(a, b).solution, a, b)
    check(lambda a, b: linalg.lstsq(a, b, driver="gelsd").residuals, a, b)
    check(lambda a, b: linalg.lstsq(a, b).solution, leaf((3, 5), 13), leaf((3,), 14))  # under-determined, vector


def test_products():
    check(lambda a, b, c: linalg.multi_dot([a, b, c]), leaf((3,), 15), leaf((3, 4), 16), leaf((4, 2), 17))
    check(lambda a, b: linalg.cross(a, b, dim=0), leaf((3, 2), 18), leaf((3, 1), 19))
    check(lambda a, b: linalg.vecdot(a, b), leaf((2, 3), 20), leaf((3,), 21))
    check(lambda a: linalg.diagonal(a, offset=1), leaf((2, 3, 4), 22))


NON_CONTIGUOUS = {
    "inv": linalg.inv,
    "det": linalg.det,
    "cholesky": lambda a: linalg.cholesky(spd(a)),
    "eigh": eigh_invariants,
    "svd": svd_invariants,
    "qr": lambda a: tuple(linalg.qr(a)),
    "solve": lambda a: linalg.solve(a, a[..., :1]),
    "matrix_exp": lambda a: linalg.matrix_exp(a * 0.3),
}


@pytest.mark.parametrize("name", sorted(NON_CONTIGUOUS))
def test_non_contiguous_inputs(name):
    base = leaf((3, 4, 6), 23, shift=0)

    def fn(b):
        view = b[::2, 1:, ::2].mT  # strided, then transposed: a non-contiguous 2×3×3 view
        assert not view.array.flags.c_contiguous
        return NON_CONTIGUOUS[name](view + 3 * ag.eye(3, dtype=ag.float64))

    check(fn, base)
