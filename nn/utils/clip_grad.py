"""Gradient clipping: rescale (``clip_grad_norm_``) or clamp (``clip_grad_value_``) ``.grad`` in place.

Both accept torch's ``foreach`` argument so that torch code runs unchanged, and ignore it: torch uses it to choose
between a per-tensor loop and fused multi-tensor kernels, which give the same numbers; here there is one
implementation, and it is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import Tensor, from_numpy

TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _norm(arrays: list[np.ndarray], norm_type: float) -> float:
    if norm_type == np.inf:
        return max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    # the norm of the per-tensor norms is the norm of everything concatenated
    per = [np.sum(np.abs(a.astype(np.float64)) ** norm_type) for a in arrays]
    return float(np.sum(per) ** (1.0 / norm_type))


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` taken together, as if concatenated into one vector."""
    arrays = [t.array for t in _as_list(tensors)]
    norm_type = float(norm_type)
    dtype = arrays[0].dtype if arrays else np.dtype(np.float32)
    total = _norm(arrays, norm_type) if arrays else 0.0
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return from_numpy(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor | float) -> None:
    """Scale every ``.grad`` by min(1, max_norm/(total_norm + 1e-6)).

    Each gradient tensor is scaled once even if shared: under ``create_graph`` two leaves may hold the same one."""
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    done: set[int] = set()
    for p in _as_list(parameters):
        if p.grad is not None and id(p.grad) not in done:
            done.add(id(p.grad))
            with np.errstate(invalid="ignore"):  # an infinite gradient times 0 is NaN, as in torch, silently
                p.grad.array = (p.grad.array * coef).astype(p.grad.array.dtype, copy=False)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``; return the norm before clipping.

    The factor is max_norm/(total + 1e-6), clamped to 1, so gradients already within the bound are untouched.
    ``foreach`` is accepted for torch's signature and has no effect.
    """
    params = _as_list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [−clip_value, clip_value], in place. ``foreach`` is accepted for torch's
    signature and has no effect."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.array = np.clip(p.grad.array, -clip_value, clip_value)
