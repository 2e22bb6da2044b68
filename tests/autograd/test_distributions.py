"""autograd.distributions: densities, entropies and moments against closed forms, sample shapes and reproducibility,
reparameterised gradients, gradchecks of log_prob / entropy / kl_divergence, validation errors, and KL."""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import distributions as D
from autograd import gradcheck, gradgradcheck


def t(x, grad=False):
    return ag.tensor(np.asarray(x, dtype=float), dtype=ag.float64, requires_grad=grad)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


X = np.array([-1.3, 0.0, 0.4, 2.2])


# ---- values against closed forms --------------------------------------------------------------------------------
def test_normal():
    d = D.Normal(t([0.5]), t([2.0]))
    expected = [-(x - 0.5) ** 2 / 8 - math.log(2.0) - 0.5 * math.log(2 * math.pi) for x in X]
    np.testing.assert_allclose(d.log_prob(t(X)).array, expected)
    np.testing.assert_allclose(d.entropy().array, [0.5 + 0.5 * math.log(2 * math.pi) + math.log(2.0)])
    np.testing.assert_allclose(d.cdf(t(X)).array, [0.5 * (1 + math.erf((x - 0.5) / (2 * math.sqrt(2)))) for x in X])
    np.testing.assert_allclose(d.icdf(d.cdf(t(X))).array, X, atol=1e-7)
    assert (d.mean.item(), d.mode.item(), d.stddev.item(), d.variance.item()) == (0.5, 0.5, 2.0, 4.0)


def test_uniform():
    d = D.Uniform(t(-1.0), t(3.0), validate_args=False)
    np.testing.assert_allclose(d.log_prob(t([-2.0, -1.0, 0.0, 3.0])).array, [-math.inf, -math.log(4), -math.log(4),
                                                                              -math.inf])
    np.testing.assert_allclose(d.cdf(t([-2.0, 0.0, 5.0])).array, [0.0, 0.25, 1.0])
    assert d.entropy().item() == pytest.approx(math.log(4))
    assert (d.mean.item(), d.variance.item()) == (1.0, pytest.approx(16 / 12))
    assert math.isnan(d.mode.item())


def test_exponential_and_laplace():
    e = D.Exponential(t(2.0))
    np.testing.assert_allclose(e.log_prob(t([0.0, 1.5])).array, [math.log(2), math.log(2) - 3.0])
    assert e.entropy().item() == pytest.approx(1 - math.log(2))
    assert (e.mean.item(), e.mode.item(), e.variance.item()) == (0.5, 0.0, 0.25)
    np.testing.assert_allclose(e.icdf(e.cdf(t([0.3, 2.0]))).array, [0.3, 2.0])
    lap = D.Laplace(t(1.0), t(2.0))
    np.testing.assert_allclose(lap.log_prob(t(X)).array, [-math.log(4) - abs(x - 1) / 2 for x in X])
    assert lap.entropy().item() == pytest.approx(1 + math.log(4))
    assert (lap.mode.item(), lap.variance.item(), lap.stddev.item()) == (1.0, 8.0, pytest.approx(math.sqrt(8)))
    np.testing.assert_allclose(lap.icdf(lap.cdf(t(X))).array, X, atol=1e-12)
    np.testing.assert_allclose(lap.cdf(t([1.0, 1.0 + 2 * math.log(2)])).array, [0.5, 0.75])


def test_bernoulli_from_probs_and_from_logits_agree():
    p = np.array([0.1, 0.5, 0.8])
    by_probs, by_logits = D.Bernoulli(probs=t(p)), D.Bernoulli(logits=t(np.log(p / (1 - p))))
    value = t([1.0, 0.0, 0.0])
    expected = [math.log(0.1), math.log(0.5), math.log(0.2)]
    for d in (by_probs, by_logits):
        np.testing.assert_allclose(d.log_prob(value).array, expected)
        np.testing.assert_allclose(d.entropy().array, -(p * np.log(p) + (1 - p) * np.log(1 - p)))
        np.testing.assert_allclose(d.probs.array, p)
        np.testing.assert_allclose(d.variance.array, p * (1 - p))
    np.testing.assert_array_equal(by_probs.mode.array, [0.0, np.nan, 1.0])
    assert by_probs.enumerate_support().tolist() == [[0.0] * 3, [1.0] * 3]


def test_categorical():
    d = D.Categorical(probs=t([[1.0, 1.0, 2.0], [0.0, 1.0, 3.0]]))  # normalised over the last dim
    np.testing.assert_allclose(d.probs.array, [[0.25, 0.25, 0.5], [0.0, 0.25, 0.75]])
    assert d.batch_shape == (2,) and d.event_shape == ()
    np.testing.assert_allclose(d.log_prob(ag.tensor([2, 1])).array, [math.log(0.5), math.log(0.25)])
    # probabilities of 0 are clamped to eps before the log, as torch does: log_prob is finite
    eps = np.finfo(np.float64).eps
    np.testing.assert_allclose(d.log_prob(ag.tensor([[0], [2]])).array, [[math.log(0.25), math.log(eps)],
                                                                        [math.log(0.5), math.log(0.75)]])
    entropy = [-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))]
    np.testing.assert_allclose(d.entropy().array, entropy)  # 0 · log 0 = 0
    assert d.mode.tolist() == [2, 2]
    assert np.isnan(d.mean.array).all() and d.mean.shape == (2,)
    by_logits = D.Categorical(logits=t([[0.0, 0.0, math.log(2)]]))
    np.testing.assert_allclose(by_logits.probs.array, [[0.25, 0.25, 0.5]])
    np.testing.assert_allclose(by_logits.logits.array, np.log([[0.25, 0.25, 0.5]]))
    assert d.enumerate_support().tolist() == [[0, 0], [1, 1], [2, 2]]


def test_one_hot_categorical():
    d = D.OneHotCategorical(probs=t([0.2, 0.3, 0.5]))
    assert d.event_shape == (3,) and d.batch_shape == ()
    assert d.log_prob(t([0.0, 0.0, 1.0])).item() == pytest.approx(math.log(0.5))
    assert d.mode.tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_allclose(d.variance.array, [0.16, 0.21, 0.25])
    s = d.sample((100,))
    assert s.shape == (100, 3) and (s.sum(-1).array == 1).all()


def test_multivariate_normal():
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    loc, x = np.array([1.0, -1.0]), np.array([[0.0, 0.0], [1.0, 2.0]])
    diff = x - loc
    expected = -0.5 * (np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff) + 2 * math.log(2 * math.pi)
                       + math.log(np.linalg.det(cov)))
    for kw in ({"covariance_matrix": t(cov)}, {"scale_tril": t(np.linalg.cholesky(cov))},
               {"precision_matrix": t(np.linalg.inv(cov))}):
        d = D.MultivariateNormal(t(loc), **kw)
        np.testing.assert_allclose(d.log_prob(t(x)).array, expected)
        np.testing.assert_allclose(d.entropy().item(), 1 + math.log(2 * math.pi) + 0.5 * math.log(np.linalg.det(cov)))
        np.testing.assert_allclose(d.covariance_matrix.array, cov)
        np.testing.assert_allclose(d.variance.array, np.diag(cov))
        np.testing.assert_allclose(d.precision_matrix.array, np.linalg.inv(cov))
    batched = D.MultivariateNormal(t(np.zeros((3, 2))), t(cov))
    assert batched.batch_shape == (3,) and batched.event_shape == (2,)
    assert batched.log_prob(t(np.zeros((5, 3, 2)))).shape == (5, 3)


def test_independent_sums_the_reinterpreted_dims():
    base = D.Normal(t(np.zeros((3, 2))), t(np.ones((3, 2))))
    d = D.Independent(base, 1)
    assert d.batch_shape == (3,) and d.event_shape == (2,)
    x = t(np.arange(6.0).reshape(3, 2))
    np.testing.assert_allclose(d.log_prob(x).array, base.log_prob(x).array.sum(-1))
    np.testing.assert_allclose(d.entropy().array, base.entropy().array.sum(-1))
    assert d.has_rsample and d.rsample((4,)).shape == (4, 3, 2)


# ---- sampling ------------------------------------------------------------------------------------------------------
DISTS = {
    "Normal": lambda: D.Normal(t([0.0, 1.0]), t([1.0, 2.0])),
    "Uniform": lambda: D.Uniform(t([0.0, 1.0]), t([1.0, 3.0])),
    "Exponential": lambda: D.Exponential(t([0.5, 2.0])),
    "Laplace": lambda: D.Laplace(t([0.0, 1.0]), t([1.0, 0.5])),
    "Bernoulli": lambda: D.Bernoulli(t([0.2, 0.7])),
    "Categorical": lambda: D.Categorical(t([[0.2, 0.8, 0.0], [0.3, 0.3, 0.4]])),
    "OneHotCategorical": lambda: D.OneHotCategorical(t([[0.2, 0.8], [0.5, 0.5]])),
    "MultivariateNormal": lambda: D.MultivariateNormal(t([[0.0, 1.0], [1.0, 0.0]]),
                                                       t([[2.0, 0.5], [0.5, 1.0]])),
    "Independent": lambda: D.Independent(D.Normal(t([0.0, 1.0]), t([1.0, 2.0])), 1),
}


@pytest.mark.parametrize("name", sorted(DISTS))
def test_sample_shapes_moments_and_seed(name):
    d = DISTS[name]()
    shape = (2, 3) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert d.sample((2, 3)).shape == shape and d.sample().shape == tuple(d.batch_shape) + tuple(d.event_shape)
    ag.manual_seed(3)
    first = d.sample((5,)).array
    ag.manual_seed(3)
    np.testing.assert_array_equal(d.sample((5,)).array, first)
    n = 40000
    draws = d.sample((n,)).array.astype(float)
    if name == "Categorical":  # the mean of a category index is not defined: compare the frequencies
        freq = np.stack([(draws == k).mean(0) for k in range(3)], -1)
        np.testing.assert_allclose(freq, d.probs.array, atol=0.015)
        return
    mean, var = d.mean.array, d.variance.array
    np.testing.assert_allclose(draws.mean(0), mean, atol=5 * np.sqrt(var.max() / n) + 1e-9)
    np.testing.assert_allclose(draws.var(0), var, rtol=0.06, atol=1e-9)
    assert d.log_prob(ag.tensor(draws[:10])).shape == (10,) + tuple(d.batch_shape)


def test_sample_is_not_differentiable_and_rsample_is():
    loc = t([0.0, 1.0], grad=True)
    assert not D.Normal(loc, 1.0).sample().requires_grad
    assert D.Normal(loc, 1.0).rsample().requires_grad
    with pytest.raises(NotImplementedError, match="has no rsample"):
        D.Bernoulli(0.3).rsample()


def test_reparameterised_gradients():
    loc, scale = t([0.5, -1.0], grad=True), t([2.0, 0.5], grad=True)
    ag.manual_seed(1)
    x = D.Normal(loc, scale).rsample((3,))
    x.sum().backward()
    eps = (x.detach().array - loc.array) / scale.array  # x = loc + scale·ε
    np.testing.assert_allclose(loc.grad.array, [3.0, 3.0])
    np.testing.assert_allclose(scale.grad.array, eps.sum(0))
    rate = t(2.0, grad=True)
    e = D.Exponential(rate).rsample((4,))
    e.sum().backward()
    np.testing.assert_allclose(rate.grad.item(), -(e.detach().array / 2.0).sum())  # x = ε/rate
    low, high = t(1.0, grad=True), t(3.0, grad=True)
    u = D.Uniform(low, high).rsample((4,))
    u.sum().backward()
    frac = (u.detach().array - 1.0) / 2.0  # x = low + (high − low)·u
    assert (low.grad.item(), high.grad.item()) == (pytest.approx((1 - frac).sum()), pytest.approx(frac.sum()))


# ---- gradients of log_prob, entropy and KL --------------------------------------------------------------------------
GRADS = {
    "normal_log_prob": (lambda m, s: D.Normal(m, s.exp()).log_prob(t(X[:2])), 2),
    "normal_entropy_cdf": (lambda m, s: (D.Normal(m, s.exp()).entropy(), D.Normal(m, s.exp()).cdf(t(X[:2]))), 2),
    "normal_icdf": (lambda m, s: D.Normal(m, s.exp()).icdf(t([0.2, 0.7])), 2),
    "laplace": (lambda m, s: (D.Laplace(m, s.exp()).log_prob(t(X[:2])), D.Laplace(m, s.exp()).entropy()), 2),
    "exponential": (lambda r: (D.Exponential(r.exp()).log_prob(t([0.5, 2.0])), D.Exponential(r.exp()).entropy()), 1),
    "uniform": (lambda lo, w: D.Uniform(lo, lo + w.exp()).entropy(), 2),
    "bernoulli_logits": (lambda lg: (D.Bernoulli(logits=lg).log_prob(t([1.0, 0.0])),
                                     D.Bernoulli(logits=lg).entropy()), 1),
    "bernoulli_probs": (lambda lg: D.Bernoulli(probs=lg.sigmoid()).log_prob(t([1.0, 0.0])), 1),
    "categorical": (lambda lg: (D.Categorical(logits=lg.reshape(1, 2)).log_prob(ag.tensor([1])),
                                D.Categorical(probs=lg.exp().reshape(2, 1).expand(2, 3)).entropy()), 1),
    "mvn": (lambda m, s: D.MultivariateNormal(m, scale_tril=ag.linalg.cholesky(
        s.reshape(1, 2) * s.reshape(2, 1) + 2 * ag.eye(2, dtype=ag.float64))).log_prob(t([0.3, -0.2])), 2),
    "kl_normal": (lambda m, s: D.kl_divergence(D.Normal(m, s.exp()), D.Normal(s, m.exp())), 2),
    "kl_bernoulli": (lambda a, b: D.kl_divergence(D.Bernoulli(logits=a), D.Bernoulli(logits=b)), 2),
    "kl_categorical": (lambda a, b: D.kl_divergence(D.Categorical(logits=a), D.Categorical(logits=b)), 2),
    "kl_mvn": (lambda m, s: D.kl_divergence(
        D.MultivariateNormal(m, scale_tril=ag.linalg.cholesky(s.reshape(1, 2) * s.reshape(2, 1) +
                                                              ag.eye(2, dtype=ag.float64))),
        D.MultivariateNormal(s, covariance_matrix=2 * ag.eye(2, dtype=ag.float64))), 2),
    "rsample": (lambda m, s: (ag.manual_seed(0), D.Laplace(m, s.exp()).rsample((2,)))[1], 2),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients(name):
    fn, n = GRADS[name]
    check(fn, *[t(np.random.default_rng(k).standard_normal(2) * 0.5, grad=True) for k in range(n)])


# ---- KL -----------------------------------------------------------------------------------------------------------
def test_kl_closed_forms():
    kl = D.kl_divergence(D.Normal(t(0.0), t(1.0)), D.Normal(t(1.0), t(2.0)))
    assert kl.item() == pytest.approx(math.log(2) + (1 + 1) / 8 - 0.5)
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
    kl = D.kl_divergence(D.Categorical(t(p)), D.Categorical(t(q)))
    assert kl.item() == pytest.approx(float((p * np.log(p / q)).sum()))
    kl = D.kl_divergence(D.Bernoulli(t(0.3)), D.Bernoulli(t(0.6)))
    assert kl.item() == pytest.approx(0.3 * math.log(0.3 / 0.6) + 0.7 * math.log(0.7 / 0.4))
    kl = D.kl_divergence(D.Bernoulli(t([0.0, 0.3, 1.0])), D.Bernoulli(t([0.5, 0.0, 1.0])))
    assert kl.tolist() == [pytest.approx(math.log(2)), math.inf, 0.0]
    kl = D.kl_divergence(D.Categorical(t([0.5, 0.5, 0.0])), D.Categorical(t([0.5, 0.0, 0.5])))
    assert kl.item() == math.inf
    kl = D.kl_divergence(D.MultivariateNormal(t([0.0, 0.0]), t(np.eye(2))),
                         D.MultivariateNormal(t([1.0, 1.0]), t(2 * np.eye(2))))
    assert kl.item() == pytest.approx(0.5 * (1 + 1 - 2 + math.log(4)))
    ind = D.kl_divergence(D.Independent(D.Normal(t([0.0, 1.0]), t(1.0)), 1),
                          D.Independent(D.Normal(t([1.0, 1.0]), t(1.0)), 1))
    assert ind.item() == pytest.approx(0.5)


@pytest.mark.parametrize("pair", [
    (lambda: D.Normal(t(0.3), t(1.2)), lambda: D.Normal(t(-0.4), t(0.8))),
    (lambda: D.Exponential(t(1.5)), lambda: D.Exponential(t(0.7))),
    (lambda: D.Laplace(t(0.2), t(1.0)), lambda: D.Laplace(t(-0.3), t(2.0))),
    (lambda: D.Uniform(t(0.0), t(1.0)), lambda: D.Uniform(t(-1.0), t(2.0))),
    (lambda: D.Categorical(t([0.2, 0.3, 0.5])), lambda: D.Categorical(t([0.4, 0.4, 0.2]))),
    (lambda: D.OneHotCategorical(t([0.2, 0.8])), lambda: D.OneHotCategorical(t([0.6, 0.4]))),
], ids=["normal", "exponential", "laplace", "uniform", "categorical", "one_hot"])
def test_kl_agrees_with_a_monte_carlo_estimate(pair):
    p, q = pair[0](), pair[1]()
    ag.manual_seed(0)
    x = p.sample((200000,))
    estimate = (p.log_prob(x) - q.log_prob(x)).mean().item()
    assert D.kl_divergence(p, q).item() == pytest.approx(estimate, abs=0.01)


def test_kl_of_unregistered_pair_and_register_kl():
    with pytest.raises(NotImplementedError, match="no closed form is registered for Normal and Laplace"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Laplace(0.0, 1.0))

    class MyNormal(D.Normal):
        pass

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0  # the parent's closed form
    D.register_kl(MyNormal, D.Laplace)(lambda p, q: p.loc * 0 + 7.0)
    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Laplace(0.0, 1.0)).item() == 7.0


# ---- validation ----------------------------------------------------------------------------------------------------
VALIDATION = [
    (lambda: D.Normal(0.0, -1.0), "Expected parameter scale (Tensor of shape ()) of distribution Normal(loc: 0.0, "
     "scale: -1.0) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n-1.0"),
    (lambda: D.Normal(0.0, 1.0).log_prob(ag.tensor(math.nan)), "to be within the support (Real())"),
    (lambda: D.Normal(0.0, 1.0).log_prob(0.5), "The value argument to log_prob must be a Tensor"),
    (lambda: D.Normal(ag.zeros(2), 1.0).log_prob(ag.zeros(3)),
     "Value is not broadcastable with batch_shape+event_shape"),
    (lambda: D.Bernoulli(probs=1.3), "the constraint Interval(lower_bound=0.0, upper_bound=1.0)"),
    (lambda: D.Bernoulli(probs=0.3).log_prob(ag.tensor([0.5])), "within the support (Boolean())"),
    (lambda: D.Bernoulli(probs=0.3, logits=0.1), "Either `probs` or `logits` must be specified, but not both."),
    (lambda: D.Categorical(), "Either `probs` or `logits` must be specified, but not both."),
    (lambda: D.Categorical(probs=ag.tensor([-0.2, 0.3])), "the constraint Simplex()"),
    (lambda: D.Categorical(probs=ag.tensor(0.2)), "`probs` parameter must be at least one-dimensional."),
    (lambda: D.Categorical(logits=ag.zeros(2)).log_prob(ag.tensor(2)),
     "support (IntegerInterval(lower_bound=0, upper_bound=1))"),
    (lambda: D.Uniform(1.0, 0.0), "Expected parameter low (Tensor of shape ()) of distribution Uniform(low: 1.0, "
     "high: 0.0) to satisfy the constraint LessThan(upper_bound=0.0)"),
    (lambda: D.Exponential(0.0), "the constraint GreaterThan(lower_bound=0.0)"),
    (lambda: D.Exponential(2.0).log_prob(ag.tensor([-1.0])), "support (GreaterThanEq(lower_bound=0.0))"),
    (lambda: D.MultivariateNormal(ag.zeros(2), -ag.eye(2)), "the constraint PositiveDefinite()"),
    (lambda: D.MultivariateNormal(ag.zeros(2), scale_tril=ag.ones(2, 2)), "the constraint LowerCholesky()"),
    (lambda: D.MultivariateNormal(ag.zeros(2)), "Exactly one of covariance_matrix or precision_matrix or scale_tril"),
    (lambda: D.Independent(D.Normal(ag.zeros(2), 1.0), 2),
     "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual 2 vs 1"),
]


@pytest.mark.parametrize("call, message", VALIDATION, ids=[str(i) for i in range(len(VALIDATION))])
def test_validation_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_a_matrix_that_does_not_fit_loc_is_a_runtime_error():  # torch's type (raised there when the shapes meet)
    with pytest.raises(RuntimeError, match="the matrix must be 3×3, as loc has 3 entries"):
        D.MultivariateNormal(ag.zeros(3), ag.eye(2))


def test_validation_can_be_turned_off():
    d = D.Normal(0.0, -1.0, validate_args=False)
    with np.errstate(invalid="ignore"):  # log of the negative scale
        assert math.isnan(d.log_prob(ag.tensor(0.0)).item())
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Bernoulli(probs=0.5).log_prob(ag.tensor(0.5)).item() == pytest.approx(math.log(0.5))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)


def test_parameter_broadcasting_and_expand():
    d = D.Normal(ag.zeros(2, 1), ag.ones(3))
    assert d.batch_shape == (2, 3) and d.loc.shape == (2, 3)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        D.Normal(ag.zeros(2), ag.ones(3))
    e = D.Normal(ag.zeros(2), 1.0).expand((4, 2))
    assert e.batch_shape == (4, 2) and e.sample().shape == (4, 2)
    with pytest.raises(RuntimeError, match="cannot be expanded"):
        D.Normal(ag.zeros(2), 1.0).expand((3, 3))
    c = D.Categorical(logits=ag.zeros(3)).expand((5,))
    assert c.batch_shape == (5,) and c.probs.shape == (5, 3)
    m = D.MultivariateNormal(ag.zeros(2), ag.eye(2)).expand((3,))
    assert m.batch_shape == (3,) and m.sample().shape == (3, 2)
    b = D.Bernoulli(logits=ag.zeros(1))
    assert b.probs.shape == (1,) and b.expand((4,)).batch_shape == (4,)  # after probs was computed from logits
    with pytest.raises(TypeError, match="sample_shape must be a tuple"):
        D.Normal(0.0, 1.0).sample(3)
