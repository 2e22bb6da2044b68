"""Every optimiser makes progress on an ill-conditioned quadratic and on a small tanh MLP, through the engine."""

import numpy as np
import pytest

import autograd
import optim

# a rotated quadratic with condition number 100: ½(x − x*)ᵀ H (x − x*)
_Q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))
HESS = (_Q * np.array([100.0, 10.0, 3.0, 1.0])) @ _Q.T
X_STAR = np.array([1.0, -2.0, 0.5, 3.0])

CASES = [
    (optim.SGD, dict(lr=0.015), 100),
    (optim.SGD, dict(lr=0.005, momentum=0.9), 100),
    (optim.SGD, dict(lr=0.005, momentum=0.9, nesterov=True), 100),
    (optim.Adam, dict(lr=0.1), 100),
    (optim.Adam, dict(lr=0.1, amsgrad=True), 100),
    (optim.AdamW, dict(lr=0.1, weight_decay=1e-4), 100),
    (optim.Adagrad, dict(lr=0.5), 100),
    (optim.Adadelta, dict(lr=10.0), 100),
    (optim.RMSprop, dict(lr=0.01), 100),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5), 100),
    (optim.Adamax, dict(lr=0.1), 100),
    (optim.NAdam, dict(lr=0.1), 100),
    (optim.RAdam, dict(lr=0.03), 200),  # rectification keeps the early steps small
    (optim.ASGD, dict(lr=0.015), 100),
    (optim.Rprop, dict(lr=0.01), 100),
    (optim.Adafactor, dict(lr=0.5), 100),
    (optim.QHAdam, dict(lr=0.1), 100),
    (optim.Lion, dict(lr=0.05), 100),
    (optim.LBFGS, dict(lr=1, max_iter=5, line_search_fn="strong_wolfe"), 2),
    (optim.LBFGS, dict(lr=0.5, max_iter=5), 5),
    (optim.BFGS, dict(max_iter=5), 2),
    (optim.ConjugateGradient, dict(max_iter=5), 2),
    (optim.Newton, dict(max_iter=1), 2),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CASES)]


def train(cls, kw, steps, params, loss_fn):
    opt = cls(params, **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        if not isinstance(opt, optim.Newton):
            loss.backward()
        return loss

    losses = [loss_fn().item()]
    for _ in range(steps):
        if isinstance(opt, (optim.LBFGS, optim.BFGS, optim.ConjugateGradient, optim.Newton)):
            opt.step(closure)
        else:
            closure()
            opt.step()
        losses.append(loss_fn().item())
    return losses


@pytest.mark.parametrize("cls, kw, steps", CASES, ids=IDS)
def test_ill_conditioned_quadratic(cls, kw, steps):
    x = autograd.tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    h, x_star = autograd.tensor(HESS.astype(np.float32)), autograd.tensor(X_STAR.astype(np.float32))

    def loss_fn():
        r = x - x_star
        return 0.5 * (r * (h @ r)).sum()

    losses = train(cls, kw, steps, [x], loss_fn)
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.1 * losses[0], losses[::10]


def make_mlp(hidden=8):
    autograd.manual_seed(0)
    w1 = autograd.tensor(autograd.randn(1, hidden).array * 1.0, requires_grad=True)
    b1 = autograd.tensor(np.zeros(hidden, dtype=np.float32), requires_grad=True)
    w2 = autograd.tensor(autograd.randn(hidden, 1).array * 0.3, requires_grad=True)
    b2 = autograd.tensor(np.zeros(1, dtype=np.float32), requires_grad=True)
    return [w1, b1, w2, b2]


MLP_X = np.linspace(-2, 2, 32, dtype=np.float32).reshape(-1, 1)
MLP_Y = np.sin(1.5 * MLP_X).astype(np.float32)


@pytest.mark.parametrize("cls, kw, steps", CASES, ids=IDS)
def test_small_mlp(cls, kw, steps):
    params = make_mlp()
    w1, b1, w2, b2 = params
    x, y = autograd.tensor(MLP_X), autograd.tensor(MLP_Y)

    def loss_fn():
        out = (x @ w1 + b1).tanh() @ w2 + b2
        return ((out - y) ** 2).mean()

    losses = train(cls, kw, steps, params, loss_fn)
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.7 * losses[0], losses[::10]
