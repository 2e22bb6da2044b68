"""Rprop: resilient backpropagation, sign-based steps with adaptive sizes (torch.optim.Rprop)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, as_tensor, increment, step_tensor, zeros_like


class Rprop(FirstOrderOptimizer):
    """Rprop (Riedmiller & Braun 1993), the iRprop− variant torch implements.

    Each coordinate keeps its own step size Δ (starting at lr). With the previous gradient g′::

        Δ ← clamp(Δ·η+, *step_sizes)  where g·g′ > 0
        Δ ← clamp(Δ·η−, *step_sizes), g ← 0  where g·g′ < 0   (a sign change: back off, skip this step)
        θ ← θ − sign(g)·Δ,   g′ ← g
    """

    _checked_options = ("lr", "etas", "step_sizes")  # step_sizes: two numbers (torch checks nothing)

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        step_size = as_tensor(np.full_like(p.grad.array, group["lr"]))
        return dict(step=step_tensor(), prev=zeros_like(p), step_size=step_size)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        increment(state["step"])
        prev, step_size = state["prev"].array, state["step_size"].array
        product = grad * prev
        sign = np.where(product > 0, etaplus, np.where(product < 0, etaminus, 1)).astype(grad.dtype)
        step_size *= sign
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = np.where(sign == etaminus, 0, grad)  # a sign change: skip this coordinate once
        param += -1 * np.sign(grad) * step_size
        np.copyto(prev, grad)
