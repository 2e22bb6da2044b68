"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule (torch.optim.NAdam)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class NAdam(FirstOrderOptimizer):
    """NAdam (Dozat 2016) with torch's momentum schedule ``μ_t = β1·(1 − ½·0.96^(t·ψ))``, ψ = momentum_decay.

    With ``g = ∇C (+ λθ unless decoupled)`` and step ``t``::

        θ ← θ·(1 − lr·λ)                                       only if decoupled_weight_decay (NAdamW)
        Π_t ← Π_{t−1}·μ_t                                       (the running product "mu_product")
        m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
        d ← sqrt(v / (1 − β2ᵗ)) + eps
        θ ← θ − lr·(1 − μ_t)/(1 − Π_t) · g/d − lr·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/d
    """

    _checked_options = ("lr", "eps", "betas", "weight_decay", "momentum_decay")
    _scalar_state_keys = ("step", "mu_product")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        # mu_product is a float32 scalar, like torch's
        return dict(step=step_tensor(), mu_product=step_tensor(1.0), exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, momentum_decay = group["lr"], group["betas"], group["eps"], group["momentum_decay"]
        step = increment(state["step"])
        bias_correction2 = 1 - beta2**step
        grad = weight_decay_(param, grad, group)

        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product_t = state["mu_product"]
        mu_product_t.array *= mu
        mu_product = float(mu_product_t.array)
        mu_product_next = mu_product * mu_next

        exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = np.sqrt(exp_avg_sq / bias_correction2)
        denom += eps
        param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
        param += ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom
