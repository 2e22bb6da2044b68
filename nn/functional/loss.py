"""Loss functions with torch.nn.functional's names, signatures, defaults and numerics.

Most are composites of engine ops; ``nll_loss`` and ``cross_entropy`` with class indices are one node each
(``NllLoss``, ``CrossEntropy``: the most used losses, fused for speed), whose backward is again written in
differentiable ops. So every loss is differentiable to any order. Numerically delicate ones use stable forms:
cross-entropy shifts the logits by their maximum inside log-softmax (fine for logits of 1e4); BCE-with-logits uses
softplus(z) = logsumexp(z, 0), which never overflows and has the exact derivative σ(z) everywhere, also at z = 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor, from_numpy, logsumexp, stack, where
from autograd.function import Op
from autograd.ops.softmax import log_softmax_array

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction: str, allowed: tuple = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction; use one of {', '.join(allowed)}")


def _tensor(x: Any, like: Tensor) -> Tensor:
    return x if isinstance(x, Tensor) else from_numpy(np.asarray(x, dtype=like.dtype))


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """(x − y)².   ∂/∂x = 2(x − y)."""
    _check_reduction(reduction)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """|x − y|.   ∂/∂x = sign(x − y)."""
    _check_reduction(reduction)
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½d² where d = |x − y| < delta, else delta·(d − ½delta).   ∂/∂x = clamp(x − y, −delta, delta)."""
    _check_reduction(reduction)
    d = (input - target).abs()
    return _reduce(where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/beta where d = |x − y| < beta, else d − ½beta (= huber_loss / beta; beta = 0 gives l1_loss)."""
    _check_reduction(reduction)
    if beta == 0:
        return l1_loss(input, target, reduction)
    d = (input - target).abs()
    return _reduce(where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
                         ) -> Tensor:
    """−w·(y·log x + (1 − y)·log(1 − x)), each log clamped to ≥ −100 as in torch (so x = 0 or 1 stays finite).
    ∂/∂x = w·(x − y)/(x(1 − x))."""
    _check_reduction(reduction)
    if np.any((input.array < 0) | (input.array > 1)):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
    return _reduce(BinaryCrossEntropy.apply(input, _tensor(target, input), weight), reduction)


class BinaryCrossEntropy(Op):
    """ℓ = −w·(y·log x + (1 − y)·log(1 − x)), each log clamped at −100 (torch's rule: finite at x = 0 or 1).
    ∂ℓ/∂x = w·(x − y) / max(x(1 − x), 10⁻¹²) (torch's formula, finite in float32 too);
    ∂ℓ/∂y = w·(log(1 − x) − log x);  ∂ℓ/∂w = ℓ / w (the logs clamped as in forward)."""

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.save_for_backward(x, y, w)
        loss = -(y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x))
        return loss if w is None else loss * w

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved_tensors
        g = grad if w is None else grad * w
        needs = ctx.needs_input_grad
        return (g * (x - y) / autograd.maximum(x * (1 - x), 1e-12) if needs[0] else None,
                g * (_clamped_log(1 - x) - _clamped_log(x)) if needs[1] else None,
                -grad * (y * _clamped_log(x) + (1 - y) * _clamped_log(1 - x)) if needs[2] else None)

    @staticmethod
    def jvp(ctx, tx, ty, tw):
        grads = BinaryCrossEntropy.backward(ctx, 1.0)
        return sum(t * g for t, g in zip((tx, ty, tw), grads) if t is not None)


def _clamped_log(v: Any) -> Any:
    """max(log v, −100), for an array or a Tensor (log 0 = −inf becomes −100, without a warning)."""
    with np.errstate(divide="ignore"):
        return autograd.maximum(autograd.log(v), -100.0)


def _softplus(z: Tensor) -> Tensor:
    """log(1 + eᶻ) = logsumexp(z, 0): stable for any z, derivative exactly σ(z)."""
    return logsumexp(stack([z, z * 0.0], dim=-1), dim=-1)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """−w·(p·y·log σ(x) + (1 − y)·log(1 − σ(x))) with p = pos_weight, as (1 − y)·x + (1 + (p − 1)·y)·softplus(−x).
    ∂/∂x = w·((1 + (p − 1)y)·σ(x) − p·y)."""
    _check_reduction(reduction)
    target = _tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    sp = _softplus(-input)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * sp
    else:
        loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _class_shape(logp: Tensor) -> tuple[int, ...]:
    return (1, logp.shape[1]) + (1,) * (logp.ndim - 2)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """−w[yᵢ]·input[i, yᵢ] for log-probabilities ``input`` (N, C, *) and class indices ``target`` (N, *).
    'mean' divides by Σ w[yᵢ] over the non-ignored targets.   ∂/∂input[i, c] = −w[yᵢ]·[c = yᵢ]."""
    _check_reduction(reduction)
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.reshape((1,))
    index, wt = _targets("nll_loss", input, target, weight, ignore_index)
    out = NllLoss.apply(input, index, wt, reduction)
    return out.squeeze(0) if unbatched and reduction == "none" else out


def _targets(op: str, input: Tensor, target: Any, weight: Tensor | None, ignore_index: int
             ) -> tuple[tuple, np.ndarray | None]:
    """Check class-index targets (N, *) against input (N, C, *); return the index that picks each target's entry of
    the input and the per-target weight (0 where the target is ignore_index), None when every weight is 1."""
    t = np.asarray(target.array if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: target must hold class indices (an integer tensor), got dtype {t.dtype}")
    shape, dtype = input.array.shape, input.array.dtype
    if len(shape) < 2 or t.shape != shape[:1] + shape[2:]:
        # torch: a ValueError when the batch sizes differ, a RuntimeError otherwise
        error = ValueError if len(shape) >= 2 and t.shape[:1] != shape[:1] else RuntimeError
        raise error(f"{op}: expected target of shape {shape[:1] + shape[2:]} for input of shape {shape}, "
                    f"got {t.shape}")
    n_classes = shape[1]
    lo, hi = (t.min(), t.max()) if t.size else (0, -1)
    if weight is None and 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
        return _target_index(t), None  # the usual case: every target a class, none ignored, no class weights
    ignored = t == ignore_index
    bad = ~ignored & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds: expected class indices in "
                         f"[0, {n_classes - 1}] for {n_classes} classes")
    safe = np.where(ignored, 0, t)
    w = np.ones(n_classes, dtype=dtype) if weight is None else np.asarray(weight.array, dtype=dtype)
    return _target_index(safe), np.where(ignored, 0, w[safe]).astype(dtype)  # weight 0 for ignored targets


def _nll(logp: np.ndarray, index: tuple, wt: np.ndarray | None, reduction: str) -> np.ndarray:
    """−wᵢ·logp[i, tᵢ], reduced (wt None: every wᵢ = 1)."""
    picked = logp[index] if wt is None else logp[index] * wt
    if reduction == "none":
        return -picked
    total = -picked.sum()
    return total if reduction == "sum" else total / (picked.size if wt is None else wt.sum())


def _target_weights(wt: np.ndarray | None, reduction: str, index: tuple) -> Any:
    """How much each target's −log p counts in the reduced loss: wᵢ, or wᵢ/Σw for the mean (one number when every
    wᵢ = 1)."""
    if wt is None:
        return 1.0 / index[1].size if reduction == "mean" else 1.0
    return wt / wt.sum() if reduction == "mean" else wt


def _target_index(t: np.ndarray) -> tuple:
    """The index that picks x[i, t[i, ...], ...] from x (N, C, *) for each target position of t (N, *)."""
    if t.ndim == 1:
        return np.arange(t.shape[0]), t
    grids = np.indices(t.shape, sparse=True)
    return (grids[0], t) + tuple(grids[1:])


class NllLoss(Op):
    """ℓᵢ = −wᵢ·x[i, tᵢ] for log-probabilities x (N, C, *), then summed, or divided by Σᵢ wᵢ for the mean.
    ∂ℓ/∂x[i, c] = −wᵢ (÷ Σ w for the mean) where c = tᵢ, else 0: the loss is linear in x."""

    @staticmethod
    def forward(ctx, x, index, wt, reduction):
        ctx.save_for_backward(x)  # only its shape is needed, but as in torch: freed after backward, version-checked
        ctx.target = index, wt, reduction
        return _nll(x, index, wt, reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        index, wt, reduction = ctx.target
        coef = np.zeros(x.shape, dtype=x.dtype)  # −wᵢ (÷ Σ w) at each target position, 0 elsewhere
        coef[index] = -_target_weights(wt, reduction, index)
        if reduction == "none":  # one gradient per target: broadcast it along the class dim
            grad = autograd.reshape(grad, (x.shape[0], 1) + x.shape[2:])
        return grad * coef, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        return NllLoss.apply(t, *ctx.target)


class CrossEntropy(Op):
    """log_softmax and nll_loss in one node: ℓᵢ = −wᵢ·log softmax(xᵢ)[tᵢ] for logits x (N, C, *), then summed, or
    divided by Σᵢ wᵢ for the mean.   ∂ℓᵢ/∂x[i, c] = wᵢ·(softmax(xᵢ)_c − [c = tᵢ])."""

    @staticmethod
    def forward(ctx, x, index, wt, reduction):
        ctx.save_for_backward(x)
        ctx.target = index, wt, reduction
        return _nll(log_softmax_array(x, 1), index, wt, reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        index, wt, reduction = ctx.target
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[index] = 1
        scale = _target_weights(wt, reduction, index)
        if isinstance(scale, np.ndarray):
            scale = np.expand_dims(scale, 1).astype(x.dtype)  # wᵢ, as (N, 1, *)
        if reduction == "none":  # one gradient per target: broadcast it along the class dim
            grad = autograd.reshape(grad, (x.shape[0], 1) + x.shape[2:])
        return grad * scale * (autograd.softmax(x, 1) - onehot), None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        (x,) = ctx.saved_tensors
        tangent = t - autograd.sum(autograd.softmax(x, 1) * t, 1, keepdim=True)  # log_softmax's
        return NllLoss.apply(tangent, *ctx.target)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """nll_loss(log_softmax(input, dim=1), target) for class indices, or −Σ_c w_c·p_c·log_softmax(input)_c for
    class probabilities p of the input's shape. label_smoothing ε mixes the target with the uniform distribution
    (torch's formula).   ∂/∂input = w·(softmax(input) − target distribution) (scaled by the reduction)."""
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    t_data = target.array if isinstance(target, Tensor) else np.asarray(target)
    if label_smoothing == 0 and class_dim == 1 and t_data.dtype.kind != "f":  # class indices: the fused op
        return CrossEntropy.apply(input, *_targets("cross_entropy", input, t_data, weight, ignore_index), reduction)
    logp = input.log_softmax(class_dim)
    n_classes = input.shape[class_dim]
    if t_data.dtype.kind == "f":  # class probabilities
        if t_data.shape != input.shape:
            raise RuntimeError(f"cross_entropy: probability targets must have the input's shape {input.shape}, got "
                             f"{t_data.shape}")
        p = _tensor(target, input)
        if label_smoothing > 0:
            p = p * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            p = p * (weight if input.ndim == 1 else weight.reshape(_class_shape(logp)))
        loss = -(logp * p).sum(class_dim)
        if reduction == "mean":
            n = input.array.size
            return loss.sum() / float(max(n // n_classes, 1)) if n else loss.sum() * np.nan
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    # torch: (1 − ε)·nll + ε/C · (−Σ_c w_c·log p_c), the latter zero at ignored targets and reduced like nll
    lp = logp.unsqueeze(0) if input.ndim == 1 else logp
    t = t_data.reshape((1,)) if input.ndim == 1 else t_data
    ignored = t == ignore_index
    smooth = -(lp * (weight.reshape(_class_shape(lp)) if weight is not None else 1.0)).sum(1)
    smooth = smooth * from_numpy((~ignored).astype(input.dtype))
    if reduction == "mean":
        if weight is not None:
            denom = np.asarray(weight.array, dtype=input.dtype)[t[~ignored]].sum()
        else:
            denom = (~ignored).sum()
        smooth = smooth.sum() / from_numpy(np.asarray(denom, dtype=input.dtype))
    elif reduction == "sum":
        smooth = smooth.sum()
    elif input.ndim == 1:
        smooth = smooth.squeeze(0)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """target·(log target − input), input being log-probabilities (target too if ``log_target``); 0 where target = 0.
    'batchmean' divides the sum by the batch size (the true KL divergence); 'mean' by the number of elements."""
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    target = _tensor(target, input)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.array > 0
        loss = where(positive, target * where(positive, target, 1.0).log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / float(input.shape[0]) if input.ndim else loss.sum()
    return _reduce(loss, reduction)
