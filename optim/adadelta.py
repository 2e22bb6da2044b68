"""Adadelta: Adagrad with decaying averages and unit-correcting step sizes (torch.optim.Adadelta)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, step_tensor, weight_decay_, zeros_like


class Adadelta(FirstOrderOptimizer):
    """Adadelta (Zeiler 2012), lecture 003's "extension of Adagrad".

    With ``g = ∇C + λθ``::

        E[g²] ← ρ·E[g²] + (1 − ρ)·g²
        Δ ← sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) · g
        E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
        θ ← θ − lr·Δ
    """

    _checked_options = ("lr", "rho", "eps", "weight_decay")

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
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(step=step_tensor(), square_avg=zeros_like(p), acc_delta=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        increment(state["step"])
        grad = weight_decay_(param, grad, group)
        square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps)
        delta /= std
        delta *= grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param += -group["lr"] * delta
