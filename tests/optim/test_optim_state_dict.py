"""state_dict()/load_state_dict(): torch's layout, and a save/load round trip resumes the identical trajectory."""

import numpy as np
import pytest

import autograd
import optim

A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.2]])
B = np.array([1.0, -2.0, 0.5])

OPTIMISERS = [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, dict(lr=0.05)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.Adadelta, dict(lr=1.0)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)),
    (optim.Adamax, dict(lr=0.05)),
    (optim.NAdam, dict(lr=0.05)),
    (optim.RAdam, dict(lr=0.05)),
    (optim.ASGD, dict(lr=0.05, t0=3)),
    (optim.Rprop, dict(lr=0.05)),
    (optim.Adafactor, dict(lr=0.05)),
    (optim.QHAdam, dict(lr=0.05)),
    (optim.Lion, dict(lr=0.01)),
    (optim.LBFGS, dict(lr=0.5, max_iter=3, history_size=4)),
    (optim.LBFGS, dict(max_iter=3, line_search_fn="strong_wolfe")),
    (optim.BFGS, dict(max_iter=2)),
    (optim.ConjugateGradient, dict(max_iter=2)),
    (optim.Newton, dict(max_iter=1)),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(OPTIMISERS)]


def make_params(dtype=np.float64):
    w = autograd.tensor(np.array([[0.3, -0.2, 0.1], [0.5, 0.4, -0.3]], dtype=dtype), requires_grad=True)
    b = autograd.tensor(np.array([0.2, -0.1, 0.05], dtype=dtype), requires_grad=True)
    return [w, b]


def loss_of(params):
    w, b = params
    a, target = autograd.tensor(A.astype(w.dtype)), autograd.tensor(B.astype(w.dtype))
    residual = (w @ a).sum(0) + b - target
    return (residual * residual).sum() + (w * w * w * w).sum()  # quartic: curvature varies along the path


CLOSURE_BASED = (optim.LBFGS, optim.BFGS, optim.ConjugateGradient, optim.Newton)


def stepper(opt, params):
    """One optimisation step: through a closure for the closure-based methods, after backward for the rest."""

    def closure():
        opt.zero_grad()
        loss = loss_of(params)
        if not isinstance(opt, optim.Newton):  # Newton differentiates the returned loss itself
            loss.backward()
        return loss

    if isinstance(opt, CLOSURE_BASED):
        return lambda: opt.step(closure)

    def step():
        closure()
        opt.step()

    return step


def run(cls, kw, steps, params=None, opt=None):
    params = params or make_params()
    opt = opt or cls(params, **kw)
    step = stepper(opt, params)
    for _ in range(steps):
        step()
    return params, opt


def test_layout_matches_torch():
    params = make_params()
    extra = autograd.tensor([1.0], requires_grad=True)
    opt = optim.Adam([{"params": params}, {"params": [extra], "lr": 0.5}], lr=0.01)
    run(optim.Adam, {}, 2, params, opt)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]  # indices, counted across groups
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1]  # `extra` never had a gradient: no state
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["exp_avg"] is opt.state[params[0]]["exp_avg"]  # by reference, like torch


@pytest.mark.parametrize("cls, kw", OPTIMISERS, ids=IDS)
def test_round_trip_resumes_the_identical_trajectory(cls, kw):
    straight, _ = run(cls, kw, 7)

    first, opt = run(cls, kw, 4)
    saved = opt.state_dict()
    fresh = [autograd.tensor(p.array.copy(), requires_grad=True) for p in first]
    resumed_opt = cls(fresh, **kw)
    resumed_opt.load_state_dict(saved)
    run(cls, kw, 3, fresh, resumed_opt)

    for a, b in zip(straight, fresh, strict=True):
        np.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize("cls, kw", OPTIMISERS[:14], ids=IDS[:14])
def test_loaded_state_is_a_copy(cls, kw):
    params, opt = run(cls, kw, 2)
    other = cls(params, **kw)
    other.load_state_dict(opt.state_dict())
    before = {k: v.array.copy() for k, v in other.state[params[0]].items() if isinstance(v, autograd.Tensor)}
    run(cls, kw, 2, params, opt)  # advancing the original must not touch the copy
    for key, value in before.items():
        np.testing.assert_array_equal(other.state[params[0]][key].array, value)


def test_load_restores_hyperparameters_but_keeps_the_new_parameters():
    params, opt = run(optim.SGD, dict(lr=0.1, momentum=0.9), 2)
    opt.param_groups[0]["lr"] = 0.01  # as a scheduler would
    fresh = make_params()
    new = optim.SGD(fresh, lr=0.1, momentum=0.9)
    new.load_state_dict(opt.state_dict())
    assert new.param_groups[0]["lr"] == 0.01
    assert new.param_groups[0]["params"][0] is fresh[0]
    assert new.state[fresh[0]]["momentum_buffer"] is not opt.state[params[0]]["momentum_buffer"]


def test_state_is_cast_to_the_parameters_dtype_except_step():
    params, opt = run(optim.Adam, dict(lr=0.1), 2)  # float64
    fresh = make_params(np.float32)
    new = optim.Adam(fresh, lr=0.1)
    new.load_state_dict(opt.state_dict())
    assert new.state[fresh[0]]["exp_avg"].dtype == np.float32
    assert new.state[fresh[0]]["step"].dtype == opt.state[params[0]]["step"].dtype


def test_mismatched_state_dicts_are_rejected():
    _, opt = run(optim.Adam, {}, 1)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([{"params": make_params()[:1]}, {"params": make_params()[1:]}]).load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="has 2 parameters"):
        optim.Adam(make_params()[:1]).load_state_dict(opt.state_dict())


@pytest.mark.parametrize("cls, kw", OPTIMISERS, ids=IDS)
def test_round_trip_through_nn_save_and_load(cls, kw, tmp_path):
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "save") or not hasattr(nn, "load"):
        pytest.skip("nn.save / nn.load are not available yet")
    straight, _ = run(cls, kw, 6)

    first, opt = run(cls, kw, 3)
    nn.save(opt.state_dict(), tmp_path / "opt.npz")
    fresh = [autograd.tensor(p.array.copy(), requires_grad=True) for p in first]
    resumed = cls(fresh, **kw)
    resumed.load_state_dict(nn.load(tmp_path / "opt.npz"))
    run(cls, kw, 3, fresh, resumed)

    for a, b in zip(straight, fresh, strict=True):
        np.testing.assert_array_equal(a.array, b.array)
