"""QHAdam: quasi-hyperbolic Adam (Ma & Yarats 2019), named in lecture 000's optimiser zoo. Not in torch."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class QHAdam(FirstOrderOptimizer):
    """QHAdam: each moment is a ν-weighted mix of the current gradient and Adam's bias-corrected average.

    With ``g = ∇C + λθ`` and step ``t``::

        m ← β1·m + (1 − β1)·g,    m̂ = m/(1 − β1ᵗ)
        v ← β2·v + (1 − β2)·g²,   v̂ = v/(1 − β2ᵗ)
        θ ← θ − lr · ((1 − ν1)·g + ν1·m̂) / (sqrt((1 − ν2)·g² + ν2·v̂) + eps)

    ν = (1, 1) is Adam; ν1 = 0 ignores momentum; the paper recommends β = (0.995, 0.999), ν = (0.7, 1.0).
    The defaults and argument names follow the paper's reference implementation (facebookresearch/qhoptim).
    """

    _checked_options = ("lr", "eps", "betas", "nus", "weight_decay")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.995, 0.999),
        nus: tuple[float, float] = (0.7, 1.0),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=tuple(betas), nus=tuple(nus), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(step=step_tensor(), exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), (nu1, nu2), eps = group["lr"], group["betas"], group["nus"], group["eps"]
        step = increment(state["step"])
        grad = weight_decay_(param, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        grad_sq = grad * grad
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad_sq
        numer = (1 - nu1) * grad + (nu1 / (1 - beta1**step)) * exp_avg
        denom = np.sqrt((1 - nu2) * grad_sq + (nu2 / (1 - beta2**step)) * exp_avg_sq)
        denom += eps
        param += -lr * numer / denom
