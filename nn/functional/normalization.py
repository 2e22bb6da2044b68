"""Normalisation: ``batch_norm`` (lecture 004's Algorithm 1) and ``layer_norm``, with torch's signatures.

Both are composites of differentiable ops, so their gradients — including the terms that flow through the batch mean
and variance — come from the engine, and are differentiable again (create_graph=True). Batch norm's whole-array
passes (the variance's sum of squares, and y = (x − μ)·scale + β with scale = γ/√(σ² + eps)) are ``_channels``' ops,
split over the batch in threads; layer norm is made of engine ops (mean, sub, mul, sqrt).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, from_numpy

from ._channels import ChannelAffine, ChannelDot


def _channel_shape(x: Tensor) -> tuple[int, ...]:
    """(1, C, 1, ...): broadcasts a per-channel vector against x of shape (N, C, *)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5
               ) -> Tensor:
    """y = γ·(x − μ)/√(σ² + eps) + β per channel (dim 1), over all other dims.

    Training: μ, σ² are the batch mean and *biased* variance, and the running stats (if given) are updated in place
    with ``momentum`` and the *unbiased* batch variance. Otherwise μ, σ² are the running stats (constants)."""
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input of shape (N, C, *), got {input.shape}")
    shape = _channel_shape(input)
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and stat.numel() != input.shape[1]:  # NumPy would say "cannot reshape"
            raise RuntimeError(f"batch_norm: {name} should contain {input.shape[1]} elements (one per channel of the "
                               f"input of shape {input.shape}), not {stat.numel()}")
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input.array.size // input.shape[1]
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        mean = input.mean(dims)
        centred = input - mean.reshape(shape)
        var = ChannelDot.apply(centred, centred) / n
        if running_mean is not None and running_var is not None:
            _update(running_mean, mean.array, momentum)
            _update(running_var, var.array * (n / (n - 1)), momentum)
        scale = 1.0 / (var + eps).sqrt()
        if weight is not None:
            scale = scale * weight
        return ChannelAffine.apply(centred, scale, bias)
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var are needed when training=False")
    # (x − μ)·scale + β, scale = γ/√(σ² + eps): centred first, since x·scale + (β − μ·scale) in one pass loses the
    # digits that x and μ share (torch's kernel does that with a fused multiply-add, which NumPy has not)
    inv_std = 1.0 / np.sqrt(running_var.array.astype(input.dtype, copy=False).reshape(-1) + eps)
    scale = from_numpy(inv_std) if weight is None else from_numpy(inv_std) * weight
    centred = input - from_numpy(running_mean.array.astype(input.dtype, copy=False).reshape(shape))
    return ChannelAffine.apply(centred, scale, bias)


def _update(running: Tensor, batch: np.ndarray, momentum: float) -> None:
    """running ← (1 − momentum)·running + momentum·batch, in place (the buffer object stays the same)."""
    running.array *= 1 - momentum
    running.array += (momentum * batch).astype(running.dtype, copy=False)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """y = γ·(x − μ)/√(σ² + eps) + β, with μ, σ² (biased) over the trailing ``normalized_shape`` dims of each sample."""
    shape = (int(normalized_shape),) if isinstance(normalized_shape, int | np.integer) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise RuntimeError(f"layer_norm: normalized_shape {list(shape)} does not match the trailing dims of the input "
                         f"of shape {input.shape}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    mean = input.mean(dims, keepdim=True)
    centred = input - mean
    var = (centred * centred).mean(dims, keepdim=True)
    y = centred / (var + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
