"""BFGS: quasi-Newton with a dense inverse-Hessian approximation (lecture 000's "batch-style" zoo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .flat import FlatOptimizer, check_closure_options
from .optimizer import ParamsT, as_tensor


class BFGS(FlatOptimizer):
    """Broyden–Fletcher–Goldfarb–Shanno with a dense n×n inverse Hessian ``H`` (Nocedal & Wright, Alg. 6.1).

    Each iteration steps along ``d = −H·g`` with a strong-Wolfe line search, then, with ``s = x_{k+1} − x_k``,
    ``y = g_{k+1} − g_k`` and ``ρ = 1/yᵀs``, updates::

        H ← (I − ρ·s·yᵀ)·H·(I − ρ·y·sᵀ) + ρ·s·sᵀ

    ``H`` starts as the identity, rescaled to ``(yᵀs / yᵀy)·I`` just before the first update (N&W eq. 6.20);
    pairs with ``yᵀs ≤ 1e-10`` are skipped, which keeps ``H`` positive definite. O(n²) memory: for small
    problems; use LBFGS for networks. Options and stopping rules are LBFGS's; ``step(closure)`` runs up to
    ``max_iter`` iterations, and the closure zeroes gradients, computes the loss, calls ``backward()`` and
    returns the loss.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        line_search_fn: str | None = "strong_wolfe",
    ) -> None:
        check_closure_options("BFGS", lr, line_search_fn, max_iter)
        if max_eval is None:
            max_eval = max_iter * 5 // 4 + 25  # LBFGS's budget plus room for one full line search
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)

    _flat_state = {**FlatOptimizer._flat_state, "inv_hessian": (2, False)}  # the n×n inverse Hessian

    def _restart(self, state: dict[str, Any]) -> None:
        state.pop("inv_hessian", None)

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        if state.get("d") is not None and state["n_iter"] > 1:
            y = flat_grad - state["prev_flat_grad"].array
            s = state["d"].array * state["t"]
            ys = float(y.dot(s))
            if ys > 1e-10:  # the curvature condition holds: the update keeps H positive definite
                if state.get("inv_hessian") is None:
                    state["inv_hessian"] = as_tensor(np.eye(y.size, dtype=y.dtype) * (ys / float(y.dot(y))))
                H = state["inv_hessian"].array
                rho = 1.0 / ys
                Hy = H @ y
                # (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, expanded: H − ρ(s·Hyᵀ + Hy·sᵀ) + (ρ²·yᵀHy + ρ)·s·sᵀ
                H -= rho * (np.outer(s, Hy) + np.outer(Hy, s))
                H += (rho * rho * float(y.dot(Hy)) + rho) * np.outer(s, s)
        H = state.get("inv_hessian")
        return -flat_grad if H is None else -(H.array @ flat_grad)
