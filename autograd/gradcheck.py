"""Finite-difference checks of the engine's derivatives: ``gradcheck`` and ``gradgradcheck`` as in torch.

The numerical Jacobian perturbs one input element at a time by ±eps (central differences, error O(eps²)); the
analytical one runs one backward sweep per output element. Use float64: in float32, rounding swamps the differences.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import forward_ad
from .engine import grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical derivatives disagree."""


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def _float_outputs(func: Callable, inputs: tuple) -> tuple:
    return tuple(o for o in _tuple(func(*inputs)) if isinstance(o, Tensor) and o.array.dtype.kind == "f")


def _numerical(func: Callable, inputs: tuple, x: Tensor, eps: float) -> list[np.ndarray]:
    """One matrix per output: rows are output elements, columns the elements of ``x``."""
    original = x.array
    x.array = original.copy()
    flat = x.array.reshape(-1)
    cols = []
    try:
        # grad mode stays on: func may itself differentiate (gradgradcheck's first derivative does)
        for j in range(flat.size):
            v = flat[j]
            flat[j] = v + eps
            plus = [o.array.astype(np.float64).reshape(-1) for o in _float_outputs(func, inputs)]
            flat[j] = v - eps
            minus = [o.array.astype(np.float64).reshape(-1) for o in _float_outputs(func, inputs)]
            flat[j] = v
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    finally:
        x.array = original
    outs = _float_outputs(func, inputs)  # (an empty x has no columns, but its matrices still have a row per output)
    return [np.stack([c[k] for c in cols], axis=1) if cols else np.zeros((o.array.size, 0)) for k, o in enumerate(outs)]


def _analytical(outputs: tuple, diff: list[Tensor]) -> list[list[np.ndarray]]:
    """[output][input] matrices from reverse mode, one backward sweep per output element."""
    result = []
    for o in outputs:
        rows = []
        for k in range(o.array.size):
            seed = np.zeros(o.array.size, dtype=o.dtype)
            seed[k] = 1
            if o.requires_grad:
                gs = grad(o, diff, Tensor._make(seed.reshape(o.shape)), retain_graph=True, allow_unused=True)
            else:
                gs = (None,) * len(diff)
            rows.append([np.zeros(x.array.size) if g is None else g.array.astype(np.float64).reshape(-1)
                         for g, x in zip(gs, diff)])
        result.append([np.stack([r[i] for r in rows]) if rows else np.zeros((0, x.array.size))
                       for i, x in enumerate(diff)])
    return result


def _forward_mode(func: Callable, inputs: tuple, x: Tensor) -> list[np.ndarray]:
    cols = []
    for j in range(x.array.size):
        tangent = np.zeros(x.array.size, dtype=x.dtype)
        tangent[j] = 1
        with forward_ad.dual_level():
            dual = forward_ad.make_dual(x.detach(), Tensor._make(tangent.reshape(x.shape)))
            outs = _float_outputs(func, tuple(dual if y is x else y for y in inputs))
            cols.append([np.zeros(o.array.size) if forward_ad.unpack_dual(o).tangent is None
                         else forward_ad.unpack_dual(o).tangent.array.astype(np.float64).reshape(-1) for o in outs])
    if not cols:
        return [np.zeros((o.array.size, 0)) for o in _float_outputs(func, inputs)]
    return [np.stack([c[k] for c in cols], axis=1) for k in range(len(cols[0]))]


def _compare(kind: str, analytical: np.ndarray, numerical: np.ndarray, k: int, i: int, atol: float, rtol: float
             ) -> None:
    bad = np.abs(analytical - numerical) > atol + rtol * np.abs(numerical)
    if bad.any():
        err = np.abs(analytical - numerical) - rtol * np.abs(numerical)
        r, c = np.unravel_index(np.argmax(np.where(bad, err, -np.inf)), err.shape)
        raise GradcheckError(
            f"gradcheck: {kind} Jacobian mismatch for output {k} with respect to input {i}: {int(bad.sum())} of "
            f"{bad.size} entries differ; the worst is at (output element {r}, input element {c}): "
            f"numerical {numerical[r, c]:.8g}, {kind} {analytical[r, c]:.8g}\n"
            f"numerical:\n{numerical}\n{kind}:\n{analytical}"
        )


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, check_forward_ad: bool = False, check_backward_ad: bool = True) -> bool:
    """Check the derivatives of ``func`` at ``inputs`` (those that require grad) against central differences.

    Returns True, or raises ``GradcheckError`` naming the worst mismatch (False instead if ``raise_exception``
    is off)."""
    inputs = _tuple(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad; pass tensors with requires_grad=True")
    for i, x in enumerate(diff):
        if x.dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {x.dtype}, not float64; finite differences will be inaccurate",
                          stacklevel=2)
    try:
        numerical = [_numerical(func, inputs, x, eps) for x in diff]  # [input][output]
        if check_backward_ad:
            outputs = _float_outputs(func, inputs)
            analytical = _analytical(outputs, diff)
            for k in range(len(outputs)):
                for i in range(len(diff)):
                    _compare("analytical", analytical[k][i], numerical[i][k], k, i, atol, rtol)
        if check_forward_ad:
            for i, x in enumerate(diff):
                fw = _forward_mode(func, inputs, x)
                for k, m in enumerate(fw):
                    _compare("forward-mode", m, numerical[i][k], k, i, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck the map (inputs, v) ↦ vᵀ ∂func/∂inputs, computed with create_graph=True.

    ``grad_outputs`` (the v) default to random float64 tensors that themselves require grad."""
    inputs = _tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _float_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o.shape).astype(o.dtype)).requires_grad_(True)
                             for o in outputs)
    grad_outputs = _tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Tensor) -> tuple:
        xs, vs = args[:n], args[n:]
        outs = _float_outputs(func, xs)
        gs = grad(outs, [xs[i] for i in diff_idx], vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
