"""Shared plumbing for closure-driven optimisers that treat all parameters as one flat vector.

LBFGS, BFGS, ConjugateGradient and Newton re-evaluate the loss several times per ``step`` (line search) and
do linear algebra on the whole parameter vector, so they support a single parameter group, like torch's LBFGS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from autograd import enable_grad

from .line_search import strong_wolfe
from .optimizer import Optimizer, ParamsT, as_tensor


def loss_value(loss: Any) -> float:
    """The closure's loss as a Python float (a Tensor, a numpy scalar or a number)."""
    return float(loss.item() if hasattr(loss, "item") else loss)


class FlatOptimizer(Optimizer):
    """Base class: one parameter group, viewed as the flat vector ``x`` (parameters concatenated in order)."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if getattr(self, "_params", None) is not None:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _numel(self) -> int:
        return sum(p.array.size for p in self._params)

    def _gather_flat_grad(self) -> np.ndarray:
        """All gradients as one new vector (zeros for parameters without a gradient)."""
        views = [
            np.zeros(p.array.size, p.array.dtype) if p.grad is None else p.grad.array.reshape(-1) for p in self._params
        ]
        return np.concatenate(views)

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        """``x ← x + step_size·update``, in place on each parameter."""
        offset = 0
        step_size = float(step_size)  # a Python float stays in the parameters' dtype
        for p in self._params:
            n = p.array.size
            p.array += step_size * update[offset : offset + n].reshape(p.array.shape)
            offset += n

    def _clone_param(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, data in zip(self._params, params_data, strict=True):
            np.copyto(p.array, data)

    def _flat_params(self) -> np.ndarray:
        return np.concatenate([p.array.reshape(-1) for p in self._params])

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: float, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at ``x + t·d``; the parameters are put back to ``x`` afterwards."""
        self._add_grad(t, d)
        _, loss, flat_grad = self._evaluate(closure)
        self._set_param(x)
        return loss, flat_grad

    # -- the iteration BFGS, ConjugateGradient and Newton share -------------------------------------------
    # Subclasses supply _direction (and may override _initial_step, _evaluate); the loop below handles
    # the line search, the stopping tests and the bookkeeping, following LBFGS's conventions.

    line_search_c2: float = 0.9  # the curvature constant of the strong Wolfe conditions

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float, np.ndarray]:
        """Run the closure at the current parameters: (the closure's loss, as float, flat gradient)."""
        with enable_grad():
            loss = closure()
        return loss, loss_value(loss), self._gather_flat_grad()

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        raise NotImplementedError

    def _restart(self, state: dict[str, Any]) -> None:
        """Forget curvature information (after a direction that does not descend)."""

    def _initial_step(self, state: dict[str, Any], flat_grad: np.ndarray, gtd: float) -> float:
        """First trial step: ``min(1, 1/‖g‖₁)·lr`` on the very first iteration (as LBFGS), then ``lr``."""
        lr = self.param_groups[0]["lr"]
        if state["n_iter"] == 1:
            return min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr
        return lr

    def _descent_loop(self, closure: Callable[[], Any]) -> Any:
        """Up to ``max_iter`` iterations of ``x ← x + t·d``; returns the loss the closure gave first."""
        if closure is None:
            raise RuntimeError(f"{type(self).__name__}.step needs a closure that re-evaluates the loss")
        group = self.param_groups[0]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = self._direction(state, flat_grad, closure)
            gtd = float(flat_grad.dot(d))
            if gtd > -tolerance_change:
                # numerically not a descent direction: fall back to steepest descent
                self._restart(state)
                d = -flat_grad
                gtd = float(flat_grad.dot(d))
                if gtd > -tolerance_change:
                    break
            t = self._initial_step(state, flat_grad, gtd)
            prev_loss = loss
            state["prev_flat_grad"] = as_tensor(flat_grad.copy())

            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    partial(self._directional_evaluate, closure),
                    self._clone_param(),
                    t,
                    d,
                    loss,
                    flat_grad,
                    gtd,
                    c2=self.line_search_c2,
                    tolerance_change=tolerance_change,
                    max_ls=min(25, max(1, max_eval - current_evals)),
                )
                self._add_grad(t, d)
                if t == 0:  # the search found no better point along d: drop the curvature model
                    self._restart(state)
            else:
                self._add_grad(t, d)
                _, loss, flat_grad = self._evaluate(closure)
                ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            state["d"], state["t"], state["gtd"] = as_tensor(d), float(t), gtd

            if n_iter == max_iter or current_evals >= max_eval:
                break
            if np.abs(flat_grad).max() <= tolerance_grad:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break
        return orig_loss
