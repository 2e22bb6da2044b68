"""Stochastic gradient descent, with momentum and Nesterov momentum (torch.optim.SGD)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import Optimizer, ParamsT, as_tensor, evaluate_closure, grad_array


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum; torch's update rule exactly.

    With ``g = ∇C + λθ`` (``λ = weight_decay``, ``−∇C`` when ``maximize``)::

        b ← g                          on the first step (no dampening: the buffer starts at the gradient)
        b ← μ·b + (1 − τ)·g            afterwards (μ = momentum, τ = dampening)
        g ← g + μ·b  if nesterov  else  b
        θ ← θ − lr·g

    This is lecture 000's ``v ← αv + η∇L, θ ← θ − v`` with the learning rate moved out of the buffer (the
    two coincide while lr is constant).
    """

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

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                if momentum != 0:
                    state = self.state[p]
                    if state.get("momentum_buffer") is None:
                        state["momentum_buffer"] = as_tensor(np.array(grad, copy=True))
                        buf = state["momentum_buffer"].array
                    else:
                        buf = state["momentum_buffer"].array
                        buf *= momentum
                        buf += (1 - dampening) * grad
                    grad = grad + momentum * buf if nesterov else buf
                p.array += -lr * grad
        return loss
