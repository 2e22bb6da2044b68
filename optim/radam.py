"""RAdam: Adam with a rectified adaptive learning rate (torch.optim.RAdam)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class RAdam(FirstOrderOptimizer):
    """RAdam (Liu et al. 2020): momentum SGD while the variance estimate is unreliable, then rectified Adam.

    With ``g = ∇C (+ λθ unless decoupled)`` and step ``t``::

        m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   m̂ = m/(1 − β1ᵗ)
        ρ∞ = 2/(1 − β2) − 1,     ρ_t = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
        if ρ_t > 5:  r = sqrt((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
                     θ ← θ − lr · m̂ · sqrt(1 − β2ᵗ)/(sqrt(v) + eps) · r
        else:        θ ← θ − lr · m̂
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(step=step_tensor(), exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        step = increment(state["step"])
        grad = weight_decay_(param, grad, group)
        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:  # the variance of the adaptive rate is tractable: rectify it
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denom = np.sqrt(exp_avg_sq)
            denom += eps
            adaptive_lr = (bias_correction2**0.5) / denom
            param += -1.0 * (bias_corrected_exp_avg * lr * adaptive_lr * rect)
        else:
            param += -1.0 * (bias_corrected_exp_avg * lr)
