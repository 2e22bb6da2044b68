"""RMSprop, plain, centred and with momentum (torch.optim.RMSprop)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class RMSprop(FirstOrderOptimizer):
    """RMSprop (Hinton, Coursera lecture 6e), lecture 003's "very similar to Adadelta".

    With ``g = ∇C + λθ``::

        v ← α·v + (1 − α)·g²
        ḡ ← α·ḡ + (1 − α)·g,  v_c = v − ḡ²       only if centered (variance instead of raw second moment)
        d ← sqrt(v or v_c) + eps
        b ← μ·b + g/d,  θ ← θ − lr·b             if momentum > 0
        θ ← θ − lr·g/d                           otherwise
    """

    _checked_options = ("lr", "eps", "momentum", "weight_decay", "alpha")

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

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = dict(step=step_tensor(), square_avg=zeros_like(p))
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        increment(state["step"])
        grad = weight_decay_(param, grad, group)
        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = lerp_(state["grad_avg"].array, grad, 1 - alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"].array
            buf *= momentum
            buf += grad / avg
            param += -lr * buf
        else:
            param += -lr * grad / avg
