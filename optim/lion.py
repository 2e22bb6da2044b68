"""Lion: sign-of-momentum updates found by program search (Chen et al. 2023). Not in torch.optim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    check_betas,
    check_non_negative,
    evaluate_closure,
    grad_array,
    zeros_like,
)


class Lion(Optimizer):
    """Lion (EvoLved Sign Momentum); the reference implementation's names and defaults.

    With decoupled weight decay λ::

        c ← β1·m + (1 − β1)·g            (the interpolation the step uses)
        θ ← θ·(1 − lr·λ) − lr·sign(c)
        m ← β2·m + (1 − β2)·g            (the momentum kept, with a slower β2)

    Every coordinate moves by exactly lr, so use a learning rate 3–10× smaller than AdamW's.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("Lion", lr=lr)
        check_betas("Lion", betas)
        check_non_negative("Lion", weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), weight_decay = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = zeros_like(p)
                exp_avg = state["exp_avg"].array
                if weight_decay != 0:
                    p.array *= 1 - lr * weight_decay
                update = beta1 * exp_avg + (1 - beta1) * grad
                p.array += -lr * np.sign(update)
                exp_avg *= beta2
                exp_avg += (1 - beta2) * grad
        return loss
