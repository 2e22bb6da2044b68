"""Adadelta: Adagrad with decaying averages and unit-correcting step sizes (torch.optim.Adadelta)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    check_non_negative,
    evaluate_closure,
    grad_array,
    increment,
    step_tensor,
    zeros_like,
)


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012), lecture 003's "extension of Adagrad".

    With ``g = ∇C + λθ``::

        E[g²] ← ρ·E[g²] + (1 − ρ)·g²
        Δ ← sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) · g
        E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
        θ ← θ − lr·Δ
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("Adadelta", lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value: {rho} (must be in [0, 1])")
        check_non_negative("Adadelta", eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["square_avg"] = zeros_like(p)
                    state["acc_delta"] = zeros_like(p)
                increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
                square_avg *= rho
                square_avg += (1 - rho) * grad * grad
                std = np.sqrt(square_avg + eps)
                delta = np.sqrt(acc_delta + eps)
                delta /= std
                delta *= grad
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                p.array += -lr * delta
        return loss
