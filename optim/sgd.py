"""Stochastic gradient descent, with momentum and Nesterov momentum (torch.optim.SGD)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, as_tensor, weight_decay_


class SGD(FirstOrderOptimizer):
    """Gradient descent, optionally with (Nesterov) momentum; torch's update rule exactly.

    With ``g = ∇C + λθ`` (``λ = weight_decay``, ``−∇C`` when ``maximize``)::

        b ← g                          on the first step (no dampening: the buffer starts at the gradient)
        b ← μ·b + (1 − τ)·g            afterwards (μ = momentum, τ = dampening)
        g ← g + μ·b  if nesterov  else  b
        θ ← θ − lr·g

    This is lecture 000's ``v ← αv + η∇L, θ ← θ − v`` with the learning rate moved out of the buffer (the
    two coincide while lr is constant).
    """

    _checked_options = ()  # torch's SGD checks ``x < 0`` (NaN passes), with messages of its own: below

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"SGD: invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"SGD: invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"SGD: invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def param_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        # without momentum SGD keeps no state at all, as torch's (not even an empty entry per parameter)
        return super().param_state(p, group) if group["momentum"] != 0 else {}

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum, dampening = group["momentum"], group["dampening"]
        grad = weight_decay_(param, grad, group)
        if momentum != 0:
            if state.get("momentum_buffer") is None:
                state["momentum_buffer"] = as_tensor(np.array(grad, copy=True))
                buf = state["momentum_buffer"].array
            else:
                buf = state["momentum_buffer"].array
                buf *= momentum
                buf += (1 - dampening) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param += -group["lr"] * grad
