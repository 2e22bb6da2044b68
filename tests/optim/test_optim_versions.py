"""optimizer.step() bumps the version of every parameter it updates, as torch's in-place updates do: a graph recorded
before the step refuses to backpropagate through the old values afterwards."""

import numpy as np
import pytest

import autograd
import optim

FIRST_ORDER = [
    (optim.SGD, dict(lr=0.1)),
    (optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.Adam, dict(foreach=None)),  # the flat (foreach) path
    (optim.Adam, dict(foreach=False)),
    (optim.AdamW, dict()),
    (optim.Adagrad, dict()),
    (optim.Adadelta, dict()),
    (optim.RMSprop, dict(momentum=0.5, centered=True)),
    (optim.Adamax, dict()),
    (optim.NAdam, dict()),
    (optim.RAdam, dict()),
    (optim.ASGD, dict()),
    (optim.Rprop, dict()),
    (optim.Adafactor, dict()),
    (optim.QHAdam, dict()),
    (optim.Lion, dict()),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(FIRST_ORDER)]


def params():
    rng = np.random.default_rng(0)
    return [autograd.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 2), (2,), (4,)]]


@pytest.mark.parametrize("cls, kw", FIRST_ORDER, ids=IDS)
def test_step_bumps_each_updated_parameter_once(cls, kw):
    ps = params()
    opt = cls(ps, **kw)
    for k in range(3):
        before = [p._version for p in ps]
        for i, p in enumerate(ps):
            p.grad = None if (i, k) == (2, 1) else autograd.tensor(np.cos(p.array + k))
        opt.step()
        expected = [v + (0 if (i, k) == (2, 1) else 1) for i, v in enumerate(before)]
        assert [p._version for p in ps] == expected  # the one without a gradient was not touched


@pytest.mark.parametrize("cls", [optim.LBFGS, optim.BFGS, optim.ConjugateGradient, optim.Newton])
def test_closure_optimisers_bump_the_parameters_they_move(cls):
    x = autograd.tensor(np.array([-1.5, 2.0]), requires_grad=True)
    opt = cls([x], max_iter=2)

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        if not isinstance(opt, optim.Newton):
            loss.backward()
        return loss

    before = x._version
    opt.step(closure)
    assert x._version > before


def test_a_graph_recorded_before_step_cannot_backpropagate_after_it():
    w = autograd.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    loss = (w * w).sum()  # saves w at its current version
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
