"""Adam, AMSGrad and AdamW (torch.optim.Adam, torch.optim.AdamW)."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from autograd import Tensor

from .foreach import FlatGroup, flat_group
from .optimizer import FirstOrderOptimizer, ParamsT, increment, lerp_, step_tensor, weight_decay_, zeros_like


class Adam(FirstOrderOptimizer):
    """Adam (Kingma & Ba 2015), with AMSGrad and decoupled weight decay as options.

    With ``g = ∇C (+ λθ unless decoupled)`` and step ``t``::

        θ ← θ·(1 − lr·λ)                                  only if decoupled_weight_decay (AdamW)
        m ← β1·m + (1 − β1)·g
        v ← β2·v + (1 − β2)·g²
        v̂max ← max(v̂max, v)                              only if amsgrad: the max of the *raw* v
        θ ← θ − lr/(1 − β1ᵗ) · m / (sqrt(v or v̂max)/sqrt(1 − β2ᵗ) + eps)

    ``eps`` is added *after* the bias-corrected square root, as in torch and the paper. ``foreach`` (None: whenever
    it applies; False: never) runs this once over all of a group's parameters end to end (``optim/foreach.py``):
    the same numbers, in a dozen numpy calls instead of a dozen per parameter.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            foreach=foreach,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)
        self._flat: dict[int, FlatGroup] = {}

    def param_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        # key by key: the foreach path may have made the step counters alone before falling back to this loop,
        # and amsgrad may be switched on in a group that has stepped already
        state = self.state[p]
        if "step" not in state:
            state["step"] = step_tensor()
        if "exp_avg" not in state:
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = increment(state["step"])
        _adam(param, grad, state["exp_avg"].array, state["exp_avg_sq"].array,
              state["max_exp_avg_sq"].array if group["amsgrad"] else None, step, group)

    def update_group(self, index: int, group: dict[str, Any], params: list[Tensor]) -> None:
        # foreach (None: whenever it applies) runs the group's update once over all its parameters end to end
        states = [self.state[p] for p in params]
        flat = None if group.get("foreach") is False else flat_group(self._flat, index, params)
        if flat is None or not self._update_flat(flat, states, group):
            super().update_group(index, group, params)

    def _update_flat(self, flat: FlatGroup, states: list[dict[str, Any]], group: dict[str, Any]) -> bool:
        """The flat update; False (nothing done) if the parameters are not all at the same step, as after one of them
        went without a gradient for a while: one step size must fit all."""
        steps = flat.buffer(states, "step", scalar=True)
        counts = steps.tolist()
        if counts.count(counts[0]) != len(counts):
            return False
        steps += 1
        buf = partial(flat.buffer, states)
        param = flat.gather([p.array for p in flat.params], flat.param)
        grad = flat.gather([p.grad.array for p in flat.params], flat.grad)
        if group["maximize"]:
            np.negative(grad, out=grad)
        _adam(param, grad, buf("exp_avg"), buf("exp_avg_sq"), buf("max_exp_avg_sq") if group["amsgrad"] else None,
              steps.item(0), group)
        flat.scatter()
        return True


def _adam(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
          max_exp_avg_sq: np.ndarray | None, step: float, group: dict[str, Any]) -> None:
    """One Adam step, in place, on arrays: one parameter's, or a whole group's end to end (foreach)."""
    lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
    grad = weight_decay_(param, grad, group)

    lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad

    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = math.sqrt(1 - beta2**step)
    step_size = lr / bias_correction1

    if max_exp_avg_sq is not None:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = np.sqrt(max_exp_avg_sq)
    else:
        denom = np.sqrt(exp_avg_sq)
    denom /= bias_correction2_sqrt
    denom += eps
    param += -step_size * exp_avg / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``θ ← θ·(1 − lr·λ)`` before the Adam step.

    Identical to ``Adam(..., decoupled_weight_decay=True)``; note the default ``weight_decay=1e-2``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            foreach=foreach,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
