"""Newton's method: lecture 004's "Hessian technique" ``w ← w − η·H⁻¹∇C``, with damping and a line search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, enable_grad

from .flat import FlatOptimizer, check_closure_options, loss_value
from .optimizer import ParamsT, as_tensor


class Newton(FlatOptimizer):
    """Newton's method with the exact Hessian, computed by the engine's double backward.

    Lecture 004 (Hessian technique): from the second-order Taylor expansion
    ``C(w + δw) ≈ C(w) + ∇Cᵀδw + ½·δwᵀHδw``, the minimising step is ``δw = −H⁻¹∇C``; iterate
    ``w ← w − η·H⁻¹∇C``. Each iteration here:

    1. evaluates ``C``, ``∇C`` (``autograd.grad(..., create_graph=True)``) and ``H`` one row at a time:
       row ``k`` is the gradient of ``∇C`` against the one-hot vector ``e_k``;
    2. damps ``H`` Levenberg-style when it is not positive definite (far from a minimum, ``−H⁻¹∇C`` may
       point uphill): the smallest ``τ ≥ damping`` from the sequence of Nocedal & Wright's Algorithm 3.3
       for which ``H + τI`` has a Cholesky factor;
    3. steps ``w ← w + t·d`` with ``d = −(H + τI)⁻¹∇C`` and ``t`` from a strong-Wolfe line search that
       starts at ``t = lr`` (the full Newton step); ``line_search_fn=None`` fixes ``t = lr`` (lecture: η).

    ``Newton(params, lr=η, max_iter=1, line_search_fn=None)`` is exactly the lecture's update per ``step``.
    n parameters cost n backward passes and O(n²) memory per iteration, which is why the lecture calls the
    technique too expensive for networks; use it on small problems.

    The closure re-evaluates the model and returns the loss *without* calling ``backward()`` (Newton
    differentiates the returned loss itself, twice): ``opt.step(lambda: loss_fn(model(x), y))``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        damping: float = 0.0,
        line_search_fn: str | None = "strong_wolfe",
    ) -> None:
        check_closure_options("Newton", lr, line_search_fn, max_iter)
        if not 0.0 <= damping:
            raise ValueError(f"Newton: invalid damping value: {damping}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4 + 25  # LBFGS's budget plus room for one full line search
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            damping=damping,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)

    def _initial_step(self, state: dict[str, Any], flat_grad: np.ndarray, gtd: float) -> float:
        return self.param_groups[0]["lr"]  # the Newton step has its natural length: try it whole first

    def _gradients(self, loss: Any, create_graph: bool) -> tuple[Any, ...]:
        if not isinstance(loss, Tensor) or not loss.requires_grad:
            raise RuntimeError(
                "Newton: the closure must return the loss as a Tensor attached to the parameters' graph "
                f"(got {type(loss).__name__})"
            )
        try:
            return autograd.grad(loss, self._params, create_graph=create_graph, allow_unused=True)
        except RuntimeError as err:
            raise RuntimeError(
                "Newton: could not differentiate the closure's loss; the closure must return the loss "
                "without calling loss.backward() (Newton differentiates it itself)"
            ) from err

    def _flatten(self, tensors: tuple[Any, ...]) -> np.ndarray:
        return np.concatenate(
            [
                np.zeros(p.array.size, p.array.dtype) if t is None else t.array.reshape(-1)
                for p, t in zip(self._params, tensors, strict=True)
            ]
        )

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float, np.ndarray]:
        with enable_grad():
            loss = closure()
            grads = self._gradients(loss, create_graph=False)
        return loss, loss_value(loss), self._flatten(grads)

    def hessian(self, closure: Callable[[], Any]) -> tuple[float, np.ndarray, np.ndarray]:
        """Loss, flat gradient and the n×n Hessian at the current parameters (row by row, double backward)."""
        params = self._params
        with enable_grad():
            loss = closure()
            grads = self._gradients(loss, create_graph=True)
            flat_grad = self._flatten(grads)
            n = flat_grad.size
            hess = np.zeros((n, n), dtype=flat_grad.dtype)
            # only gradient entries that still depend on the parameters have non-zero rows
            live = [i for i, g in enumerate(grads) if g is not None and g.requires_grad]
            offsets = np.cumsum([0] + [p.array.size for p in params])
            for i in live:
                for k in range(params[i].array.size):
                    one_hot = np.zeros(params[i].array.size, dtype=params[i].array.dtype)
                    one_hot[k] = 1
                    grad_outputs = [
                        as_tensor(one_hot.reshape(params[j].array.shape))
                        if j == i
                        else as_tensor(np.zeros_like(params[j].array))
                        for j in live
                    ]
                    row = autograd.grad(
                        [grads[j] for j in live],
                        params,
                        grad_outputs=grad_outputs,
                        retain_graph=True,
                        allow_unused=True,
                    )
                    hess[offsets[i] + k] = self._flatten(row)
        hess = (hess + hess.T) / 2  # symmetric up to rounding; make it exactly so for Cholesky
        return loss_value(loss), flat_grad, hess

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        _, grad, hess = self.hessian(closure)
        state["func_evals"] += 1
        tau = damped_cholesky_shift(hess, self.param_groups[0]["damping"])
        state["damping"] = tau
        return -np.linalg.solve(hess + tau * np.eye(hess.shape[0], dtype=hess.dtype), grad)


def damped_cholesky_shift(hess: np.ndarray, minimum: float = 0.0, beta: float = 1e-3) -> float:
    """The shift ``τ ≥ minimum`` that makes ``H + τI`` positive definite (Nocedal & Wright, Algorithm 3.3).

    Start from ``τ = 0`` when H's diagonal is positive, else ``−min(diag) + β``; double until the Cholesky
    factorisation succeeds. ``β`` is scaled by H's size so the damping is unit-free.
    """
    if not np.all(np.isfinite(hess)):
        raise ValueError("Newton: the Hessian has non-finite entries (the loss overflowed?)")
    beta = beta * max(1.0, float(np.abs(hess).max()))
    min_diag = float(np.diag(hess).min())
    tau = max(minimum, 0.0 if min_diag > 0 else -min_diag + beta)
    eye = np.eye(hess.shape[0], dtype=hess.dtype)
    for _ in range(200):  # τ doubles each time: 200 tries reach any finite scale
        try:
            np.linalg.cholesky(hess + tau * eye)
            return tau
        except np.linalg.LinAlgError:
            tau = max(2 * tau, beta)
    raise ValueError("Newton: could not make the Hessian positive definite by damping")
