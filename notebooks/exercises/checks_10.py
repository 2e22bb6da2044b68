"""Checks for notebook 10 (batch normalisation): Algorithm 1's backward as the sum of its three paths, a gradient
to predict, and the running statistics that eval() uses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .arrays import close
from .feedback import Hint, ask, exercise

F64 = autograd.float64


def engine_grads(x: np.ndarray, gamma: np.ndarray, dy: np.ndarray, eps: float) -> tuple[np.ndarray, ...]:
    """Algorithm 1 written with the engine's ops, and its (dx, dγ, dβ) for the upstream gradient ``dy``."""
    xt = autograd.tensor(x, dtype=F64, requires_grad=True)
    gt = autograd.tensor(gamma, dtype=F64, requires_grad=True)
    bt = autograd.zeros(x.shape[1], dtype=F64, requires_grad=True)
    mu = xt.mean(0)
    var = ((xt - mu) ** 2).mean(0)
    (gt * (xt - mu) / autograd.sqrt(var + eps) + bt).backward(autograd.tensor(dy, dtype=F64))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def paths(x: np.ndarray, gamma: np.ndarray, dy: np.ndarray, eps: float) -> tuple[np.ndarray, ...]:
    """The three paths' contributions to ∂ℓ/∂x: directly, through μ_B, through σ²_B."""
    m = len(x)
    mu, var = x.mean(0), x.var(0)
    dxhat = dy * gamma
    dvar = (dxhat * (x - mu)).sum(0) * -0.5 * (var + eps) ** -1.5
    dmu = -(dxhat / np.sqrt(var + eps)).sum(0)
    return dxhat / np.sqrt(var + eps), np.broadcast_to(dmu / m, x.shape), dvar * 2 * (x - mu) / m


@exercise("10.1", "define bn_backward(dy, x, gamma, eps) returning (dx, dgamma, dbeta)")
def check_10_1(bn_backward: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]) -> str:
    """``bn_backward(dy, x, gamma, eps)`` → (dx, dgamma, dbeta): the gradients of Algorithm 1 in training mode."""
    rng = np.random.default_rng(10)
    for m, d in [(16, 5), (4, 3)]:
        x = rng.normal(loc=3.0, scale=rng.uniform(0.5, 4, d), size=(m, d))
        gamma, dy, eps = rng.normal(size=d), rng.normal(size=(m, d)), 1e-5
        got = ask(bn_backward, dy.copy(), x.copy(), gamma.copy(), eps)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Hint("return three things: (dx, dgamma, dbeta)")
        dx, dgamma, dbeta = engine_grads(x, gamma, dy, eps)
        if not close(got[0], dx, atol=1e-8):
            direct, via_mu, via_var = paths(x, gamma, dy, eps)
            for hint, value in {
                "that is the direct path only: x_i also reaches the loss through μ_B and through σ²_B": direct,
                "the path through σ²_B is missing (∂σ²_B/∂x_i = 2(x_i − μ_B)/m)": direct + via_mu,
                "the path through μ_B is missing (∂μ_B/∂x_i = 1/m, and μ_B moves every x̂_j)": direct + via_var,
            }.items():
                if close(got[0], value, atol=1e-8):
                    raise Hint(hint)
            raise Hint("dx is off: add the three paths of the figure, and use the biased (1/m) variance of "
                       "Algorithm 1")
        if not close(got[1], dgamma, atol=1e-8) or not close(got[2], dbeta, atol=1e-8):
            raise Hint("dx is right; y_i = γ x̂_i + β, so sum dy_i·x̂_i and dy_i over the batch for dγ and dβ (one "
                       "number per feature)")
    return "dx, dγ and dβ equal backward()'s, for a batch of 16 and a batch of 4"


@exercise("10.2", "replace None with a number")
def check_10_2(answer: float) -> str:
    """∂ℓ/∂x_i for ℓ = Σ_i y_i, the sum of one feature's batch-normalised outputs (γ ≠ 0, any batch)."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise Hint("the answer is one number (the same for every i)") from None
    rng = np.random.default_rng(12)
    x, gamma = rng.normal(2.0, 3.0, size=(8, 1)), np.array([1.7])
    dx, _, _ = engine_grads(x, gamma, np.ones_like(x), 1e-5)
    if np.allclose(dx, value, atol=1e-9):
        return "Σ_i x̂_i = 0 for every batch, so Σ_i y_i = mβ does not depend on x at all"
    if value in (1.0, gamma[0]) or np.isclose(value, paths(x, gamma, np.ones_like(x), 1e-5)[0][0, 0]):
        raise Hint("that counts only the direct path; x_i also moves μ_B, and through it every x̂_j")
    raise Hint("what is Σ_i x̂_i, for any batch?")


def _running(batches: list[np.ndarray], momentum: float, ddof: int = 1, start_var: float = 1.0) -> tuple[np.ndarray,
                                                                                                      np.ndarray]:
    mean, var = np.zeros(batches[0].shape[1]), np.full(batches[0].shape[1], start_var)
    for x in batches:
        mean = (1 - momentum) * mean + momentum * x.mean(0)
        var = (1 - momentum) * var + momentum * x.var(0, ddof=ddof)
    return mean, var


@exercise("10.3", "define running_stats(batches, momentum) returning (running_mean, running_var)")
def check_10_3(running_stats: Callable[[list[np.ndarray], float], tuple[np.ndarray, np.ndarray]]) -> str:
    """``running_stats(batches, momentum)`` → (running_mean, running_var) of BatchNorm1d after one training step on
    each batch, from its initial state."""
    rng = np.random.default_rng(13)
    batches = [rng.normal(loc=3.0, scale=2.0, size=(8, 4)) for _ in range(3)]
    got = ask(running_stats, [b.copy() for b in batches], 0.1)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Hint("return two arrays: (running_mean, running_var)")
    mean, var = _running(batches, 0.1)
    if close(got[0], mean) and close(got[1], var):
        return "these are the running statistics BatchNorm1d keeps for eval()"
    if close(got[0], mean) and close(got[1], _running(batches, 0.1, ddof=0)[1]):
        raise Hint("the running variance is updated with the unbiased batch variance, m/(m − 1)·σ²_B")
    if close(got[0], _running(batches, 0.9)[0]):
        raise Hint("momentum is the weight of the new batch: new = (1 − momentum)·old + momentum·batch")
    if close(got[0], mean) and close(got[1], _running(batches, 0.1, start_var=0.0)[1]):
        raise Hint("BatchNorm1d starts with running_mean = 0 and running_var = 1")
    raise Hint("start from mean 0 and variance 1 and update both once per batch, new = (1 − momentum)·old + "
               "momentum·(the batch's statistic)")
