"""LBFGS, BFGS, ConjugateGradient and Newton: Rosenbrock, the line search, the Hessian, lecture 004's claim."""

import numpy as np
import pytest

import autograd
import optim
from optim.line_search import cubic_interpolate, strong_wolfe
from optim.newton import damped_cholesky_shift


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(v):
    x, y = v
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def rosenbrock_hessian(v):
    x, y = v
    return np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])


def minimise(cls, x, loss_fn, steps, **kw):
    opt = cls([x], **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn(x)
        if not isinstance(opt, optim.Newton):  # Newton differentiates the returned loss itself
            loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    return opt


SOLVERS = [
    (optim.LBFGS, dict(line_search_fn="strong_wolfe", history_size=10)),
    (optim.BFGS, dict()),
    (optim.ConjugateGradient, dict()),
    (optim.Newton, dict()),
]


@pytest.mark.parametrize("cls, kw", SOLVERS, ids=[c.__name__ for c, _ in SOLVERS])
def test_rosenbrock_from_the_classic_start(cls, kw):
    x = autograd.tensor(np.array([-1.5, 2.0]), requires_grad=True)  # float64
    opt = minimise(cls, x, rosenbrock, 3, max_iter=100, tolerance_grad=1e-12, tolerance_change=1e-15, **kw)
    np.testing.assert_allclose(x.array, [1.0, 1.0], atol=1e-6)
    assert rosenbrock(x.array) < 1e-12
    state = opt.state[x]
    assert 0 < state["n_iter"] <= 300 and state["func_evals"] >= state["n_iter"]


def test_newton_needs_fewer_iterations_than_bfgs_and_cg_on_rosenbrock():
    """The Hessian technique's promise (lecture 004), on the valley where it matters."""
    iters = {}
    for cls, kw in SOLVERS:
        x = autograd.tensor(np.array([-1.5, 2.0]), requires_grad=True)
        # one iteration per step, each with a full line-search budget
        opt = cls([x], max_iter=1, max_eval=26, tolerance_grad=1e-12, tolerance_change=1e-15, **kw)
        n = 0
        while np.abs(x.array - 1).max() >= 1e-6 and n < 1000:
            opt.step(_closure(opt, x, rosenbrock))
            n += 1
        iters[cls.__name__] = n
    assert iters["Newton"] < min(iters["BFGS"], iters["LBFGS"], iters["ConjugateGradient"]), iters


def _closure(opt, x, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn(x)
        if not isinstance(opt, optim.Newton):
            loss.backward()
        return loss

    return closure


# -- lecture 004: the Hessian technique -------------------------------------------------------------------


def test_newton_hessian_is_the_analytic_one():
    x = autograd.tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.Newton([x])
    loss, grad, hess = opt.hessian(lambda: rosenbrock(x))
    assert loss == pytest.approx(rosenbrock(np.array([-1.2, 1.0])))
    np.testing.assert_allclose(grad, rosenbrock_grad(x.array), rtol=1e-12)
    np.testing.assert_allclose(hess, rosenbrock_hessian(x.array), rtol=1e-12)


def test_newton_hessian_across_several_parameters():
    """Cross terms between parameters, a parameter the loss is linear in (zero rows), and matrix shapes."""
    w = autograd.tensor(np.array([[0.3, -0.7], [1.1, 0.4]]), requires_grad=True)
    b = autograd.tensor(np.array([0.5]), requires_grad=True)
    c = autograd.tensor(np.array([2.0]), requires_grad=True)
    opt = optim.Newton([w, b, c])

    def loss_fn():
        return (w * w * b).sum() + (w[0, 0] * w[1, 1]) + 3.0 * c.sum()

    _, grad, hess = opt.hessian(loss_fn)
    wv, bv = w.array.ravel(), b.array[0]
    expected = np.zeros((6, 6))
    expected[:4, :4] = 2 * bv * np.eye(4)
    expected[0, 3] = expected[3, 0] = 1.0
    expected[:4, 4] = expected[4, :4] = 2 * wv
    np.testing.assert_allclose(hess, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad[:4], 2 * bv * wv + np.array([wv[3], 0, 0, wv[0]]), rtol=1e-12)
    np.testing.assert_allclose(grad[4:], [wv @ wv, 3.0], rtol=1e-12)


def test_one_newton_step_is_the_lecture_update():
    """Lecture 004: w' = w − η H⁻¹ ∇C, with H and ∇C computed at w."""
    start = np.array([-1.2, 1.0])
    x = autograd.tensor(start.copy(), requires_grad=True)
    eta = 0.5
    opt = optim.Newton([x], lr=eta, max_iter=1, line_search_fn=None)
    opt.step(lambda: rosenbrock(x))
    hess = rosenbrock_hessian(start)
    assert np.all(np.linalg.eigvalsh(hess) > 0)  # positive definite here: no damping
    expected = start - eta * np.linalg.solve(hess, rosenbrock_grad(start))
    np.testing.assert_allclose(x.array, expected, rtol=1e-12)
    assert opt.state[x]["damping"] == 0.0


def test_lecture_004_hessian_technique_needs_fewer_iterations_than_gradient_descent():
    """On an ill-conditioned quadratic Newton lands on the minimum in one step; gradient descent, with the
    best fixed learning rate 2/(λmin + λmax), needs a number of steps that grows with the condition number."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    eigenvalues = np.array([50.0, 20.0, 5.0, 2.0, 1.0])
    hess, x_star = (q * eigenvalues) @ q.T, rng.standard_normal(5)
    h, target = autograd.tensor(hess), autograd.tensor(x_star)

    def loss_fn(x):
        r = x - target
        return 0.5 * (r * (h @ r)).sum()

    def iterations(cls, **kw):
        x = autograd.tensor(np.zeros(5), requires_grad=True)
        opt = cls([x], **kw)
        closure = _closure(opt, x, loss_fn)
        for n in range(1, 10_000):
            if isinstance(opt, optim.Newton):
                opt.step(closure)
            else:
                closure()
                opt.step()
            if np.abs(x.array - x_star).max() < 1e-8:
                return n
        return None

    newton = iterations(optim.Newton, lr=1.0, max_iter=1, line_search_fn=None)
    gd = iterations(optim.SGD, lr=2 / (eigenvalues.min() + eigenvalues.max()))
    assert newton == 1
    assert gd is not None and gd > 100 * newton  # ≈ ½·κ·ln(1/ε) with κ = 50


def test_newton_damps_an_indefinite_hessian_and_still_descends():
    """At a saddle-ish point ``−H⁻¹∇C`` points uphill; the damped step must go down."""

    def loss_fn(v):
        return v[0] ** 2 - v[1] ** 2 + 0.25 * v[1] ** 4  # minima at (0, ±√2), a saddle at 0

    x = autograd.tensor(np.array([0.5, 0.3]), requires_grad=True)
    opt = optim.Newton([x], max_iter=1)
    before = loss_fn(x.array.copy())
    opt.step(lambda: loss_fn(x))
    assert opt.state[x]["damping"] > 0
    assert loss_fn(x.array) < before
    for _ in range(30):
        opt.step(lambda: loss_fn(x))
    np.testing.assert_allclose(x.array, [0.0, np.sqrt(2)], atol=1e-6)


def test_damped_cholesky_shift():
    assert damped_cholesky_shift(np.diag([3.0, 1.0])) == 0.0
    assert damped_cholesky_shift(np.diag([3.0, 1.0]), minimum=0.5) == 0.5
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and −1
    tau = damped_cholesky_shift(indefinite)
    assert tau > 1 and np.all(np.linalg.eigvalsh(indefinite + tau * np.eye(2)) > 0)
    with pytest.raises(ValueError, match="non-finite"):
        damped_cholesky_shift(np.array([[np.nan]]))


def test_newton_explains_what_its_closure_must_return():
    x = autograd.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.Newton([x])

    def lbfgs_style_closure():  # backward() frees the graph Newton needs to differentiate twice
        opt.zero_grad()
        loss = (x**4).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="without calling loss.backward"):
        opt.step(lbfgs_style_closure)
    with pytest.raises(RuntimeError, match="Tensor attached"):
        opt.step(lambda: 3.0)
    opt.step(lambda: ((x - 3) ** 4).sum())  # the right form; float32 works too
    assert np.all(np.abs(x.array - 3) < 1.0)


# -- the line search ---------------------------------------------------------------------------------------


def test_cubic_interpolate_finds_a_cubics_minimum():
    f = lambda t: (t - 1.0) ** 3 - 3 * (t - 1.0) + 2.0  # noqa: E731  local minimum at t = 2
    df = lambda t: 3 * (t - 1.0) ** 2 - 3  # noqa: E731
    assert cubic_interpolate(1.5, f(1.5), df(1.5), 3.0, f(3.0), df(3.0)) == pytest.approx(2.0)
    # clamped to the bounds, and the midpoint when the cubic has no minimum
    assert cubic_interpolate(1.5, f(1.5), df(1.5), 3.0, f(3.0), df(3.0), bounds=(0.0, 1.8)) == 1.8
    assert cubic_interpolate(0.0, 0.0, 2.0, 1.0, 1.0, 2.0, bounds=(0.0, 4.0)) == 2.0


@pytest.mark.parametrize("t0", [1e-3, 1.0, 30.0])
def test_strong_wolfe_conditions_hold_at_the_returned_step(t0):
    start = np.array([-1.2, 1.0])
    g0 = rosenbrock_grad(start)
    d = -g0 / np.linalg.norm(g0)
    f0, gtd = rosenbrock(start), g0 @ d
    evaluated = []

    def obj_func(x, t, d):
        evaluated.append(t)
        point = x + t * d
        return rosenbrock(point), rosenbrock_grad(point)

    c1, c2 = 1e-4, 0.9
    f, g, t, evals = strong_wolfe(obj_func, start, t0, d, f0, g0, gtd, c1=c1, c2=c2)
    assert evals == len(evaluated) and t > 0
    assert f == rosenbrock(start + t * d)
    assert f <= f0 + c1 * t * gtd  # sufficient decrease
    assert abs(g @ d) <= c2 * abs(gtd)  # curvature


def test_bfgs_inverse_hessian_converges_to_the_true_inverse_on_a_quadratic():
    hess = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    h = autograd.tensor(hess)

    def loss_fn(x):
        return 0.5 * (x * (h @ x)).sum() - x.sum()

    x = autograd.tensor(np.array([3.0, -2.0, 1.0]), requires_grad=True)
    opt = minimise(optim.BFGS, x, loss_fn, 1, max_iter=50, tolerance_grad=1e-13)
    np.testing.assert_allclose(x.array, np.linalg.solve(hess, np.ones(3)), atol=1e-9)
    # with exact line searches BFGS recovers H⁻¹ after n steps on a quadratic; strong Wolfe comes close
    np.testing.assert_allclose(opt.state[x]["inv_hessian"].array, np.linalg.inv(hess), atol=0.05)


def test_conjugate_gradient_solves_a_quadratic_in_n_steps_with_exact_line_searches():
    """Linear CG theory: n iterations on an n-dimensional quadratic (a tight line search ≈ exact)."""
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    hess = (q * np.array([10.0, 5.0, 3.0, 2.0, 1.5, 1.0])) @ q.T
    h, b = autograd.tensor(hess), autograd.tensor(rng.standard_normal(6))

    def loss_fn(x):
        return 0.5 * (x * (h @ x)).sum() - (b * x).sum()

    x = autograd.tensor(np.zeros(6), requires_grad=True)
    opt = optim.ConjugateGradient([x], max_iter=6, max_eval=1000, restart=100, tolerance_grad=1e-14)
    opt.line_search_c2 = 1e-6  # nearly exact line searches
    opt.step(_closure(opt, x, loss_fn))
    np.testing.assert_allclose(x.array, np.linalg.solve(hess, b.array), atol=1e-6)
