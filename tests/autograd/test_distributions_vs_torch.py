"""autograd.distributions against torch.distributions: log_prob, entropy, cdf/icdf, moments, KL and their
gradients on the same parameters, shapes, and validation errors. (Samples differ: the generators differ.)"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd as ag  # noqa: E402
from autograd import distributions as D  # noqa: E402

TD = torch.distributions
R = np.random.default_rng(3)
LOC, POS, PROBS = R.standard_normal((2, 3)), R.random((2, 3)) + 0.5, R.random((2, 3))
COV = np.array([[2.0, 0.6, 0.1], [0.6, 1.0, 0.2], [0.1, 0.2, 0.5]])

# name: (constructor(lib_distributions, *params), params, values where log_prob is taken)
CASES = {
    "Normal": (lambda d, m, s: d.Normal(m, s), [LOC, POS], R.standard_normal((4, 2, 3))),
    "Uniform": (lambda d, lo, w: d.Uniform(lo, lo + w), [LOC, POS], LOC + 0.3 * POS),
    "Exponential": (lambda d, r: d.Exponential(r), [POS], R.random((4, 2, 3)) * 3),
    "Laplace": (lambda d, m, s: d.Laplace(m, s), [LOC, POS], R.standard_normal((2, 3))),
    "Bernoulli_probs": (lambda d, p: d.Bernoulli(probs=p), [PROBS], (R.random((4, 2, 3)) > 0.5) * 1.0),
    "Bernoulli_logits": (lambda d, lg: d.Bernoulli(logits=lg), [LOC], (R.random((2, 3)) > 0.5) * 1.0),
    "Categorical_probs": (lambda d, p: d.Categorical(probs=p), [PROBS], np.array([[0, 2], [1, 1], [2, 0]])),
    "Categorical_logits": (lambda d, lg: d.Categorical(logits=lg), [LOC], np.array([2, 0])),
    "OneHotCategorical": (lambda d, lg: d.OneHotCategorical(logits=lg), [LOC], np.eye(3)[[[0, 2], [1, 1]]]),
    "MultivariateNormal_cov": (lambda d, m, c: d.MultivariateNormal(m, covariance_matrix=c), [LOC, COV],
                               R.standard_normal((4, 2, 3))),
    "MultivariateNormal_tril": (lambda d, m, c: d.MultivariateNormal(m, scale_tril=c), [LOC, np.linalg.cholesky(COV)],
                                R.standard_normal((2, 3))),
    "MultivariateNormal_precision": (lambda d, m, c: d.MultivariateNormal(m[0], precision_matrix=c), [LOC, COV],
                                     R.standard_normal((3,))),
    "Independent": (lambda d, m, s: d.Independent(d.Normal(m, s), 1), [LOC, POS], R.standard_normal((2, 3))),
}


def _tensors(lib, arrays):
    if lib is torch:
        return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    return [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]


def _value(lib, v):
    if v.dtype.kind == "i":
        return torch.tensor(v) if lib is torch else ag.tensor(v)
    return torch.tensor(v, dtype=torch.float64) if lib is torch else ag.tensor(v, dtype=ag.float64)


def _results(lib, name):
    make, params, value = CASES[name]
    ps = _tensors(lib, params)
    dist = make(TD if lib is torch else D, *ps)
    out = {"batch_shape": tuple(dist.batch_shape), "event_shape": tuple(dist.event_shape),
           "log_prob": dist.log_prob(_value(lib, value))}
    for attr in ("entropy", "mean", "mode", "variance", "stddev"):
        try:
            out[attr] = getattr(dist, attr)() if attr == "entropy" else getattr(dist, attr)
        except NotImplementedError:
            pass
    if name in ("Normal", "Laplace", "Exponential", "Uniform"):
        out["cdf"] = dist.cdf(_value(lib, value.clip(0.01, None) if name == "Exponential" else
                                     np.clip(value, params[0], params[0] + params[1]) if name == "Uniform" else value))
        out["icdf"] = dist.icdf(_value(lib, np.full((2, 3), 0.3)))
    grads = {}
    for key in ("log_prob", "entropy"):
        if key in out and out[key].requires_grad:
            for p in ps:
                p.grad = None
            out[key].sum().backward(retain_graph=True)
            grads[key] = [None if p.grad is None else p.grad.numpy().copy() for p in ps]
    arrays = {k: v if isinstance(v, tuple) else v.detach().numpy() for k, v in out.items()}
    return arrays, grads


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    ours, our_grads = _results(ag, name)
    theirs, their_grads = _results(torch, name)
    assert set(ours) == set(theirs)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-10, atol=1e-12, err_msg=key)
    assert set(our_grads) == set(their_grads)
    for key in our_grads:
        for g, w in zip(our_grads[key], their_grads[key]):
            assert (g is None) == (w is None), key  # None: a parameter the result does not depend on
            if g is not None:
                np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=key)


KL = {
    "Normal": (lambda d, a, b: d.Normal(a, b.exp()), 2),
    "Bernoulli": (lambda d, a: d.Bernoulli(logits=a), 1),
    "Bernoulli_probs": (lambda d, a: d.Bernoulli(probs=a.sigmoid()), 1),
    "Categorical": (lambda d, a: d.Categorical(logits=a), 1),
    "OneHotCategorical": (lambda d, a: d.OneHotCategorical(probs=a.exp()), 1),
    "Exponential": (lambda d, a: d.Exponential(a.exp()), 1),
    "Laplace": (lambda d, a, b: d.Laplace(a, b.exp()), 2),
    "MultivariateNormal": (lambda d, a, b: d.MultivariateNormal(a, scale_tril=_tril(d, b)), 2),
    "Independent": (lambda d, a, b: d.Independent(d.Normal(a, b.exp()), 1), 2),
}


def _tril(d, b):
    lib = torch if d is TD else ag
    mask = lib.tensor(np.tril(np.ones((3, 3)), -1))
    return b.unsqueeze(-1) * mask + lib.tensor(np.eye(3)) * 1.5


@pytest.mark.parametrize("name", sorted(KL))
def test_kl_divergence_matches_torch(name):
    make, n = KL[name]
    arrays = [R.standard_normal((2, 3)) for _ in range(2 * n)]
    results = []
    for lib, d in ((ag, D), (torch, TD)):
        ps = _tensors(lib, arrays)
        kl = d.kl_divergence(make(d, *ps[:n]), make(d, *ps[n:]))
        kl.sum().backward()
        results.append((kl.detach().numpy(), [p.grad.numpy() for p in ps]))
    (ours, our_grads), (theirs, their_grads) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    for g, w in zip(our_grads, their_grads):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


def test_kl_edge_cases_match_torch():
    results = []
    for lib, d in ((ag, D), (torch, TD)):
        p, q = lib.tensor([0.0, 0.3, 1.0, 0.5]), lib.tensor([0.5, 0.0, 1.0, 1.0])
        kl = d.kl_divergence(d.Bernoulli(p), d.Bernoulli(q)).tolist()
        cp, cq = lib.tensor([0.5, 0.5, 0.0]), lib.tensor([0.5, 0.0, 0.5])
        kl_cat = d.kl_divergence(d.Categorical(cp), d.Categorical(cq)).item()
        kl_uni = d.kl_divergence(d.Uniform(0.0, 2.0), d.Uniform(0.5, 3.0)).item()
        results.append(kl + [kl_cat, kl_uni])
    assert results[0] == pytest.approx(results[1])


@pytest.mark.parametrize("call", [
    lambda d, lib: d.Normal(0.0, -1.0),
    lambda d, lib: d.Bernoulli(probs=0.3).log_prob(lib.tensor([0.0, 0.5])),
    lambda d, lib: d.Bernoulli(probs=0.3, logits=0.1),
    lambda d, lib: d.Categorical(probs=lib.tensor([-0.2, 0.3])),
    lambda d, lib: d.Uniform(1.0, 0.0),
    lambda d, lib: d.Exponential(2.0).log_prob(lib.tensor([-1.0])),
    lambda d, lib: d.MultivariateNormal(lib.zeros(2)),
    lambda d, lib: d.Independent(d.Normal(lib.zeros(3, 2), 1.0), 3),
    lambda d, lib: d.Normal(0.0, 1.0).log_prob(0.5),
], ids=["normal-scale", "bernoulli-support", "probs-and-logits", "simplex", "uniform-bounds", "exponential-support",
        "mvn-no-matrix", "independent-ndims", "log_prob-not-tensor"])
def test_validation_errors_match_torch(call):
    with pytest.raises(ValueError) as theirs:
        call(TD, torch)
    with pytest.raises(ValueError) as ours:
        call(D, ag)
    # the same words up to where torch prints a shape (torch.Size([2]) here reads pathgrad.Size([2]))
    expected = str(theirs.value).split("torch.Size")[0]
    assert str(ours.value).startswith(expected)


def test_enumerate_support_and_expand_shapes_match_torch():
    for make in (lambda d, lib: d.Bernoulli(lib.tensor([0.2, 0.4])),
                 lambda d, lib: d.Categorical(logits=lib.zeros(2, 3)),
                 lambda d, lib: d.OneHotCategorical(logits=lib.zeros(2, 3))):
        ours, theirs = make(D, ag), make(TD, torch)
        np.testing.assert_array_equal(ours.enumerate_support().numpy(), theirs.enumerate_support().numpy())
        assert tuple(ours.enumerate_support(expand=False).shape) == tuple(theirs.enumerate_support(False).shape)
        assert tuple(ours.expand((4, 2)).batch_shape) == tuple(theirs.expand((4, 2)).batch_shape)
        assert tuple(ours.sample((5,)).shape) == tuple(theirs.sample((5,)).shape)
        assert str(ours.sample().dtype) == str(theirs.sample().dtype).replace("torch.", "")
    assert math.isnan(D.Uniform(0.0, 1.0).mode.item()) and math.isnan(TD.Uniform(0.0, 1.0).mode.item())
