"""Adam's foreach path (one flat update over a parameter group) against the per-parameter loop: identical numbers."""

import numpy as np
import pytest

import autograd
import nn
import optim

SHAPES = [(5, 4), (4,), (3, 2, 3), ()]


def _run(foreach, kw, steps=12, skip=None, opt_cls=optim.Adam):
    rng = np.random.default_rng(0)
    params = [autograd.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
    opt = opt_cls(params, foreach=foreach, **kw)
    for k in range(steps):
        for i, p in enumerate(params):
            p.grad = None if skip is not None and skip(k, i) else autograd.tensor(
                np.tanh(1.3 * p.array + 0.1 * k).astype(np.float32))
        opt.step()
    return params, opt


@pytest.mark.parametrize("kw", [dict(), dict(lr=0.01, betas=(0.8, 0.95), amsgrad=True, weight_decay=0.1),
                                dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)])
@pytest.mark.parametrize("opt_cls", [optim.Adam, optim.AdamW])
def test_foreach_is_bitwise_the_loop(kw, opt_cls):
    if opt_cls is optim.AdamW:
        kw = {k: v for k, v in kw.items() if k != "decoupled_weight_decay"}
    flat, flat_opt = _run(None, kw, opt_cls=opt_cls)
    loop, loop_opt = _run(False, kw, opt_cls=opt_cls)
    assert flat_opt._flat and not loop_opt._flat  # the two paths really ran
    for p, q in zip(flat, loop, strict=True):
        np.testing.assert_array_equal(p.array, q.array)
        for key, value in loop_opt.state[q].items():
            np.testing.assert_array_equal(flat_opt.state[p][key].array, value.array)


def test_parameters_without_a_gradient_fall_back_to_the_loop():
    skip = lambda k, i: i == 1 and k % 3 == 0  # noqa: E731  (parameter 1 misses every third step)
    flat, _ = _run(None, dict(lr=0.01), skip=skip)
    loop, _ = _run(False, dict(lr=0.01), skip=skip)
    for p, q in zip(flat, loop, strict=True):
        np.testing.assert_array_equal(p.array, q.array)


def test_step_counters_share_one_buffer_and_diverging_ones_fall_back_to_the_loop():
    flat, flat_opt = _run(None, dict(lr=0.01), steps=3)
    loop, loop_opt = _run(False, dict(lr=0.01), steps=3)
    counters = flat_opt._flat[0].buffers["step"]
    assert all(flat_opt.state[p]["step"].array.base is counters for p in flat)
    for params, opt in ((flat, flat_opt), (loop, loop_opt)):
        opt.state[params[0]]["step"].array[...] = 10  # one counter edited in place: one step size no longer fits all
        for k in range(3):
            for p in params:
                p.grad = autograd.tensor(np.tanh(p.array + 0.1 * k).astype(np.float32))
            opt.step()
    for p, q in zip(flat, loop, strict=True):
        np.testing.assert_array_equal(p.array, q.array)
        for key, value in loop_opt.state[q].items():
            np.testing.assert_array_equal(flat_opt.state[p][key].array, value.array)
    assert [flat_opt.state[p]["step"].item() for p in flat] == [13.0, 6.0, 6.0, 6.0]


def test_loaded_state_is_taken_into_the_flat_buffers():
    _, opt = _run(None, dict(lr=0.01), steps=5)
    saved = opt.state_dict()
    rng = np.random.default_rng(0)
    params = [autograd.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
    fresh = optim.Adam(params, lr=0.01)
    fresh.load_state_dict(saved)
    assert all(fresh.state[p]["exp_avg"].array.base is None for p in params)  # copies, not views, until a step
    for p in params:
        p.grad = autograd.tensor(np.ones(p.shape, dtype=np.float32))
    fresh.step()
    steps = {fresh.state[p]["step"].item() for p in params}
    assert steps == {6.0}
    flat = fresh._flat[0].buffers["exp_avg"]
    assert all(fresh.state[p]["exp_avg"].array.base is flat for p in params)
    # the values continued from the loaded ones: m = 0.9·m_loaded + 0.1·1
    for p, (_, st) in zip(params, sorted(saved["state"].items())):
        np.testing.assert_allclose(fresh.state[p]["exp_avg"].array, 0.9 * st["exp_avg"].array + 0.1, rtol=1e-6)


def test_foreach_trains_a_model_like_the_loop():
    def train(foreach):
        autograd.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = optim.Adam(model.parameters(), lr=0.05, foreach=foreach)
        x = autograd.randn(16, 2)
        for _ in range(20):
            opt.zero_grad()
            loss = ((model(x) - x.sum(1, keepdim=True)) ** 2).mean()
            loss.backward()
            opt.step()
        return loss.item()

    assert train(None) == train(False)


def test_a_state_tensor_of_the_same_size_but_another_shape_is_refused():
    """Laid end to end, a (20,) buffer for a (5, 4) parameter would fit the flat update; it is refused, as
    load_state_dict refuses it."""
    params, opt = _run(True, dict(lr=0.01), steps=2)
    opt.state[params[0]]["exp_avg"] = autograd.tensor(opt.state[params[0]]["exp_avg"].array.reshape(-1).copy())
    for p in params:
        p.grad = autograd.tensor(np.ones(p.shape, dtype=np.float32))
    with pytest.raises(ValueError, match=r"state\['exp_avg'\] of the group's parameter 0 .* has shape \(20,\), but "
                                         r"it must be \(5, 4\)"):
        opt.step()
    saved = opt.state_dict()
    fresh = [autograd.tensor(p.array.copy(), requires_grad=True) for p in params]
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] of parameter 0 \(group 0, position 0\) has shape "
                                         r"\(20,\) and dtype float32, expected shape \(5, 4\)"):
        optim.Adam(fresh, foreach=True).load_state_dict(saved)
