"""autograd.linalg: values against NumPy and hand-worked numbers, shapes and dtypes, torch's errors, and in-place use.
(The derivatives are checked in test_linalg_gradcheck.py.)"""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import linalg


def t(x, grad=False, dtype=ag.float64):
    return ag.tensor(np.asarray(x, dtype=float), dtype=dtype, requires_grad=grad)


@pytest.fixture
def mats():
    r = np.random.default_rng(7)
    a = r.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    return a, r.standard_normal((2, 3, 2)), r.standard_normal((2, 4, 3))


# ---- values ------------------------------------------------------------------------------------------------------
def test_hand_worked_determinant_and_its_gradient():
    a = t([[2.0, 1.0], [1.0, 3.0]], grad=True)
    d = linalg.det(a)
    d.backward()
    assert d.item() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.array, [[3.0, -1.0], [-1.0, 2.0]])  # det A · A⁻ᵀ, the cofactors


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    a = t([[1.0, 2.0], [2.0, 4.0]], grad=True)
    linalg.det(a).backward()
    np.testing.assert_allclose(a.grad.array, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)


def test_inverses_and_solves_match_numpy(mats):
    a, b, _ = mats
    np.testing.assert_allclose(linalg.inv(t(a)).array, np.linalg.inv(a))
    np.testing.assert_allclose(ag.inverse(t(a)).array, np.linalg.inv(a))
    np.testing.assert_allclose(linalg.solve(t(a), t(b)).array, np.linalg.solve(a, b))
    x = linalg.solve(t(a), t(b[..., 0]))  # a batch of vectors
    np.testing.assert_allclose(x.array, np.linalg.solve(a, b[..., 0:1])[..., 0])
    xl = linalg.solve(t(a), t(b.swapaxes(-1, -2)), left=False).array  # XA = B
    np.testing.assert_allclose(xl @ a, b.swapaxes(-1, -2), atol=1e-12)
    np.testing.assert_allclose(linalg.solve(t(a[0]), t(b)).array, np.linalg.solve(a[0], b))  # A broadcast


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular_reads_one_triangle(mats, upper, unit):
    a, b, _ = mats
    tri = np.triu(a) if upper else np.tril(a)
    if unit:
        tri[..., range(3), range(3)] = 1.0
    x = linalg.solve_triangular(t(a), t(b), upper=upper, unitriangular=unit)
    np.testing.assert_allclose(x.array, np.linalg.solve(tri, b), rtol=1e-10)


def test_solve_triangular_with_a_zero_pivot_gives_inf_nan_as_torch():
    x = linalg.solve_triangular(t(np.zeros((2, 2))), t(np.ones((2, 1))), upper=True)
    assert np.isinf(x.array[1, 0]) and np.isnan(x.array[0, 0])


def test_determinants(mats):
    a, _, _ = mats
    np.testing.assert_allclose(linalg.det(t(a)).array, np.linalg.det(a))
    sign, logabsdet = linalg.slogdet(t(-a))
    np.testing.assert_allclose(sign.array, np.linalg.slogdet(-a)[0])
    np.testing.assert_allclose(logabsdet.array, np.linalg.slogdet(-a)[1])
    assert sign.grad_fn is None  # the sign is not differentiable
    assert math.isnan(ag.logdet(t(-np.eye(3))).item())  # det < 0
    assert ag.logdet(t(np.zeros((2, 2)))).item() == -math.inf
    assert tuple(linalg.slogdet(t(np.zeros((2, 2))))) == (0.0, -math.inf)


def test_factorizations_reconstruct(mats):
    a, _, c = mats
    s = a @ a.swapaxes(-1, -2)
    l_ = linalg.cholesky(t(s)).array
    np.testing.assert_allclose(l_, np.linalg.cholesky(s))
    np.testing.assert_allclose(linalg.cholesky(t(s), upper=True).array, l_.swapaxes(-1, -2))
    q, r = linalg.qr(t(c))
    assert q.shape == (2, 4, 3) and r.shape == (2, 3, 3)
    np.testing.assert_allclose(q.array @ r.array, c, atol=1e-12)
    np.testing.assert_allclose(np.tril(r.array, -1), 0)
    qc, rc = linalg.qr(t(c), mode="complete")
    assert qc.shape == (2, 4, 4) and rc.shape == (2, 4, 3)
    q_r, r_r = linalg.qr(t(c), mode="r")
    assert q_r.shape == (0,)
    np.testing.assert_allclose(r_r.array, r.array)
    w, v = linalg.eigh(t(s))
    np.testing.assert_allclose(w.array, np.linalg.eigvalsh(s))
    np.testing.assert_allclose((v.array * w.array[..., None, :]) @ v.array.swapaxes(-1, -2), s, atol=1e-10)
    np.testing.assert_allclose(linalg.eigvalsh(t(s)).array, np.linalg.eigvalsh(s))


def test_eigh_reads_only_the_named_triangle():
    a = np.array([[4.0, 100.0], [2.0, 1.0]])
    np.testing.assert_allclose(linalg.eigvalsh(t(a)).array, np.linalg.eigvalsh(np.tril(a) + np.tril(a, -1).T))
    np.testing.assert_allclose(linalg.eigvalsh(t(a), UPLO="U").array, np.linalg.eigvalsh(np.triu(a) + np.triu(a, 1).T))


def test_svd(mats):
    _, _, c = mats
    u, s, vh = linalg.svd(t(c))  # full_matrices=True is torch's default
    assert u.shape == (2, 4, 4) and s.shape == (2, 3) and vh.shape == (2, 3, 3)
    ur, sr, vhr = linalg.svd(t(c), full_matrices=False)
    assert ur.shape == (2, 4, 3)
    np.testing.assert_allclose((ur.array * sr.array[..., None, :]) @ vhr.array, c, atol=1e-12)
    np.testing.assert_allclose(linalg.svdvals(t(c)).array, np.linalg.svd(c, compute_uv=False))


def test_values_only_gradients_exist_where_values_repeat():
    for fn in (linalg.eigvalsh, linalg.svdvals):
        a = ag.eye(3, dtype=ag.float64, requires_grad=True)
        fn(a).sum().backward()
        np.testing.assert_allclose(a.grad.array, np.eye(3), atol=1e-12)


def test_pseudo_inverse_least_squares_rank(mats):
    _, _, c = mats
    np.testing.assert_allclose(linalg.pinv(t(c)).array, np.linalg.pinv(c), atol=1e-12)
    np.testing.assert_allclose(ag.pinverse(t(c[0])).array, np.linalg.pinv(c[0]), atol=1e-12)
    y = np.random.default_rng(3).standard_normal((2, 4, 2))
    result = linalg.lstsq(t(c), t(y), driver="gelsd")
    for i in range(2):
        x, res, rank, sv = np.linalg.lstsq(c[i], y[i], rcond=None)
        np.testing.assert_allclose(result.solution.array[i], x, atol=1e-12)
        np.testing.assert_allclose(result.residuals.array[i], res)
        assert result.rank.array[i] == rank
        np.testing.assert_allclose(result.singular_values.array[i], sv)
    default = linalg.lstsq(t(c), t(y))  # 'gelsy': no residuals and no singular values, as torch
    assert default.residuals.shape == (0,) and default.singular_values.shape == (0,)
    assert linalg.lstsq(t(c), t(y), driver="gels").rank.shape == (0,)
    assert linalg.matrix_rank(t(np.ones((2, 3, 3)))).tolist() == [1, 1]
    assert linalg.matrix_rank(t(np.diag([1.0, 1e-3, 0.0])), atol=1e-2).item() == 1
    assert linalg.matrix_rank(t(np.eye(3))).dtype == np.int64


def test_matrix_functions(mats):
    a, _, _ = mats
    np.testing.assert_allclose(linalg.matrix_power(t(a), 3).array, np.linalg.matrix_power(a, 3))
    np.testing.assert_allclose(linalg.matrix_power(t(a), -2).array, np.linalg.matrix_power(a, -2))
    eye = linalg.matrix_power(t(a, grad=True), 0)
    np.testing.assert_allclose(eye.array, np.broadcast_to(np.eye(3), a.shape))
    assert not eye.requires_grad
    x = t(a)
    assert linalg.matrix_power(x, 1) is not x
    ints = ag.tensor([[1, 1], [0, 1]])
    assert linalg.matrix_power(ints, 5).tolist() == [[1, 5], [0, 1]]
    theta = 0.7  # exp of a rotation generator is the rotation
    rot = linalg.matrix_exp(t([[0.0, -theta], [theta, 0.0]])).array
    np.testing.assert_allclose(rot, [[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    big = np.array([[1.0, 20.0], [0.0, 2.0]])  # scaled and squared: exp of an upper-triangular matrix
    e1, e2 = math.e, math.e**2
    np.testing.assert_allclose(linalg.matrix_exp(t(big)).array, [[e1, 20 * (e2 - e1)], [0, e2]], rtol=1e-12)


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
def test_matrix_norms_match_numpy(mats, ord):
    _, _, c = mats
    got = linalg.matrix_norm(t(c), "fro" if ord is None else ord)
    np.testing.assert_allclose(got.array, np.linalg.norm(c, "fro" if ord is None else ord, axis=(-2, -1)))
    got = linalg.norm(t(c[0]), ord)
    np.testing.assert_allclose(got.array, np.linalg.norm(c[0], ord))
    kept = linalg.matrix_norm(t(c), "fro" if ord is None else ord, dim=(0, 2), keepdim=True)
    assert kept.shape == (1, 4, 1)
    np.testing.assert_allclose(kept.array[0, :, 0], np.linalg.norm(c.transpose(1, 0, 2), ord, axis=(-2, -1)))


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, -1, 0, math.inf, -math.inf])
def test_vector_norms_match_numpy(ord):
    x = np.array([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]])
    with np.errstate(divide="ignore"):  # (NumPy's own 1/0 for a negative ord and a zero element)
        expected, expected_row = np.linalg.norm(x, ord, axis=-1), np.linalg.norm(x[1], ord)
    np.testing.assert_allclose(linalg.vector_norm(t(x), ord, dim=-1).array, expected)
    assert linalg.vector_norm(t(x), ord, keepdim=True).shape == (1, 1)
    np.testing.assert_allclose(linalg.norm(t(x[1]), ord).array, expected_row)


def test_vector_norm_gradient_at_zero_is_zero():
    for p in (2, 3, 1, math.inf):
        x = ag.zeros(3, dtype=ag.float64, requires_grad=True)
        linalg.vector_norm(x, p).backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_norm_defaults_and_dtype():
    x = t(np.arange(8.0).reshape(2, 2, 2))
    assert linalg.norm(x).item() == pytest.approx(math.sqrt(140))
    assert linalg.vector_norm(ag.tensor([3.0, 4.0]), dtype=ag.float64).dtype == np.float64
    assert linalg.norm(ag.tensor([[3.0, 4.0]])).dtype == np.float32


def test_condition_numbers(mats):
    a, _, c = mats
    np.testing.assert_allclose(linalg.cond(t(c)).array, np.linalg.cond(c))
    for p in ("fro", "nuc", 1, -1, math.inf, -math.inf, -2):
        np.testing.assert_allclose(linalg.cond(t(a), p).array, np.linalg.cond(a, p))
    singular = t([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]])
    assert linalg.cond(singular, 1).tolist() == [1.0, math.inf]


def test_products_and_diagonal():
    r = np.random.default_rng(5)
    a, b, c = r.standard_normal(3), r.standard_normal((3, 4)), r.standard_normal(4)
    np.testing.assert_allclose(linalg.multi_dot([t(a), t(b), t(c)]).array, np.linalg.multi_dot([a, b, c]))
    assert linalg.multi_dot([t(a), t(b)]).shape == (4,)
    u, v = r.standard_normal((2, 3)), r.standard_normal((2, 3))
    np.testing.assert_allclose(linalg.cross(t(u), t(v)).array, np.cross(u, v))
    np.testing.assert_allclose(linalg.vecdot(t(u), t(v)).array, (u * v).sum(-1))
    m = t(np.arange(12.0).reshape(3, 4))
    assert linalg.diagonal(m).tolist() == [0.0, 5.0, 10.0]
    assert linalg.diagonal(m, offset=1).tolist() == [1.0, 6.0, 11.0]


def test_dtypes_follow_the_input():
    a = ag.tensor([[2.0, 1.0], [1.0, 3.0]])
    for fn in (linalg.inv, linalg.det, linalg.cholesky, linalg.eigvalsh, linalg.svdvals, linalg.matrix_exp,
               linalg.pinv, lambda x: linalg.qr(x).R, lambda x: linalg.slogdet(x).logabsdet):
        assert fn(a).dtype == np.float32


def test_tensor_methods_and_top_level_names():
    a = ag.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=ag.float64)
    assert a.det().item() == pytest.approx(5.0)
    assert a.logdet().item() == pytest.approx(math.log(5.0))
    assert a.slogdet().logabsdet.item() == pytest.approx(math.log(5.0))
    np.testing.assert_allclose(a.inverse().array, np.linalg.inv(a.array))
    np.testing.assert_allclose(a.matrix_power(2).array, a.array @ a.array)
    np.testing.assert_allclose(a.pinverse().array, np.linalg.inv(a.array))
    np.testing.assert_allclose(a.matrix_exp().array, linalg.matrix_exp(a).array)
    assert ag.det is linalg.det and ag.slogdet is linalg.slogdet and ag.matrix_exp is linalg.matrix_exp
    assert issubclass(linalg.LinAlgError, RuntimeError)


# ---- in-place use -------------------------------------------------------------------------------------------------
def test_in_place_change_of_an_output_keeps_the_gradient_right():
    a = t([[2.0, 1.0], [1.0, 3.0]], grad=True)
    y = linalg.inv(a)
    y.mul_(2.0)  # y = 2 A⁻¹ now; inv saved its output, so the changed y must not be used for inv's gradient
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a.grad = None
    z = linalg.inv(a) * 1.0
    z.mul_(2.0)  # changing a copy is fine
    z.sum().backward()
    inv = np.linalg.inv(a.array)
    np.testing.assert_allclose(a.grad.array, -2 * inv.T @ np.ones((2, 2)) @ inv.T)


def test_in_place_change_of_a_saved_input_is_caught():
    a = t([[2.0, 1.0], [1.0, 3.0]], grad=True)
    b = a * 1.0
    d = linalg.det(b)
    b.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        d.backward()


def test_linalg_on_a_view_writes_nothing_back():
    a = t(np.eye(4) * 2, grad=True)
    view = a[1:3, 1:3]
    linalg.inv(view).sum().backward()
    expected = np.zeros((4, 4))
    expected[1:3, 1:3] = -0.25
    np.testing.assert_allclose(a.grad.array, expected)


# ---- errors, as torch's -------------------------------------------------------------------------------------------
ERRORS = [
    (lambda: linalg.inv(ag.zeros(2, 2)), linalg.LinAlgError,
     "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix is "
     "singular."),
    (lambda: linalg.inv(ag.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])), linalg.LinAlgError,
     "linalg.inv: (Batch element 1): The diagonal element 2 is zero"),
    (lambda: linalg.solve(ag.zeros(2, 2), ag.ones(2)), linalg.LinAlgError,
     "torch.linalg.solve: The solver failed because the input matrix is singular."),
    (lambda: linalg.cholesky(-ag.eye(3)), linalg.LinAlgError,
     "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the "
     "leading minor of order 1 is not positive-definite)."),
    (lambda: linalg.cholesky(ag.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]])), linalg.LinAlgError,
     "(Batch element 1): The factorization could not be completed because the input is not positive-definite (the "
     "leading minor of order 2"),
    (lambda: linalg.inv(ag.zeros(2, 3)), RuntimeError,
     "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: linalg.det(ag.zeros(3)), RuntimeError, "linalg.det: The input tensor A must have at least 2 dimensions."),
    (lambda: linalg.det(ag.zeros(2, 2, dtype=ag.int64)), RuntimeError,
     "linalg.det: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: linalg.inv(ag.zeros(2, 2, dtype=ag.float16)), RuntimeError,
     "linalg.inv: Low precision dtypes not supported. Got Half"),
    (lambda: linalg.solve(ag.eye(2), ag.ones(3)), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)"),
    (lambda: linalg.solve(ag.eye(2), ag.ones(2, dtype=ag.float64)), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double"),
    (lambda: linalg.solve(ag.eye(2).expand(3, 2, 2), ag.ones(4, 2, 1)), RuntimeError,
     "batch dimensions of A (3, 2, 2) and B (4, 2, 1) cannot be broadcast"),
    (lambda: linalg.solve_triangular(ag.eye(2), ag.ones(2), upper=True), RuntimeError,
     "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."),
    (lambda: linalg.qr(ag.eye(2), mode="x"), RuntimeError, "qr received unrecognized mode 'x'"),
    (lambda: linalg.eigh(ag.eye(2), UPLO="X"), RuntimeError, "Expected UPLO argument to be 'L' or 'U', but got X"),
    (lambda: linalg.matrix_norm(ag.eye(3), ord=3), RuntimeError, "linalg.matrix_norm: Order 3 not supported."),
    (lambda: linalg.matrix_norm(ag.ones(3)), RuntimeError, "The input tensor A must have at least 2 dimensions."),
    (lambda: linalg.matrix_norm(ag.eye(3), dim=0), RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple."),
    (lambda: linalg.matrix_norm(ag.eye(3), dim=(0, 0)), RuntimeError, "dims must be different. Got (0, 0)"),
    (lambda: linalg.vector_norm(ag.ones(3), ord="fro"), TypeError, "argument 'ord' must be Number, not str"),
    (lambda: linalg.vector_norm(ag.arange(3)), RuntimeError, "Expected a floating point or complex tensor"),
    (lambda: linalg.vector_norm(ag.zeros(0), ord=math.inf), RuntimeError, "cannot compute the inf norm on an empty"),
    (lambda: linalg.norm(ag.ones(3, 3, 3), ord=2), RuntimeError,
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda: linalg.norm(ag.ones(3, 3), dim=(0, 1, 1)), RuntimeError, "must be of length 1 or 2. Got [0, 1, 1]"),
    (lambda: linalg.cross(ag.ones(3, 2), ag.ones(3, 2)), RuntimeError,
     "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    (lambda: linalg.multi_dot([ag.ones(3)]), RuntimeError, "multi_dot(): expected at least 2 tensors but got 1"),
    (lambda: linalg.multi_dot([ag.ones(3, 2), ag.ones(3, 2)]), RuntimeError,
     "multi_dot(): tensors 0 and 1 with shapes [3, 2] and [3, 2] cannot be multiplied"),
    (lambda: linalg.multi_dot([ag.ones(3, 3), ag.ones(3, 2, 2), ag.ones(2)]), RuntimeError,
     "multi_dot(): tensor 1 must be 2D but got 3D"),
    (lambda: linalg.lstsq(ag.ones(4, 2), ag.ones(4, 1), driver="foo"), RuntimeError,
     "parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"),
    (lambda: linalg.lstsq(ag.ones(4, 2), ag.ones(3, 1)), RuntimeError, "input.size(-2) should match other.size(-2)"),
    (lambda: linalg.cond(ag.eye(2), p=3), RuntimeError, "linalg.cond got an invalid norm type: 3"),
    (lambda: linalg.cond(ag.ones(2, 3), p=1), RuntimeError,
     "linalg.cond(ord=1): A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: linalg.matrix_power(ag.ones(2, 3), 2), RuntimeError,
     "linalg.matrix_power: A must be batches of square matrices"),
    (lambda: linalg.matrix_exp(ag.ones(2, 3)), RuntimeError, "linalg.matrix_exp: A must be batches of square"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_qr_gradients_that_torch_refuses():
    a = t(np.random.default_rng(0).standard_normal((4, 2)), grad=True)
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        linalg.qr(a, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        linalg.qr(a, mode="complete").Q.sum().backward()
