"""``kl_divergence(p, q)`` = E_p[log p(x) − log q(x)], in closed form for pairs of families registered with
``register_kl`` (as torch.distributions.kl)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import linalg, ops
from ..tensor import Tensor
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical, softplus
from .distribution import Distribution
from .independent import Independent, _sum_rightmost
from .multivariate_normal import MultivariateNormal

_KL: dict[tuple[type, type], Callable] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[Callable], Callable]:
    """Decorator: ``@register_kl(P, Q) def kl(p, q): ...`` makes kl_divergence use it for a P and a Q."""
    def decorator(fn: Callable) -> Callable:
        _KL[type_p, type_q] = fn
        return fn
    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q), one value per batch element; differentiable in both distributions' parameters."""
    for tp in type(p).__mro__:  # the most specific registered pair
        for tq in type(q).__mro__:
            if (tp, tq) in _KL:
                return _KL[tp, tq](p, q)
    raise NotImplementedError(f"kl_divergence: no closed form is registered for {type(p).__name__} and "
                              f"{type(q).__name__}; register one with @register_kl({type(p).__name__}, "
                              f"{type(q).__name__}), or estimate it from samples: (p.log_prob(x) - q.log_prob(x))"
                              ".mean() for x = p.sample((n,))")


def _infinite_where(mask: Any, t: Tensor) -> Tensor:
    return ops.where(mask, math.inf, t)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    # p log(p/q) + (1 − p) log((1 − p)/(1 − q)), with 0 log 0 = 0 and log(x/0) = inf
    pp, qp = p.probs.detach(), q.probs.detach()
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = ops.where(pp == 0, 0.0, _infinite_where(qp == 0, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = ops.where(pp == 1, 0.0, _infinite_where(qp == 1, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = ops.where(p.probs.detach() == 0, 0.0, _infinite_where((q.probs.detach() == 0).expand(t.shape), t))
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t1 = -scale_ratio.log()
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * (-loc_abs_diff / p.scale).exp()
    return t1 + t2 + t3 - 1


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low.detach() > p.low.detach()) | (q.high.detach() < p.high.detach())
    return _infinite_where(outside, result)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes cannot be "
                         "computed")
    shape = np.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape)) + tuple(p.scale_tril.shape[-2:])
    lq, lp = q.scale_tril.expand(shape), p.scale_tril.expand(shape)
    half_log_det = linalg.diagonal(lq).log().sum(-1) - linalg.diagonal(lp).log().sum(-1)
    trace = (linalg.solve_triangular(lq, lp, upper=False) ** 2).sum((-2, -1))  # tr(Σq⁻¹ Σp) = ‖Lq⁻¹ Lp‖²
    diff = (q.loc - p.loc).unsqueeze(-1)
    mahalanobis = (linalg.solve_triangular(q.scale_tril, diff, upper=False) ** 2).sum((-2, -1))
    return half_log_det + 0.5 * (trace + mahalanobis - p.event_shape[0])


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("kl_divergence: Independent distributions must reinterpret the same number of "
                                  "batch dims")
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
