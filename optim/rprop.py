"""Rprop: resilient backpropagation, sign-based steps with adaptive sizes (torch.optim.Rprop)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    as_tensor,
    evaluate_closure,
    grad_array,
    increment,
    step_tensor,
    zeros_like,
)


class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun 1993), the iRprop− variant torch implements.

    Each coordinate keeps its own step size Δ (starting at lr). With the previous gradient g′::

        Δ ← clamp(Δ·η+, *step_sizes)  where g·g′ > 0
        Δ ← clamp(Δ·η−, *step_sizes), g ← 0  where g·g′ < 0   (a sign change: back off, skip this step)
        θ ← θ − sign(g)·Δ,   g′ ← g
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Rprop: invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: invalid eta values: {etas[0]}, {etas[1]} (need 0 < etaminus < 1 < etaplus)")
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["prev"] = zeros_like(p)
                    state["step_size"] = as_tensor(np.full_like(grad, group["lr"]))
                increment(state["step"])
                prev, step_size = state["prev"].array, state["step_size"].array
                product = grad * prev
                sign = np.where(product > 0, etaplus, np.where(product < 0, etaminus, 1)).astype(grad.dtype)
                step_size *= sign
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                grad = np.where(sign == etaminus, 0, grad)  # a sign change: skip this coordinate once
                p.array += -1 * np.sign(grad) * step_size
                np.copyto(prev, grad)
        return loss
