"""More activation functions (hard and shrinking variants, SELU/CELU, Mish, PReLU, RReLU, GLU, ...), with torch's
signatures and derivatives.

Each is a composite of engine ops, so each is differentiable to any order, except ``logsigmoid``, one node
(``LogSigmoid``) for a stable formula with an exact derivative everywhere. Piecewise functions are written with
``where`` and a constant (a Python number) on the flat pieces, so that the derivative at a kink is torch's: e.g.
hardtanh's is 0 at x = min_val and x = max_val, not the 1 that ``clamp`` would give there.
"""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor, from_numpy, where
from autograd.function import Op
from autograd.ops._util import norm_dims
from autograd.random import get_rng

from .activation import _softmax_dim, elu, leaky_relu, softmax, softplus

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val].   d/dx = 1 where min_val < x < max_val, else 0."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return input._inplace(hardtanh, min_val, max_val)
    return where(input <= min_val, min_val, where(input >= max_val, max_val, input))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6).   d/dx = 1 where 0 < x < 6, else 0."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3)/6: 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between.   d/dx = 1/6 where −3 < x < 3, else 0."""
    if inplace:
        return input._inplace(hardsigmoid)
    return where(input <= -3, 0.0, where(input >= 3, 1.0, input / 6 + 0.5))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·relu6(x + 3)/6.   d/dx = 0 for x ≤ −3, x/3 + ½ for −3 < x < 3, 1 for x ≥ 3."""
    if inplace:
        return input._inplace(hardswish)
    return where(input <= -3, 0.0, where(input >= 3, input, input * (input + 3) / 6))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(x, α) with torch's α ≈ 1.6733, scale ≈ 1.0507 (self-normalising).   d/dx = scale·(1 or αeˣ)."""
    if inplace:
        return input._inplace(selu)
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else α(e^(x/α) − 1).   d/dx = 1 where x > 0, else e^(x/α)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return input._inplace(celu, alpha)
    neg = (autograd.exp(input.clamp(max=0.0) / alpha) - 1) * alpha
    return where(input > 0, input, neg)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x)).   d/dx = tanh(sp) + x·σ(x)·(1 − tanh²(sp)), sp = softplus(x)."""
    if inplace:
        return input._inplace(mish)
    return input * autograd.tanh(softplus(input))


def softsign(input: Tensor) -> Tensor:
    """x/(1 + |x|).   d/dx = 1/(1 + |x|)²."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x − tanh x.   d/dx = tanh² x."""
    return input - autograd.tanh(input)


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    return where(input > threshold, input, value)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value.   d/dx = 1 where x > threshold, else 0."""
    if inplace:
        return input._inplace(_threshold, threshold, value)
    return _threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return input._inplace(_threshold, threshold, value)


def _check_lambd(lambd: float, input: Tensor) -> None:
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(input.dtype).max:g}] for input dtype "
                           f"{input.dtype}, but found {lambd}")


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x − λ where x > λ, x + λ where x < −λ, else 0.   d/dx = 1 where |x| > λ, else 0."""
    _check_lambd(lambd, input)
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > λ, else 0.   d/dx = 1 where |x| > λ, else 0."""
    return where((input > lambd) | (input < -lambd), input, 0.0)


class LogSigmoid(Op):
    """z = log σ(x) = min(x, 0) − log(1 + e^−|x|) (no overflow for any x).   dz/dx = σ(−x) = 1 − σ(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * autograd.sigmoid(-x)

    jvp = backward


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = −softplus(−x).   d/dx = σ(−x)."""
    return LogSigmoid.apply(input)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None) -> Tensor:
    """softmax(−x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return softmax(-input, dim, dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a·σ(b), a and b the first and second halves of x along ``dim``.   ∂/∂a = σ(b), ∂/∂b = aσ(b)(1 − σ(b))."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    (d,) = norm_dims(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = input.chunk(2, d)
    return a * autograd.sigmoid(b)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else w·x, with one learnt slope w per channel (dim 1) or one for all.
    ∂/∂x = 1 or w;  ∂/∂w = x where x ≤ 0, else 0 (summed over the channel's elements)."""
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} and "
                           f"channel size = {channels}.")
    w = weight.reshape(()) if n == 1 else weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, w * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Leaky ReLU with a random slope: in training, each x ≤ 0 is multiplied by its own a ~ U(lower, upper)
    (drawn from ``autograd.random.get_rng()``); in eval, by (lower + upper)/2.   d/dx = 1 or the slope."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        slope = (lower + upper) / 2
        return input._inplace(leaky_relu, slope) if inplace else leaky_relu(input, slope)
    noise = get_rng().uniform(lower, upper, input.shape)
    slopes = from_numpy(np.where(input.array <= 0, noise, 1.0).astype(input.dtype))
    return input._inplace(autograd.mul, slopes) if inplace else input * slopes


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


_ALPHA_PRIME = 1.7580993408473766  # −scale·α of SELU: the value SELU tends to for x → −∞, negated


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements are set to SELU's negative saturation −α′ (not 0), then the result
    is scaled and shifted, a·(x·m − α′(1 − m)) + α′·a·p, so that mean and variance are kept (torch's formula,
    a = ((1 − p)(1 + pα′²))^(−1/2), m ~ Bernoulli(1 − p)).   d/dx = a·m. Identity in eval."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        scale, shift = np.zeros(input.shape, input.dtype), np.zeros(input.shape, input.dtype)
    else:
        keep = (get_rng().random(input.shape) >= p).astype(input.dtype)
        a = 1.0 / np.sqrt((_ALPHA_PRIME**2 * p + 1) * (1 - p))
        scale = (keep * a).astype(input.dtype)
        shift = ((keep - 1) * _ALPHA_PRIME * a + _ALPHA_PRIME * a * p).astype(input.dtype)
    if inplace:
        return input._inplace(lambda x: x * from_numpy(scale) + from_numpy(shift))
    return input * from_numpy(scale) + from_numpy(shift)
