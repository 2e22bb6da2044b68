"""Spectral normalisation, the old interface (torch.nn.utils.spectral_norm): w = w_orig/σ(w_orig), σ the largest
singular value, estimated by power iteration with the buffers ``weight_u`` and ``weight_v`` (Miyato et al., 2018).

A forward pre-hook recomputes ``module.weight`` before each forward, running ``n_power_iterations`` steps first in
training mode. (torch's state-dict hooks, which only upgrade checkpoints from before torch 1.1, are not ported.)
"""

from __future__ import annotations

from typing import Any, TypeVar

import autograd
from autograd import Tensor
from autograd.graph import increment_version

from ..functional.distance import normalize
from ..module import Module
from ..parameter import Parameter

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]


def write_(buffer: Tensor, value: Tensor) -> Tensor:
    """Write ``value`` into ``buffer``'s memory (torch's ``out=``), so that the buffer stays the same object."""
    buffer.array[...] = value.array
    increment_version(buffer)
    return buffer


def default_dim(module: Module) -> int:
    """The output dimension of the weight: 1 for transposed convolutions (whose weight is (in, out, ...)), else 0."""
    return 1 if type(module).__name__ in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") else 0


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name>`` = ``<name>_orig``/σ."""

    _version = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim, self.n_power_iterations, self.eps = name, dim, n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.ndim) if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with autograd.no_grad():
                for _ in range(self.n_power_iterations):
                    v = write_(v, normalize(autograd.matmul(weight_mat.t(), u), dim=0, eps=self.eps))
                    u = write_(u, normalize(autograd.matmul(weight_mat, v), dim=0, eps=self.eps))
                u, v = u.clone(), v.clone()  # (the buffers change in place at the next step; these are saved)
        sigma = autograd.dot(u, autograd.matmul(weight_mat, v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with autograd.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        with autograd.no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).shape
            u = normalize(autograd.randn(h, dtype=weight.dtype), dim=0, eps=fn.eps)
            v = normalize(autograd.randn(w, dtype=weight.dtype), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.detach())
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


T = TypeVar("T", bound=Module)


def spectral_norm(module: T, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> T:
    """Divide ``module.<name>`` by its spectral norm, re-estimated by ``n_power_iterations`` steps of power iteration
    at each forward in training mode. Parameters: ``<name>_orig``; buffers: ``<name>_u``, ``<name>_v``."""
    SpectralNorm.apply(module, name, n_power_iterations, default_dim(module) if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: T, name: str = "weight") -> T:
    """Undo ``spectral_norm``: ``<name>`` becomes one parameter again, holding the current normalised weight."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
