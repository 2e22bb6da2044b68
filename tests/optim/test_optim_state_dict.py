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


# -- load_state_dict checks every state entry against its parameter before accepting any -------------------------


def copy_of(sd):
    """A state dict whose per-parameter dicts (and lists) may be edited without touching the optimiser it came from
    (``state_dict()`` hands them out by reference, as torch's)."""
    state = {k: {sk: list(sv) if isinstance(sv, list) else sv for sk, sv in s.items()} for k, s in sd["state"].items()}
    return {"state": state, "param_groups": [dict(g) for g in sd["param_groups"]]}


def square_params(dtype=np.float32):
    """A (2, 2) and a (3,) parameter."""
    return [autograd.tensor(np.array([[0.3, -0.2], [0.1, 0.5]], dtype=dtype), requires_grad=True),
            autograd.tensor(np.array([0.2, -0.1, 0.05], dtype=dtype), requires_grad=True)]


def stepped(cls, kw, params, steps=2):
    opt = cls(params, **kw)
    for k in range(steps):
        for p in params:
            p.grad = autograd.tensor(np.tanh(p.array + 0.1 * k).astype(p.dtype))
        opt.step()
    return opt


def assert_untouched(opt, params, before):
    """A load that raised left the optimiser as it was."""
    assert set(opt.state) == set(before)
    for p in params:
        for key, value in before[p].items():
            np.testing.assert_array_equal(opt.state[p][key].array, value)


def snapshot(opt):
    return {p: {k: v.array.copy() for k, v in s.items()} for p, s in opt.state.items()}


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("bad_shape", [(3,), (4,), (2, 2, 1)])
def test_a_state_tensor_of_another_shape_is_rejected_naming_it(foreach, bad_shape):
    saved = copy_of(stepped(optim.Adam, dict(foreach=foreach), square_params()).state_dict())
    saved["state"][0]["exp_avg"] = autograd.tensor(np.zeros(bad_shape, dtype=np.float32))
    params = square_params()
    opt = stepped(optim.Adam, dict(foreach=foreach), params, steps=1)
    before = snapshot(opt)
    with pytest.raises(ValueError) as err:
        opt.load_state_dict(saved)
    message = str(err.value)
    for part in ("Adam.load_state_dict", "state[0]['exp_avg']", "parameter 0 (group 0, position 0)",
                 f"shape {bad_shape}", "expected shape (2, 2)", "same parameters"):
        assert part in message, (part, message)
    assert_untouched(opt, params, before)


@pytest.mark.parametrize("cls, kw", OPTIMISERS[:14], ids=IDS[:14])
def test_every_first_order_state_tensor_is_checked_against_its_parameter(cls, kw):
    saved = stepped(cls, kw, square_params()).state_dict()
    entries = [(i, key, value) for i, s in saved["state"].items() for key, value in s.items()]
    assert entries
    for i, key, value in entries:
        bad = copy_of(saved)
        shape = value.shape + (2,)  # a buffer with one dim too many; a scalar (step, eta, mu...) that is a vector
        bad["state"][i][key] = autograd.tensor(np.zeros(shape, dtype=np.float32))
        with pytest.raises(ValueError, match=rf"{cls.__name__}\.load_state_dict: state\[{i}\]\['{key}'\]"):
            cls(square_params(), **kw).load_state_dict(bad)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.complex64])
def test_a_state_buffer_of_another_dtype_kind_is_rejected(dtype):
    saved = copy_of(stepped(optim.Adam, dict(foreach=True), square_params()).state_dict())
    buffer = np.zeros(3, dtype=dtype)  # (a Tensor cannot be complex; a state dict may hold numpy arrays too)
    saved["state"][1]["exp_avg_sq"] = buffer if buffer.dtype.kind == "c" else autograd.tensor(buffer)
    with pytest.raises(ValueError) as err:
        optim.Adam(square_params(), foreach=True).load_state_dict(saved)
    message = str(err.value)
    for part in ("Adam.load_state_dict", "state[1]['exp_avg_sq']", "(group 0, position 1)",
                 f"dtype {np.dtype(dtype)}", "float32"):
        assert part in message, (part, message)


def test_float_state_of_another_precision_is_still_cast():
    saved = stepped(optim.Adam, {}, square_params(np.float64)).state_dict()
    params = square_params(np.float32)
    opt = optim.Adam(params)
    opt.load_state_dict(saved)
    assert opt.state[params[0]]["exp_avg"].dtype == np.float32


@pytest.mark.parametrize("step", ["3", True, None, [3.0], -1.0, float("nan"), np.zeros(3, np.float32),
                                  np.array(3 + 0j)])
def test_a_step_of_the_wrong_type_or_value_is_rejected(step):
    saved = copy_of(stepped(optim.Adam, {}, square_params()).state_dict())
    saved["state"][1]["step"] = step if not isinstance(step, np.ndarray) or step.dtype.kind == "c" else (
        autograd.tensor(step))
    with pytest.raises(ValueError, match=r"Adam\.load_state_dict: state\[1\]\['step'\] of parameter 1 "
                                         r"\(group 0, position 1\)"):
        optim.Adam(square_params()).load_state_dict(saved)


@pytest.mark.parametrize("step", [2, 2.0, np.int64(2), np.float32(2), np.array(2), np.array(2.0, np.float32)])
def test_a_numeric_step_loads_as_torch_loads_it(step):
    """torch's older checkpoints keep ``step`` as a Python number; it becomes a float scalar tensor, and the run
    continues as from the float tensor state_dict() writes."""
    reference = stepped(optim.Adam, {}, square_params())
    saved = copy_of(reference.state_dict())
    for s in saved["state"].values():
        s["step"] = autograd.tensor(step) if isinstance(step, np.ndarray) else step
    params = square_params()
    opt = optim.Adam(params)
    opt.load_state_dict(saved)
    assert opt.state[params[0]]["step"].dtype.kind == "f" and opt.state[params[0]]["step"].shape == ()
    expected = square_params()
    resumed = optim.Adam(expected)
    resumed.load_state_dict(reference.state_dict())
    for o, ps in ((opt, params), (resumed, expected)):
        for p in ps:
            p.grad = autograd.tensor(np.ones(p.shape, dtype=np.float32))
        o.step()
    for p, q in zip(params, expected, strict=True):
        np.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize("cls, kw, key", [(optim.ASGD, dict(lr=0.05), "eta"), (optim.ASGD, dict(lr=0.05), "mu"),
                                          (optim.NAdam, dict(lr=0.05), "mu_product")])
def test_scalar_state_loads_as_a_tensor_or_a_number_but_not_as_a_vector(cls, kw, key):
    reference = stepped(cls, kw, square_params())
    saved = copy_of(reference.state_dict())
    for s in saved["state"].values():
        s[key] = float(s[key].item())
    params = square_params()
    opt = cls(params, **kw)
    opt.load_state_dict(saved)
    assert opt.state[params[0]][key].shape == ()
    saved["state"][0][key] = autograd.tensor(np.ones((2, 2), dtype=np.float32))  # the parameter's shape: still wrong
    with pytest.raises(ValueError, match=rf"state\[0\]\['{key}'\].*is a scalar"):
        cls(square_params(), **kw).load_state_dict(saved)


def test_adafactors_factored_state_is_checked_per_dims():
    saved = stepped(optim.Adafactor, {}, square_params()).state_dict()
    assert saved["state"][0]["row_var"].shape == (2, 1) and saved["state"][0]["col_var"].shape == (1, 2)
    bad = copy_of(saved)
    bad["state"][0]["row_var"] = autograd.tensor(np.zeros((1, 2), dtype=np.float32))  # col_var's shape
    with pytest.raises(ValueError, match=r"state\[0\]\['row_var'\].*shape \(1, 2\).*expected shape \(2, 1\)"):
        optim.Adafactor(square_params()).load_state_dict(bad)
    swapped = copy_of(saved)  # the (2, 2) parameter's state given to the (3,) one: row_var for a vector
    swapped["state"] = {0: swapped["state"][1], 1: swapped["state"][0]}
    with pytest.raises(ValueError, match=r"state\[0\]\['variance'\].*2 or more dims"):
        optim.Adafactor(square_params()).load_state_dict(swapped)


@pytest.mark.parametrize("cls, kw, key, sequence", [
    (optim.LBFGS, dict(lr=0.5, max_iter=3, history_size=4), "d", False),
    (optim.LBFGS, dict(lr=0.5, max_iter=3, history_size=4), "prev_flat_grad", False),
    (optim.LBFGS, dict(lr=0.5, max_iter=3, history_size=4), "old_dirs", True),
    (optim.LBFGS, dict(lr=0.5, max_iter=3, history_size=4), "old_stps", True),
    (optim.BFGS, dict(max_iter=3), "inv_hessian", False),
    (optim.ConjugateGradient, dict(max_iter=3), "d", False),
    (optim.Newton, dict(max_iter=1), "prev_flat_grad", False),
])
def test_closure_optimisers_flat_state_is_checked_against_all_the_elements(cls, kw, key, sequence):
    params, opt = run(cls, kw, 2)  # a (2, 3) and a (3,) parameter: 9 elements
    saved = opt.state_dict()
    value = saved["state"][0][key]
    good = value[-1] if sequence else value
    assert good.shape in ((9,), (9, 9))
    bad = copy_of(saved)
    wrong = autograd.tensor(np.zeros(tuple(n - 1 for n in good.shape)))
    bad["state"][0][key] = [good, wrong] if sequence else wrong
    where = rf"state\[0\]\['{key}'\]" + (r"\[1\]" if sequence else "")
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.load_state_dict: {where} .*expected shape \(9"):
        cls(make_params(), **kw).load_state_dict(bad)
    integer = copy_of(saved)
    integer["state"][0][key] = autograd.tensor(np.zeros(good.shape, dtype=np.int64))
    if sequence:
        integer["state"][0][key] = [integer["state"][0][key]]
    with pytest.raises(ValueError, match=r"dtype int64"):
        cls(make_params(), **kw).load_state_dict(integer)
    counters = copy_of(saved)
    counters["state"][0]["n_iter"] = "2"
    with pytest.raises(ValueError, match=r"state\[0\]\['n_iter'\] .* is a str"):
        cls(make_params(), **kw).load_state_dict(counters)


def test_group_count_and_size_mismatches_use_torchs_words():
    _, opt = run(optim.Adam, {}, 1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups: 1 saved, 2"):
        optim.Adam([{"params": make_params()[:1]}, {"params": make_params()[1:]}]).load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match the size "
                                         "of optimizer's group: group 0 has 2 parameters in the state dict, 1 in"):
        optim.Adam(make_params()[:1]).load_state_dict(opt.state_dict())


def test_state_for_a_parameter_no_group_lists_is_rejected():
    _, opt = run(optim.Adam, {}, 1)
    saved = copy_of(opt.state_dict())
    saved["state"][5] = saved["state"].pop(1)
    with pytest.raises(ValueError, match=r"state for parameter 5, which none of its parameter groups lists"):
        optim.Adam(make_params()).load_state_dict(saved)


@pytest.mark.parametrize("cls, key, value", [(optim.Adam, "betas", [0.9]), (optim.QHAdam, "nus", (0.7, 1.0, 1.0)),
                                             (optim.Rprop, "step_sizes", 1e-6)])
def test_a_loaded_pair_option_of_the_wrong_length_is_rejected(cls, key, value):
    _, opt = run(cls, {}, 1)
    saved = copy_of(opt.state_dict())
    saved["param_groups"][0][key] = value
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.load_state_dict: group 0's {key} must be a tuple of 2"):
        cls(make_params()).load_state_dict(saved)
