"""Nonlinear conjugate gradient, Polak–Ribière+ with restarts (lecture 000's "batch-style" zoo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .flat import FlatOptimizer, check_closure_options
from .optimizer import ParamsT


class ConjugateGradient(FlatOptimizer):
    """Polak–Ribière+ conjugate gradient with a strong-Wolfe line search (Nocedal & Wright §5.2).

    ::

        β = max(0, gₖᵀ(gₖ − gₖ₋₁) / gₖ₋₁ᵀgₖ₋₁)          (PR+: β < 0 restarts by itself)
        d = −gₖ + β·dₖ₋₁
        x ← x + t·d,   t from the line search (c2 = 0.1, as N&W advise for CG)

    Restarts with ``d = −g`` every ``restart`` iterations (default: the number of parameters), when
    successive gradients are far from orthogonal (``|gₖᵀgₖ₋₁| ≥ 0.2·‖gₖ‖²``, Powell's test, N&W eq. 5.52),
    and whenever ``d`` is not a descent direction. After the first iteration the trial step is
    ``t_prev · gₖ₋₁ᵀdₖ₋₁ / gₖᵀdₖ`` (N&W eq. 3.60). Only O(n) memory. Options and closure as LBFGS.
    """

    line_search_c2 = 0.1

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        restart: int | None = None,
        line_search_fn: str | None = "strong_wolfe",
    ) -> None:
        check_closure_options("ConjugateGradient", lr, line_search_fn, max_iter)
        if restart is not None and restart < 1:
            raise ValueError(f"ConjugateGradient: restart must be a positive number of iterations, got {restart}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4 + 25  # LBFGS's budget plus room for one full line search
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            restart=restart,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)

    def _restart(self, state: dict[str, Any]) -> None:
        state["since_restart"] = 0

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        restart = self.param_groups[0]["restart"] or flat_grad.size
        since = state.get("since_restart", 0)
        if state.get("d") is None or state["n_iter"] == 1 or since >= restart:
            state["since_restart"] = 1
            return -flat_grad
        prev_g = state["prev_flat_grad"].array
        gg_prev = float(prev_g.dot(prev_g))
        if abs(float(flat_grad.dot(prev_g))) >= 0.2 * float(flat_grad.dot(flat_grad)):  # Powell's restart
            state["since_restart"] = 1
            return -flat_grad
        beta = max(0.0, float(flat_grad.dot(flat_grad - prev_g)) / gg_prev)
        state["since_restart"] = since + 1
        return -flat_grad + beta * state["d"].array

    def _initial_step(self, state: dict[str, Any], flat_grad: np.ndarray, gtd: float) -> float:
        prev_gtd, state["gtd"] = state.get("gtd"), gtd
        if state["n_iter"] == 1 or self.param_groups[0]["line_search_fn"] is None or prev_gtd is None:
            return super()._initial_step(state, flat_grad, gtd)
        # assume the first-order change along d matches the last step's (N&W eq. 3.60)
        t = state["t"] * prev_gtd / gtd
        return t if 0 < t < float("inf") else super()._initial_step(state, flat_grad, gtd)
