"""Adagrad: per-coordinate learning rates from the running sum of squared gradients (torch.optim.Adagrad)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    as_tensor,
    check_non_negative,
    evaluate_closure,
    grad_array,
    increment,
    step_tensor,
)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011), lecture 000's "adaptive learning rates".

    With ``g = ∇C + λθ`` and step ``t``::

        lr_t ← lr / (1 + (t − 1)·lr_decay)
        G ← G + g²                          (G starts at initial_accumulator_value)
        θ ← θ − lr_t · g / (sqrt(G) + eps)

    (The lecture writes ``sqrt(G + eps)``; torch, and this class, add ``eps`` outside the square root.)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative(
            "Adagrad",
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        # torch creates Adagrad's state eagerly, for every parameter, at construction
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_tensor()
                state["sum"] = as_tensor(np.full_like(p.array, group["initial_accumulator_value"]))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = (
                group["lr"],
                group["lr_decay"],
                group["eps"],
                group["weight_decay"],
            )
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:  # a parameter added later with add_param_group
                    state["step"] = step_tensor()
                    state["sum"] = as_tensor(np.full_like(p.array, group["initial_accumulator_value"]))
                step = increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"].array
                state_sum += grad * grad
                std = np.sqrt(state_sum)
                std += eps
                p.array += -clr * grad / std
        return loss
