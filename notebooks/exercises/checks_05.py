"""Checks for notebook 05 (activations and losses): softmax's backward (a vector activation), and the gradient of
the label-smoothed cross-entropy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .feedback import Hint, ask, exercise


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@exercise("5.1", "define softmax_backward(y, grad) returning ∂L/∂z")
def check_5_1(softmax_backward: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``softmax_backward(y, grad)``: from y = softmax(z) (rows) and grad = ∂L/∂y, return ∂L/∂z."""
    rng = np.random.default_rng(5)
    for shape in [(4,), (3, 5)]:
        z0, upstream = rng.normal(size=shape), rng.normal(size=shape)
        z = autograd.tensor(z0, requires_grad=True)
        y = z.softmax(-1)
        y.backward(autograd.tensor(upstream))
        want = z.grad.numpy()
        got = np.asarray(ask(softmax_backward, y.detach().numpy(), upstream), dtype=float)
        if got.shape != want.shape:
            raise Hint(f"∂L/∂z has z's shape {want.shape}; got {got.shape}")
        if np.allclose(got, want):
            continue
        yv = y.detach().numpy()
        if np.allclose(got, upstream * yv * (1 - yv)):
            raise Hint("that keeps only the diagonal of the Jacobian, as for a scalar activation; softmax couples "
                       "the layer: ∂y_i/∂z_j = y_i(δ_ij − y_j) for every pair i, j")
        if np.allclose(got, yv * (upstream - (upstream * yv).sum())):
            raise Hint("with a batch of rows, each row is its own softmax: sum over the last axis only "
                       "(keepdims=True)")
        raise Hint("multiply grad by the Jacobian diag(y) − y yᵀ: z̄_j = Σ_i ȳ_i y_i(δ_ij − y_j)")
    return "that is ȳ times the Jacobian diag(y) − y yᵀ, without ever forming the matrix"


def _engine_grad(z0: np.ndarray, target: np.ndarray, alpha: float) -> np.ndarray:
    z = autograd.tensor(z0, requires_grad=True)
    k = z0.shape[-1]
    soft = (1 - alpha) * np.eye(k)[target] + alpha / k        # PyTorch's label_smoothing target
    (-(autograd.tensor(soft) * z.log_softmax(-1)).sum(-1)).mean().backward()
    return z.grad.numpy()


@exercise("5.2", "define smoothed_ce_grad(z, target, alpha) returning ∂loss/∂z")
def check_5_2(smoothed_ce_grad: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> str:
    """``smoothed_ce_grad(z, target, alpha)``: the gradient of F.cross_entropy(z, target, label_smoothing=alpha)
    (mean over the batch) with respect to the logits z of shape (B, k)."""
    rng = np.random.default_rng(6)
    for B, k, alpha in [(1, 4, 0.1), (5, 3, 0.2), (2, 6, 0.0)]:
        z, target = rng.normal(size=(B, k)), rng.integers(0, k, size=B)
        got = np.asarray(ask(smoothed_ce_grad, z, target, alpha), dtype=float)
        want = _engine_grad(z, target, alpha)
        if got.shape != want.shape:
            raise Hint(f"∂loss/∂z has z's shape {want.shape}; got {got.shape}")
        if np.allclose(got, want):
            continue
        one_hot = np.eye(k)[target]
        if np.allclose(got, (_softmax(z) - one_hot) / B):
            raise Hint("that is the gradient for a one-hot target; with smoothing the target is "
                       "(1 − α)·one_hot + α/k")
        if np.allclose(got, B * want):
            raise Hint("the loss is the mean over the batch: divide by the batch size B")
        if np.allclose(got, (_softmax(z) - (1 - (k - 1) * alpha) * one_hot - alpha * (1 - one_hot)) / B):
            raise Hint("PyTorch's label_smoothing=α spreads α over all k classes: ε = α/k, not α")
        raise Hint("softmax + cross-entropy still gives prediction minus target, row by row: only the target "
                   "changes")
    return "prediction minus (smoothed) target, as in the lecture's one-hot case"
