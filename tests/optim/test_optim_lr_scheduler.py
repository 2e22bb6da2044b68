"""Learning-rate schedulers: each sequence against its closed form, chaining, resuming, plateaus."""

import math
import warnings

import numpy as np
import pytest

import autograd
import optim
from optim import lr_scheduler as S

BASE = 0.1


def make_opt(cls=optim.SGD, groups=1, **kw):
    params = [autograd.tensor([1.0], requires_grad=True) for _ in range(groups)]
    lrs = [BASE * (i + 1) for i in range(groups)]
    return cls([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=BASE, **kw)


def sequence(opt, sched, n, metric=None):
    """The lr of group 0 at epochs 0..n−1 (optimizer.step() then scheduler.step(), as torch asks)."""
    out = [sched.get_last_lr()[0]]
    assert out[0] == opt.param_groups[0]["lr"]
    for epoch in range(1, n):
        opt.step()
        sched.step() if metric is None else sched.step(metric(epoch))
        out.append(opt.param_groups[0]["lr"])
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    return np.array(out)


def closed(fn, n):
    return np.array([fn(e) for e in range(n)])


def test_lambda_lr_per_group():
    opt = make_opt(groups=2)
    sched = S.LambdaLR(opt, [lambda e: 0.9**e, lambda e: 1 / (1 + e)])
    seq = sequence(opt, sched, 6)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * 0.9**e, 6), rtol=1e-12)
    assert opt.param_groups[1]["lr"] == pytest.approx(2 * BASE / 6)
    assert sched.last_epoch == 5 and sched.base_lrs == [BASE, 2 * BASE]


def test_multiplicative_lr():
    opt = make_opt()
    seq = sequence(opt, S.MultiplicativeLR(opt, lambda e: 1 - 0.1 * e), 5)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * math.prod(1 - 0.1 * i for i in range(1, e + 1)), 5))


def test_step_lr():
    opt = make_opt()
    seq = sequence(opt, S.StepLR(opt, step_size=3, gamma=0.5), 10)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * 0.5 ** (e // 3), 10), rtol=1e-12)


def test_multistep_lr_with_a_repeated_milestone():
    opt = make_opt()
    seq = sequence(opt, S.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.1), 8)
    np.testing.assert_allclose(seq, [BASE, BASE] + [BASE * 0.1] * 3 + [BASE * 1e-3] * 3, rtol=1e-12)


def test_constant_lr():
    opt = make_opt()
    seq = sequence(opt, S.ConstantLR(opt, factor=0.25, total_iters=3), 6)
    np.testing.assert_allclose(seq, [BASE * 0.25] * 3 + [BASE] * 3, rtol=1e-12)


def test_linear_lr():
    opt = make_opt()
    seq = sequence(opt, S.LinearLR(opt, start_factor=0.2, end_factor=0.9, total_iters=4), 8)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * (0.2 + 0.7 * min(e, 4) / 4), 8), rtol=1e-12)


def test_exponential_lr():
    opt = make_opt()
    seq = sequence(opt, S.ExponentialLR(opt, gamma=0.7), 8)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * 0.7**e, 8), rtol=1e-12)


def test_polynomial_lr():
    opt = make_opt()
    seq = sequence(opt, S.PolynomialLR(opt, total_iters=5, power=2.0), 8)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * (1 - min(e, 5) / 5) ** 2, 8), atol=1e-15)


def test_cosine_annealing_follows_the_cosine_past_t_max():
    opt = make_opt()
    eta_min, t_max = 0.01, 5
    seq = sequence(opt, S.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), 3 * t_max + 1)
    expected = closed(lambda e: eta_min + (BASE - eta_min) * (1 + math.cos(math.pi * e / t_max)) / 2, 3 * t_max + 1)
    np.testing.assert_allclose(seq, expected, rtol=1e-10)


def test_cosine_annealing_warm_restarts():
    opt = make_opt()
    seq = sequence(opt, S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.0), 21)
    t_cur = list(range(3)) + list(range(6)) + list(range(12))
    t_i = [3] * 3 + [6] * 6 + [12] * 12
    expected = [BASE * (1 + math.cos(math.pi * c / i)) / 2 for c, i in zip(t_cur, t_i, strict=True)]
    np.testing.assert_allclose(seq, expected, rtol=1e-12, atol=1e-15)


def test_cosine_annealing_warm_restarts_fractional_epochs():
    opt = make_opt()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [0.5, 1.25, 5.0]:
            opt.step()
            sched.step(epoch)
            t = epoch % 4
            assert opt.param_groups[0]["lr"] == pytest.approx(BASE * (1 + math.cos(math.pi * t / 4)) / 2)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_and_its_inverse_momentum(mode):
    opt = make_opt(momentum=0.9)
    base, peak, up, down, gamma = 0.01, 0.1, 2, 4, 0.9
    sched = S.CyclicLR(opt, base, peak, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
    momenta = [opt.param_groups[0]["momentum"]]
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(17):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])

    def height(e):
        x = e % (up + down)
        return x / up if x <= up else 1 - (x - up) / down

    scale = {
        "triangular": lambda e: 1.0,
        "triangular2": lambda e: 0.5 ** (e // (up + down)),
        "exp_range": lambda e: gamma**e,
    }[mode]
    expected = closed(lambda e: base + (peak - base) * height(e) * scale(e), 18)
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    np.testing.assert_allclose(momenta, closed(lambda e: 0.9 - 0.1 * height(e) * scale(e), 18), rtol=1e-12)


def test_cyclic_lr_cycles_adams_beta1():
    opt = make_opt(optim.Adam)
    S.CyclicLR(opt, 0.01, 0.1, step_size_up=2, base_momentum=0.8, max_momentum=0.95)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    with pytest.raises(ValueError, match="momentum"):
        S.CyclicLR(make_opt(optim.Adagrad), 0.01, 0.1)


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_one_cycle_lr(three_phase, anneal):
    opt = make_opt(momentum=0.9)
    total, peak, div, final_div, pct = 20, 1.0, 25.0, 1e4, 0.3
    sched = S.OneCycleLR(
        opt, max_lr=peak, total_steps=total, pct_start=pct, anneal_strategy=anneal, three_phase=three_phase
    )
    seq = sequence(opt, sched, total)
    initial, minimum = peak / div, peak / div / final_div

    def interp(a, b, frac):
        return b + (a - b) / 2 * (1 + math.cos(math.pi * frac)) if anneal == "cos" else a + (b - a) * frac

    warm = pct * total - 1
    if three_phase:
        phases = [
            (0, warm, initial, peak),
            (warm, 2 * pct * total - 2, peak, initial),
            (2 * pct * total - 2, total - 1, initial, minimum),
        ]
    else:
        phases = [(0, warm, initial, peak), (warm, total - 1, peak, minimum)]

    def expected(e):
        for start, end, a, b in phases:
            if e <= end:
                return interp(a, b, (e - start) / (end - start))
        return minimum

    np.testing.assert_allclose(seq, closed(expected, total), rtol=1e-10)
    assert seq[0] == pytest.approx(initial) and seq[-1] == pytest.approx(minimum)
    with pytest.raises(ValueError, match="Tried to step"):
        for _ in range(2):
            opt.step()
            sched.step()


def test_reduce_lr_on_plateau():
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    seen = []
    for m in metrics:
        opt.step()
        sched.step(m)
        seen.append(sched.get_last_lr()[0])
    # the 3rd bad epoch in a row (> patience 2) halves the lr, the next epoch is cooldown; the second cut
    # lands at epoch 8, the third (epoch 12, after 0.8 improved at 9) is clipped at min_lr
    expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02]
    np.testing.assert_allclose(seen, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "mode, threshold_mode, best, better, worse",
    [
        ("min", "rel", 1.0, 0.99, 0.9999),
        ("min", "abs", 1.0, 0.99, 0.9999),
        ("max", "rel", 1.0, 1.01, 1.00001),
        ("max", "abs", 1.0, 1.01, 1.00001),
    ],
)
def test_reduce_lr_on_plateau_thresholds(mode, threshold_mode, best, better, worse):
    sched = S.ReduceLROnPlateau(make_opt(), mode=mode, threshold=1e-3, threshold_mode=threshold_mode)
    assert sched._is_better(better, best) and not sched._is_better(worse, best)


def test_sequential_lr_warmup_then_decay():
    opt = make_opt()
    warmup = S.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=4)
    decay = S.ExponentialLR(opt, gamma=0.8)
    seq = sequence(opt, S.SequentialLR(opt, [warmup, decay], milestones=[4]), 10)
    expected = closed(lambda e: BASE * (0.1 + 0.9 * e / 4) if e < 4 else BASE * 0.8 ** (e - 4), 10)
    np.testing.assert_allclose(seq, expected, rtol=1e-12)


def test_chained_scheduler_multiplies_the_factors():
    opt = make_opt()
    chained = S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=3), S.ExponentialLR(opt, gamma=0.9)])
    seq = sequence(opt, chained, 8)
    np.testing.assert_allclose(seq, closed(lambda e: BASE * (0.5 if e < 3 else 1.0) * 0.9**e, 8), rtol=1e-12)


def test_two_schedulers_stepped_by_hand_chain_too():
    opt = make_opt()
    a, b = S.StepLR(opt, step_size=2, gamma=0.5), S.ExponentialLR(opt, gamma=0.9)
    out = [opt.param_groups[0]["lr"]]
    for _ in range(6):
        opt.step()
        a.step()
        b.step()
        out.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(out, closed(lambda e: BASE * 0.5 ** (e // 2) * 0.9**e, 7), rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda o: S.StepLR(o, step_size=2, gamma=0.5),
        lambda o: S.MultiStepLR(o, milestones=[1, 4], gamma=0.3),
        lambda o: S.ExponentialLR(o, gamma=0.9),
        lambda o: S.LinearLR(o, start_factor=0.5, total_iters=3),
        lambda o: S.PolynomialLR(o, total_iters=6, power=1.5),
        lambda o: S.CosineAnnealingLR(o, T_max=4, eta_min=0.001),
        lambda o: S.ConstantLR(o, factor=0.5, total_iters=2),
    ],
)
def test_step_with_epoch_uses_the_closed_form(make):
    recursive_opt = make_opt()
    recursive = sequence(recursive_opt, make(recursive_opt), 8)
    opt = make_opt()
    sched = make(opt)
    for epoch in [5, 2, 7]:
        opt.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(epoch)
        assert opt.param_groups[0]["lr"] == pytest.approx(recursive[epoch])


def test_resume_through_state_dict_continues_the_schedule():
    opt = make_opt()
    full = sequence(opt, S.CosineAnnealingLR(opt, T_max=10), 9)

    opt2 = make_opt()
    sched = S.CosineAnnealingLR(opt2, T_max=10)
    for _ in range(4):
        opt2.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 4

    # torch's semantics for last_epoch: the constructor's initial step moves to epoch 5, keeping the lr
    resumed = S.CosineAnnealingLR(opt2, T_max=10, last_epoch=4)
    assert resumed.last_epoch == 5 and opt2.param_groups[0]["lr"] == pytest.approx(full[4])
    resumed.load_state_dict(state)  # back to epoch 4: the schedule continues exactly
    for epoch in range(5, 9):
        opt2.step()
        resumed.step()
        assert opt2.param_groups[0]["lr"] == pytest.approx(full[epoch], rel=1e-12)
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make_opt(), step_size=2, last_epoch=3)


def test_scheduler_state_dict_round_trip():
    opt = make_opt()
    sched = S.StepLR(opt, step_size=3, gamma=0.5)
    for _ in range(4):
        opt.step()
        sched.step()
    other = S.StepLR(make_opt(), step_size=99, gamma=0.99)
    other.load_state_dict(sched.state_dict())
    assert (other.step_size, other.gamma, other.last_epoch) == (3, 0.5, 4)
    assert other.get_last_lr() == sched.get_last_lr()


def test_warns_when_the_scheduler_steps_before_the_optimizer():
    opt = make_opt()
    sched = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = make_opt()
    sched2 = S.StepLR(opt2, step_size=1)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_get_lr_outside_step_warns():
    sched = S.StepLR(make_opt(), step_size=1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_invalid_arguments():
    opt = make_opt()
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.StepLR(object(), step_size=1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        S.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="start_factor"):
        S.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Factor|factor"):
        S.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="total_steps"):
        S.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.SequentialLR(opt, [S.ReduceLROnPlateau(opt)], milestones=[])
    with pytest.raises(ValueError, match="milestone"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        S.ChainedScheduler([S.StepLR(opt, 2), S.StepLR(make_opt(), 3)])
