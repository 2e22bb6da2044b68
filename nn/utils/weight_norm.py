"""Weight normalisation, the old interface (torch.nn.utils.weight_norm, deprecated in torch in favour of
``parametrizations.weight_norm``): w = g·v/‖v‖, with g and v the parameters ``weight_g`` and ``weight_v``.

The weight is recomputed by a forward pre-hook before each forward and kept as a plain tensor attribute.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from autograd import Tensor

from ..module import Module
from ..parameter import Parameter

__all__ = ["WeightNorm", "norm_except_dim", "remove_weight_norm", "weight_norm", "weight_norm_fn"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of v over every dimension but ``dim``, keeping them as size 1 (dim = −1: over all of v, 0-d)
    — torch.norm_except_dim."""
    if dim == -1:
        return v.norm(pow)
    d = dim % v.ndim
    return v.norm(pow, tuple(i for i in range(v.ndim) if i != d), keepdim=True)


def weight_norm_fn(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """w = v·g/‖v‖, the norm over every dimension but ``dim`` (torch._weight_norm).
    ∂w/∂g = v/‖v‖;  ∂w/∂v = (g/‖v‖)(I − v̂v̂ᵀ) within each slice along ``dim`` (v̂ = v/‖v‖)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name, self.dim = name, -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        return weight_norm_fn(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


T = TypeVar("T", bound=Module)


def weight_norm(module: T, name: str = "weight", dim: int | None = 0) -> T:
    """Replace ``module.<name>`` by g·v/‖v‖ (norm over all dims but ``dim``; None: over all), with parameters
    ``<name>_g`` and ``<name>_v`` (Salimans & Kingma, 2016). Deprecated in torch: prefer
    ``nn.utils.parametrizations.weight_norm``."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T, name: str = "weight") -> T:
    """Undo ``weight_norm``: ``<name>`` becomes one parameter again, holding the current g·v/‖v‖."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
