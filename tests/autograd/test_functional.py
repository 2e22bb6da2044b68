"""autograd.functional (vjp, jvp, jacobian, hessian, hvp) and forward mode, against closed forms and finite
differences."""

import numpy as np
import pytest

import autograd as ag
from autograd import forward_ad
from autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def f64(x, grad=False):
    return ag.tensor(np.asarray(x, dtype=float), dtype=ag.float64, requires_grad=grad)


def numeric_jacobian(fn, x, eps=1e-6):
    x0 = x.numpy().astype(float)
    cols = []
    for j in range(x0.size):
        d = np.zeros_like(x0)
        d.flat[j] = eps
        cols.append((fn(f64(x0 + d)).numpy() - fn(f64(x0 - d)).numpy()).ravel() / (2 * eps))
    return np.stack(cols, 1)


def fn(x):
    return (x.sin() * x.sum()).tanh() * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)


def test_jacobian_both_strategies_match_finite_differences(rng):
    x = f64(rng.standard_normal(3))
    expected = numeric_jacobian(fn, x)
    for strategy in ("reverse-mode", "forward-mode"):
        J = jacobian(fn, x, strategy=strategy)
        assert J.shape == (3, 3)
        np.testing.assert_allclose(J.numpy(), expected, rtol=1e-6, atol=1e-8)


def test_jacobian_of_several_inputs_is_nested():
    a, b = f64([1.0, 2.0]), f64([3.0])
    Ja, Jb = jacobian(lambda a, b: a * b, (a, b))
    np.testing.assert_allclose(Ja.numpy(), 3 * np.eye(2))
    np.testing.assert_allclose(Jb.numpy(), [[1.0], [2.0]])


def test_vjp_and_jvp_are_the_two_products_with_the_jacobian(rng):
    x = f64(rng.standard_normal(3))
    v = f64(rng.standard_normal(3))
    J = numeric_jacobian(fn, x)
    out, vjp_ = vjp(fn, x, v)
    np.testing.assert_allclose(vjp_.numpy(), v.numpy() @ J, rtol=1e-6)
    out2, jvp_ = jvp(fn, x, v)
    np.testing.assert_allclose(jvp_.numpy(), J @ v.numpy(), rtol=1e-6)
    np.testing.assert_allclose(out.numpy(), out2.numpy())
    _, jvp_db = jvp(fn, x, v, create_graph=True)  # the double-backward route gives the same product
    np.testing.assert_allclose(jvp_db.detach().numpy(), J @ v.numpy(), rtol=1e-6)


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_hessian_hvp_vhp_of_rosenbrock():
    p = f64([-1.5, 2.0])
    x, y = -1.5, 2.0
    H_true = np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])
    H = hessian(rosenbrock, p)
    np.testing.assert_allclose(H.numpy(), H_true)
    v = f64([0.3, -0.7])
    _, hv = hvp(rosenbrock, p, v)
    _, vh = vhp(rosenbrock, p, v)
    np.testing.assert_allclose(hv.numpy(), H_true @ v.numpy())
    np.testing.assert_allclose(vh.numpy(), v.numpy() @ H_true)


def test_create_graph_keeps_results_differentiable():
    x = f64([0.5, -0.2], grad=True)
    H = hessian(lambda t: (t**3).sum(), x, create_graph=True)
    H.sum().backward()  # d/dx Σ 6x diag = 6
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


def test_forward_mode_dual_numbers():
    with forward_ad.dual_level():
        x = forward_ad.make_dual(f64([1.0, 2.0]), f64([1.0, 0.0]))
        y = x.exp() * x.sum()
        primal, tangent = forward_ad.unpack_dual(y)
    # y_i = e^{x_i} Σx ; dy/dx_0 · e_0 = [e^1 Σx + e^1, e^2]
    np.testing.assert_allclose(primal.numpy(), np.exp([1, 2]) * 3)
    np.testing.assert_allclose(tangent.numpy(), [np.e * 3 + np.e, np.exp(2)])
    assert forward_ad.unpack_dual(y).tangent is None  # outside the level the tangent is gone


def test_make_dual_outside_a_level_is_an_error():
    with pytest.raises(RuntimeError, match="dual_level"):
        forward_ad.make_dual(f64([1.0]), f64([1.0]))


def test_vjp_without_v_needs_a_scalar_output():
    with pytest.raises(RuntimeError, match="single element"):
        vjp(lambda t: t * 2, f64([1.0, 2.0]))
