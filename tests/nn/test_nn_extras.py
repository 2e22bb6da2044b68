"""The nn names tutorials use: more activations, distances, one_hot, losses, ParameterList/Dict, module and tensor
hooks, Module.to/cuda, parametrizations (weight_norm, spectral_norm), init.dirac_/sparse_. Values against hand
formulas and NumPy, gradcheck with forward mode and gradgradcheck over random shapes, errors."""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import autograd as ag
import nn
import nn.functional as F
import nn.utils.parametrize as P
from autograd import gradcheck, gradgradcheck
from autograd.device import DeviceError
from autograd.hooks import RemovableHandle
from nn.utils.parametrizations import spectral_norm, weight_norm

SETTINGS = settings(max_examples=4, deadline=None, derandomize=True)


def spread(shape, seed=0, scale=1.0):
    """Distinct values 0.37 apart around 0, none on a kink (0, ±0.5, ±1, ±3, 6), as float64 leaves."""
    r = np.random.default_rng(seed)
    x = r.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape) * 0.37 - 1.1
    return ag.tensor(x * scale, dtype=ag.float64, requires_grad=True)


def normal(shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name: (our function, NumPy formula, scale of the test input so that every piece of the function is visited)
ACTIVATIONS = {
    "hardtanh": (lambda x: F.hardtanh(x, -0.8, 1.2), lambda x: np.clip(x, -0.8, 1.2), 1.0),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6), 4.0),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), 3.0),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, 3.0),
    "selu": (F.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * (np.exp(x) - 1)), 1.0),
    "celu": (lambda x: F.celu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x / 0.7) - 1)), 1.0),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), 1.0),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x)), 1.0),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x), 1.0),
    "threshold": (lambda x: F.threshold(x, 0.2, -3.0), lambda x: np.where(x > 0.2, x, -3.0), 1.0),
    "softshrink": (lambda x: F.softshrink(x, 0.6), lambda x: np.where(x > 0.6, x - 0.6, np.where(x < -0.6, x + 0.6, 0)),
                   1.0),
    "hardshrink": (F.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), 1.0),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(sigmoid(x)), 1.0),
    "softmin": (lambda x: F.softmin(x, -1), lambda x: np.exp(-x) / np.exp(-x).sum(-1, keepdims=True), 1.0),
    "rrelu_eval": (F.rrelu, lambda x: np.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2), 1.0),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_activation_values_and_gradients(name, shape):
    fn, formula, scale = ACTIVATIONS[name]
    x = spread(shape, 1, scale)
    np.testing.assert_allclose(fn(x).detach().numpy(), formula(x.detach().numpy()), rtol=1e-12, atol=1e-12)
    check(fn, x)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_of_a_non_contiguous_view(name):
    fn, formula, scale = ACTIVATIONS[name]
    x = spread((3, 4), 2, scale)
    check(lambda a: fn(a.t()), x)
    np.testing.assert_allclose(fn(x.t()).detach().numpy(), formula(x.detach().numpy().T), atol=1e-12)


def test_piecewise_derivatives_at_the_kinks_are_torchs():
    """hardtanh, relu6, hardsigmoid, threshold and the shrinks pass no gradient at their breakpoints (torch's
    strict inequalities); hardswish's is 0 at −3 and 1 at 3."""
    cases = [(lambda x: F.hardtanh(x), [-1.0, 1.0], [0, 0]), (F.relu6, [0.0, 6.0], [0, 0]),
             (F.hardsigmoid, [-3.0, 3.0], [0, 0]), (F.hardswish, [-3.0, 3.0], [0, 1]),
             (lambda x: F.threshold(x, 1.0, 0.0), [1.0], [0]), (F.softshrink, [-0.5, 0.5], [0, 0]),
             (F.hardshrink, [-0.5, 0.5], [0, 0]), (F.logsigmoid, [0.0], [0.5]),
             (lambda x: F.prelu(x, ag.tensor([0.25], dtype=ag.float64)), [0.0], [0.25])]
    for fn, at, grads in cases:
        x = ag.tensor(at, dtype=ag.float64, requires_grad=True)
        fn(x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), grads)


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardsigmoid", "hardswish", "selu", "celu", "mish", "threshold",
                                  "rrelu"])
def test_inplace_variants_write_into_the_input_and_differentiate(name):
    fns = {"hardtanh": F.hardtanh, "relu6": F.relu6, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish,
           "selu": F.selu, "celu": F.celu, "mish": F.mish, "rrelu": F.rrelu,
           "threshold": lambda x, inplace=False: F.threshold(x, 0.1, 2.0, inplace)}
    fn = fns[name]
    x = spread((3, 4), 3, 3.0)

    def inplace(a):
        h = a * 1.0  # a non-leaf: in-place on it is allowed
        out = fn(h, inplace=True)
        assert out is h
        return h

    np.testing.assert_allclose(inplace(x).detach().numpy(), fn(x).detach().numpy())
    check(inplace, x)
    base = x.detach().clone()
    fn(base[0], inplace=True)  # in place on a view writes through to its base, and only there
    np.testing.assert_allclose(base.numpy()[0], fn(x.detach()[0]).numpy())
    np.testing.assert_array_equal(base.numpy()[1:], x.detach().numpy()[1:])


def test_selu_celu_mish_logsigmoid_stay_finite_far_out():
    x = ag.tensor([-1000.0, -50.0, 50.0, 1000.0], dtype=ag.float64, requires_grad=True)
    for fn in (F.selu, F.celu, F.mish, F.logsigmoid, F.softsign):
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(y.detach().numpy()).all() and np.isfinite(x.grad.numpy()).all()
        x.grad = None
    np.testing.assert_allclose(F.logsigmoid(x).detach().numpy(), [-1000, -50, -np.exp(-50), 0], rtol=1e-12)


def test_glu_halves_along_dim():
    x = normal((2, 4, 3), 4)
    a, b = x.detach().numpy()[:, :2], x.detach().numpy()[:, 2:]
    np.testing.assert_allclose(F.glu(x, 1).detach().numpy(), a * sigmoid(b), rtol=1e-12)
    check(lambda t: F.glu(t, 1), x)
    check(lambda t: F.glu(t.transpose(0, 1), 0), x)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 2 is size 3"):
        F.glu(x)
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(ag.tensor(1.0))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.glu(x, 3)


@SETTINGS
@given(n=st.integers(1, 4), extra=array_shapes(min_dims=0, max_dims=2, max_side=3), shared=st.booleans())
def test_prelu_per_channel_or_shared(n, extra, shared):
    x = spread((2, n) + tuple(extra), 5)
    w = ag.tensor(np.linspace(0.1, 0.4, 1 if shared else n), dtype=ag.float64, requires_grad=True)
    xv = x.detach().numpy()
    wv = w.detach().numpy().reshape((1, -1) + (1,) * len(extra))
    np.testing.assert_allclose(F.prelu(x, w).detach().numpy(), np.where(xv > 0, xv, wv * xv), rtol=1e-12)
    check(F.prelu, x, w)


def test_prelu_errors_and_module():
    with pytest.raises(RuntimeError, match="Found parameter numbers = 2 and channel size = 3"):
        F.prelu(ag.randn(2, 3), ag.ones(2))
    with pytest.raises(RuntimeError, match="Found parameter numbers = 3 and channel size = 1"):
        F.prelu(ag.randn(3), ag.ones(3))  # a 1-d input has one channel, as in torch
    with pytest.raises(RuntimeError, match="scalar or 1D tensor, but got: ndim = 2"):
        F.prelu(ag.randn(2, 3), ag.ones(1, 3))
    m = nn.PReLU(3, init=0.1)
    assert m.weight.shape == (3,) and np.all(m.weight.detach().numpy() == np.float32(0.1))
    assert m.weight.dtype == np.float32
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert nn.PReLU(dtype=ag.float64).weight.dtype == np.float64
    with pytest.raises(DeviceError):
        nn.PReLU(device="cuda")


def test_rrelu_training_draws_one_slope_per_negative_element():
    ag.manual_seed(3)
    x = normal((50, 40), 6)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    xv, yv = x.detach().numpy(), y.detach().numpy()
    slopes = yv[xv < 0] / xv[xv < 0]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    np.testing.assert_array_equal(yv[xv > 0], xv[xv > 0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[xv < 0], slopes)  # the gradient is the slope drawn
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the upper bound"):
        F.rrelu(x, 0.5, 0.1)
    m = nn.RReLU(0.1, 0.3)
    assert m.training and not np.allclose(m(x).detach().numpy(), m.eval()(x).detach().numpy())


def test_alpha_dropout_keeps_mean_and_variance_of_a_standard_normal():
    ag.manual_seed(0)
    x = ag.randn(200000, dtype=ag.float64, requires_grad=True)
    y = F.alpha_dropout(x, 0.3, training=True)
    assert abs(y.detach().numpy().mean()) < 0.01 and abs(y.detach().numpy().std() - 1) < 0.01
    y.sum().backward()
    a = 1 / math.sqrt((1.7580993408473766**2 * 0.3 + 1) * 0.7)
    assert set(np.round(np.unique(x.grad.numpy()), 12)) == {0.0, round(a, 12)}
    assert F.alpha_dropout(x, 0.3, training=False) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, training=True).detach().numpy(), 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.alpha_dropout(x, 1.5)
    m = nn.AlphaDropout(0.2).eval()
    assert m(x) is x and repr(m) == "AlphaDropout(p=0.2, inplace=False)"


def test_softmin_without_dim_warns_and_takes_torchs_default():
    x = normal((2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        y = F.softmin(x)
    np.testing.assert_allclose(y.detach().numpy().sum(1), 1)


def test_activation_errors():
    x = ag.randn(3)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val \(2.0\)"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(x, 0.0)
    with pytest.raises(RuntimeError, match="lambda must be in range"):
        F.softshrink(x, -1.0)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(x, approximate="fast")


MODULE_REPRS = [  # as torch prints them
    (nn.Mish(), "Mish()"), (nn.Mish(True), "Mish(inplace=True)"),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2.0, 3, True), "Hardtanh(min_val=-2.0, max_val=3, inplace=True)"), (nn.ReLU6(), "ReLU6()"),
    (nn.ReLU6(True), "ReLU6(inplace=True)"), (nn.PReLU(), "PReLU(num_parameters=1)"),
    (nn.PReLU(3, 0.1), "PReLU(num_parameters=3)"), (nn.SELU(), "SELU()"), (nn.SELU(True), "SELU(inplace=True)"),
    (nn.CELU(), "CELU(alpha=1.0)"), (nn.CELU(2.0, True), "CELU(alpha=2.0, inplace=True)"),
    (nn.Softsign(), "Softsign()"), (nn.LogSigmoid(), "LogSigmoid()"), (nn.GLU(), "GLU(dim=-1)"),
    (nn.Softmin(), "Softmin(dim=None)"), (nn.Softmin(1), "Softmin(dim=1)"), (nn.Hardswish(True), "Hardswish()"),
    (nn.Hardsigmoid(True), "Hardsigmoid()"), (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (nn.Tanhshrink(), "Tanhshrink()"), (nn.Softshrink(), "Softshrink(0.5)"), (nn.Hardshrink(0.3), "Hardshrink(0.3)"),
    (nn.CosineSimilarity(), "CosineSimilarity()"), (nn.PairwiseDistance(), "PairwiseDistance()"),
    (nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"),
    (nn.RReLU(0.1, 0.3, True), "RReLU(lower=0.1, upper=0.3, inplace=True)"),
    (nn.CosineEmbeddingLoss(), "CosineEmbeddingLoss()"), (nn.MultiMarginLoss(), "MultiMarginLoss()"),
]


@pytest.mark.parametrize("module, text", MODULE_REPRS, ids=[t for _, t in MODULE_REPRS])
def test_module_reprs_are_torchs(module, text):
    assert repr(module) == text


def test_activation_modules_call_their_functions():
    x = spread((2, 4), 7, 3.0)
    pairs = [(nn.Mish(), F.mish), (nn.Hardtanh(-0.5, 2.0), lambda t: F.hardtanh(t, -0.5, 2.0)), (nn.ReLU6(), F.relu6),
             (nn.SELU(), F.selu), (nn.CELU(0.5), lambda t: F.celu(t, 0.5)), (nn.Softsign(), F.softsign),
             (nn.LogSigmoid(), F.logsigmoid), (nn.GLU(), F.glu), (nn.Softmin(0), lambda t: F.softmin(t, 0)),
             (nn.Hardswish(), F.hardswish), (nn.Hardsigmoid(), F.hardsigmoid), (nn.Tanhshrink(), F.tanhshrink),
             (nn.Threshold(0.3, -1.0), lambda t: F.threshold(t, 0.3, -1.0)), (nn.Softshrink(0.2), lambda t:
             F.softshrink(t, 0.2)), (nn.Hardshrink(0.2), lambda t: F.hardshrink(t, 0.2)),
             (nn.RReLU().eval(), F.rrelu)]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).detach().numpy(), fn(x).detach().numpy())


# ---- one_hot ----------------------------------------------------------------------------------------------------
def test_one_hot_values_shape_and_dtype():
    y = F.one_hot(ag.tensor([[1, 0], [2, 2]]))
    assert y.dtype == np.int64 and y.shape == (2, 2, 3) and not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), np.eye(3, dtype=np.int64)[[[1, 0], [2, 2]]])
    assert F.one_hot(ag.tensor(2), 4).tolist() == [0, 0, 1, 0]
    assert F.one_hot(ag.tensor([], dtype=ag.int64), 3).shape == (0, 3)


@pytest.mark.parametrize("args, message", [
    ((ag.tensor([1, -2]),), "Class values must be non-negative."),
    ((ag.tensor([1, 5]), 3), "Class values must be smaller than num_classes."),
    ((ag.tensor([1, 2], dtype=ag.int32),), "one_hot is only applicable to index tensor of type LongTensor."),
    ((ag.tensor([1.0]),), "one_hot is only applicable to index tensor of type LongTensor."),
    ((ag.tensor([], dtype=ag.int64),), "Can not infer total number of classes from empty tensor."),
])
def test_one_hot_errors(args, message):
    with pytest.raises(RuntimeError, match=message):
        F.one_hot(*args)


# ---- distances --------------------------------------------------------------------------------------------------
def _np_norm(x, p, axis, keepdims=False):
    if p == 0:
        return (x != 0).sum(axis, keepdims=keepdims).astype(float)
    if p == np.inf:
        return np.abs(x).max(axis, keepdims=keepdims)
    return (np.abs(x) ** p).sum(axis, keepdims=keepdims) ** (1 / p)


@pytest.mark.parametrize("p", [1, 2, 3.5])
@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_normalize(p, shape):
    x = normal(shape, 8)
    xv = x.detach().numpy()
    expected = xv / np.maximum(_np_norm(xv, p, 0, keepdims=True), 1e-12)
    np.testing.assert_allclose(F.normalize(x, p, 0).detach().numpy(), expected, rtol=1e-12)
    check(lambda t: F.normalize(t, p, -1), x)


def test_normalize_zero_vector_and_errors():
    z = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
    y = F.normalize(z)
    y.sum().backward()
    assert np.all(y.detach().numpy() == 0) and np.all(np.isfinite(z.grad.numpy()))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.normalize(ag.randn(3), dim=2)
    out = ag.empty(2, 3, dtype=ag.float64)
    assert F.normalize(ag.ones(2, 3, dtype=ag.float64), out=out) is out and np.allclose(out.numpy(), 3**-0.5)


@SETTINGS
@given(shape=array_shapes(min_dims=2, max_dims=3, max_side=4), keep=st.booleans())
def test_cosine_similarity_broadcasts(shape, keep):
    x1 = normal(shape, 9)
    x2 = normal((1,) + tuple(shape[1:]) if keep else tuple(shape[1:]), 10)
    a, b = np.broadcast_arrays(x1.detach().numpy(), x2.detach().numpy())
    expected = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(F.cosine_similarity(x1, x2).detach().numpy(), expected, rtol=1e-10)
    check(F.cosine_similarity, x1, x2)


def test_cosine_similarity_clamps_the_norms_and_checks_shapes():
    x = ag.tensor([1e-10, 0.0], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([1.0, 1.0], dtype=ag.float64, requires_grad=True)
    out = F.cosine_similarity(x, y, dim=0)
    np.testing.assert_allclose(out.item(), 1e-10 / 1e-8 / math.sqrt(2), rtol=1e-9)
    out.backward()  # torch's derivative: through ‖x‖ as if unclamped, though its value is eps (x's norm is below eps)
    first = 1 / (1e-8 * math.sqrt(2))
    np.testing.assert_allclose(x.grad.numpy(), [first - 1e-10 / (1e-16 * math.sqrt(2)), first], rtol=1e-12)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(3\)"):
        F.cosine_similarity(ag.randn(2, 3), ag.randn(3, 3))
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.cosine_similarity(ag.randn(3), ag.randn(3))
    m = nn.CosineSimilarity(dim=0, eps=1e-3)
    assert m(ag.ones(3), ag.ones(3)).item() == pytest.approx(1.0)


@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    x1, x2 = normal((4, 3), 11), normal((3,), 12)
    diff = x1.detach().numpy() - x2.detach().numpy() + 1e-6
    out = F.pairwise_distance(x1, x2, p, keepdim=keepdim)
    np.testing.assert_allclose(out.detach().numpy(), _np_norm(diff, p, -1, keepdims=keepdim), rtol=1e-12)
    check(lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim), x1, x2)
    assert nn.PairwiseDistance(p, keepdim=keepdim)(x1, x2).shape == out.shape


def test_pairwise_distance_of_vectors_and_numbers():
    assert F.pairwise_distance(ag.tensor([0.0, 3.0]), ag.tensor([4.0, 0.0]), eps=0).item() == pytest.approx(5.0)
    assert F.pairwise_distance(ag.tensor(1.0), ag.tensor(3.0), keepdim=True).shape == ()
    assert F.pairwise_distance(ag.tensor(1.0), ag.tensor([2.0, 3.0])).shape == ()


@pytest.mark.parametrize("p", [1, 2, 3])
@SETTINGS
@given(n=st.integers(1, 5), m=st.integers(1, 3))
def test_pdist(p, n, m):
    x = normal((n, m), 13)
    xv = x.detach().numpy()
    expected = [_np_norm(xv[i] - xv[j], p, 0) for i in range(n) for j in range(i + 1, n)]
    np.testing.assert_allclose(F.pdist(x, p).detach().numpy(), np.array(expected).reshape(-1), rtol=1e-12)
    if n > 1:
        check(lambda t: F.pdist(t, p), x)


def test_pdist_errors():
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(ag.randn(2, 3, 3))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(ag.randn(3, 3), -1)


# ---- losses -----------------------------------------------------------------------------------------------------
R = np.random.default_rng(42)
A, B, C = R.standard_normal((5, 3)), R.standard_normal((5, 3)), R.standard_normal((5, 3))
A1, B1 = A[:, 0].copy(), B[:, 0].copy()
SIGNS = np.array([1.0, -1, 1, -1, 1])
COUNTS = R.poisson(2.0, (5, 3)).astype(float)
LABELS = (R.random((5, 3)) > 0.5).astype(float)
CLASSES = np.array([0, 2, 1, 1, 0])
_C1 = np.maximum(COUNTS, 1)
STIRLING = _C1 * np.log(_C1) - _C1 + 0.5 * np.log(2 * np.pi * _C1)
SIGNS2 = np.sign(R.standard_normal((5, 3)))


def _reduce(v, reduction):
    return {"none": v, "mean": np.mean(v), "sum": np.sum(v)}[reduction]


def _cos(a, b):
    return (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12))


def _dist(a, b, p=2):
    return _np_norm(a - b + 1e-6, p, -1)


LOSSES = {  # name: (our loss of float64 leaves, NumPy formula of arrays, inputs)
    "cosine_embedding": (
        lambda a, b, r: F.cosine_embedding_loss(a, b, ag.tensor(SIGNS), margin=-0.2, reduction=r),
        lambda a, b: np.where(SIGNS == 1, 1 - _cos(a, b), np.maximum(_cos(a, b) + 0.2, 0)), (A, B)),
    "margin_ranking": (
        lambda a, b, r: F.margin_ranking_loss(a, b, ag.tensor(SIGNS), margin=0.3, reduction=r),
        lambda a, b: np.maximum(-SIGNS * (a - b) + 0.3, 0), (A1, B1)),
    "triplet": (
        lambda a, b, c, r: F.triplet_margin_loss(a, b, c, margin=2.0, reduction=r),
        lambda a, b, c: np.maximum(2.0 + _dist(a, b) - _dist(a, c), 0), (A, B, C)),
    "triplet_swap_p1": (
        lambda a, b, c, r: F.triplet_margin_loss(a, b, c, margin=2.0, p=1, swap=True, reduction=r),
        lambda a, b, c: np.maximum(2.0 + _dist(a, b, 1) - np.minimum(_dist(a, c, 1), _dist(b, c, 1)), 0), (A, B, C)),
    "poisson_log": (
        lambda a, r: F.poisson_nll_loss(a, ag.tensor(COUNTS), reduction=r),
        lambda a: np.exp(a) - COUNTS * a, (A,)),
    "poisson_full": (
        lambda a, r: F.poisson_nll_loss(a, ag.tensor(COUNTS), full=True, reduction=r),
        lambda a: np.exp(a) - COUNTS * a + np.where(COUNTS > 1, STIRLING, 0), (A,)),
    "poisson_rate": (
        lambda a, r: F.poisson_nll_loss(a.abs() + 0.1, ag.tensor(COUNTS), log_input=False, reduction=r),
        lambda a: np.abs(a) + 0.1 - COUNTS * np.log(np.abs(a) + 0.1 + 1e-8), (A,)),
    "gaussian": (
        lambda a, v, r: F.gaussian_nll_loss(a, ag.tensor(B), v.abs() + 0.1, full=True, reduction=r),
        lambda a, v: 0.5 * (np.log(np.abs(v) + 0.1) + (a - B) ** 2 / (np.abs(v) + 0.1)) + 0.5 * np.log(2 * np.pi),
        (A, C)),
    "gaussian_shared_var": (
        lambda a, v, r: F.gaussian_nll_loss(a, ag.tensor(B), v[:, :1].abs() + 0.1, reduction=r),
        lambda a, v: 0.5 * (np.log(np.abs(v[:, :1]) + 0.1) + (a - B) ** 2 / (np.abs(v[:, :1]) + 0.1)), (A, C)),
    "gaussian_var_without_last_dim": (
        lambda a, v, r: F.gaussian_nll_loss(a, ag.tensor(B), v[:, 0].abs() + 0.1, reduction=r),
        lambda a, v: 0.5 * (np.log(np.abs(v[:, :1]) + 0.1) + (a - B) ** 2 / (np.abs(v[:, :1]) + 0.1)), (A, C)),
    "soft_margin": (
        lambda a, r: F.soft_margin_loss(a, ag.tensor(SIGNS2), reduction=r),
        lambda a: np.log1p(np.exp(-SIGNS2 * a)), (A,)),
    "multilabel_soft_margin": (
        lambda a, r: F.multilabel_soft_margin_loss(a, ag.tensor(LABELS), ag.tensor([1.0, 2, 0.5]), reduction=r),
        lambda a: -(np.array([1.0, 2, 0.5]) * (LABELS * np.log(sigmoid(a)) + (1 - LABELS) * np.log(sigmoid(-a))))
        .mean(1), (A,)),
    "multi_margin": (
        lambda a, r: F.multi_margin_loss(a, ag.tensor(CLASSES), margin=1.5, reduction=r),
        lambda a: (np.maximum(1.5 - a[np.arange(5), CLASSES][:, None] + a, 0)
                   * (np.arange(3) != CLASSES[:, None])).sum(1) / 3, (A,)),
    "multi_margin_p2_weighted": (
        lambda a, r: F.multi_margin_loss(a, ag.tensor(CLASSES), p=2, weight=ag.tensor([1.0, 2, 3]), reduction=r),
        lambda a: (np.maximum(1 - a[np.arange(5), CLASSES][:, None] + a, 0) ** 2
                   * (np.arange(3) != CLASSES[:, None])).sum(1) / 3 * np.array([1.0, 2, 3])[CLASSES], (A,)),
    "hinge_embedding": (
        lambda a, r: F.hinge_embedding_loss(a, ag.tensor(SIGNS2), margin=0.7, reduction=r),
        lambda a: np.where(SIGNS2 == 1, a, np.maximum(0.7 - a, 0)), (A,)),
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_values_and_gradients(name, reduction):
    ours, formula, arrays = LOSSES[name]
    leaves = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]
    out = ours(*leaves, reduction)
    np.testing.assert_allclose(out.detach().numpy(), _reduce(formula(*arrays), reduction), rtol=1e-10, atol=1e-12)
    check(lambda *xs: ours(*xs, reduction), *leaves)


def test_losses_on_non_contiguous_inputs():
    a = ag.tensor(A.T.copy(), dtype=ag.float64, requires_grad=True)
    check(lambda t: F.soft_margin_loss(t.t(), ag.tensor(SIGNS2)), a)
    check(lambda t: F.multi_margin_loss(t.t(), ag.tensor(CLASSES)), a)
    check(lambda t: F.cosine_embedding_loss(t.t(), ag.tensor(B), ag.tensor(SIGNS)), a)


def test_loss_quirks_as_torch():
    a = ag.tensor(A[:4, 0], dtype=ag.float64)
    # hinge_embedding_loss adds both terms for a target that is neither 1 nor −1; cosine_embedding_loss gives 0
    out = F.hinge_embedding_loss(a, ag.tensor([1.0, 0, 2, -1]), reduction="none").numpy()
    av = A[:4, 0]
    np.testing.assert_allclose(out, [av[0], max(1 - av[1], 0) + av[1], max(1 - av[2], 0) + av[2], max(1 - av[3], 0)])
    out = F.cosine_embedding_loss(ag.tensor(A[:2]), ag.tensor(B[:2]), ag.tensor([0.0, 2.0]), reduction="none")
    np.testing.assert_array_equal(out.numpy(), [0, 0])
    # one sample: (C,) input with a 0-d target gives a 0-d loss, with a one-element target a (1,) loss
    assert F.multi_margin_loss(ag.randn(3), ag.tensor(1), reduction="none").shape == ()
    assert F.multi_margin_loss(ag.randn(3), ag.tensor([1]), reduction="none").shape == (1,)
    assert F.cosine_embedding_loss(ag.randn(3), ag.randn(3), ag.tensor(1.0), reduction="none").shape == ()
    assert F.multilabel_soft_margin_loss(ag.randn(3), ag.ones(3), reduction="none").shape == ()
    # the legacy size_average/reduce arguments still choose the reduction
    full = F.soft_margin_loss(ag.tensor(A), ag.tensor(SIGNS2), reduce=False)
    assert full.shape == (5, 3)
    assert F.soft_margin_loss(ag.tensor(A), ag.tensor(SIGNS2), size_average=False).item() == pytest.approx(
        full.sum().item())


def test_gaussian_nll_clamps_var_outside_autograd():
    v = ag.tensor([1e-9, 1.0], dtype=ag.float64, requires_grad=True)
    loss = F.gaussian_nll_loss(ag.tensor([0.0, 0.0], dtype=ag.float64), ag.tensor([1.0, 1.0], dtype=ag.float64), v,
                               reduction="sum")
    np.testing.assert_allclose(loss.item(), 0.5 * (np.log(1e-6) + 1e6) + 0.5)
    loss.backward()  # the derivative of the unclamped formula, at the clamped value: ½(1/var − d²/var²)
    np.testing.assert_allclose(v.grad.numpy(), [0.5 * (1e6 - 1e12), 0.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.cosine_embedding_loss(ag.randn(4, 3), ag.randn(4, 3), ag.tensor(1.0)), RuntimeError,
     r"0D target tensor expects 1D input tensors, but found inputs with sizes \[4, 3\] and \[4, 3\]."),
    (lambda: F.cosine_embedding_loss(ag.randn(3), ag.randn(3), ag.ones(4)), RuntimeError,
     "1D target tensor expects 2D input tensors"),
    (lambda: F.cosine_embedding_loss(ag.randn(3), ag.randn(3), ag.ones(4, 1)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.cosine_embedding_loss(ag.randn(4, 3), ag.randn(4, 3), ag.ones(4), reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
    (lambda: F.margin_ranking_loss(ag.randn(4, 3), ag.randn(4), ag.ones(4)), RuntimeError,
     "margin_ranking_loss : All input tensors should have same dimension"),
    (lambda: F.triplet_margin_loss(ag.randn(2, 3), ag.randn(2, 3), ag.randn(2, 3), margin=0), ValueError,
     "margin must be greater than 0, got 0"),
    (lambda: F.triplet_margin_loss(ag.randn(2, 3), ag.randn(3), ag.randn(2, 3)), RuntimeError,
     "anchor 2D, positive 1D, and negative 2D inputs"),
    (lambda: nn.TripletMarginLoss(margin=-1.0), ValueError, "expected margin to be greater than 0, got -1.0"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2, 5])), RuntimeError, "target out of range"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2])), RuntimeError,
     r"inconsistent target size, expected 4 but got \[3\]"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2, 1.0])), RuntimeError, "expected scalar type Long"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2, 1]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2, 1]), weight=ag.ones(2)), RuntimeError,
     r"inconsistent weight size, expected 3 but got \[2\]"),
    (lambda: F.multi_margin_loss(ag.randn(4, 3), ag.tensor([0, 1, 2, 1]), weight=ag.ones(1, 3)), ValueError,
     "weight must be one-dimensional"),
    (lambda: F.multi_margin_loss(ag.randn(2, 3, 4), ag.tensor([0, 1])), RuntimeError,
     r"Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[2, 3, 4\]"),
    (lambda: nn.MultiMarginLoss(weight=ag.ones(2, 2)), ValueError, "expected weight to be None or 1D tensor, got 2D"),
    (lambda: F.gaussian_nll_loss(ag.randn(4, 3), ag.randn(4, 3), ag.ones(3)), ValueError, "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(ag.randn(4, 3), ag.randn(4, 3), ag.ones(2, 3)), ValueError,
     "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(ag.randn(4, 3), ag.randn(4, 3), -ag.ones(4, 3)), ValueError,
     "var has negative entry/entries"),
    (lambda: F.gaussian_nll_loss(ag.randn(4, 3), ag.randn(4, 3), -1.0), ValueError, "var has negative entry"),
    (lambda: F.gaussian_nll_loss(ag.randn(4, 3), ag.randn(4, 3), 1.0, reduction="foo"), ValueError,
     "foo is not valid"),
    (lambda: F.multilabel_soft_margin_loss(ag.randn(4, 3), ag.ones(4, 3), reduction="foo"), ValueError,
     "foo is not valid"),
    (lambda: F.poisson_nll_loss(ag.randn(4, 3), ag.ones(4, 3), reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
])
def test_loss_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_loss_modules_pass_their_arguments():
    a, b, c = (ag.tensor(x, dtype=ag.float64) for x in (A, B, C))
    s, w = ag.tensor(SIGNS2), ag.tensor([1.0, 2, 3])
    pairs = [
        (nn.CosineEmbeddingLoss(0.1, reduction="sum")(a, b, ag.tensor(SIGNS)),
         F.cosine_embedding_loss(a, b, ag.tensor(SIGNS), 0.1, reduction="sum")),
        (nn.MarginRankingLoss(0.2)(a, b, s), F.margin_ranking_loss(a, b, s, 0.2)),
        (nn.TripletMarginLoss(1.5, 1.0, 1e-3, True, reduction="none")(a, b, c),
         F.triplet_margin_loss(a, b, c, 1.5, 1.0, 1e-3, True, reduction="none")),
        (nn.PoissonNLLLoss(False, True, eps=1e-3)(a.abs(), ag.tensor(COUNTS)),
         F.poisson_nll_loss(a.abs(), ag.tensor(COUNTS), False, True, eps=1e-3)),
        (nn.GaussianNLLLoss(full=True, eps=0.5)(a, b, c.abs()), F.gaussian_nll_loss(a, b, c.abs(), True, 0.5)),
        (nn.SoftMarginLoss(reduction="sum")(a, s), F.soft_margin_loss(a, s, reduction="sum")),
        (nn.MultiLabelSoftMarginLoss(w)(a, ag.tensor(LABELS)), F.multilabel_soft_margin_loss(a, ag.tensor(LABELS), w)),
        (nn.MultiMarginLoss(2, 0.5, w)(a, ag.tensor(CLASSES)), F.multi_margin_loss(a, ag.tensor(CLASSES), 2, 0.5, w)),
        (nn.HingeEmbeddingLoss(0.4, reduce=False)(a, s), F.hinge_embedding_loss(a, s, 0.4, reduction="none")),
    ]
    for got, expected in pairs:
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert list(nn.MultiMarginLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.MultiLabelSoftMarginLoss().state_dict()) == []


# ---- ParameterList, ParameterDict -------------------------------------------------------------------------------
def test_parameter_list_registers_and_converts():
    t = ag.zeros(2)
    pl = nn.ParameterList([nn.Parameter(ag.zeros(3, 4)), t, 5])
    assert len(pl) == 3 and isinstance(pl[1], nn.Parameter) and pl[2] == 5 and pl[-1] == 5
    assert pl[1].array is t.array  # the plain tensor became a Parameter over the same memory
    assert list(pl.state_dict()) == ["0", "1"] and len(list(pl.parameters())) == 2
    pl.append(ag.ones(1))
    pl.extend([ag.ones(2, dtype=ag.float64)])
    pl += [ag.ones(3)]
    assert len(pl) == 6 and [n for n, _ in pl.named_parameters()] == ["0", "1", "3", "4", "5"]
    sub = pl[1:4:2]
    assert isinstance(sub, nn.ParameterList) and len(sub) == 2 and sub[0] is pl[1]
    pl[0] = ag.ones(1)
    assert isinstance(pl[0], nn.Parameter) and pl[0].shape == (1,)
    assert [type(p).__name__ for p in pl] == ["Parameter", "Parameter", "int", "Parameter", "Parameter", "Parameter"]
    assert "0" not in dir(pl)
    with pytest.raises(IndexError, match="index 6 is out of range"):
        pl[6]
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable, but got Tensor"):
        pl.extend(ag.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl(1)


def test_parameter_containers_inside_a_model_are_trained():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([nn.Parameter(ag.ones(2)) for _ in range(2)])
            self.bs = nn.ParameterDict({"b": nn.Parameter(ag.zeros(2))})

        def forward(self, x):
            return (x * self.ws[0] * self.ws[1] + self.bs["b"]).sum()

    m = Model()
    assert list(m.state_dict()) == ["ws.0", "ws.1", "bs.b"]
    m(ag.ones(2)).backward()
    assert all(p.grad is not None for p in m.parameters())


def test_parameter_list_and_dict_reprs_are_torchs():
    pl = nn.ParameterList([nn.Parameter(ag.zeros(3, 4)), ag.zeros(2), 5])
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [float32 of size 3x4]\n"
                        "    (1): Parameter containing: [float32 of size 2]\n    (2): Object of type: int\n)")
    assert repr(nn.ParameterList()) == "ParameterList()"
    one = "ParameterList(  (0): Parameter containing: [float32 of size 3x4])"  # torch's quirk for one entry
    assert repr(nn.ParameterList([ag.zeros(3, 4)])) == one
    pd = nn.ParameterDict({"b": ag.zeros(2, dtype=ag.float64), "a": nn.Parameter(ag.zeros(3))})
    assert repr(pd) == ("ParameterDict(\n    (a): Parameter containing: [float32 of size 3]\n"
                        "    (b): Parameter containing: [float64 of size 2]\n)")


def test_parameter_dict_behaves_like_a_dict():
    from collections import OrderedDict

    pd = nn.ParameterDict({"b": ag.zeros(2), "a": ag.ones(1)})  # a plain dict: sorted, as torch
    assert list(pd) == ["a", "b"] and list(pd.keys()) == ["a", "b"] and isinstance(pd["b"], nn.Parameter)
    pd2 = nn.ParameterDict(OrderedDict([("z", ag.ones(1)), ("y", ag.ones(1))]))  # an OrderedDict keeps its order
    assert list(pd2) == ["z", "y"]
    pd.update([("c", ag.ones(3)), ("d", "text")])
    assert list(pd) == ["a", "b", "c", "d"] and pd["d"] == "text" and list(pd.state_dict()) == ["a", "b", "c"]
    assert "c" in pd and pd.get("missing", 7) == 7 and len(pd) == 4
    assert pd.setdefault("e", ag.ones(1)) is pd["e"]
    k, v = pd.popitem()
    assert k == "e" and isinstance(v, nn.Parameter) and "e" not in pd
    assert pd.pop("d") == "text" and list(reversed(pd)) == ["c", "b", "a"]
    del pd["c"]
    merged = pd | pd2
    assert list(merged) == ["a", "b", "z", "y"] and merged["z"] is pd2["z"]
    pd |= pd2
    assert list(pd) == ["a", "b", "z", "y"]
    copy_ = pd.copy()
    assert list(copy_) == list(pd) and copy_["a"] is pd["a"]
    assert list(pd.fromkeys(["p", "q"], ag.ones(1))) == ["p", "q"]
    assert [k for k, _ in pd.items()] == list(pd) and len(list(pd.values())) == 4
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []
    with pytest.raises(TypeError, match="not a string"):
        pd[1] = ag.ones(1)
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        pd.update([("a", 1, 2)])
    with pytest.raises(TypeError, match="should be called with an iterable"):
        pd.update(3)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called."):
        pd(1)


# ---- hooks ------------------------------------------------------------------------------------------------------
def _hooked_linear(log):
    lin = nn.Linear(3, 2)
    handles = [
        lin.register_forward_pre_hook(lambda m, a: log.append("pre1")),
        lin.register_forward_pre_hook(lambda m, a: log.append("pre2"), prepend=True),
        lin.register_forward_pre_hook(lambda m, a, k: log.append(("prek", len(a), dict(k))), with_kwargs=True),
        lin.register_forward_hook(lambda m, a, o: log.append("f1")),
        lin.register_forward_hook(lambda m, a, k, o: log.append(("fk", dict(k))), with_kwargs=True, prepend=True),
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("bpre", [tuple(g.shape) for g in go]))),
        lin.register_full_backward_hook(lambda m, gi, go: log.append(
            ("b", [None if g is None else tuple(g.shape) for g in gi], [tuple(g.shape) for g in go]))),
        lin.register_full_backward_hook(lambda m, gi, go: log.append("b2"), prepend=True),
    ]
    return lin, handles


# what torch 2.13 logs for the same calls (see the _vs_torch test)
TORCH_HOOK_ORDER = ["pre2", "pre1", ("prek", 1, {}), ("fk", {}), "f1", "tensor hook on y", ("bpre", [(4, 2)]), "b2",
                    ("b", [(4, 3)], [(4, 2)]), "x hook"]


def test_module_hooks_fire_in_torchs_order():
    log = []
    lin, _ = _hooked_linear(log)
    x = ag.randn(4, 3, requires_grad=True)
    y = lin(x)
    y.register_hook(lambda g: log.append("tensor hook on y"))
    x.register_hook(lambda g: log.append("x hook"))
    y.sum().backward()
    assert log == TORCH_HOOK_ORDER


def test_backward_hooks_fire_from_the_outputs_when_no_input_requires_grad():
    log = []
    lin, handles = _hooked_linear(log)
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect to "
                                         "module outputs"):
        lin(ag.randn(4, 3)).sum().backward()
    assert log[-3:] == [("bpre", [(4, 2)]), "b2", ("b", [None], [(4, 2)])]
    for h in handles:
        h.remove()
    log.clear()
    lin(ag.randn(4, 3)).sum().backward()
    assert log == []
    assert not (lin._forward_hooks_with_kwargs or lin._forward_pre_hooks_with_kwargs or lin._backward_hooks)
    lin.register_full_backward_hook(lambda m, gi, go: (ag.ones(4, 3),))
    with pytest.raises(RuntimeError, match="should always return None or None for all gradients"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin(ag.randn(4, 3)).sum().backward()


def test_backward_hooks_replace_gradients():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 0,))  # zero grad_output: nothing flows anywhere
    x = ag.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    assert np.all(x.grad.numpy() == 0) and np.all(lin.weight.grad.numpy() == 0)
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))  # zero grad_input: the weights still learn
    x = ag.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    assert np.all(x.grad.numpy() == 0) and np.any(lin.weight.grad.numpy() != 0)
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (ag.ones(4, 2),))
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[4, 2\] but expected shape compatible "
                                           r"with \[4, 3\]"):
        lin(ag.randn(4, 3, requires_grad=True)).sum().backward()
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but "
                                           "expected 1"):
        lin(ag.randn(4, 3, requires_grad=True)).sum().backward()


def test_backward_hook_sees_every_input_and_output():
    class Two(nn.Module):
        def forward(self, a, k, b):
            return a * k, a + b, "label"

    seen = []
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0])
    p, q, label = m(a, 3.0, b)
    assert label == "label"
    (p.sum() * 2 + q.sum()).backward()
    (gi, go) = seen[0]
    assert gi[1] is None and gi[2] is None and go[2] is None
    np.testing.assert_allclose(gi[0].numpy(), [7.0, 7.0])
    np.testing.assert_allclose(go[0].numpy(), [2.0, 2.0])
    np.testing.assert_allclose(a.grad.numpy(), [7.0, 7.0])


def test_hooked_module_is_differentiable_twice_and_copies_its_input():
    lin = nn.Linear(3, 1).double()
    lin.register_full_backward_hook(lambda m, gi, go: None)
    lin.register_full_backward_pre_hook(lambda m, go: None)
    x = normal((2, 3), 14)
    check(lambda t: (lin(t) ** 2).sum(), x)

    class InplaceRelu(nn.Module):
        def forward(self, t):
            return F.relu(t, inplace=True)

    m = InplaceRelu()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    x = normal((2, 3), 15)
    h = x * 1.0
    before = h.detach().numpy().copy()
    m(h).sum().backward()
    np.testing.assert_array_equal(h.detach().numpy(), before)  # the module worked on its own copy
    np.testing.assert_array_equal(x.grad.numpy(), (before > 0).astype(float))


def test_forward_hooks_with_kwargs_and_always_call():
    m = nn.Linear(3, 2)
    m.register_forward_pre_hook(lambda mod, a, k: ((a[0] * 0,), k), with_kwargs=True)
    np.testing.assert_allclose((m(ag.ones(1, 3)) - m.bias).detach().numpy(), 0)
    m = nn.Linear(3, 2)
    m.register_forward_pre_hook(lambda mod, a, k: (a[0] * 0,), with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple of \(new_args, new_kwargs\)"):
        m(ag.ones(1, 3))

    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            if factor < 0:
                raise ValueError("negative factor")
            return x * factor

    log = []
    s = Scale()
    s.register_forward_hook(lambda mod, a, k, out: out + k["factor"], with_kwargs=True)
    s.register_forward_hook(lambda mod, a, out: log.append(("always", out)), always_call=True)
    s.register_forward_hook(lambda mod, a, out: log.append("normal"))
    assert s(ag.ones(1), factor=2.0).item() == 4.0
    assert log[0][0] == "always" and log[0][1].item() == 4.0 and log[1] == "normal"
    log.clear()
    with pytest.raises(ValueError, match="negative factor"):
        s(ag.ones(1), factor=-1.0)
    assert log == [("always", None)]  # run despite the error; the other hook is not


def test_removable_handle_from_tensor_and_module_hooks():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(1))
    other = x.register_hook(lambda g: seen.append(2))
    assert isinstance(handle, RemovableHandle) and handle.id != other.id
    handle.remove()
    handle.remove()  # twice is harmless
    (x * 2).sum().backward()
    assert seen == [2]
    h = x * 3
    with h.register_hook(lambda g: g * 0):
        pass  # leaving the with-block removes it
    x.grad = None
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    assert nn.module.RemovableHandle is RemovableHandle
    lin = nn.Linear(2, 2)
    with lin.register_forward_hook(lambda m, a, o: o * 0):
        assert np.all(lin(ag.ones(2)).detach().numpy() == 0)
    assert not lin._forward_hooks


# ---- Module.to / cuda / register_module -------------------------------------------------------------------------
def test_module_to_devices_and_dtypes():
    lin = nn.Linear(2, 2)
    w = lin.weight
    assert lin.to("cpu") is lin and lin.to(ag.device("cpu")) is lin and lin.cpu() is lin
    assert lin.to("cpu", ag.float64) is lin and lin.weight is w and w.dtype == np.float64
    lin.to(device="cpu", dtype=ag.float32, non_blocking=True)
    assert w.dtype == np.float32
    lin.to(ag.zeros(1, dtype=ag.float64))
    assert w.dtype == np.float64
    for call in (lambda: lin.to("cuda"), lambda: lin.to(device="cuda:0"), lambda: lin.to(0), lin.cuda,
                 lambda: lin.cuda(1), lambda: lin.to("mps", ag.float32)):
        with pytest.raises(DeviceError):
            call()
    assert w.dtype == np.float64  # a failed move changes nothing
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        lin.to(colour="red")
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        lin.to(ag.int64)
    m = nn.Module()
    m.register_module("child", lin)
    assert m.child is lin and list(m.state_dict()) == ["child.weight", "child.bias"]


# ---- parametrizations -------------------------------------------------------------------------------------------
class Symmetric(nn.Module):
    def forward(self, x):
        return (x + x.t()) / 2

    def right_inverse(self, a):
        return a


class Scaled(nn.Module):
    calls = 0

    def forward(self, x):
        Scaled.calls += 1
        return x * 2

    def right_inverse(self, a):
        return a / 2


def test_register_parametrization_makes_weight_a_computed_tensor():
    lin = nn.Linear(3, 3).double()
    orig = lin.weight
    P.register_parametrization(lin, "weight", Symmetric())
    assert type(lin).__name__ == "ParametrizedLinear" and isinstance(lin, nn.Linear)
    assert P.type_before_parametrizations(lin) is nn.Linear
    assert P.is_parametrized(lin) and P.is_parametrized(lin, "weight") and not P.is_parametrized(lin, "bias")
    assert lin.parametrizations.weight.original is orig  # the same Parameter: the optimiser keeps working
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original"]
    w = lin.weight
    assert not isinstance(w, nn.Parameter) and w.grad_fn is not None
    np.testing.assert_allclose(w.detach().numpy(), (orig.detach().numpy() + orig.detach().numpy().T) / 2)
    lin(ag.ones(1, 3, dtype=ag.float64)).sum().backward()
    assert orig.grad is not None and np.allclose(orig.grad.numpy(), orig.grad.numpy().T)
    assert "(0): Symmetric()" in repr(lin) and repr(lin).startswith("ParametrizedLinear(")
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        lin.weight = nn.Parameter(ag.zeros(3, 3))
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with name "
                                         "'foo'"):
        P.register_parametrization(lin, "foo", Symmetric())


def test_parametrizations_chain_assign_cache_and_remove():
    lin = nn.Linear(2, 2).double()
    orig = lin.weight
    P.register_parametrization(lin, "weight", Scaled())
    P.register_parametrization(lin, "weight", Symmetric())
    assert len(lin.parametrizations.weight) == 2
    target = ag.tensor([[1.0, 2.0], [2.0, 5.0]], dtype=ag.float64)
    lin.weight = target  # right_inverse, last registered first
    np.testing.assert_allclose(orig.detach().numpy(), target.numpy() / 2)
    np.testing.assert_allclose(lin.weight.detach().numpy(), target.numpy())
    Scaled.calls = 0
    with P.cached():
        assert lin.weight is lin.weight
    assert Scaled.calls == 1
    assert lin.weight is not lin.weight  # outside the context: computed on every access
    P.remove_parametrizations(lin, "weight", leave_parametrized=False)
    assert type(lin) is nn.Linear and not hasattr(lin, "parametrizations") and lin.weight is orig
    np.testing.assert_allclose(lin.weight.detach().numpy(), target.numpy() / 2)
    P.register_parametrization(lin, "weight", Scaled())  # keeps the value: original ← right_inverse(weight)
    np.testing.assert_allclose(orig.detach().numpy(), target.numpy() / 4)
    with ag.no_grad():
        orig.mul_(3.0)
    P.remove_parametrizations(lin, "weight")  # leave_parametrized: the original Parameter holds 2·original
    assert lin.weight is orig and isinstance(lin.weight, nn.Parameter)
    np.testing.assert_allclose(lin.weight.detach().numpy(), target.numpy() * 1.5)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(lin, "weight")


def test_parametrization_checks_and_copies():
    class Flatten(nn.Module):
        def forward(self, x):
            return x.reshape(-1)

    with pytest.raises(ValueError, match="may not change the shape of the tensor, unless `unsafe` flag is enabled"):
        P.register_parametrization(nn.Linear(2, 2), "weight", Flatten())
    lin = P.register_parametrization(nn.Linear(2, 2), "weight", Flatten(), unsafe=True)
    assert lin.weight.shape == (4,)
    lin = P.register_parametrization(nn.Linear(2, 2), "weight", Symmetric())
    with pytest.raises(RuntimeError, match="parametrization Flatten does not implement right_inverse"):
        P.register_parametrization(lin, "weight", Flatten(), unsafe=True)
        lin.weight = ag.zeros(4)
    twin = copy.deepcopy(lin)
    assert type(twin).__name__ == "ParametrizedLinear" and twin.parametrizations.weight.original is not \
        lin.parametrizations.weight.original
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                           "state_dict()"):
        pickle.dumps(lin)
    buf = nn.Module()
    buf.register_buffer("scale", ag.ones(2))
    P.register_parametrization(buf, "scale", Scaled())
    assert list(buf.state_dict()) == ["parametrizations.scale.original"] and buf.scale.tolist() == [1.0, 1.0]
    assert buf.parametrizations.scale.original.tolist() == [0.5, 0.5]
    src = P.register_parametrization(nn.Linear(2, 2), "weight", Scaled())
    dst = P.transfer_parametrizations_and_params(src, nn.Linear(2, 2))
    assert dst.parametrizations.weight.original is src.parametrizations.weight.original
    np.testing.assert_array_equal(dst.weight.detach().numpy(), src.weight.detach().numpy())


def _np_weight_norm(v, g, dim):
    axes = tuple(i for i in range(v.ndim) if i != dim) if dim is not None else None
    return v * g / np.sqrt((v * v).sum(axis=axes, keepdims=dim is not None))


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(dim):
    conv = nn.Conv1d(2, 3, 2).double()
    w0 = conv.weight.detach().numpy().copy()
    weight_norm(conv, dim=dim)
    g, v = conv.parametrizations.weight.original0, conv.parametrizations.weight.original1
    assert isinstance(g, nn.Parameter) and isinstance(v, nn.Parameter)
    assert g.shape == {0: (3, 1, 1), 1: (1, 2, 1), None: ()}[dim] and v.shape == (3, 2, 2)
    assert list(conv.state_dict()) == ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    np.testing.assert_allclose(conv.weight.detach().numpy(), w0, rtol=1e-12)  # g = ‖w‖, v = w: w itself
    with ag.no_grad():
        g.mul_(2.0)
    expected = _np_weight_norm(v.detach().numpy(), g.detach().numpy(), dim)
    np.testing.assert_allclose(conv.weight.detach().numpy(), expected, rtol=1e-12)
    check(conv.parametrizations.weight[0], ag.tensor(g.detach().numpy() + 0.5, requires_grad=True),
          ag.tensor(v.detach().numpy(), requires_grad=True))


def test_spectral_norm_parametrization():
    ag.manual_seed(0)
    lin = nn.Linear(5, 4).double()
    w = lin.weight.detach().numpy().copy()
    spectral_norm(lin)
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
                                      "parametrizations.weight.0._v"]
    assert [n for n, _ in lin.named_parameters()] == ["bias", "parametrizations.weight.original"]
    sn = lin.parametrizations.weight[0]
    u = sn._u
    for _ in range(30):
        _ = lin.weight  # each access in training mode runs one power-iteration step, in the buffers themselves
    assert sn._u is u
    sigma = np.linalg.svd(w, compute_uv=False)[0]
    np.testing.assert_allclose(lin.weight.detach().numpy(), w / sigma, rtol=1e-8)
    np.testing.assert_allclose(np.linalg.svd(lin.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-8)
    lin.eval()
    before = u.numpy().copy()
    lin(ag.ones(5, dtype=ag.float64))
    np.testing.assert_array_equal(u.numpy(), before)  # eval: no power iteration
    # the gradient treats u and v as constants: d(w/σ)/dw with σ = uᵀwv
    check(lambda t: sn(t), ag.tensor(w, requires_grad=True))
    vec = nn.Module()
    vec.register_parameter("weight", nn.Parameter(ag.tensor([3.0, 4.0])))
    spectral_norm(vec)
    np.testing.assert_allclose(vec.weight.detach().numpy(), [0.6, 0.8])  # 1-d: simply normalised
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'foo'"):
        spectral_norm(nn.Linear(2, 2), "foo")
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got n_power_iterations=0"):
        spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        spectral_norm(nn.Linear(2, 2), dim=2)


def test_old_weight_norm_and_spectral_norm():
    lin = nn.Linear(3, 4).double()
    w0 = lin.weight.detach().numpy().copy()
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
        nn.utils.weight_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight_g", "weight_v"] and lin.weight_g.shape == (4, 1)
    assert not isinstance(lin.weight, nn.Parameter) and lin.weight.grad_fn is not None
    np.testing.assert_allclose(lin.weight.detach().numpy(), w0, rtol=1e-12)
    with ag.no_grad():
        lin.weight_g.mul_(3.0)
    lin(ag.ones(3, dtype=ag.float64)).sum().backward()  # the pre-hook recomputed the weight
    np.testing.assert_allclose(lin.weight.detach().numpy(), 3 * w0, rtol=1e-12)
    assert lin.weight_g.grad is not None and lin.weight_v.grad is not None
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn.utils.weight_norm(lin)
    nn.utils.remove_weight_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight"] and isinstance(lin.weight, nn.Parameter)
    np.testing.assert_allclose(lin.weight.detach().numpy(), 3 * w0, rtol=1e-12)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Linear"):
        nn.utils.remove_weight_norm(lin)

    ag.manual_seed(1)
    nn.utils.spectral_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert lin.weight.grad_fn is None  # weight.data until the first forward, as torch
    for _ in range(40):
        lin(ag.ones(3, dtype=ag.float64))
    sigma = np.linalg.svd(lin.weight_orig.detach().numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(lin.weight.detach().numpy(), lin.weight_orig.detach().numpy() / sigma, rtol=1e-8)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(lin)
    nn.utils.remove_spectral_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(lin)


# ---- init and utils ---------------------------------------------------------------------------------------------
def test_dirac_makes_an_identity_convolution():
    w = ag.empty(4, 2, 3)
    nn.init.dirac_(w, groups=2)
    x = ag.randn(1, 4, 7)
    out = F.conv1d(x, w, padding=1, groups=2)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-6)
    assert w.numpy().sum() == 4
    w2 = ag.empty(3, 3, 3, 3)
    assert nn.init.dirac_(w2) is w2 and w2.numpy()[1, 1, 1, 1] == 1 and w2.numpy().sum() == 3
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        nn.init.dirac_(ag.empty(2, 2))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        nn.init.dirac_(ag.empty(3, 2, 3), groups=2)


def test_sparse_zeroes_a_fraction_of_each_column():
    w = ag.empty(10, 6)
    nn.init.sparse_(w, 0.3, std=0.5)
    assert np.all((w.numpy() == 0).sum(0) == 3)
    assert 0.2 < w.numpy()[w.numpy() != 0].std() < 1.0
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.sparse_(ag.empty(3), 0.1)


def test_init_functions_tutorials_use_exist_with_torchs_gains():
    for name in ("uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_", "xavier_uniform_",
                 "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "orthogonal_", "sparse_"):
        assert callable(getattr(nn.init, name))
    gain = nn.init.calculate_gain
    assert gain("linear") == 1 and gain("conv2d") == 1 and gain("sigmoid") == 1 and gain("tanh") == 5 / 3
    assert gain("relu") == math.sqrt(2) and gain("selu") == 0.75
    assert gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert gain("leaky_relu") == pytest.approx(math.sqrt(2 / 1.0001))
    w = ag.empty(200, 300)
    nn.init.kaiming_normal_(w, a=0.2, mode="fan_out", nonlinearity="leaky_relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 1.04) / math.sqrt(200)) < 0.003


def test_clip_grad_norm_returns_the_total_norm_before_clipping():
    a, b = nn.Parameter(ag.zeros(2)), nn.Parameter(ag.zeros(1))
    a.grad, b.grad = ag.tensor([3.0, 0.0]), ag.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad.numpy(), b.grad.numpy()]), [0.6, 0, 0.8], rtol=1e-5)
    vec = nn.utils.parameters_to_vector([a, b])
    assert vec.shape == (3,)
