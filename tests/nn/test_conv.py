"""Conv1d/Conv2d: finite-difference checks (first and second order), lecture 004's 180° identity, torch parity."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _t(rng, *shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


CASES_2D = [  # (N, C, H, W), O, kernel, stride, padding, dilation, groups
    ((2, 2, 5, 5), 3, 3, 1, 0, 1, 1),
    ((1, 2, 6, 5), 2, (3, 2), (2, 1), (1, 2), 1, 1),
    ((2, 4, 6, 6), 4, 2, 1, 1, (2, 1), 2),
    ((1, 2, 5, 6), 2, 3, 1, "same", 2, 1),
    ((1, 3, 4, 5), 3, 2, 2, "valid", 1, 3),
]


@pytest.mark.parametrize("shape,o,k,s,p,d,g", CASES_2D)
def test_conv2d_gradcheck_and_gradgradcheck(shape, o, k, s, p, d, g):
    rng = np.random.default_rng(0)
    kk = k if isinstance(k, tuple) else (k, k)
    x, w, b = _t(rng, *shape), _t(rng, o, shape[1] // g, *kk), _t(rng, o)

    def f(x, w, b):
        return F.conv2d(x, w, b, s, p, d, g)

    assert autograd.gradcheck(f, (x, w, b), check_forward_ad=True)
    assert autograd.gradgradcheck(f, (x, w, b))


@pytest.mark.parametrize("s,p,d,g", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1)])
def test_conv1d_gradcheck_and_gradgradcheck(s, p, d, g):
    rng = np.random.default_rng(1)
    x, w, b = _t(rng, 2, 2, 7), _t(rng, 4, 2 // g, 3), _t(rng, 4)

    def f(x, w, b):
        return F.conv1d(x, w, b, s, p, d, g)

    assert autograd.gradcheck(f, (x, w, b))
    assert autograd.gradgradcheck(f, (x, w, b))


def test_input_gradient_is_full_convolution_with_kernel_rotated_180():
    """Lecture 004: δˡ = δˡ⁺¹ convolved (fully: padded by k − 1) with the kernel rotated by 180°."""
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((1, 1, 6, 7)), requires_grad=True)
    w = rng.standard_normal((1, 1, 3, 2))
    y = F.conv2d(x, Tensor(w))
    delta = rng.standard_normal(y.shape)
    y.backward(Tensor(delta))

    kh, kw = w.shape[2:]
    rot = w[0, 0, ::-1, ::-1]
    padded = np.pad(delta[0, 0], ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    expected = np.array([[np.sum(padded[i:i + kh, j:j + kw] * rot) for j in range(x.shape[3])]
                         for i in range(x.shape[2])])
    np.testing.assert_allclose(x.grad.array[0, 0], expected, rtol=1e-12, atol=1e-12)


def test_forward_matches_direct_sum():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 5, 6)), rng.standard_normal((4, 3, 2, 3)), rng.standard_normal(4)
    y = F.conv2d(Tensor(x), Tensor(w), Tensor(b), stride=(1, 2), padding=1).array
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.zeros_like(y)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            patch = xp[:, :, i:i + 2, 2 * j:2 * j + 3]
            ref[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w) + b
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_unbatched_input():
    conv = nn.Conv2d(3, 4, 3, padding=1)
    x = autograd.randn(3, 5, 5, requires_grad=True)
    y = conv(x)
    y.sum().backward()
    assert y.shape == (4, 5, 5) and y.dtype == np.float32
    assert x.grad.dtype == np.float32 and conv.weight.grad.dtype == np.float32


def test_module_defaults_and_init():
    conv = nn.Conv2d(4, 6, (3, 2), groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 2)  # kaiming_uniform(a=√5) = U(±1/√fan_in)
    assert np.abs(conv.weight.array).max() <= bound and np.abs(conv.bias.array).max() <= bound
    assert conv.weight.array.std() > bound / 4
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert nn.Conv1d(2, 3, 5, bias=False).bias is None
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(NotImplementedError):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")


def test_same_padding_keeps_size_even_kernel():
    y = F.conv2d(autograd.randn(1, 1, 7, 6), autograd.randn(1, 1, 4, 2), padding="same", dilation=(1, 3))
    assert y.shape == (1, 1, 7, 6)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    for shape, o, k, s, p, d, g in CASES_2D:
        kk = k if isinstance(k, tuple) else (k, k)
        x, w, b = rng.standard_normal(shape), rng.standard_normal((o, shape[1] // g, *kk)), rng.standard_normal(o)
        ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = F.conv2d(*ours, s, p, d, g)
        ty = torch.nn.functional.conv2d(*theirs, s, p, d, g)
        gy = rng.standard_normal(ty.shape)
        y.backward(Tensor(gy))
        ty.backward(torch.tensor(gy))
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
        for a, ta in zip(ours, theirs):
            np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-10, atol=1e-10)
    x, w = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 3))
    np.testing.assert_allclose(F.conv1d(Tensor(x), Tensor(w), None, 2, 1, 2).array,
                               torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(w), None, 2, 1, 2).numpy(),
                               rtol=1e-10, atol=1e-10)


def test_im2col_buffer_is_freed_after_backward():
    # The forward's im2col matrix is kept for the weight gradient (it is the expensive part), as a saved value: so it
    # goes with the rest of what forward saved once backward has run, though the graph itself is still referenced.
    import gc
    import weakref

    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = Tensor(np.random.default_rng(1).standard_normal((4, 3, 3, 3)), requires_grad=True)
    y = F.conv2d(x, w)
    cols = [v for v in y.grad_fn._saved[::2] if isinstance(v, np.ndarray) and v.ndim == 4]
    assert len(cols) == 1 and cols[0].shape == (2, 1, 27, 16)  # (N, groups, C·KH·KW, OH·OW)
    ref = weakref.ref(cols.pop())
    y.sum().backward()
    gc.collect()
    assert ref() is None and y.grad_fn is not None
