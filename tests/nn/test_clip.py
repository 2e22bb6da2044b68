"""nn.utils: gradient clipping by norm and by value, and parameters ↔ vector."""

import numpy as np
import pytest

import autograd
import nn
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters


def params_with_grads(*grads):
    ps = []
    for g in grads:
        p = nn.Parameter(autograd.zeros(len(g), dtype=autograd.float64))
        p.grad = autograd.tensor(g, dtype=autograd.float64)
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_total():
    ps = params_with_grads([3.0, 0.0], [0.0, 4.0])
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert isinstance(total, autograd.Tensor) and total.item() == pytest.approx(5.0)
    scale = 1.0 / (5.0 + 1e-6)  # torch's factor
    np.testing.assert_allclose(ps[0].grad.array, [3 * scale, 0])
    np.testing.assert_allclose(ps[1].grad.array, [0, 4 * scale])


def test_clip_grad_norm_leaves_small_gradients_and_skips_missing():
    ps = params_with_grads([0.3, 0.4])
    ps.append(nn.Parameter(autograd.zeros(2)))  # no grad: ignored
    assert clip_grad_norm_(ps, 10.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(ps[0].grad.array, [0.3, 0.4])
    assert clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_norm_other_norms_and_single_tensor():
    (p,) = params_with_grads([-3.0, 1.0, 2.0])
    assert clip_grad_norm_(p, 100.0, norm_type=float("inf")).item() == 3.0
    assert clip_grad_norm_(p, 100.0, norm_type=1).item() == pytest.approx(6.0)


def test_clip_grad_norm_nonfinite():
    ps = params_with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert not np.isfinite(clip_grad_norm_(ps, 1.0).item())


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    gs = [rng.standard_normal(s) for s in [(3, 2), (5,)]]
    ps = params_with_grads(*[g.reshape(-1) for g in gs])
    tps = [torch.zeros(g.size, dtype=torch.float64, requires_grad=True) for g in gs]
    for tp, g in zip(tps, gs):
        tp.grad = torch.tensor(g.reshape(-1))
    for norm_type in (2.0, 1.0, float("inf")):
        ours = clip_grad_norm_(ps, 0.5, norm_type)
        theirs = torch.nn.utils.clip_grad_norm_(tps, 0.5, norm_type)
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_value():
    ps = params_with_grads([-5.0, 0.5, 2.0])
    clip_grad_value_(ps, 1.0)
    np.testing.assert_allclose(ps[0].grad.array, [-1.0, 0.5, 1.0])


def test_parameters_to_vector_and_back():
    lin = nn.Linear(3, 2)
    vec = parameters_to_vector(lin.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(vec.array[:6], lin.weight.array.reshape(-1))
    vec.sum().backward()  # differentiable: the gradient reaches the parameters
    assert np.all(lin.weight.grad.array == 1)
    new = autograd.arange(8, dtype=autograd.float32)
    vector_to_parameters(new, lin.parameters())
    np.testing.assert_array_equal(lin.weight.array, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(lin.bias.array, [6, 7])
    with pytest.raises(RuntimeError, match="expected shape \\(8,\\)"):
        vector_to_parameters(autograd.zeros(7), lin.parameters())
    with pytest.raises(TypeError, match="expected Tensor"):
        vector_to_parameters(np.zeros(8), lin.parameters())


def test_clip_signatures_match_torch_and_foreach_changes_nothing():
    """``foreach`` is torch's choice of kernels (same numbers); accepted here for torch code, with no effect."""
    torch = pytest.importorskip("torch")
    import inspect

    for ours, theirs in ((clip_grad_norm_, torch.nn.utils.clip_grad_norm_),
                         (clip_grad_value_, torch.nn.utils.clip_grad_value_)):
        mine, torchs = inspect.signature(ours).parameters, inspect.signature(theirs).parameters
        assert list(mine) == list(torchs)
        assert [p.default for p in mine.values()] == [p.default for p in torchs.values()]
    results = []
    for foreach in (None, True, False):
        ps = params_with_grads([3.0, 0.0], [0.0, 4.0])
        total = clip_grad_norm_(ps, 1.0, foreach=foreach)
        clip_grad_value_(ps, 0.5, foreach=foreach)
        results.append((total.item(), [p.grad.array.tolist() for p in ps]))
    assert results[0] == results[1] == results[2]
