"""autograd.linalg against torch.linalg: values and gradients on the same inputs, and torch's errors."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd as ag  # noqa: E402
from autograd import linalg  # noqa: E402

R = np.random.default_rng(11)
SQUARE = R.standard_normal((2, 3, 3)) + 3 * np.eye(3)
TALL = R.standard_normal((2, 4, 3))
WIDE = R.standard_normal((3, 5))
RHS = R.standard_normal((2, 3, 2))


def spd(lib, x):
    return x @ x.mT + 3 * lib.eye(3, dtype=x.dtype)


def sym(x):
    return x + x.mT


CASES = {  # name: (fn(lib, L, *xs) -> a tensor or a tuple of tensors, inputs)
    "inv": (lambda lib, L, a: L.inv(a), [SQUARE]),
    "det": (lambda lib, L, a: L.det(a), [SQUARE]),
    "slogdet": (lambda lib, L, a: L.slogdet(-a), [SQUARE]),
    "logdet": (lambda lib, L, a: lib.logdet(spd(lib, a)), [SQUARE]),
    "solve": (lambda lib, L, a, b: L.solve(a, b), [SQUARE, RHS]),
    "solve_left_false": (lambda lib, L, a, b: L.solve(a, b.mT, left=False), [SQUARE, RHS]),
    "solve_vector": (lambda lib, L, a, b: L.solve(a, b[..., 0]), [SQUARE, RHS]),
    "solve_triangular": (lambda lib, L, a, b: L.solve_triangular(a, b, upper=True), [SQUARE, RHS]),
    "solve_triangular_unit": (lambda lib, L, a, b: L.solve_triangular(a, b.mT, upper=False, left=False,
                                                                     unitriangular=True), [SQUARE, RHS]),
    "cholesky": (lambda lib, L, a: L.cholesky(spd(lib, a)), [SQUARE]),
    "cholesky_upper": (lambda lib, L, a: L.cholesky(spd(lib, a), upper=True), [SQUARE]),
    "qr": (lambda lib, L, a: tuple(L.qr(a)), [TALL]),
    "qr_wide": (lambda lib, L, a: tuple(L.qr(a)), [WIDE]),
    "eigh": (lambda lib, L, a: (lambda w, v: (w, (v * w[..., None, :] ** 2) @ v.mT, v[..., :1] @ v[..., :1].mT))(
        *L.eigh(sym(a))), [SQUARE]),
    "eigvalsh": (lambda lib, L, a: L.eigvalsh(sym(a), UPLO="U"), [SQUARE]),
    "svd": (lambda lib, L, a: (lambda u, s, vh: (s, (u * s[..., None, :] ** 2) @ vh, u @ u.mT))(
        *L.svd(a, full_matrices=False)), [TALL]),
    "svd_wide": (lambda lib, L, a: (lambda u, s, vh: (s, u[..., :1] @ vh[..., :1, :], vh.mT @ vh))(
        *L.svd(a, full_matrices=False)), [WIDE]),
    "svdvals": (lambda lib, L, a: L.svdvals(a), [TALL]),
    "pinv": (lambda lib, L, a: L.pinv(a), [TALL]),
    "pinv_wide": (lambda lib, L, a: L.pinv(a), [WIDE]),
    "matrix_exp": (lambda lib, L, a: L.matrix_exp(a * 0.5), [SQUARE]),
    "matrix_power": (lambda lib, L, a: L.matrix_power(a, -3), [SQUARE]),
    "matrix_norm_nuc": (lambda lib, L, a: L.matrix_norm(a, "nuc"), [TALL]),
    "matrix_norm_2": (lambda lib, L, a: L.matrix_norm(a, 2, dim=(0, 2), keepdim=True), [TALL]),
    "matrix_norm_-1": (lambda lib, L, a: L.matrix_norm(a, -1), [TALL]),
    "matrix_norm_inf": (lambda lib, L, a: L.matrix_norm(a, math.inf), [TALL]),
    "vector_norm_3": (lambda lib, L, a: L.vector_norm(a, 3, dim=(0, 2)), [TALL]),
    "vector_norm_-inf": (lambda lib, L, a: L.vector_norm(a, -math.inf, dim=-1), [TALL]),
    "norm": (lambda lib, L, a: L.norm(a, dim=1), [TALL]),
    "cond": (lambda lib, L, a: L.cond(a), [TALL]),
    "lstsq": (lambda lib, L, a, b: L.lstsq(a, b[:, :, 0:1] @ b[:, :1, :]).solution, [TALL, R.standard_normal(
        (2, 4, 2))]),
    "multi_dot": (lambda lib, L, a, b: L.multi_dot([a[0, 0], a[1].mT, a[0] + b[0, 0, 0]]), [TALL, RHS]),
    "cross": (lambda lib, L, a, b: L.cross(a, b[..., :1].expand(2, 3, 3), dim=1), [SQUARE, RHS]),
    "vecdot": (lambda lib, L, a, b: L.vecdot(a, b[..., :1].mT), [SQUARE, RHS]),
    "diagonal": (lambda lib, L, a: L.diagonal(a, offset=-1), [TALL]),
}


def _run(lib, L, fn, arrays):
    if lib is torch:
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    else:
        xs = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]
    out = fn(lib, L, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    weights = [np.random.default_rng(k).standard_normal(tuple(o.shape)) for k, o in enumerate(outs)]
    loss = sum((o * (torch.tensor(w) if lib is torch else ag.tensor(w, dtype=ag.float64))).sum()
               for o, w in zip(outs, weights) if o.dtype in (torch.float64, np.float64))
    loss.backward()
    return [o.detach().numpy() for o in outs], [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name):
    fn, arrays = CASES[name]
    ours, our_grads = _run(ag, linalg, fn, arrays)
    theirs, their_grads = _run(torch, torch.linalg, fn, arrays)
    for o, w in zip(ours, theirs):
        np.testing.assert_allclose(o, w, rtol=1e-9, atol=1e-10)
    for g, w in zip(our_grads, their_grads):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, math.inf, -math.inf, 2, -2, None])
def test_condition_numbers_match_torch(p):  # (values only: torch's backward of cond for p='fro' fails)
    ours = linalg.cond(ag.tensor(SQUARE), p).numpy()
    np.testing.assert_allclose(ours, torch.linalg.cond(torch.tensor(SQUARE), p).numpy(), rtol=1e-10)


def test_lstsq_fields_per_driver_match_torch():
    a, b = TALL, R.standard_normal((2, 4, 2))
    for driver in (None, "gels", "gelsy", "gelsd", "gelss"):
        ours = linalg.lstsq(ag.tensor(a), ag.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for o, w in zip(ours, theirs):
            assert tuple(o.shape) == tuple(w.shape) and str(o.dtype) == str(w.dtype).replace("torch.", "")
            np.testing.assert_allclose(o.numpy(), w.numpy(), rtol=1e-9, atol=1e-12)


def test_matrix_rank_matches_torch():
    a = np.diag([1.0, 1e-3, 1e-9])
    for kw in ({}, {"atol": 1e-2}, {"rtol": 1e-6}, {"hermitian": True}):
        assert linalg.matrix_rank(ag.tensor(a), **kw).item() == torch.linalg.matrix_rank(torch.tensor(a), **kw).item()


@pytest.mark.parametrize("call", [
    lambda L, lib: L.inv(lib.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])),
    lambda L, lib: L.solve(lib.zeros(2, 2), lib.ones(2)),
    lambda L, lib: L.cholesky(lib.tensor([[4.0, 100.0], [2.0, 1.0]])),
    lambda L, lib: L.det(lib.zeros(2, 3)),
    lambda L, lib: L.matrix_norm(lib.eye(3), ord=3),
    lambda L, lib: L.cross(lib.ones(3, 2), lib.ones(3, 2)),
    lambda L, lib: L.multi_dot([lib.ones(3, 2), lib.ones(3, 2)]),
], ids=["inv-singular", "solve-singular", "cholesky", "det-shape", "matrix_norm-ord", "cross", "multi_dot"])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch.linalg, torch)
    with pytest.raises(Exception) as ours:
        call(linalg, ag)
    assert isinstance(ours.value, RuntimeError) and isinstance(theirs.value, RuntimeError)
    assert isinstance(ours.value, linalg.LinAlgError) == isinstance(theirs.value, torch.linalg.LinAlgError)
    assert str(ours.value).startswith(str(theirs.value)[:40])
