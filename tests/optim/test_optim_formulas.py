"""Each optimiser's first steps against its published update rule, written out independently in numpy.

Parameters are float64 so the comparison is tight; gradients are set by hand (a fixed nonlinear function of
the parameters and the step), so these tests exercise the update rules alone.
"""

import math

import numpy as np
import pytest

import autograd
import optim

THETA0 = np.array([[0.5, -1.2, 2.0], [0.03, -0.4, 1.5]])


def grad_fn(theta, k):
    """A deterministic stand-in gradient that changes sign now and then (so Rprop and AMSGrad do something)."""
    return np.cos(3.0 * theta + 0.7 * k) + 0.1 * theta


def run(make_opt, steps, theta0=THETA0, dtype=np.float64):
    p = autograd.tensor(theta0.astype(dtype), requires_grad=True)
    opt = make_opt([p])
    out = []
    for k in range(steps):
        p.grad = autograd.tensor(grad_fn(p.array.astype(np.float64), k).astype(dtype))
        opt.step()
        out.append(p.array.copy())
    return np.array(out), opt, p


def reference(rule, steps, theta0=THETA0):
    """Iterate ``theta, state = rule(theta, g, t, state)`` with the same gradients."""
    theta, state, out = theta0.copy(), {}, []
    for k in range(steps):
        theta, state = rule(theta, grad_fn(theta, k), k + 1, state)
        out.append(theta.copy())
    return np.array(out)


def check(make_opt, rule, steps=6, rtol=1e-10):
    got, _, _ = run(make_opt, steps)
    np.testing.assert_allclose(got, reference(rule, steps), rtol=rtol, atol=1e-12)


# -- SGD -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        dict(lr=0.1),
        dict(lr=0.1, weight_decay=0.05),
        dict(lr=0.1, momentum=0.9),
        dict(lr=0.1, momentum=0.9, dampening=0.3),
        dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01),
        dict(lr=0.1, momentum=0.5, maximize=True),
    ],
)
def test_sgd(kw):
    lr, mu, tau = kw["lr"], kw.get("momentum", 0), kw.get("dampening", 0)
    wd, nesterov, maximize = kw.get("weight_decay", 0), kw.get("nesterov", False), kw.get("maximize", False)

    def rule(theta, g, t, s):
        g = (-g if maximize else g) + wd * theta
        if mu:
            # the first step puts the gradient itself in the buffer: no dampening yet
            s["b"] = g if t == 1 else mu * s["b"] + (1 - tau) * g
            g = g + mu * s["b"] if nesterov else s["b"]
        return theta - lr * g, s

    check(lambda p: optim.SGD(p, **kw), rule)


def test_sgd_momentum_matches_lecture_000_velocity_form():
    """Lecture 000: v ← αv + η∇L, θ ← θ − v. torch keeps η outside the buffer; with a constant η they agree."""
    eta, alpha = 0.05, 0.9
    got, _, _ = run(lambda p: optim.SGD(p, lr=eta, momentum=alpha), 8)

    def lecture(theta, g, t, s):
        s["v"] = alpha * s.get("v", 0.0) + eta * g
        return theta - s["v"], s

    np.testing.assert_allclose(got, reference(lecture, 8), rtol=1e-12)


# -- the Adam family --------------------------------------------------------------------------------------------


def adam_rule(lr, b1, b2, eps, wd=0.0, amsgrad=False, decoupled=False):
    def rule(theta, g, t, s):
        if decoupled:
            theta = theta * (1 - lr * wd)
        else:
            g = g + wd * theta
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        m_hat = s["m"] / (1 - b1**t)
        if amsgrad:
            s["vmax"] = np.maximum(s.get("vmax", 0.0), s["v"])  # the max of the raw v
            v_hat = s["vmax"] / (1 - b2**t)
        else:
            v_hat = s["v"] / (1 - b2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), s

    return rule


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam(amsgrad, wd):
    check(
        lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=wd, amsgrad=amsgrad),
        adam_rule(0.05, 0.8, 0.9, 1e-3, wd, amsgrad),
        steps=10,
    )


def test_adam_defaults_are_torchs():
    p = autograd.tensor([1.0], requires_grad=True)
    group = optim.Adam([p]).param_groups[0]
    assert (group["lr"], group["betas"], group["eps"], group["weight_decay"], group["amsgrad"]) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0,
        False,
    )
    assert optim.AdamW([p]).param_groups[0]["weight_decay"] == 1e-2


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_decouples_weight_decay(amsgrad):
    check(
        lambda p: optim.AdamW(p, lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.3, amsgrad=amsgrad),
        adam_rule(0.05, 0.8, 0.9, 1e-3, 0.3, amsgrad, decoupled=True),
    )


def test_adam_first_step_moves_every_coordinate_by_lr():
    """Bias correction makes Adam's first step ±lr·g/(|g| + eps'), i.e. almost exactly lr, whatever |g| is."""
    got, _, _ = run(lambda p: optim.Adam(p, lr=0.01, eps=1e-12), 1)
    np.testing.assert_allclose(np.abs(got[0] - THETA0), 0.01, rtol=1e-6)


def test_adamax():
    lr, b1, b2, eps, wd = 0.02, 0.85, 0.95, 1e-4, 0.05

    def rule(theta, g, t, s):
        g = g + wd * theta
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g) + eps)
        return theta - lr / (1 - b1**t) * s["m"] / s["u"], s

    check(lambda p: optim.Adamax(p, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd), rule)


@pytest.mark.parametrize("decoupled", [False, True])
def test_nadam_momentum_decay(decoupled):
    lr, b1, b2, eps, wd, psi = 0.02, 0.9, 0.99, 1e-6, 0.1, 0.05

    def rule(theta, g, t, s):
        if decoupled:
            theta = theta * (1 - lr * wd)
        else:
            g = g + wd * theta
        mu = lambda i: b1 * (1 - 0.5 * 0.96 ** (i * psi))  # noqa: E731  (Dozat's schedule, torch's constants)
        s["prod"] = float(np.float32(s.get("prod", 1.0) * mu(t)))  # torch keeps Π μ_i as a float32 scalar
        prod_t = s["prod"]
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        m_hat = mu(t + 1) * s["m"] / (1 - prod_t * mu(t + 1)) + (1 - mu(t)) * g / (1 - prod_t)
        v_hat = s["v"] / (1 - b2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), s

    check(
        lambda p: optim.NAdam(
            p,
            lr=lr,
            betas=(b1, b2),
            eps=eps,
            weight_decay=wd,
            momentum_decay=psi,
            decoupled_weight_decay=decoupled,
        ),
        rule,
    )


@pytest.mark.parametrize("decoupled", [False, True])
def test_radam_rectification_threshold(decoupled):
    """With β2 = 0.9, ρ∞ = 19 and ρ_t crosses 5 at t = 6: steps 1–5 are SGD with momentum, then rectified."""
    lr, b1, b2, eps, wd = 0.03, 0.8, 0.9, 1e-6, 0.05
    rho_inf = 2 / (1 - b2) - 1
    rhos = [rho_inf - 2 * t * b2**t / (1 - b2**t) for t in range(1, 10)]
    assert [r > 5 for r in rhos] == [False] * 5 + [True] * 4

    def rule(theta, g, t, s):
        if decoupled:
            theta = theta * (1 - lr * wd)
        else:
            g = g + wd * theta
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        m_hat = s["m"] / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2**t) / (np.sqrt(s["v"]) + eps)
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            return theta - lr * m_hat * l_t * r_t, s
        return theta - lr * m_hat, s

    check(
        lambda p: optim.RAdam(p, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, decoupled_weight_decay=decoupled),
        rule,
        steps=9,
    )


@pytest.mark.parametrize("nus", [(0.7, 1.0), (0.3, 0.6), (0.0, 1.0)])
def test_qhadam(nus):
    lr, b1, b2, eps, wd = 0.05, 0.9, 0.95, 1e-4, 0.02
    nu1, nu2 = nus

    def rule(theta, g, t, s):
        g = g + wd * theta
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        m_hat, v_hat = s["m"] / (1 - b1**t), s["v"] / (1 - b2**t)
        update = ((1 - nu1) * g + nu1 * m_hat) / (np.sqrt((1 - nu2) * g**2 + nu2 * v_hat) + eps)
        return theta - lr * update, s

    check(lambda p: optim.QHAdam(p, lr=lr, betas=(b1, b2), nus=nus, eps=eps, weight_decay=wd), rule)


def test_qhadam_with_unit_nus_is_adam():
    kw = dict(lr=0.05, betas=(0.9, 0.95), eps=1e-4)
    qh, _, _ = run(lambda p: optim.QHAdam(p, nus=(1.0, 1.0), **kw), 6)
    adam, _, _ = run(lambda p: optim.Adam(p, **kw), 6)
    np.testing.assert_allclose(qh, adam, rtol=1e-12)


def test_lion():
    lr, b1, b2, wd = 0.01, 0.9, 0.99, 0.1

    def rule(theta, g, t, s):
        m = s.get("m", 0.0)
        theta = theta * (1 - lr * wd) - lr * np.sign(b1 * m + (1 - b1) * g)
        s["m"] = b2 * m + (1 - b2) * g
        return theta, s

    check(lambda p: optim.Lion(p, lr=lr, betas=(b1, b2), weight_decay=wd), rule)


# -- adaptive-rate methods ------------------------------------------------------------------------------------


def test_adagrad():
    lr, lr_decay, wd, init, eps = 0.1, 0.05, 0.02, 0.3, 1e-6

    def rule(theta, g, t, s):
        g = g + wd * theta
        s["G"] = s.get("G", init) + g**2
        return theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["G"]) + eps), s

    check(
        lambda p: optim.Adagrad(p, lr=lr, lr_decay=lr_decay, weight_decay=wd, initial_accumulator_value=init, eps=eps),
        rule,
    )


def test_adagrad_creates_its_state_at_construction_like_torch():
    p = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.5)
    np.testing.assert_array_equal(opt.state[p]["sum"].array, [0.5, 0.5])
    assert float(opt.state[p]["step"].array) == 0


def test_adadelta():
    lr, rho, eps, wd = 0.9, 0.8, 1e-3, 0.05

    def rule(theta, g, t, s):
        g = g + wd * theta
        s["Eg"] = rho * s.get("Eg", 0.0) + (1 - rho) * g**2
        delta = np.sqrt(s.get("Ed", 0.0) + eps) / np.sqrt(s["Eg"] + eps) * g
        s["Ed"] = rho * s.get("Ed", 0.0) + (1 - rho) * delta**2
        return theta - lr * delta, s

    check(lambda p: optim.Adadelta(p, lr=lr, rho=rho, eps=eps, weight_decay=wd), rule)


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.7])
def test_rmsprop(centered, momentum):
    lr, alpha, eps, wd = 0.01, 0.9, 1e-4, 0.03

    def rule(theta, g, t, s):
        g = g + wd * theta
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g**2
        v = s["v"]
        if centered:
            s["gbar"] = alpha * s.get("gbar", 0.0) + (1 - alpha) * g
            v = v - s["gbar"] ** 2
        if momentum:
            s["b"] = momentum * s.get("b", 0.0) + g / (np.sqrt(v) + eps)
            return theta - lr * s["b"], s
        return theta - lr * g / (np.sqrt(v) + eps), s

    check(
        lambda p: optim.RMSprop(p, lr=lr, alpha=alpha, eps=eps, weight_decay=wd, momentum=momentum, centered=centered),
        rule,
    )


def test_rprop():
    lr, (eta_minus, eta_plus), (smin, smax) = 0.05, (0.4, 1.5), (1e-3, 0.1)

    def rule(theta, g, t, s):
        prev, size = s.get("prev", np.zeros_like(g)), s.get("size", np.full_like(g, lr))
        same, flipped = g * prev > 0, g * prev < 0
        size = np.clip(np.where(same, size * eta_plus, np.where(flipped, size * eta_minus, size)), smin, smax)
        g = np.where(flipped, 0.0, g)  # after a sign change, skip the coordinate once (iRprop−)
        s.update(prev=g, size=size)
        return theta - np.sign(g) * size, s

    got, _, _ = run(lambda p: optim.Rprop(p, lr=lr, etas=(eta_minus, eta_plus), step_sizes=(smin, smax)), 10)
    np.testing.assert_allclose(got, reference(rule, 10), rtol=1e-12)


def test_asgd_averages_after_t0():
    lr, lambd, alpha, t0, wd = 0.05, 0.01, 0.75, 3, 0.02

    def rule(theta, g, t, s):
        eta, mu = s.get("eta", np.float32(lr)), s.get("mu", 1.0)  # torch keeps η as a float32 scalar
        g = g + wd * theta
        theta = theta * (1 - lambd * float(eta)) - float(eta) * g
        s["ax"] = theta.copy() if mu == 1 else s["ax"] + mu * (theta - s["ax"])
        s["eta"] = np.float32(lr / (1 + lambd * lr * t) ** alpha)
        s["mu"] = float(np.float32(1 / max(1, t - t0)))
        return theta, s

    steps = 8
    got, opt, p = run(lambda p: optim.ASGD(p, lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=wd), steps)
    np.testing.assert_allclose(got, reference(rule, steps), rtol=1e-10)
    # μ = 1/(t − 1 − t0) makes ax the running mean of the iterates from step t0 + 2 on (got[k] is step k + 1)
    np.testing.assert_allclose(opt.state[p]["ax"].array, got[t0 + 1 :].mean(axis=0), rtol=1e-6)


@pytest.mark.parametrize("shape", [(6,), (4, 5), (2, 3, 4)])
def test_adafactor(shape):
    """torch's Adafactor: relative step sizes, factored second moment for matrices, update clipping."""
    lr, decay, eps1, eps2, d, wd = 0.05, -0.8, 1e-30, 1e-3, 1.0, 0.01
    theta0 = np.linspace(-1, 1.3, math.prod(shape)).reshape(shape)

    def rule(theta, g, t, s):
        beta2_hat = 1 - t**decay  # the weight of the old average; 0 at t = 1
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(eps2, np.sqrt(np.mean(theta**2))) * rho
        theta = theta * (1 - lr * wd)
        if g.ndim >= 2:
            s["R"] = beta2_hat * s.get("R", 0.0) + (1 - beta2_hat) * np.mean(g**2, axis=-1, keepdims=True)
            s["C"] = beta2_hat * s.get("C", 0.0) + (1 - beta2_hat) * np.mean(g**2, axis=-2, keepdims=True)
            v_hat = s["R"] * s["C"] / np.maximum(np.mean(s["R"], axis=-2, keepdims=True), eps1)
        else:
            s["V"] = beta2_hat * s.get("V", 0.0) + (1 - beta2_hat) * g**2
            v_hat = s["V"]
        u = g / np.sqrt(np.maximum(v_hat, eps1**2))
        return theta - alpha * u / max(1.0, np.sqrt(np.mean(u**2)) / d), s

    got, opt, p = run(
        lambda p: optim.Adafactor(p, lr=lr, beta2_decay=decay, eps=(eps1, eps2), d=d, weight_decay=wd),
        6,
        theta0,
    )
    np.testing.assert_allclose(got, reference(rule, 6, theta0), rtol=1e-9)
    if len(shape) >= 2:  # only row and column statistics are stored
        assert set(opt.state[p]) == {"step", "row_var", "col_var"}
        assert opt.state[p]["row_var"].shape == shape[:-1] + (1,)
        assert opt.state[p]["col_var"].shape == shape[:-2] + (1,) + shape[-1:]


# -- dtype ------------------------------------------------------------------------------------------------------

FIRST_ORDER = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.01, amsgrad=True)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.Adagrad, dict(lr=0.1)),
    (optim.Adadelta, dict()),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)),
    (optim.Adamax, dict(lr=0.01)),
    (optim.NAdam, dict(lr=0.01)),
    (optim.RAdam, dict(lr=0.01)),
    (optim.ASGD, dict(lr=0.01, t0=2)),
    (optim.Rprop, dict(lr=0.01)),
    (optim.Adafactor, dict(lr=0.01)),
    (optim.QHAdam, dict(lr=0.01)),
    (optim.Lion, dict(lr=0.01)),
]


@pytest.mark.parametrize("cls, kw", FIRST_ORDER, ids=[c.__name__ for c, _ in FIRST_ORDER])
def test_float32_stays_float32_and_tracks_float64(cls, kw):
    got32, opt, p = run(lambda p: cls(p, **kw), 5, dtype=np.float32)
    got64, _, _ = run(lambda p: cls(p, **kw), 5, dtype=np.float64)
    assert p.array.dtype == np.float32 and got32.dtype == np.float32
    for key, value in opt.state[p].items():
        if key != "step" and isinstance(value, autograd.Tensor) and value.ndim > 0:
            assert value.dtype == np.float32, key
    np.testing.assert_allclose(got32, got64, rtol=2e-4, atol=2e-5)
