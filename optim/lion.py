"""Lion: sign-of-momentum updates found by program search (Chen et al. 2023). Not in torch.optim."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, weight_decay_, zeros_like


class Lion(FirstOrderOptimizer):
    """Lion (EvoLved Sign Momentum); the reference implementation's names and defaults.

    With decoupled weight decay λ::

        c ← β1·m + (1 − β1)·g            (the interpolation the step uses)
        θ ← θ·(1 − lr·λ) − lr·sign(c)
        m ← β2·m + (1 − β2)·g            (the momentum kept, with a slower β2)

    Every coordinate moves by exactly lr, so use a learning rate 3–10× smaller than AdamW's.
    """

    _checked_options = ("lr", "betas", "weight_decay")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay, maximize=maximize))

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return dict(exp_avg=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        exp_avg = state["exp_avg"].array
        weight_decay_(param, grad, group, decoupled=True)
        update = beta1 * exp_avg + (1 - beta1) * grad
        param += -lr * np.sign(update)
        exp_avg *= beta2
        exp_avg += (1 - beta2) * grad
