"""ASGD: averaged stochastic gradient descent (torch.optim.ASGD)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import FirstOrderOptimizer, ParamsT, increment, step_tensor, weight_decay_, zeros_like


class ASGD(FirstOrderOptimizer):
    """Averaged SGD (Polyak & Juditsky 1992) as torch implements it; the average is ``state[p]["ax"]``.

    With ``g = ∇C + λθ`` and step ``t`` (η and μ are state, starting at lr and 1)::

        θ ← θ·(1 − lambd·η) − η·g
        ax ← ax + μ·(θ − ax)         (ax ← θ while μ = 1)
        η ← lr / (1 + lambd·lr·t)^alpha,    μ ← 1 / max(1, t − t0)
    """

    _checked_options = ("lr", "weight_decay")
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
        super().__init__(
            params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize)
        )

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        # eta and mu are float32 scalars, like torch's
        return dict(step=step_tensor(), eta=step_tensor(group["lr"]), mu=step_tensor(1.0), ax=zeros_like(p))

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        step = increment(state["step"])
        grad = weight_decay_(param, grad, group)
        eta = float(state["eta"].array)
        param *= 1 - lambd * eta
        param += -eta * grad
        ax, mu = state["ax"].array, state["mu"].array
        if float(mu) != 1:
            ax += (param - ax) * mu
        else:
            np.copyto(ax, param)
        state["eta"].array[...] = lr / ((1 + lambd * lr * step) ** alpha)
        state["mu"].array[...] = 1 / max(1, step - t0)
