"""Adamax: Adam with the infinity norm in place of the second moment (torch.optim.Adamax)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    check_betas,
    check_non_negative,
    evaluate_closure,
    grad_array,
    increment,
    lerp_,
    step_tensor,
    zeros_like,
)


class Adamax(Optimizer):
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
        check_non_negative("Adamax", lr=lr, eps=eps)
        check_betas("Adamax", betas)
        check_non_negative("Adamax", weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, weight_decay = (
                group["lr"],
                group["betas"],
                group["eps"],
                group["weight_decay"],
            )
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_inf"] = zeros_like(p)
                step = increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                exp_avg, exp_inf = state["exp_avg"].array, state["exp_inf"].array
                lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
                clr = lr / (1 - beta1**step)
                p.array += -clr * exp_avg / exp_inf
        return loss
