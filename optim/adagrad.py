"""Adagrad: per-coordinate learning rates from the running sum of squared gradients (torch.optim.Adagrad)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, as_tensor, increment, step_tensor, weight_decay_


class Adagrad(FirstOrderOptimizer):
    """Adagrad (Duchi et al. 2011), lecture 000's "adaptive learning rates".

    With ``g = ∇C + λθ`` and step ``t``::

        lr_t ← lr / (1 + (t − 1)·lr_decay)
        G ← G + g²                          (G starts at initial_accumulator_value)
        θ ← θ − lr_t · g / (sqrt(G) + eps)

    (The lecture writes ``sqrt(G + eps)``; torch, and this class, add ``eps`` outside the square root.)
    """

    _checked_options = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

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
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        # torch creates Adagrad's state eagerly, for every parameter, at construction (a parameter added later
        # with add_param_group gets its state on its first step)
        for group in self.param_groups:
            for p in group["params"]:
                self.param_state(p, group)

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(step=step_tensor(), sum=as_tensor(np.full_like(p.array, group["initial_accumulator_value"])))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = increment(state["step"])
        grad = weight_decay_(param, grad, group)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"].array
        state_sum += grad * grad
        std = np.sqrt(state_sum)
        std += group["eps"]
        param += -clr * grad / std
