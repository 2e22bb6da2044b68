"""The Optimizer contract: parameter groups, lazy state, zero_grad, closures, validation, no graph building."""

import collections
import re

import numpy as np
import pytest

import autograd
import optim


def param(*values, dtype=None):
    return autograd.tensor(np.array(values, dtype=dtype or np.float32), requires_grad=True)


def quadratic_step(opt, *params):
    opt.zero_grad()
    loss = sum((p * p).sum() for p in params)
    loss.backward()
    opt.step()
    return loss


def test_param_groups_get_defaults_and_their_own_options():
    a, b = param(1.0, 2.0), param(3.0)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["params"] == [a] and g1["params"] == [b]  # a single tensor becomes a one-element list
    assert (g0["lr"], g0["momentum"]) == (0.1, 0)
    assert (g1["lr"], g1["momentum"]) == (0.5, 0.9)
    assert g1["nesterov"] is False and g1["weight_decay"] == 0
    quadratic_step(opt, a, b)
    np.testing.assert_allclose(a.array, [1.0 - 0.1 * 2.0, 2.0 - 0.1 * 4.0], rtol=1e-6)
    np.testing.assert_allclose(b.array, [3.0 - 0.5 * 6.0], rtol=1e-6)


def test_add_param_group_later_and_its_validation():
    a, b = param(1.0), param(2.0)
    opt = optim.Adam([a], lr=0.01)
    opt.add_param_group({"params": [b], "lr": 0.1})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    quadratic_step(opt, a, b)
    # Adam's first step is ≈ lr in every coordinate: each group moved by its own lr
    np.testing.assert_allclose([a.array[0], b.array[0]], [1.0 - 0.01, 2.0 - 0.1], rtol=1e-5)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([b])


def test_named_parameters_are_accepted():
    a, b = param(1.0), param(2.0)
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.param_groups[0]["params"] == [a, b]


def test_state_is_created_lazily_per_parameter():
    a, b = param(1.0, 2.0), param(3.0)
    opt = optim.Adam([a, b])
    assert len(opt.state) == 0
    a.grad = autograd.tensor([1.0, 1.0])  # b has no gradient: it is skipped, and gets no state
    opt.step()
    assert a in opt.state and b not in opt.state and len(opt.state) == 1
    assert set(opt.state[a]) == {"step", "exp_avg", "exp_avg_sq"}
    assert isinstance(opt.state[a]["exp_avg"], autograd.Tensor)
    assert float(opt.state[a]["step"].array) == 1.0
    np.testing.assert_array_equal(b.array, [3.0])
    assert list(opt.state) == [a]  # iterating the state yields the parameters, like torch


def test_state_is_keyed_by_parameter_identity():
    # Two parameters with equal values (Tensors compare element-wise) keep separate states, as in torch.
    a, b = param(1.0, 2.0), param(1.0, 2.0)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = autograd.tensor([1.0, 1.0]), autograd.tensor([-1.0, -1.0])
    opt.step()
    assert isinstance(opt.state, collections.defaultdict)
    assert len(opt.state) == 2 and list(opt.state) == [a, b] and opt.state[a] is not opt.state[b]
    np.testing.assert_array_equal(opt.state[a]["exp_avg"].array, -opt.state[b]["exp_avg"].array)


def test_sgd_without_momentum_keeps_no_state():
    a = param(1.0)
    opt = optim.SGD([a], lr=0.1)
    quadratic_step(opt, a)
    assert len(opt.state) == 0
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    quadratic_step(opt, a)
    assert set(opt.state[a]) == {"momentum_buffer"}


def test_zero_grad_sets_to_none_by_default_or_zeros_in_place():
    a = param(1.0, 2.0)
    opt = optim.SGD([a], lr=0.1)
    (a * a).sum().backward()
    opt.zero_grad()
    assert a.grad is None
    (a * a).sum().backward()
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and np.all(a.grad.array == 0)


def test_step_runs_under_no_grad_and_builds_no_graph():
    a = param(1.0, 2.0)
    seen = []

    def closure():
        seen.append(autograd.is_grad_enabled())
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    for cls in (optim.SGD, optim.Adam, optim.RMSprop, optim.LBFGS, optim.BFGS):
        opt = cls([a], lr=0.1)
        loss = opt.step(closure)
        assert isinstance(loss, autograd.Tensor)
        assert a.is_leaf and a.grad_fn is None and a.requires_grad
        for value in opt.state[a].values():
            if isinstance(value, autograd.Tensor):
                assert value.grad_fn is None and not value.requires_grad
    assert all(seen)  # the closure itself ran with gradients on


def test_step_returns_the_closures_loss():
    a = param(3.0)
    opt = optim.SGD([a], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == pytest.approx(9.0)
    assert opt.step() is None


def test_a_parameter_given_twice_is_an_error():
    a = param(1.0)
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


def test_non_leaf_tensors_cannot_be_optimised():
    a = param(1.0)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.Adam([a * 2])


@pytest.mark.parametrize(
    "params, error, match",
    [
        ([], ValueError, "empty parameter list"),
        ([{"params": {param(1.0)}}], TypeError, "ordered collections"),
        ([np.zeros(2)], TypeError, "can only optimize Tensors"),
    ],
)
def test_bad_params(params, error, match):
    with pytest.raises(error, match=match):
        optim.SGD(params, lr=0.1)


def test_a_single_tensor_must_be_wrapped():
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(param(1.0), lr=0.1)


def test_required_options_must_be_given_by_every_group():
    class Custom(optim.Optimizer):
        def __init__(self, params, lr=optim.required):
            super().__init__(params, dict(lr=lr))

    a, b = param(1.0), param(2.0)
    assert Custom([{"params": [a], "lr": 0.1}]).param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match="'lr'"):
        Custom([{"params": [a], "lr": 0.1}, {"params": [b]}])


INVALID = [
    (optim.SGD, dict(lr=-0.1), "SGD: invalid learning rate: -0.1"),
    (optim.SGD, dict(momentum=-0.5), "momentum"),
    (optim.SGD, dict(weight_decay=-1e-4), "weight_decay"),
    (optim.SGD, dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "zero dampening"),
    (optim.Adam, dict(lr=-1e-3), "Adam: invalid learning rate"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "Adam: invalid beta parameter at index 0: 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "index 1"),
    (optim.Adam, dict(eps=-1e-8), "epsilon"),
    (optim.AdamW, dict(weight_decay=-0.01), "AdamW: invalid weight_decay"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    (optim.Adadelta, dict(rho=1.5), "rho"),
    (optim.RMSprop, dict(alpha=-0.1), "alpha"),
    (optim.RMSprop, dict(momentum=-0.1), "momentum"),
    (optim.Adamax, dict(betas=(0.9, 1.0)), "Adamax: invalid beta"),
    (optim.NAdam, dict(momentum_decay=-1), "momentum_decay"),
    (optim.RAdam, dict(betas=(-0.1, 0.9)), "RAdam: invalid beta"),
    (optim.ASGD, dict(lr=-1), "ASGD: invalid learning rate"),
    (optim.Rprop, dict(etas=(1.2, 0.5)), "Rprop: invalid eta values"),
    (optim.Adafactor, dict(beta2_decay=0.5), "beta2_decay"),
    (optim.Adafactor, dict(d=0.5), "clipping threshold"),
    (optim.QHAdam, dict(nus=(1.5, 1.0)), "QHAdam: invalid nu"),
    (optim.Lion, dict(betas=(0.9, 1.0)), "Lion: invalid beta"),
    (optim.LBFGS, dict(lr=-1), "LBFGS: invalid learning rate"),
    (optim.LBFGS, dict(line_search_fn="armijo"), "strong_wolfe"),
    (optim.BFGS, dict(line_search_fn="armijo"), "BFGS: line_search_fn"),
    (optim.ConjugateGradient, dict(restart=0), "restart"),
    (optim.Newton, dict(damping=-1.0), "Newton: invalid damping"),
]


@pytest.mark.parametrize("cls, kw, match", INVALID, ids=[f"{c.__name__}-{next(iter(k))}" for c, k, _ in INVALID])
def test_invalid_hyperparameters_raise_value_error_naming_the_optimiser(cls, kw, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(").replace(")", r"\)")):
        cls([param(1.0)], **kw)


PAIRS = [
    (optim.Adam, "betas", "(beta1, beta2)"),
    (optim.AdamW, "betas", "(beta1, beta2)"),
    (optim.Adamax, "betas", "(beta1, beta2)"),
    (optim.NAdam, "betas", "(beta1, beta2)"),
    (optim.RAdam, "betas", "(beta1, beta2)"),
    (optim.QHAdam, "betas", "(beta1, beta2)"),
    (optim.QHAdam, "nus", "(nu1, nu2)"),
    (optim.Lion, "betas", "(beta1, beta2)"),
    (optim.Rprop, "etas", "(etaminus, etaplus)"),
    (optim.Rprop, "step_sizes", "(min_step_size, max_step_size)"),
    (optim.Adafactor, "eps", "(eps1, eps2)"),
]


@pytest.mark.parametrize("cls, key, items", PAIRS, ids=[f"{c.__name__}-{k}" for c, k, _ in PAIRS])
@pytest.mark.parametrize("length", [0, 1, 3])
def test_a_pair_option_of_the_wrong_length_raises_value_error_naming_it(cls, key, items, length):
    value = (1e-3, 0.5, 0.9)[:length] if key != "etas" else (0.5, 1.2, 1.5)[:length]
    expected = rf"{cls.__name__}: {key} must be a tuple of 2 values {re.escape(items)}, got {length}: "
    with pytest.raises(ValueError, match=expected) as err:
        cls([param(1.0)], **{key: value})
    assert isinstance(err.value, IndexError)  # what torch raises for a short pair (tuple index out of range)
    with pytest.raises(ValueError, match=rf"{cls.__name__}: {key} must be a tuple of 2 values"):
        cls([param(1.0)], **{key: list(value)})


@pytest.mark.parametrize("cls, key, items", PAIRS, ids=[f"{c.__name__}-{k}" for c, k, _ in PAIRS])
def test_a_groups_own_pair_option_of_the_wrong_length_is_rejected(cls, key, items):
    good = cls([param(1.0)]).defaults[key]
    opt = cls([{"params": [param(1.0)], key: list(good)}])  # a list of two is fine, kept as a tuple
    assert opt.param_groups[0][key] == good
    with pytest.raises(ValueError, match=rf"{cls.__name__}: parameter group's {key} must be a tuple of 2 values"):
        cls([{"params": [param(1.0)], key: good[:1]}])
    with pytest.raises(ValueError, match=rf"parameter group's {key} must be a tuple of 2 values"):
        opt.add_param_group({"params": [param(2.0)], key: good + good[:1]})
    with pytest.raises(ValueError, match=rf"parameter group's {key} must be a tuple of 2 values"):
        opt.add_param_group({"params": [param(2.0)], key: 0.5})


@pytest.mark.parametrize("cls", [optim.LBFGS, optim.BFGS, optim.ConjugateGradient, optim.Newton])
def test_closure_optimisers_take_one_group_and_need_a_closure(cls):
    a, b = param(1.0), param(2.0)
    with pytest.raises(ValueError, match="parameter groups"):
        cls([{"params": [a]}, {"params": [b], "lr": 0.1}])
    opt = cls([a])
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": [b]})
    with pytest.raises(RuntimeError, match="closure"):
        opt.step(None)


def test_repr_lists_the_groups_options():
    text = repr(optim.SGD([param(1.0)], lr=0.25, momentum=0.5))
    assert text.startswith("SGD (") and "Parameter Group 0" in text
    assert "lr: 0.25" in text and "momentum: 0.5" in text and "params" not in text


def test_maximize_climbs():
    a = param(1.0)
    opt = optim.Adam([a], lr=0.1, maximize=True)
    for _ in range(5):
        opt.zero_grad()
        (a * a).sum().backward()
        opt.step()
    assert a.array[0] > 1.4


def test_float64_parameters_stay_float64():
    a = param(1.0, 2.0, dtype=np.float64)
    opt = optim.Adam([a], lr=0.1)
    quadratic_step(opt, a)
    assert a.array.dtype == np.float64 and opt.state[a]["exp_avg"].dtype == np.float64
