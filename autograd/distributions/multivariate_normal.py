"""The multivariate normal N(loc, Σ), given by Σ (covariance_matrix), its inverse (precision_matrix) or its
Cholesky factor L, Σ = L Lᵀ (scale_tril); all three are computed from L."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import linalg
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all, draw, lazy_property


class MultivariateNormal(Distribution):
    """Density exp(−½ (x − μ)ᵀ Σ⁻¹ (x − μ)) / √((2π)ᵏ det Σ) for x in ℝᵏ (the event shape is (k,))."""

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None, scale_tril: Any = None,
                 validate_args: bool | None = None) -> None:
        given = {k: v for k, v in (("covariance_matrix", covariance_matrix), ("precision_matrix", precision_matrix),
                                   ("scale_tril", scale_tril)) if v is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, matrix), = given.items()
        (loc,) = broadcast_all(loc) if not isinstance(loc, Tensor) else (loc,)
        (matrix,) = broadcast_all(matrix) if not isinstance(matrix, Tensor) else (matrix,)
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if matrix.ndim < 2:
            raise ValueError(f"{name} must be at least two-dimensional, with optional leading batch dimensions")
        k = loc.shape[-1]
        if matrix.shape[-2:] != (k, k):
            raise RuntimeError(f"MultivariateNormal: loc of shape {tuple(loc.shape)} and {name} of shape "
                             f"{tuple(matrix.shape)} do not fit: the matrix must be {k}×{k}, as loc has {k} entries")
        batch = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self.loc = loc.expand(batch + (k,))
        self.__dict__[name] = matrix.expand(batch + (k, k))
        self._given = name
        super().__init__(batch, (k,), validate_args)

    def _param_names(self) -> list[str]:
        return ["loc", self._given]

    @lazy_property
    def scale_tril(self) -> Tensor:
        if self._given == "covariance_matrix":
            return linalg.cholesky(self.covariance_matrix)
        return linalg.cholesky(linalg.inv(self.precision_matrix))

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.mT

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return linalg.inv(self.covariance_matrix)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = draw("standard_normal", self._extended_shape(sample_shape), self.loc.dtype)
        return self.loc + (self.scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        """½ log det Σ = Σᵢ log Lᵢᵢ."""
        return linalg.diagonal(self.scale_tril).log().sum(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        # (batch dims broadcast: value may have sample dims in front)
        z = linalg.solve_triangular(self.scale_tril, (value - self.loc).unsqueeze(-1), upper=False)
        m = (z.squeeze(-1) ** 2).sum(-1)  # (x − μ)ᵀ Σ⁻¹ (x − μ) = ‖L⁻¹(x − μ)‖²
        return -0.5 * (self.event_shape[0] * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self) -> Tensor:
        return 0.5 * self.event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self.scale_tril**2).sum(-1)
