"""Activation functions, each a composite of engine ops, so each is differentiable to any order.

Where a formula has a branch that overflows (eˣ for large x), the input to that branch is clamped first: ``where``
sends a zero gradient into the unused branch, but 0 · ∞ would still make a NaN in the chain rule.

In-place variants go through ``Tensor._inplace``, which hands the composite an alias of the input: the composite's
nodes save the alias, so rebasing the input onto the result does not invalidate what they saved.
"""

from __future__ import annotations

import math
import warnings

import autograd
from autograd import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0).   d/dx = 1 where x > 0, else 0."""
    return input.relu_() if inplace else autograd.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope · x.   d/dx = 1 or negative_slope."""
    if inplace:
        return input._inplace(autograd.leaky_relu, negative_slope)
    return autograd.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else α(eˣ − 1).   d/dx = 1 where x > 0, else αeˣ."""
    if inplace:
        return input._inplace(elu, alpha)
    neg = (autograd.exp(input.clamp(max=0.0)) - 1) * alpha
    return autograd.where(input > 0, input, neg)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x), Φ the standard normal CDF: ½x(1 + erf(x/√2)).   d/dx = Φ(x) + x·φ(x).

    ``approximate="tanh"``: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    """
    if approximate == "none":
        return input * 0.5 * (1 + autograd.erf(input * (1 / math.sqrt(2))))
    if approximate == "tanh":
        return input * 0.5 * (1 + autograd.tanh((input + input * input * input * 0.044715) * _SQRT_2_OVER_PI))
    raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) (swish).   d/dx = σ(x)(1 + x(1 − σ(x)))."""
    if inplace:
        return input._inplace(silu)
    return input * autograd.sigmoid(input)


def sigmoid(input: Tensor) -> Tensor:
    """σ(x) = 1/(1 + e⁻ˣ).   d/dx = σ(x)(1 − σ(x))."""
    return autograd.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh x.   d/dx = 1 − tanh² x."""
    return autograd.tanh(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·log(1 + e^(βx)), and x itself where βx > threshold (as torch, for stability).   d/dx = σ(βx)."""
    bx = input * beta
    soft = autograd.log1p(autograd.exp(bx.clamp(max=threshold))) * (1 / beta)
    return autograd.where(bx > threshold, input, soft)


def step(input: Tensor) -> Tensor:
    """Heaviside step: 1 where x > 0, else 0 (the perceptron's unit).   d/dx = 0."""
    return autograd.step(input)


def _softmax_dim(name: str, ndim: int) -> int:
    # torch's legacy rule when no dim is given
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: object = None) -> Tensor:
    """e^(xᵢ)/Σⱼ e^(xⱼ) along ``dim``.   ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return autograd.softmax(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: object = None) -> Tensor:
    """xᵢ − log Σⱼ e^(xⱼ) along ``dim``.   ∂zᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return autograd.log_softmax(input, dim)
