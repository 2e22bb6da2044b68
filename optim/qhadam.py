"""QHAdam: quasi-hyperbolic Adam (Ma & Yarats 2019), named in lecture 000's optimiser zoo. Not in torch."""

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
    increment,
    lerp_,
    step_tensor,
    zeros_like,
)


class QHAdam(Optimizer):
    """QHAdam: each moment is a ν-weighted mix of the current gradient and Adam's bias-corrected average.

    With ``g = ∇C + λθ`` and step ``t``::

        m ← β1·m + (1 − β1)·g,    m̂ = m/(1 − β1ᵗ)
        v ← β2·v + (1 − β2)·g²,   v̂ = v/(1 − β2ᵗ)
        θ ← θ − lr · ((1 − ν1)·g + ν1·m̂) / (sqrt((1 − ν2)·g² + ν2·v̂) + eps)

    ν = (1, 1) is Adam; ν1 = 0 ignores momentum; the paper recommends β = (0.995, 0.999), ν = (0.7, 1.0).
    The defaults and argument names follow the paper's reference implementation (facebookresearch/qhoptim).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.995, 0.999),
        nus: tuple[float, float] = (0.7, 1.0),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        check_non_negative("QHAdam", lr=lr, eps=eps)
        check_betas("QHAdam", betas)
        for i, nu in enumerate(nus):
            if not 0.0 <= nu <= 1.0:
                raise ValueError(f"QHAdam: invalid nu parameter at index {i}: {nu} (must be in [0, 1])")
        check_non_negative("QHAdam", weight_decay=weight_decay)
        defaults = dict(
            lr=lr, betas=tuple(betas), nus=tuple(nus), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), (nu1, nu2) = group["lr"], group["betas"], group["nus"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                step = increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                exp_avg, exp_avg_sq = state["exp_avg"].array, state["exp_avg_sq"].array
                grad_sq = grad * grad
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad_sq
                numer = (1 - nu1) * grad + (nu1 / (1 - beta1**step)) * exp_avg
                denom = np.sqrt((1 - nu2) * grad_sq + (nu2 / (1 - beta2**step)) * exp_avg_sq)
                denom += eps
                p.array += -lr * numer / denom
        return loss
