"""ASGD: averaged stochastic gradient descent (torch.optim.ASGD)."""

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
    step_tensor,
    zeros_like,
)


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky 1992) as torch implements it; the average is ``state[p]["ax"]``.

    With ``g = ∇C + λθ`` and step ``t`` (η and μ are state, starting at lr and 1)::

        θ ← θ·(1 − lambd·η) − η·g
        ax ← ax + μ·(θ − ax)         (ax ← θ while μ = 1)
        η ← lr / (1 + lambd·lr·t)^alpha,    μ ← 1 / max(1, t − t0)
    """

    _scalar_state_keys = ("step", "eta", "mu")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        maximize: bool = False,
    ) -> None:
        check_non_negative("ASGD", lr=lr, weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    state["eta"] = step_tensor(lr)  # float32 scalars, like torch's
                    state["mu"] = step_tensor(1.0)
                    state["ax"] = zeros_like(p)
                step = increment(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * p.array
                eta = float(state["eta"].array)
                p.array *= 1 - lambd * eta
                p.array += -eta * grad
                ax, mu = state["ax"].array, state["mu"].array
                if float(mu) != 1:
                    ax += (p.array - ax) * mu
                else:
                    np.copyto(ax, p.array)
                state["eta"].array[...] = lr / ((1 + lambd * lr * step) ** alpha)
                state["mu"].array[...] = 1 / max(1, step - t0)
        return loss
