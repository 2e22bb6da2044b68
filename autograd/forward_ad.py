"""Forward-mode differentiation with dual numbers, as ``torch.autograd.forward_ad``.

A dual tensor carries a primal value and a tangent ẋ. Each op pushes tangents forward with its ``jvp`` rule
(ż = Σᵢ ∂z/∂xᵢ · ẋᵢ), declared next to its backward in the same class. One forward pass gives J·ẋ: the derivative of
every output along one input direction — cheap when inputs are few, where reverse mode is cheap when outputs are few.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)
        y = f(x)
        jvp = forward_ad.unpack_dual(y).tangent
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from .grad_mode import _state
from .tensor import Tensor

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class dual_level:
    """The scope of dual tensors: tangents propagate inside it and are dropped from view when it ends."""

    def __enter__(self) -> int:
        _state.fw_level += 1
        return _state.fw_level

    def __exit__(self, *exc: Any) -> None:
        _state.fw_level -= 1


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A tensor with ``tensor``'s values (and graph) that carries ``tangent``."""
    if not _state.fw_level:
        raise RuntimeError("make_dual: must be called inside `with forward_ad.dual_level():`")
    if not isinstance(tangent, Tensor):
        tangent = Tensor(tangent, dtype=tensor.dtype)
    if tangent.shape != tensor.shape:
        raise RuntimeError(f"make_dual: tangent of shape {tangent.shape} does not match the primal's shape "
                         f"{tensor.shape}")
    if tensor.dtype.kind != "f":
        raise ValueError(f"make_dual: expected a floating primal, got {tensor.dtype}")
    dual = tensor * 1 if tensor.requires_grad else Tensor._make(tensor.array)  # keep the graph, not the object
    dual._fw_grad = tangent.to(tensor.dtype)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``; the tangent is None outside a dual level or for a tensor without one."""
    tangent = tensor._fw_grad if _state.fw_level else None
    primal = tensor if tangent is None or tensor.requires_grad else Tensor._make(tensor.array)
    return UnpackedDualTensor(primal, tangent)
