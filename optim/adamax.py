"""Adamax: Adam with the infinity norm in place of the second moment (torch.optim.Adamax)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class Adamax(FirstOrderOptimizer):
    """Adamax (Kingma & Ba 2015, section 7.1).

    With ``g = ∇C + λθ`` and step ``t``::

        m ← β1·m + (1 − β1)·g
        u ← max(β2·u, |g| + eps)
        θ ← θ − lr/(1 − β1ᵗ) · m / u
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize))

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(step=step_tensor(), exp_avg=zeros_like(p), exp_inf=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        step = increment(state["step"])
        grad = weight_decay_(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
        clr = lr / (1 - beta1**step)
        param += -clr * exp_avg / exp_inf
