"""Adafactor: Adam-like steps with a factored (row × column) second moment (torch.optim.Adafactor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import no_grad

from .optimizer import (
    Optimizer,
    ParamsT,
    as_tensor,
    evaluate_closure,
    grad_array,
    increment,
    lerp_,
    step_tensor,
)


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern 2018) as torch implements it (no first moment, relative step sizes).

    At step ``t``, with ``β2ᵗ = 1 − t^beta2_decay`` and ``ρ_t = min(lr, 1/sqrt(t))``::

        α ← max(eps2, RMS(θ))·ρ_t                       (the step scales with the parameter's size)
        θ ← θ·(1 − lr·λ)                                (decoupled weight decay)
        matrices (dim ≥ 2):  R ← lerp(R, mean(g², last dim), 1 − β2ᵗ),  C likewise over the second-to-last
                             V̂ = R·C / mean(R)
        vectors:             V̂ = V ← lerp(V, g², 1 − β2ᵗ)
        u ← g / sqrt(max(V̂, eps1²)),   θ ← θ − α·u / max(1, RMS(u)/d)

    ``eps1=None`` means the machine epsilon of the parameter's dtype. Only O(rows + columns) state per matrix.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Adafactor: learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"Adafactor: beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"Adafactor: epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"Adafactor: epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Adafactor: clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Adafactor: weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(
            lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = evaluate_closure(closure)
        for group in self.param_groups:
            lr, beta2_decay, d, weight_decay = (
                group["lr"],
                group["beta2_decay"],
                group["d"],
                group["weight_decay"],
            )
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = grad_array(p, group["maximize"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = step_tensor()
                    if grad.ndim > 1:
                        state["row_var"] = as_tensor(np.zeros(grad.shape[:-1] + (1,), dtype=grad.dtype))
                        state["col_var"] = as_tensor(np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], grad.dtype))
                    else:
                        state["variance"] = as_tensor(np.zeros_like(grad))
                if eps1 is None:
                    eps1 = float(np.finfo(p.array.dtype).eps)
                step = increment(state["step"])
                one_minus_beta2_t = step**beta2_decay
                rho_t = min(lr, 1 / (step**0.5))
                alpha = max(eps2, float(np.linalg.norm(p.array.ravel())) / (p.array.size**0.5)) * rho_t
                if weight_decay != 0:
                    p.array *= 1 - lr * weight_decay

                if grad.ndim > 1:
                    row_var, col_var = state["row_var"].array, state["col_var"].array
                    row_mean = _norm(grad, axis=-1) ** 2 / grad.shape[-1]
                    lerp_(row_var, row_mean, one_minus_beta2_t)
                    col_mean = _norm(grad, axis=-2) ** 2 / grad.shape[-2]
                    lerp_(col_var, col_mean, one_minus_beta2_t)
                    var_estimate = row_var @ col_var
                    var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
                else:
                    variance = state["variance"].array
                    lerp_(variance, grad * grad, one_minus_beta2_t)
                    var_estimate = variance.copy()
                update = 1 / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
                update *= grad
                denom = max(1.0, float(np.linalg.norm(update.ravel())) / ((update.size**0.5) * d))
                p.array += (-alpha / denom) * update
        return loss


def _norm(x: np.ndarray, axis: int) -> np.ndarray:
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
