"""Step-for-step comparison with torch.optim and torch.optim.lr_scheduler (skipped when torch is absent).

Both sides get the same gradients (computed in numpy from the current parameters), so only the update rules
are compared. float32 results agree to rounding: torch's CPU kernels use fused multiply-adds where numpy
rounds twice, so the last bit can differ.
"""

import math

import numpy as np
import pytest

import autograd
import optim
from optim import lr_scheduler as S

torch = pytest.importorskip("torch")

SHAPES = [(5, 4), (4,), (3, 2, 3), ()]
RNG = np.random.default_rng(0)
OFFSETS = [RNG.standard_normal(s).astype(np.float32) for s in SHAPES]

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.95), amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, eps=1e-3)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True)),
    ("ASGD", dict(lr=0.01, t0=5, weight_decay=0.1)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05), maximize=True)),
    ("Adafactor", dict(lr=0.01)),
    ("Adafactor", dict(lr=0.01, weight_decay=0.1, d=1.5, beta2_decay=-0.5, eps=(1e-20, 1e-2))),
]


def pseudo_grad(x, offset, k):
    return np.asarray(np.tanh(1.3 * x + 0.1 * k) + 0.05 * offset, dtype=np.float32)


@pytest.mark.parametrize("name, kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_first_order_step_for_step(name, kw):
    init = [np.random.default_rng(1).standard_normal(s).astype(np.float32) for s in SHAPES]
    ours = [autograd.tensor(x.copy(), requires_grad=True) for x in init]
    theirs = [torch.tensor(x.copy(), requires_grad=True) for x in init]
    our_opt, their_opt = getattr(optim, name)(ours, **kw), getattr(torch.optim, name)(theirs, **kw)
    for k in range(25):
        for p, t, off in zip(ours, theirs, OFFSETS, strict=True):
            p.grad = autograd.tensor(pseudo_grad(p.array, off, k))
            t.grad = torch.from_numpy(pseudo_grad(t.detach().numpy(), off, k))
        our_opt.step()
        their_opt.step()
        for p, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.array, t.detach().numpy(), rtol=1e-5, atol=1e-6)

    for p, t in zip(ours, theirs, strict=True):
        assert p.dtype == np.float32
        mine, torchs = our_opt.state[p], their_opt.state[t]
        assert set(mine) == set(torchs)  # the same state, under the same names
        for key, value in torchs.items():
            np.testing.assert_allclose(mine[key].array, value.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)


@pytest.mark.parametrize(
    "name",
    [
        "SGD",
        "Adam",
        "AdamW",
        "Adagrad",
        "Adadelta",
        "RMSprop",
        "Adamax",
        "NAdam",
        "RAdam",
        "ASGD",
        "Rprop",
        "Adafactor",
        "LBFGS",
    ],
)
def test_defaults_match_torch(name):
    ours = getattr(optim, name)([autograd.tensor([1.0], requires_grad=True)]).param_groups[0]
    theirs = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)]).param_groups[0]
    shared = set(ours) & set(theirs) - {"params"}
    assert set(ours) - {"params"} <= set(theirs)  # every option we have, torch has (not the reverse: foreach...)
    assert {k: ours[k] for k in shared} == {k: theirs[k] for k in shared}


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch_in_float64(line_search_fn):
    lr = 1 if line_search_fn else 0.002
    kw = dict(lr=lr, max_iter=10, history_size=5, line_search_fn=line_search_fn)
    ours = autograd.tensor(np.array([-1.5, 2.0]), requires_grad=True)
    theirs = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    our_opt, their_opt = optim.LBFGS([ours], **kw), torch.optim.LBFGS([theirs], **kw)

    def closure(opt, x):
        def run():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss

        return run

    for _ in range(4):
        our_loss = our_opt.step(closure(our_opt, ours))
        their_loss = their_opt.step(closure(their_opt, theirs))
        # the same iterations and evaluations; rounding differences (1e-14 at first) grow along the valley
        assert our_loss.item() == pytest.approx(their_loss.item(), rel=1e-7)
        np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-7)
        assert our_opt.state[ours]["func_evals"] == their_opt.state[theirs]["func_evals"]
        assert our_opt.state[ours]["n_iter"] == their_opt.state[theirs]["n_iter"]


def test_loads_a_torch_state_dict():
    """A torch Adam checkpoint (tensors converted to arrays) resumes here on the same trajectory."""
    init = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    theirs = torch.tensor(init.copy(), requires_grad=True)
    their_opt = torch.optim.Adam([theirs], lr=0.05, amsgrad=True)
    offset = np.zeros(3, dtype=np.float32)
    for k in range(3):
        theirs.grad = torch.from_numpy(pseudo_grad(theirs.detach().numpy(), offset, k))
        their_opt.step()
    saved = their_opt.state_dict()
    saved = {
        "state": {i: {k: autograd.tensor(v.numpy()) for k, v in s.items()} for i, s in saved["state"].items()},
        "param_groups": saved["param_groups"],
    }
    ours = autograd.tensor(theirs.detach().numpy().copy(), requires_grad=True)
    our_opt = optim.Adam([ours], lr=0.05, amsgrad=True)
    our_opt.load_state_dict(saved)
    for k in range(3, 8):
        g = pseudo_grad(ours.array, offset, k)
        ours.grad, theirs.grad = autograd.tensor(g), torch.from_numpy(g.copy())
        our_opt.step()
        their_opt.step()
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-6)


def from_torch(value):
    """A torch state entry as a state dict for us holds it: tensors as our tensors, lists element by element."""
    if isinstance(value, torch.Tensor):
        return autograd.tensor(value.detach().numpy().copy())
    if isinstance(value, list):
        return [from_torch(v) for v in value]
    return value


def torch_state_dict(opt):
    saved = opt.state_dict()
    return {"state": {i: {k: from_torch(v) for k, v in s.items()} for i, s in saved["state"].items()},
            "param_groups": saved["param_groups"]}


@pytest.mark.parametrize("name, kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_every_torch_state_dict_passes_the_checks_and_resumes(name, kw):
    """load_state_dict checks each state entry's shape, dtype and type: a torch checkpoint of every first-order
    optimiser passes them, and the run goes on as torch's does."""
    init = [np.random.default_rng(1).standard_normal(s).astype(np.float32) for s in SHAPES]
    theirs = [torch.tensor(x.copy(), requires_grad=True) for x in init]
    their_opt = getattr(torch.optim, name)(theirs, **kw)
    for k in range(4):
        for t, off in zip(theirs, OFFSETS, strict=True):
            t.grad = torch.from_numpy(pseudo_grad(t.detach().numpy(), off, k))
        their_opt.step()
    ours = [autograd.tensor(t.detach().numpy().copy(), requires_grad=True) for t in theirs]
    our_opt = getattr(optim, name)(ours, **kw)
    our_opt.load_state_dict(torch_state_dict(their_opt))
    for k in range(4, 10):
        for p, t, off in zip(ours, theirs, OFFSETS, strict=True):
            g = pseudo_grad(p.array, off, k)
            p.grad, t.grad = autograd.tensor(g), torch.from_numpy(g.copy())
        our_opt.step()
        their_opt.step()
    for p, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.array, t.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_a_torch_lbfgs_state_dict_passes_the_checks_and_resumes(line_search_fn):
    """torch's LBFGS keeps 0-d tensors (ro, al, H_diag) and n-vectors (d, old_dirs...): all accepted."""
    kw = dict(lr=1 if line_search_fn else 0.002, max_iter=5, history_size=5, line_search_fn=line_search_fn)
    theirs = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    their_opt = torch.optim.LBFGS([theirs], **kw)

    def closure(opt, x):
        def run():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss

        return run

    for _ in range(2):
        their_opt.step(closure(their_opt, theirs))
    ours = autograd.tensor(theirs.detach().numpy().copy(), requires_grad=True)
    our_opt = optim.LBFGS([ours], **kw)
    saved = torch_state_dict(their_opt)
    assert isinstance(saved["state"][0]["ro"][0], autograd.Tensor) and saved["state"][0]["d"].shape == (2,)
    our_opt.load_state_dict(saved)
    for _ in range(2):
        our_opt.step(closure(our_opt, ours))
        their_opt.step(closure(their_opt, theirs))
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-7)


@pytest.mark.parametrize("name, key", [("Adam", "betas"), ("AdamW", "betas"), ("Adamax", "betas"), ("NAdam", "betas"),
                                       ("RAdam", "betas"), ("Rprop", "etas"), ("Adafactor", "eps")])
def test_a_short_pair_raises_what_torch_raises_too(name, key):
    value = (0.9,) if key != "etas" else (0.5,)
    with pytest.raises(IndexError):
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **{key: value})
    with pytest.raises(IndexError, match=f"{name}: {key} must be a tuple of 2 values") as err:
        getattr(optim, name)([autograd.tensor([1.0], requires_grad=True)], **{key: value})
    assert isinstance(err.value, ValueError)


SCHEDULERS = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95**e + 0.01 * e)),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9 if e % 3 else 1.05)),
    ("StepLR", dict(step_size=4, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 12], gamma=0.5)),
    ("ConstantLR", dict(factor=0.3, total_iters=6)),
    ("LinearLR", dict(start_factor=0.05, end_factor=0.8, total_iters=9)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("PolynomialLR", dict(total_iters=12, power=0.7)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.003)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=0.001)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=3, step_size_down=5, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=4, mode="exp_range", gamma=0.97)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=30, pct_start=0.25)),
    ("OneCycleLR", dict(max_lr=0.5, epochs=3, steps_per_epoch=10, anneal_strategy="linear", three_phase=True)),
]


def _schedule(module, optim_module, name, kw, n, tensor):
    param = tensor([1.0])
    opt = optim_module.SGD([{"params": [param]}, {"params": [tensor([2.0])], "lr": 0.3}], lr=0.1, momentum=0.9)
    sched = getattr(module, name)(opt, **kw)
    lrs, momenta = [], []
    for _ in range(n):
        lrs.append(list(sched.get_last_lr()))
        momenta.append([g["momentum"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return np.array(lrs), np.array(momenta)


@pytest.mark.parametrize("name, kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_scheduler_sequences_match_torch(name, kw):
    n = 30
    ours = _schedule(S, optim, name, kw, n, lambda v: autograd.tensor(v, requires_grad=True))
    theirs = _schedule(
        torch.optim.lr_scheduler, torch.optim, name, kw, n, lambda v: torch.tensor(v, requires_grad=True)
    )
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)


def test_composite_schedulers_match_torch():
    def build(module, optim_module, tensor):
        opt = optim_module.SGD([tensor([1.0])], lr=0.2)
        seq = module.SequentialLR(
            opt,
            [module.LinearLR(opt, start_factor=0.1, total_iters=4), module.CosineAnnealingLR(opt, T_max=10)],
            milestones=[5],
        )
        lrs = []
        for _ in range(20):
            lrs.append(seq.get_last_lr()[0])
            opt.step()
            seq.step()
        opt2 = optim_module.SGD([tensor([1.0])], lr=0.2)
        chained = module.ChainedScheduler(
            [module.ConstantLR(opt2, factor=0.5, total_iters=3), module.ExponentialLR(opt2, gamma=0.9)]
        )
        plateau_opt = optim_module.SGD([tensor([1.0])], lr=0.2)
        plateau = module.ReduceLROnPlateau(plateau_opt, patience=1, factor=0.5, cooldown=1, threshold_mode="abs")
        for k in range(20):
            opt2.step()
            chained.step()
            lrs.append(chained.get_last_lr()[0])
            plateau_opt.step()
            plateau.step(1.0 / (1 + k % 5))
            lrs.append(plateau.get_last_lr()[0])
        return np.array(lrs)

    ours = build(S, optim, lambda v: autograd.tensor(v, requires_grad=True))
    theirs = build(torch.optim.lr_scheduler, torch.optim, lambda v: torch.tensor(v, requires_grad=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert not math.isnan(ours.sum())
