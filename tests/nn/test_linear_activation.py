"""Layers and activations: finite-difference gradchecks (first and second order, float64), modes, errors, and
torch comparisons where torch is installed."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck


def x64(*shape, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return autograd.tensor(rng.standard_normal(shape) * scale, dtype=autograd.float64, requires_grad=True)


# Inputs are kept away from the kinks (0 for relu/leaky/elu/step), where central differences straddle the corner.
def away_from_zero(*shape, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return autograd.tensor(v, dtype=autograd.float64, requires_grad=True)


ACTIVATIONS = [
    nn.ReLU(), nn.LeakyReLU(0.2), nn.ELU(), nn.ELU(alpha=0.5), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(),
    nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.Softplus(beta=2.0, threshold=1.5), nn.Softmax(dim=-1),
    nn.Softmax(dim=0), nn.LogSoftmax(dim=1), nn.Identity(),
]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=repr)
def test_activation_gradcheck_and_gradgradcheck(act):
    x = away_from_zero(3, 4)
    assert gradcheck(act, (x,), check_forward_ad=True)  # forward mode too: composites of ops with jvp rules
    assert gradgradcheck(act, (x,))


@pytest.mark.parametrize("act", [nn.ReLU(), nn.LeakyReLU(), nn.Step()], ids=repr)
def test_piecewise_linear_derivatives(act):
    x = autograd.tensor([-2.0, -0.5, 0.5, 3.0], dtype=autograd.float64, requires_grad=True)
    (g,) = autograd.grad(act(x).sum(), x)
    expected = {"ReLU()": [0, 0, 1, 1], "LeakyReLU(negative_slope=0.01)": [0.01, 0.01, 1, 1],
                "Step()": [0, 0, 0, 0]}[repr(act)]
    np.testing.assert_allclose(g.array, expected)


def test_step_values_and_zero_gradient():
    x = autograd.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = nn.Step()(x)
    assert y.tolist() == [0.0, 1.0, 1.0]  # lecture 000: g(r) = 1 if r >= 0
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_activation_formulas():
    x = autograd.tensor([-3.0, -0.5, 0.0, 0.7, 4.0], dtype=autograd.float64)
    v = x.array
    phi = np.array([0.5 * (1 + math.erf(t / math.sqrt(2))) for t in v])
    np.testing.assert_allclose(F.gelu(x).array, v * phi)
    np.testing.assert_allclose(F.elu(x, 0.7).array, np.where(v > 0, v, 0.7 * np.expm1(v)))
    np.testing.assert_allclose(F.silu(x).array, v / (1 + np.exp(-v)))
    np.testing.assert_allclose(F.softplus(x, beta=2).array, np.log1p(np.exp(2 * v)) / 2)
    np.testing.assert_allclose(F.softmax(x, 0).array, np.exp(v) / np.exp(v).sum())


def test_extreme_inputs_stay_finite_with_finite_gradients():
    x = autograd.tensor([-1000.0, -50.0, 50.0, 1000.0], dtype=autograd.float64, requires_grad=True)
    for f in (F.elu, F.softplus, F.silu, F.gelu, F.sigmoid, lambda t: F.gelu(t, "tanh")):
        y = f(x)
        (g,) = autograd.grad(y.sum(), x)
        assert np.isfinite(y.array).all() and np.isfinite(g.array).all(), f
    assert F.softplus(x).array[-1] == 1000.0  # past the threshold softplus is the identity


def test_softmax_without_dim_warns_and_uses_torch_rule():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(autograd.randn(2, 3))
    np.testing.assert_allclose(y.array.sum(1), 1, rtol=1e-6)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate"):
        nn.GELU("fast")


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck_over_batch_shapes(shape, bias):
    lin = nn.Linear(3, 2, bias=bias).double()
    x = x64(*shape)
    params = (lin.weight,) + ((lin.bias,) if bias else ())
    assert gradcheck(lambda x, *ps: lin(x), (x, *params))
    assert gradgradcheck(lambda x, *ps: lin(x) * lin(x), (x, *params))
    assert gradcheck(lambda x, w, *b: F.linear(x, w, *b), (x, *params), check_forward_ad=True)


def test_linear_init_bounds_and_shape_error():
    autograd.manual_seed(0)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)  # kaiming_uniform(a=√5) reduces to U(−1/√fan_in, 1/√fan_in)
    assert lin.weight.shape == (40, 50) and lin.bias.shape == (40,)
    assert np.abs(lin.weight.array).max() <= bound and np.abs(lin.weight.array).max() > 0.95 * bound
    assert np.abs(lin.bias.array).max() <= bound
    assert lin.weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="in_features=50"):
        lin(autograd.randn(3, 49))


def test_flatten_unflatten():
    x = x64(2, 3, 4)
    f, u = nn.Flatten(), nn.Unflatten(1, (3, 4))
    assert f(x).shape == (2, 12) and u(f(x)).shape == (2, 3, 4)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert gradcheck(lambda t: u(f(t)) * t, (x,))
    assert repr(f) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(u) == "Unflatten(dim=1, unflattened_size=(3, 4))"


def test_dropout_train_and_eval():
    drop = nn.Dropout(p=0.25)
    x = autograd.ones(2000, dtype=autograd.float64)
    autograd.manual_seed(1)
    y = drop(x)
    kept = y.array != 0
    assert np.allclose(y.array[kept], 1 / 0.75)  # inverted dropout: survivors are scaled up
    assert abs(kept.mean() - 0.75) < 0.04
    autograd.manual_seed(1)
    assert np.array_equal(drop(x).array, y.array)  # the seed fixes the mask
    drop.eval()
    assert drop(x) is x
    assert np.all(nn.Dropout(1.0)(x).array == 0)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)


def test_dropout_gradcheck_with_fixed_mask():
    x = x64(3, 4)

    def f(t):
        autograd.manual_seed(7)  # every evaluation draws the same mask
        return F.dropout(t, 0.4, training=True) * t

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))
    assert gradcheck(lambda t: F.dropout(t, 0.4, training=False) * t, (x,))


def test_embedding_lookup_gradient_and_padding():
    emb = nn.Embedding(5, 3, padding_idx=1).double()
    assert np.all(emb.weight.array[1] == 0)
    idx = autograd.tensor([[0, 1, 4], [4, 4, 2]])
    out = emb(idx)
    assert out.shape == (2, 3, 3) and np.array_equal(out.array[1, 0], emb.weight.array[4])
    out.sum().backward()
    np.testing.assert_allclose(emb.weight.grad.array[:, 0], [1, 0, 1, 0, 3])  # counts; padding row gets none
    assert gradcheck(lambda w: F.embedding(idx, w, padding_idx=1) ** 2, (emb.weight,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (emb.weight,))
    assert repr(emb) == "Embedding(5, 3, padding_idx=1)"


def test_embedding_errors_and_from_pretrained():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index 4 is out of range for an embedding table of 4 rows"):
        emb(autograd.tensor([0, 4]))
    with pytest.raises(RuntimeError, match="integer"):
        emb(autograd.tensor([0.0, 1.0]))
    table = autograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    pre = nn.Embedding.from_pretrained(table)
    assert not pre.weight.requires_grad and pre(autograd.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding(4, 2, padding_idx=-1).padding_idx == 3


def test_reprs_match_torch_wording():
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"


def test_matches_torch_outputs_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    xv = rng.standard_normal((4, 3)) * 3
    pairs = [
        (nn.ReLU(), torch.nn.ReLU()), (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)), (nn.ELU(0.7), torch.nn.ELU(0.7)),
        (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.SiLU(), torch.nn.SiLU()),
        (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softplus(2.0, 3.0), torch.nn.Softplus(2.0, 3.0)), (nn.Softmax(1), torch.nn.Softmax(1)),
        (nn.LogSoftmax(0), torch.nn.LogSoftmax(0)),
    ]
    for ours, theirs in pairs:
        x = autograd.tensor(xv, dtype=autograd.float64, requires_grad=True)
        tx = torch.tensor(xv, requires_grad=True)
        w = rng.standard_normal((4, 3))
        (ours(x) * autograd.tensor(w)).sum().backward()
        (theirs(tx) * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(ours(x).array, theirs(tx).detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=repr(ours))
        np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=repr(ours))

    lin, tlin = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        tlin.weight.copy_(torch.from_numpy(lin.weight.array))
        tlin.bias.copy_(torch.from_numpy(lin.bias.array))
    x, tx = autograd.tensor(xv, requires_grad=True), torch.tensor(xv, requires_grad=True)
    (lin(x) ** 2).sum().backward()
    (tlin(tx) ** 2).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.array, tlin.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(lin.bias.grad.array, tlin.bias.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu", "dropout"])
def test_inplace_variants_give_the_out_of_place_gradients(name):
    fn = getattr(F, name)
    x = away_from_zero(2, 3)

    def f(t, inplace):
        autograd.manual_seed(0)  # dropout: same mask each call
        y = t * 1.0  # in-place ops need a non-leaf
        out = fn(y, inplace=True) if inplace else fn(y)
        assert (out is y) == inplace
        return out

    assert gradcheck(lambda t: f(t, True), (x,))
    np.testing.assert_array_equal(f(x, True).array, f(x, False).array)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        fn(x, inplace=True)
