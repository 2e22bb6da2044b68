"""Adafactor: Adam-like steps with a factored (row × column) second moment (torch.optim.Adafactor)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import (
    FirstOrderOptimizer,
    ParamsT,
    StateSpec,
    as_tensor,
    check_length,
    increment,
    lerp_,
    step_tensor,
    weight_decay_,
)


class Adafactor(FirstOrderOptimizer):
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

    _checked_options = ()  # torch's Adafactor words its checks differently: below

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
        eps = check_length("Adafactor", "eps", eps, 2, what="(eps1, eps2)")
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

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        grad = p.grad.array
        if grad.ndim > 1:  # the second moment, factored: a mean over each row and over each column
            return dict(step=step_tensor(),
                        row_var=as_tensor(np.zeros(grad.shape[:-1] + (1,), dtype=grad.dtype)),
                        col_var=as_tensor(np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], grad.dtype)))
        return dict(step=step_tensor(), variance=as_tensor(np.zeros_like(grad)))

    def _state_spec(self, p: Tensor, key: str) -> StateSpec:
        # a matrix (or more dims) keeps its second moment factored: a mean over each row and over each column
        shape = tuple(p.array.shape)
        factored = len(shape) > 1
        if key in ("row_var", "col_var", "variance") and factored != (key != "variance"):
            return StateSpec(None, unexpected=(
                f"Adafactor keeps 'row_var' and 'col_var' for a parameter of 2 or more dims, 'variance' for one of "
                f"fewer, and this one has {len(shape)}"))
        if key == "row_var":
            return StateSpec(shape[:-1] + (1,), "the parameter's shape with its last dim 1")
        if key == "col_var":
            return StateSpec(shape[:-2] + (1,) + shape[-1:], "the parameter's shape with its second-to-last dim 1")
        return super()._state_spec(p, key)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, beta2_decay, d = group["lr"], group["beta2_decay"], group["d"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(param.dtype).eps)
        step = increment(state["step"])
        one_minus_beta2_t = step**beta2_decay
        rho_t = min(lr, 1 / (step**0.5))
        alpha = max(eps2, float(np.linalg.norm(param.ravel())) / (param.size**0.5)) * rho_t
        weight_decay_(param, grad, group, decoupled=True)

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
        param += (-alpha / denom) * update


def _norm(x: np.ndarray, axis: int) -> np.ndarray:
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
