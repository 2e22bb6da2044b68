"""Weight and spectral normalisation as parametrizations (torch.nn.utils.parametrizations): ``module.weight``
becomes a computed tensor; its originals live in ``module.parametrizations.weight``.

``orthogonal`` is not provided: it needs a differentiable matrix exponential, Cayley map or Householder product.
"""

from __future__ import annotations

import autograd
from autograd import Tensor

from ..functional.distance import normalize
from ..module import Module
from . import parametrize
from .spectral_norm import default_dim, write_
from .weight_norm import norm_except_dim, weight_norm_fn

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """w = g·v/‖v‖ from the originals (g, v) = (original0, original1); right_inverse(w) = (‖w‖, w)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_norm_fn(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Make ``module.<name>`` = g·v/‖v‖ (norm over all dims but ``dim``; None: over all of it), with g and v the
    parameters ``parametrizations.<name>.original0`` and ``original1`` (Salimans & Kingma, 2016)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """w/σ(w), σ the largest singular value of w viewed as a matrix (dim ``dim`` against the rest), estimated by
    power iteration with the buffers ``_u`` and ``_v``: ``n_power_iterations`` steps at each access in training
    mode, 15 at registration. A 1-d w is simply normalised."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            self.register_buffer("_u", normalize(autograd.randn(h, dtype=weight.dtype), dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(autograd.randn(w, dtype=weight.dtype), dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """u ← Wv/‖Wv‖, v ← Wᵀu/‖Wᵀu‖, in place in the buffers, outside autograd."""
        with autograd.no_grad():
            for _ in range(n_power_iterations):
                write_(self._u, normalize(autograd.matmul(weight_mat, self._v), dim=0, eps=self.eps))
                write_(self._v, normalize(autograd.matmul(weight_mat.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()  # σ = uᵀWv, differentiated in W only (u, v are constants)
        sigma = autograd.dot(u, autograd.matmul(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Make ``module.<name>`` = original/σ(original), σ its spectral norm (Miyato et al., 2018): the layer is then
    1-Lipschitz. Original: ``parametrizations.<name>.original``; power-iteration buffers:
    ``parametrizations.<name>.0._u`` and ``._v``."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = default_dim(module)
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
