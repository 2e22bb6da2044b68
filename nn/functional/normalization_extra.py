"""``group_norm``, ``instance_norm`` and ``rms_norm`` with torch.nn.functional's signatures.

All three are composites of engine ops (mean, sub, mul, rsqrt), like batch_norm and layer_norm in normalization.py,
so their gradients — including the terms through the statistics — come from the engine, to any order. They differ
only in which elements share a mean and variance:

* group_norm:    per sample, over the channels of each group and all spatial positions;
* instance_norm: per sample and channel, over the spatial positions (group_norm with one channel per group, plus
                 optional running statistics like batch_norm's);
* rms_norm:      per sample, over the trailing ``normalized_shape`` dims, dividing by the root mean square without
                 centring: y = x / √(mean(x²) + eps) · γ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, from_numpy

from .normalization import _channel_shape, _update


def _normalise(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """((x − μ)/√(σ² + eps), μ, σ²) with the biased variance over ``dims`` (kept)."""
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dims, keepdim=True)
    return centred / (var + eps).sqrt(), mean, var


def _affine(op: str, y: Tensor, x: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    c = x.shape[1]
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.ndim != 1 or p.shape[0] != c):
            raise RuntimeError(f"{op}: Expected {name} to be a vector of size equal to the number of channels in "
                               f"input, but got {name} of shape {list(p.shape)} and input of shape {list(x.shape)}")
    if weight is not None:
        y = y * weight.reshape(_channel_shape(x))
    if bias is not None:
        y = y + bias.reshape(_channel_shape(x))
    return y


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """y = γ·(x − μ)/√(σ² + eps) + β, with μ, σ² (biased) per sample over each group of C/num_groups channels and
    all positions; γ, β per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(input.shape)} and num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, c // num_groups * int(np.prod(input.shape[2:])))
    y, _, _ = _normalise(grouped, (2,), eps)
    return _affine("group_norm", y.reshape(input.shape), input, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = γ·(x − μ)/√(σ² + eps) + β per sample and channel, over the spatial dims of (N, C, *).

    With ``use_input_stats`` (training, or no running stats) μ, σ² are each instance's, and running stats, if
    given, are updated in place with their average over the batch (the variance unbiased), as torch does.
    Otherwise μ, σ² are the running stats (constants)."""
    if input.ndim < 2:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *), got {list(input.shape)}")
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        shape = _channel_shape(input)
        inv_std = 1.0 / np.sqrt(running_var.array.astype(input.dtype, copy=False) + eps)
        y = (input - from_numpy(running_mean.array.astype(input.dtype, copy=False).reshape(shape))) * from_numpy(
            inv_std.reshape(shape))
        return _affine("instance_norm", y, input, weight, bias)
    count = int(np.prod(input.shape[2:]))
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {tuple(input.shape)}")
    y, mean, var = _normalise(input, tuple(range(2, input.ndim)), eps)
    if running_mean is not None:
        _update(running_mean, mean.array.reshape(input.shape[:2]).mean(0), momentum)
    if running_var is not None:
        _update(running_var, var.array.reshape(input.shape[:2]).mean(0) * (count / (count - 1)), momentum)
    return _affine("instance_norm", y, input, weight, bias)


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """y = x / √(mean(x²) + eps) · γ over the trailing ``normalized_shape`` dims; eps=None means the dtype's
    machine epsilon (torch.finfo(x.dtype).eps)."""
    if isinstance(normalized_shape, int | np.integer):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' must be tuple of ints, not int (got "
                        f"{normalized_shape}; pass ({normalized_shape},))")
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k > input.ndim or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"rms_norm: Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: Expected weight to be of same shape as normalized_shape, but got weight of "
                           f"shape {list(weight.shape)} and normalized_shape = {list(shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight
