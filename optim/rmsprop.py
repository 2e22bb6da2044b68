"""RMSprop, plain, centred and with momentum (torch.optim.RMSprop)."""

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
    lerp_,
    step_tensor,
    zeros_like,
)


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera lecture 6e), lecture 003's "very similar to Adadelta".

    With ``g = ∇C + λθ``::

        v ← α·v + (1 − α)·g²
        ḡ ← α·ḡ + (1 − α)·g,  v_c = v − ḡ²       only if centered (variance instead of raw second moment)
        d ← sqrt(v or v_c) + eps
        b ← μ·b + g/d,  θ ← θ − lr·b             if momentum > 0
        θ ← θ − lr·g/d                           otherwise
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        check_non_negative("RMSprop", lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
                increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                square_avg = state["square_avg"].array
                square_avg *= alpha
                square_avg += (1 - alpha) * grad * grad
                if centered:
                    grad_avg = lerp_(state["grad_avg"].array, grad, 1 - alpha)
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"].array
                    buf *= momentum
                    buf += grad / avg
                    p.array += -lr * buf
                else:
                    p.array += -lr * grad / avg
        return loss
