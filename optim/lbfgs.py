"""L-BFGS: quasi-Newton steps from a short history of gradient differences (torch.optim.LBFGS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .flat import FlatOptimizer, check_closure_options
from .optimizer import ParamsT, as_tensor


class LBFGS(FlatOptimizer):
    """Limited-memory BFGS, a port of torch's (itself after minFunc); ``step(closure)`` runs up to
    ``max_iter`` iterations.

    Each iteration keeps the last ``history_size`` pairs ``s = x_{k+1} − x_k``, ``y = g_{k+1} − g_k`` and
    forms ``d = −H·g`` with the two-loop recursion, ``H₀ = (sᵀy / yᵀy)·I``; pairs with ``sᵀy ≤ 1e-10`` are
    skipped so ``H`` stays positive definite. The step is ``lr`` (``min(1, 1/‖g‖₁)·lr`` on the very first
    iteration), or the strong-Wolfe step when ``line_search_fn="strong_wolfe"``. Stops early when
    ``max|g| ≤ tolerance_grad`` or the loss or parameters change by less than ``tolerance_change``, and, as
    torch's, when ``d`` is not a descent direction (the others restart along ``−g``).

    The closure must zero the gradients, compute the loss, call ``backward()`` and return the loss.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_closure_options("LBFGS", lr, line_search_fn)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)

    # the history: lists of flat vectors (y and s) and of scalars (ρ, and torch's "al" work space)
    _flat_state = {**FlatOptimizer._flat_state, "old_dirs": (1, True), "old_stps": (1, True), "ro": (0, True),
                   "al": (0, True)}

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        if state["n_iter"] == 1:  # the very first iteration: steepest descent, an empty memory
            state["old_dirs"], state["old_stps"], state["ro"], state["H_diag"] = [], [], [], 1.0
            return -flat_grad

        # update the memory with the last step's curvature pair
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad - state["prev_flat_grad"].array
        s = state["d"].array * state["t"]
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == self.param_groups[0]["history_size"]:  # forget the oldest pair
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(as_tensor(y))
            old_stps.append(as_tensor(s))
            ro.append(float(1.0 / ys))
            state["H_diag"] = float(ys / y.dot(y))  # the scaling of the initial inverse Hessian

        # two-loop recursion: d = −H·g
        dirs, stps = [v.array for v in old_dirs], [v.array for v in old_stps]
        al = [0.0] * len(dirs)
        q = -flat_grad
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = stps[i].dot(q) * ro[i]
            q += -float(al[i]) * dirs[i]
        d = r = q * state["H_diag"]
        for i in range(len(dirs)):
            be_i = dirs[i].dot(r) * ro[i]
            r += float(al[i] - be_i) * stps[i]
        return d

    def _no_descent(self, state: dict[str, Any], flat_grad: np.ndarray, loss: float, d: np.ndarray) -> None:
        # torch's LBFGS ends the step here, having kept the iteration as if it were taken
        self._record(state, flat_grad, loss, d, self._initial_step(state, flat_grad, 0.0))

    # torch's scalar types, kept for its exact steps: gᵀd and the first step are float32 for float32 parameters,
    # and its line search runs with its own defaults (c2 = 0.9, the tolerance 1e-9 and up to 25 evaluations)

    def _slope(self, flat_grad: np.ndarray, d: np.ndarray) -> Any:
        return flat_grad.dot(d)

    def _initial_step(self, state: dict[str, Any], flat_grad: np.ndarray, gtd: float) -> Any:
        lr = self.param_groups[0]["lr"]
        return min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr

    def _line_search_options(self, group: dict[str, Any], evaluations: int) -> dict[str, Any]:
        return {}
