"""Max/average/adaptive pooling: first- and second-order gradchecks, torch's argmax tie rule, torch parity."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

POOLS = [
    lambda x: F.max_pool2d(x, 2),
    lambda x: F.max_pool2d(x, 3, 2, 1),
    lambda x: F.max_pool2d(x, (2, 3), 1, (1, 1), dilation=(2, 1)),
    lambda x: F.avg_pool2d(x, 2),
    lambda x: F.avg_pool2d(x, 3, 2, 1),
    lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (2, 4)),
    lambda x: F.max_pool1d(x[:, :, 0], 3, 2, 1),
    lambda x: F.avg_pool1d(x[:, :, 0], 2),
]


@pytest.mark.parametrize("i", range(len(POOLS)))
def test_gradcheck_and_gradgradcheck(i):
    x = Tensor(np.random.default_rng(i).standard_normal((2, 2, 5, 6)), requires_grad=True)
    assert autograd.gradcheck(POOLS[i], (x,), check_forward_ad=True)
    assert autograd.gradgradcheck(POOLS[i], (x,))


def test_max_pool_gradient_goes_to_first_maximum_only():
    x = Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]), requires_grad=True)
    y = F.max_pool2d(x, 2)
    y.backward(Tensor(np.ones((1, 1, 1, 1))))
    assert y.item() == 3.0
    np.testing.assert_array_equal(x.grad.array[0, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_max_pool_padding_is_minus_infinity():
    x = Tensor(-np.ones((1, 1, 2, 2)))
    assert (F.max_pool2d(x, 2, 1, 1).array == -1).all()


def test_overlapping_windows_accumulate():
    x = Tensor(np.array([[[0.0, 5.0, 0.0, 0.0]]]), requires_grad=True)
    F.max_pool1d(x, 2, 1).sum().backward()  # windows [0,5], [5,0], [0,0]: 5 wins twice, the last tie picks index 2
    np.testing.assert_array_equal(x.grad.array[0, 0], [0.0, 2.0, 1.0, 0.0])


def test_modules_and_return_indices():
    x = autograd.randn(2, 3, 8, 8)
    y, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert y.shape == (2, 3, 4, 4) and idx.dtype == np.int64
    np.testing.assert_array_equal(np.take_along_axis(x.array.reshape(2, 3, -1), idx.array.reshape(2, 3, -1), 2),
                                  y.array.reshape(2, 3, -1))
    assert nn.AvgPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.MaxPool1d(3, 1, 1)(x[0]).shape == (3, 8, 8)
    assert nn.AvgPool1d(2)(x[0]).shape == (3, 8, 4)
    with pytest.raises(RuntimeError, match="at most half"):
        F.max_pool2d(x, 2, padding=2)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((2, 3, 9, 8)) * 2) / 2  # many ties
    pairs = [
        (lambda t: F.max_pool2d(t, 2), lambda t: tf.max_pool2d(t, 2)),
        (lambda t: F.max_pool2d(t, 3, 1, 1), lambda t: tf.max_pool2d(t, 3, 1, 1)),
        (lambda t: F.max_pool2d(t, (3, 2), 2, (1, 1), (1, 2)), lambda t: tf.max_pool2d(t, (3, 2), 2, (1, 1), (1, 2))),
        (lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=False),
         lambda t: tf.avg_pool2d(t, 3, 2, 1, count_include_pad=False)),
        (lambda t: F.avg_pool2d(t, (2, 3), 1, (1, 1)), lambda t: tf.avg_pool2d(t, (2, 3), 1, (1, 1))),
        (lambda t: F.adaptive_avg_pool2d(t, (4, 3)), lambda t: tf.adaptive_avg_pool2d(t, (4, 3))),
        (lambda t: F.max_pool1d(t[0], 3, 2, 1), lambda t: tf.max_pool1d(t[0], 3, 2, 1)),
    ]
    for ours, theirs in pairs:
        a, ta = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(a), theirs(ta)
        gy = rng.standard_normal(ty.shape)
        y.backward(Tensor(gy))
        ty.backward(torch.tensor(gy))
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    _, idx = F.max_pool2d(Tensor(x), 3, 2, 1, return_indices=True)
    _, tidx = tf.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.array, tidx.numpy())
