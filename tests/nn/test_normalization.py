"""BatchNorm1d/2d and LayerNorm: lecture 004's Algorithm 1 in numpy, running statistics, gradchecks, torch parity."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def algorithm_1(x, gamma, beta, eps):
    """Ioffe & Szegedy's Batch Normalizing Transform, per channel over the mini-batch (and spatial positions)."""
    dims = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(dims, keepdims=True)                          # mini-batch mean
    var = ((x - mu) ** 2).mean(dims, keepdims=True)           # mini-batch variance
    x_hat = (x - mu) / np.sqrt(var + eps)                     # normalise
    return gamma.reshape(shape) * x_hat + beta.reshape(shape)  # scale and shift


def test_batchnorm2d_training_is_algorithm_1_and_updates_running_stats():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3).double()
    bn.weight.array[:] = rng.standard_normal(3)
    bn.bias.array[:] = rng.standard_normal(3)
    x = rng.standard_normal((4, 3, 2, 5)) * 3 + 1
    y = bn(Tensor(x))
    np.testing.assert_allclose(y.array, algorithm_1(x, bn.weight.array, bn.bias.array, 1e-5), rtol=1e-12, atol=1e-12)
    n = 4 * 2 * 5
    np.testing.assert_allclose(bn.running_mean.array, 0.1 * x.mean((0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.array, 0.9 + 0.1 * x.var((0, 2, 3)) * n / (n - 1), rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == np.int64
    bn.eval()
    y = bn(Tensor(x))
    rm, rv = bn.running_mean.array.reshape(1, 3, 1, 1), bn.running_var.array.reshape(1, 3, 1, 1)
    expected = (x - rm) / np.sqrt(rv + 1e-5) * bn.weight.array.reshape(1, 3, 1, 1) + bn.bias.array.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(y.array, expected, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1


def test_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [np.random.default_rng(i).standard_normal((5, 2)) + i for i in range(3)]
    for b in batches:
        bn(Tensor(b))
    np.testing.assert_allclose(bn.running_mean.array, np.mean([b.mean(0) for b in batches], 0), rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3


def test_state_dict_keys_and_options():
    assert list(nn.BatchNorm2d(4).state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                                    "num_batches_tracked"]
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.weight is None
    bn.eval()
    y = bn(autograd.randn(6, 3, 4))  # no running stats: batch statistics even in eval
    np.testing.assert_allclose(y.array.mean((0, 2)), 0, atol=1e-5)
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(autograd.randn(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(autograd.randn(1, 3))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 4), (2, 2, 3, 2)])
def test_batch_norm_gradcheck_and_gradgradcheck(training, shape):
    rng = np.random.default_rng(len(shape))
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    w = Tensor(rng.standard_normal(shape[1]), requires_grad=True)
    b = Tensor(rng.standard_normal(shape[1]), requires_grad=True)
    rm, rv = Tensor(rng.standard_normal(shape[1])), Tensor(rng.uniform(0.5, 2, shape[1]))

    def f(x, w, b):
        return F.batch_norm(x, None if training else rm, None if training else rv, w, b, training)

    assert autograd.gradcheck(f, (x, w, b))
    assert autograd.gradgradcheck(f, (x, w, b))


def test_layer_norm_gradcheck_and_module():
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 4)), requires_grad=True)

    def f(x, w, b):
        return F.layer_norm(x, (3, 4), w, b)

    assert autograd.gradcheck(f, (x, w, b))
    assert autograd.gradgradcheck(f, (x, w, b))
    ln = nn.LayerNorm(4, bias=False)
    assert list(ln.state_dict()) == ["weight"]
    y = ln(autograd.randn(5, 4))
    np.testing.assert_allclose(y.array.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(y.array.var(-1), 1, atol=1e-3)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 3, 5, 2))
    ours, theirs = nn.BatchNorm2d(3).double(), torch.nn.BatchNorm2d(3).double()
    for step in range(2):
        a, ta = Tensor(x + step, requires_grad=True), torch.tensor(x + step, requires_grad=True)
        y, ty = ours(a), theirs(ta)
        gy = rng.standard_normal(x.shape)
        y.backward(Tensor(gy))
        ty.backward(torch.tensor(gy))
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-10)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].array, v.numpy(), rtol=1e-10)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(Tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    xl = rng.standard_normal((3, 4, 5))
    np.testing.assert_allclose(F.layer_norm(Tensor(xl), (4, 5)).array,
                               torch.nn.functional.layer_norm(torch.tensor(xl), (4, 5)).numpy(), rtol=1e-10,
                               atol=1e-12)
