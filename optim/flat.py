"""The closure-driven optimisers' shared iteration: all parameters as one flat vector, ``x ← x + t·d``.

LBFGS, BFGS, ConjugateGradient and Newton re-evaluate the loss several times per ``step`` (line search) and
do linear algebra on the whole parameter vector, so they support a single parameter group, like torch's LBFGS.
They differ only in the direction ``d`` they step along; ``FlatOptimizer.step`` is torch's LBFGS iteration with
that choice left to ``_direction``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, no_grad
from autograd.graph import increment_version

from .line_search import strong_wolfe
from .optimizer import Optimizer, ParamsT, StateSpec, as_tensor, check_options


def loss_value(loss: Any) -> float:
    """The closure's loss as a Python float (a Tensor, a numpy scalar or a number)."""
    return float(loss.item() if hasattr(loss, "item") else loss)


def check_closure_options(name: str, lr: float, line_search_fn: str | None, max_iter: int | None = None) -> None:
    check_options(name, lr=lr)
    if line_search_fn not in (None, "strong_wolfe"):
        raise ValueError(f"{name}: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
    if max_iter is not None and max_iter < 1:
        raise ValueError(f"{name}: max_iter must be at least 1, got {max_iter}")


class FlatOptimizer(Optimizer):
    """Base class: one parameter group, viewed as the flat vector ``x`` (parameters concatenated in order).

    ``step(closure)`` runs up to ``max_iter`` iterations of ``x ← x + t·d``: ``d`` from ``_direction``, ``t``
    from a strong-Wolfe line search (or fixed at ``_initial_step`` when ``line_search_fn`` is None), stopping
    early when ``max|g| ≤ tolerance_grad`` or the loss or the parameters change by less than
    ``tolerance_change``. The group needs the options ``lr``, ``max_iter``, ``max_eval``, ``tolerance_grad``,
    ``tolerance_change`` and ``line_search_fn``. The defaults of the hooks below are BFGS's, ConjugateGradient's
    and Newton's; LBFGS overrides some of them to take torch's LBFGS steps exactly.
    """

    line_search_c2: float = 0.9  # the curvature constant of the strong Wolfe conditions

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if getattr(self, "_params", None) is not None:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # the state keys holding flat vectors (one entry per element of all parameters end to end), as key: (number of
    # dims, whether a list of them); every other key holds a scalar (a counter, a step length, a loss)
    _flat_state: dict[str, tuple[int, bool]] = {"d": (1, False), "prev_flat_grad": (1, False)}

    def _state_spec(self, p: Tensor, key: str) -> StateSpec:
        """What ``load_state_dict`` accepts for a state entry (all kept in the first parameter's entry): an n-vector or
        n×n matrix for the keys of ``_flat_state`` (n: the number of elements of all parameters), a scalar otherwise."""
        ndim, sequence = self._flat_state.get(key, (0, False))
        if ndim == 0:
            return StateSpec(None, sequence=sequence)
        n = sum(q.array.size for q in self._params)
        note = f"the {n} elements of all {len(self._params)} parameters end to end"
        return StateSpec((n,) * ndim, note if ndim == 1 else f"n×n with n = {note}", sequence)

    def _state_owner(self, p: Tensor) -> str:
        shapes = ", ".join(str(tuple(q.array.shape)) for q in self._params)
        dtypes = sorted({str(q.array.dtype) for q in self._params})
        return f"the parameters have shapes {shapes} and dtype {', '.join(dtypes)}"

    # -- the parameters as one vector ------------------------------------------------------------------------

    def _gather_flat_grad(self) -> np.ndarray:
        """All gradients as one new vector (zeros for parameters without a gradient)."""
        views = [
            np.zeros(p.array.size, p.array.dtype) if p.grad is None else p.grad.array.reshape(-1) for p in self._params
        ]
        return np.concatenate(views)

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        """``x ← x + step_size·update``, in place on each parameter, whose version it bumps (the one place that
        moves the parameters; ``_set_param`` only puts back values this step had, within one line-search trial)."""
        offset = 0
        step_size = float(step_size)  # a Python float stays in the parameters' dtype
        for p in self._params:
            n = p.array.size
            p.array += step_size * update[offset : offset + n].reshape(p.array.shape)
            increment_version(p)
            offset += n

    def _clone_param(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, data in zip(self._params, params_data, strict=True):
            np.copyto(p.array, data)

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: float, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at ``x + t·d``; the parameters are put back to ``x`` afterwards."""
        self._add_grad(t, d)
        _, loss, flat_grad = self._evaluate(closure)
        self._set_param(x)
        return loss, flat_grad

    # -- the hooks -------------------------------------------------------------------------------------------

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float, np.ndarray]:
        """Run the closure at the current parameters: (the closure's loss, as float, flat gradient)."""
        with enable_grad():
            loss = closure()
        return loss, loss_value(loss), self._gather_flat_grad()

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, closure: Callable[[], Any]) -> np.ndarray:
        """The direction to step along from the point with gradient ``flat_grad``. ``state`` holds the previous
        iteration's ``d``, ``t`` and ``prev_flat_grad`` (the gradient it left from), and ``n_iter`` (1 at the
        very first iteration)."""
        raise NotImplementedError

    def _slope(self, flat_grad: np.ndarray, d: np.ndarray) -> float:
        """The directional derivative ``gᵀd``."""
        return float(flat_grad.dot(d))

    def _restart(self, state: dict[str, Any]) -> None:
        """Forget curvature information (after a direction that does not descend)."""

    def _no_descent(self, state: dict[str, Any], flat_grad: np.ndarray, loss: float, d: np.ndarray
                    ) -> np.ndarray | None:
        """``d`` is numerically not a descent direction: the direction to take instead, or None to end the step.
        Here: forget the curvature model and fall back to steepest descent."""
        self._restart(state)
        return -flat_grad

    def _record(self, state: dict[str, Any], flat_grad: np.ndarray, loss: float, d: np.ndarray, t: float) -> None:
        """Keep the iteration about to be taken: the gradient and loss it leaves from, its direction and first
        trial step (``t`` is overwritten by the step taken); the next ``_direction`` reads them."""
        state["prev_flat_grad"], state["prev_loss"] = as_tensor(flat_grad.copy()), loss
        state["d"], state["t"] = as_tensor(d), float(t)

    def _initial_step(self, state: dict[str, Any], flat_grad: np.ndarray, gtd: float) -> float:
        """First trial step: ``min(1, 1/‖g‖₁)·lr`` on the very first iteration (as LBFGS), then ``lr``."""
        lr = self.param_groups[0]["lr"]
        if state["n_iter"] == 1:
            return min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr
        return lr

    def _line_search_options(self, group: dict[str, Any], evaluations: int) -> dict[str, Any]:
        """``strong_wolfe``'s options: ``line_search_c2``, the group's tolerance, and at most what ``max_eval``
        leaves of evaluations."""
        return dict(c2=self.line_search_c2, tolerance_change=group["tolerance_change"],
                    max_ls=min(25, max(1, group["max_eval"] - evaluations)))

    # -- the iteration ---------------------------------------------------------------------------------------

    @no_grad()
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; returns the loss the closure gave at the start. The closure
        re-evaluates the model and returns the loss (each class says whether it also calls ``backward()``)."""
        if closure is None:
            raise RuntimeError(f"{type(self).__name__}.step needs a closure that re-evaluates the loss")
        group = self.param_groups[0]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]

        # the whole optimiser state lives in the first parameter's entry, as in torch
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = self._direction(state, flat_grad, closure)
            gtd = self._slope(flat_grad, d)
            if gtd > -tolerance_change:  # numerically not a descent direction
                d = self._no_descent(state, flat_grad, loss, d)
                if d is None:
                    break
                gtd = self._slope(flat_grad, d)
                if gtd > -tolerance_change:
                    break
            t = self._initial_step(state, flat_grad, gtd)
            prev_loss = loss
            self._record(state, flat_grad, loss, d, t)

            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    partial(self._directional_evaluate, closure),
                    self._clone_param(),
                    t,
                    d,
                    loss,
                    flat_grad,
                    gtd,
                    **self._line_search_options(group, current_evals),
                )
                self._add_grad(t, d)
                if t == 0:  # the search found no better point along d: drop the curvature model
                    self._restart(state)
            else:
                # a fixed step; re-evaluate unless this is the last iteration
                self._add_grad(t, d)
                ls_func_evals = 0
                if n_iter != max_iter:
                    _, loss, flat_grad = self._evaluate(closure)
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            state["t"] = float(t)  # the step taken

            if n_iter == max_iter or current_evals >= max_eval:
                break
            if np.abs(flat_grad).max() <= tolerance_grad:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break
        return orig_loss
