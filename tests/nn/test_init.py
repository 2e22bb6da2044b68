"""nn.init: torch's fan and gain rules, the statistics of each initialiser, in-place filling and seeding."""

import math

import numpy as np
import pytest

import autograd
import nn
from nn import init


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(autograd.empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(autograd.empty(8, 4, 3, 3)) == (36, 72)  # conv: × receptive field
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(autograd.empty(4))


def test_in_place_and_returns_tensor():
    w = nn.Parameter(autograd.empty(3, 4))
    array, version = w.array, w._version
    assert init.constant_(w, 0.5) is w and np.shares_memory(w.array, array) and np.all(array == 0.5)
    assert w._version == version + 1 and w.dtype == np.float32  # one in-place write, one bump (torch)
    assert np.all(init.zeros_(w).array == 0) and np.all(init.ones_(w).array == 1)
    assert np.array_equal(init.eye_(w).array, np.eye(3, 4))


def test_seeded_reproducibility():
    autograd.manual_seed(3)
    a = init.normal_(autograd.empty(10)).array.copy()
    autograd.manual_seed(3)
    assert np.array_equal(a, init.normal_(autograd.empty(10)).array)
    g = autograd.Generator(5)
    b = init.uniform_(autograd.empty(4), generator=g).array.copy()
    assert np.array_equal(b, init.uniform_(autograd.empty(4), generator=autograd.Generator(5)).array)


def test_uniform_and_normal_statistics():
    autograd.manual_seed(0)
    u = init.uniform_(autograd.empty(200, 200, dtype=autograd.float64), -2, 3).array
    assert u.min() >= -2 and u.max() <= 3 and abs(u.mean() - 0.5) < 0.02
    n = init.normal_(autograd.empty(200, 200, dtype=autograd.float64), 1.0, 2.0).array
    assert abs(n.mean() - 1) < 0.03 and abs(n.std() - 2) < 0.03


def test_kaiming_and_xavier_bounds_and_stds():
    autograd.manual_seed(0)
    w = autograd.empty(300, 200, dtype=autograd.float64)
    init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    assert np.abs(w.array).max() <= bound and np.abs(w.array).max() > 0.99 * bound
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert np.abs(w.array).max() <= math.sqrt(6 / 300)
    init.kaiming_normal_(w, nonlinearity="relu")
    assert w.array.std() == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w.array).max() <= 2 * math.sqrt(6 / 500)
    init.xavier_normal_(w)
    assert w.array.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(w, mode="fan_avg")


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (6, 2, 3)])
def test_orthogonal(shape):
    w = init.orthogonal_(autograd.empty(*shape, dtype=autograd.float64), gain=2.0)
    q = w.array.reshape(shape[0], -1)
    if q.shape[0] <= q.shape[1]:
        np.testing.assert_allclose(q @ q.T, 4 * np.eye(q.shape[0]), atol=1e-12)  # orthonormal rows, × gain²
    else:
        np.testing.assert_allclose(q.T @ q, 4 * np.eye(q.shape[1]), atol=1e-12)  # QᵀQ = I (× gain²)


def test_trunc_normal_stays_in_bounds():
    autograd.manual_seed(0)
    w = init.trunc_normal_(autograd.empty(100, 100, dtype=autograd.float64), mean=0.5, std=1.0, a=0.0, b=1.0).array
    assert w.min() >= 0 and w.max() <= 1 and abs(w.mean() - 0.5) < 0.01
    w = init.trunc_normal_(autograd.empty(100, 100, dtype=autograd.float64), std=0.02).array
    assert w.std() == pytest.approx(0.02, rel=0.03)  # bounds at ±2 (absolute) are 100 stds away: barely truncated


def test_same_statistics_as_torch_kaiming_bound():
    torch = pytest.importorskip("torch")
    t = torch.empty(64, 32)
    torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))
    ours = init.kaiming_uniform_(autograd.empty(64, 32), a=math.sqrt(5)).array
    bound = 1 / math.sqrt(32)
    assert t.abs().max().item() <= bound and np.abs(ours).max() <= bound
    assert torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(8, 4, 3, 3)) == \
        init._calculate_fan_in_and_fan_out(autograd.empty(8, 4, 3, 3))



INITIALISERS = ["uniform_", "normal_", "trunc_normal_", "ones_", "zeros_", "eye_", "xavier_uniform_",
                "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "constant_"]


@pytest.mark.parametrize("name", INITIALISERS)
def test_every_initialiser_bumps_the_version_once(name):
    """One in-place fill is one version bump, as in torch: a graph that saved the old values then refuses to run."""
    w = nn.Parameter(autograd.empty(4, 3))
    loss = (w * w).sum()
    version = w._version
    assert getattr(init, name)(w, *([0.5] if name == "constant_" else [])) is w
    assert w._version == version + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
