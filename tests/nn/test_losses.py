"""Losses: gradchecks to second order, torch's formulas (weights, ignore_index, label smoothing), stability, errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
P, T = RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0, 1, (3, 4))
W4 = Tensor(RNG.uniform(0.5, 2, 4))
LOGITS, TARGET = RNG.standard_normal((4, 5)), Tensor(np.array([0, 4, -100, 2]))
W5 = Tensor(RNG.uniform(0.5, 2, 5))
LOGP, PROBS = np.log(RNG.dirichlet(np.ones(5), 4)), RNG.dirichlet(np.ones(5), 4)

CASES = {  # name: (loss of the inputs, inputs)
    "mse": (lambda a, b: F.mse_loss(a, b), (X, Y)),
    "l1": (lambda a, b: F.l1_loss(a, b, "sum"), (X, Y)),
    "huber": (lambda a, b: F.huber_loss(a, b, delta=0.8), (X, Y)),
    "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, "none", beta=0.5), (X, Y)),
    "bce": (lambda a: F.binary_cross_entropy(a, Tensor(T), W4), (P,)),
    "bce_logits": (lambda a: F.binary_cross_entropy_with_logits(a, Tensor(T), W4, pos_weight=W4 * 2), (X,)),
    "ce": (lambda a: F.cross_entropy(a, TARGET, W5, label_smoothing=0.1), (LOGITS,)),
    "ce_probs": (lambda a: F.cross_entropy(a, Tensor(PROBS), W5, label_smoothing=0.2), (LOGITS,)),
    "nll": (lambda a: F.nll_loss(a, TARGET, W5, reduction="sum"), (LOGP,)),
    "kl": (lambda a: F.kl_div(a, Tensor(PROBS), "batchmean"), (LOGP,)),
    "kl_log": (lambda a, b: F.kl_div(a, b, "sum", log_target=True), (LOGP, LOGP[::-1].copy())),
}


@pytest.mark.parametrize("name", CASES)
def test_gradcheck_and_gradgradcheck(name):
    f, arrays = CASES[name]
    inputs = tuple(Tensor(a, requires_grad=True) for a in arrays)
    assert autograd.gradcheck(f, inputs)
    assert autograd.gradgradcheck(f, inputs)


def test_cross_entropy_is_stable_for_huge_logits():
    x = Tensor(np.array([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(x, Tensor(np.array([1, 2])))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.array).all()
    np.testing.assert_allclose(loss.item(), (2e4 + np.log(2)) / 2, rtol=1e-6)
    np.testing.assert_allclose(x.grad.array, [[0.5, -0.5, 0.0], [0.0, 0.25, -0.25]], atol=1e-6)


def test_bce_with_logits_is_stable_and_exact_at_zero():
    x = Tensor(np.array([-1e4, 0.0, 1e4]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, Tensor(np.array([1.0, 1.0, 0.0])), reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 2e4 + np.log(2))
    np.testing.assert_allclose(x.grad.array, [-1.0, -0.5, 1.0])  # σ(x) − y, also exactly at x = 0


def test_bce_log_is_clamped_at_minus_100():
    loss = F.binary_cross_entropy(Tensor(np.array([0.0, 1.0])), Tensor(np.array([1.0, 0.0])), reduction="none")
    np.testing.assert_allclose(loss.array, [100.0, 100.0])


def test_out_of_range_class_is_a_clear_error():
    with pytest.raises(IndexError, match=r"Target 7 is out of bounds.*5 classes"):
        F.cross_entropy(Tensor(LOGITS), Tensor(np.array([0, 7, 1, 1])))
    with pytest.raises(IndexError, match="Target -3"):
        nn.NLLLoss()(Tensor(LOGP), Tensor(np.array([0, -3, 1, 1])))


def test_weighted_mean_divides_by_target_weights_and_skips_ignored():
    logp = Tensor(LOGP)
    w = W5.array
    t = TARGET.array
    keep = t != -100
    expected = -(w[t[keep]] * LOGP[keep, t[keep]]).sum() / w[t[keep]].sum()
    np.testing.assert_allclose(F.nll_loss(logp, TARGET, W5).item(), expected, rtol=1e-12)


def test_modules_defaults():
    assert nn.CrossEntropyLoss().reduction == "mean" and nn.CrossEntropyLoss().ignore_index == -100
    assert nn.HuberLoss().delta == 1.0 and nn.SmoothL1Loss().beta == 1.0
    assert nn.MSELoss(reduce=False).reduction == "none"
    assert list(nn.CrossEntropyLoss(weight=W5).state_dict()) == ["weight"]
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(Tensor(X), Tensor(Y), "avg")
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(Tensor(LOGITS[:, :, None]), Tensor(np.array([[0], [1], [2], [3]])))
    assert loss.shape == ()


def test_matches_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    tt = torch.tensor
    probs = RNG.dirichlet(np.ones(5), 4)
    t4 = RNG.integers(0, 5, (2, 3, 2))
    t4[0, 0, 0] = -100
    l4 = RNG.standard_normal((2, 5, 3, 2))
    pairs = [  # (ours, theirs, input array)
        (lambda a: F.mse_loss(a, Tensor(Y), "sum"), lambda a: tf.mse_loss(a, tt(Y), reduction="sum"), X),
        (lambda a: F.l1_loss(a, Tensor(Y)), lambda a: tf.l1_loss(a, tt(Y)), X),
        (lambda a: F.huber_loss(a, Tensor(Y), delta=0.5), lambda a: tf.huber_loss(a, tt(Y), delta=0.5), X),
        (lambda a: F.smooth_l1_loss(a, Tensor(Y), beta=0.5), lambda a: tf.smooth_l1_loss(a, tt(Y), beta=0.5), X),
        (lambda a: F.binary_cross_entropy(a, Tensor(T), W4),
         lambda a: tf.binary_cross_entropy(a, tt(T), tt(W4.array)), P),
        (lambda a: F.binary_cross_entropy_with_logits(a, Tensor(T), W4, pos_weight=W4),
         lambda a: tf.binary_cross_entropy_with_logits(a, tt(T), tt(W4.array), pos_weight=tt(W4.array)), X * 5),
        (lambda a: F.nll_loss(a, TARGET, W5), lambda a: tf.nll_loss(a, tt(TARGET.array), tt(W5.array)), LOGP),
        (lambda a: F.kl_div(a, Tensor(probs), "batchmean"), lambda a: tf.kl_div(a, tt(probs), reduction="batchmean"),
         LOGP),
        (lambda a: F.cross_entropy(a, Tensor(t4), W5, label_smoothing=0.1),
         lambda a: tf.cross_entropy(a, tt(t4), tt(W5.array), label_smoothing=0.1), l4),
    ]
    for reduction in ("none", "mean", "sum"):
        for ls in (0.0, 0.3):
            for w in (None, W5):
                tw = None if w is None else tt(w.array)
                pairs.append((
                    lambda a, r=reduction, s=ls, w=w: F.cross_entropy(a, TARGET, w, reduction=r, label_smoothing=s),
                    lambda a, r=reduction, s=ls, w=tw: tf.cross_entropy(a, tt(TARGET.array), w, reduction=r,
                                                                        label_smoothing=s), LOGITS))
                pairs.append((
                    lambda a, r=reduction, s=ls, w=w: F.cross_entropy(a, Tensor(probs), w, reduction=r,
                                                                      label_smoothing=s),
                    lambda a, r=reduction, s=ls, w=tw: tf.cross_entropy(a, tt(probs), w, reduction=r,
                                                                        label_smoothing=s), LOGITS))
    for ours, theirs, x in pairs:
        a, ta = Tensor(x, requires_grad=True), tt(x, requires_grad=True)
        y, ty = ours(a), theirs(ta)
        gy = RNG.standard_normal(ty.shape)
        y.backward(Tensor(gy))
        ty.backward(tt(gy))
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-10, atol=1e-12)


def _log_softmax(x):
    shifted = x - x.max(1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(1, keepdims=True))


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(4, 5), (3, 5, 2)])
@pytest.mark.parametrize("ignored", [True, False])
def test_class_index_losses_to_second_order(fn, reduction, weighted, shape, ignored):
    """The single-node losses (CrossEntropy, NllLoss) against finite differences — reverse mode, forward mode and
    second order — and against the formula −w[t]·log softmax(x)[t], summed or averaged over Σ w[t]."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    if fn == "nll_loss":
        x = _log_softmax(x)
    t = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    if ignored:
        t.flat[1] = -100
    w = rng.uniform(0.5, 2, shape[1]) if weighted else np.ones(shape[1])

    def f(a):
        return getattr(F, fn)(a, Tensor(t), Tensor(w) if weighted else None, reduction=reduction)

    inputs = (Tensor(x, requires_grad=True),)
    assert autograd.gradcheck(f, inputs, check_forward_ad=True)
    assert autograd.gradgradcheck(f, inputs)
    logp = _log_softmax(x) if fn == "cross_entropy" else x
    safe = np.where(t == -100, 0, t)
    wt = np.where(t == -100, 0.0, w[safe])
    each = -np.take_along_axis(logp, safe[:, None], 1)[:, 0] * wt
    expected = {"none": each, "sum": each.sum(), "mean": each.sum() / wt.sum()}[reduction]
    np.testing.assert_allclose(f(Tensor(x)).array, expected, rtol=1e-12)


def test_fused_cross_entropy_equals_log_softmax_then_nll():
    x = Tensor(RNG.standard_normal((6, 4)), requires_grad=True)
    t = Tensor(np.array([0, 3, 1, 1, 2, 0]))
    a = F.cross_entropy(x, t)
    (ga,) = autograd.grad(a, x)
    b = F.nll_loss(x.log_softmax(1), t)
    (gb,) = autograd.grad(b, x)
    np.testing.assert_allclose(a.array, b.array, rtol=1e-12)
    np.testing.assert_allclose(ga.array, gb.array, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
def test_second_backward_through_the_fused_loss_is_a_clear_error(fn):
    x = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    loss = fn(x, Tensor(np.array([0, 1, 3])))
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_at_exactly_0_and_1_is_finite_as_in_torch(dtype):
    # torch clamps each log at −100 and divides the gradient by max(x(1 − x), 1e-12); clamping x at e^-100 instead
    # gave NaN gradients in float32, where e^-100 is a subnormal whose reciprocal overflows
    x = Tensor(np.array([0.0, 1.0, 0.3, 1.0, 0.0], dtype=dtype), requires_grad=True)
    y = Tensor(np.array([0.0, 1.0, 1.0, 0.0, 1.0], dtype=dtype))
    loss = F.binary_cross_entropy(x, y)
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.array).all() and x.grad.dtype == dtype
    np.testing.assert_allclose(loss.item(), (100 + 100 - np.log(0.3)) / 5, rtol=1e-6)
    np.testing.assert_allclose(x.grad.array, [0.0, 0.0, -1 / 0.3 / 5, 2e11, -2e11], rtol=1e-6)


def test_binary_cross_entropy_gradients_for_input_target_and_weight():
    rng = np.random.default_rng(3)
    x = Tensor(rng.uniform(0.05, 0.95, (3, 4)), requires_grad=True)
    y = Tensor(rng.uniform(0, 1, (3, 4)), requires_grad=True)
    w = Tensor(rng.uniform(0.5, 2, 4), requires_grad=True)
    fn = lambda x, y, w: F.binary_cross_entropy(x, y, w, reduction="sum")  # noqa: E731
    assert gradcheck(fn, (x, y, w), check_forward_ad=True) and gradgradcheck(fn, (x, y, w))
