"""Adaptive pooling layers: ``AdaptiveAvgPool1d``, ``AdaptiveMaxPool1d``, ``AdaptiveMaxPool2d`` (no parameters)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..functional.pooling_extra import adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool2d
from ..module import Module


class AdaptiveAvgPool1d(Module):
    """Average (N, C, L) into ``output_size`` bins whatever L."""

    def __init__(self, output_size: int | tuple[int]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max of (N, C, L) over ``output_size`` bins; the gradient goes to each bin's first maximum."""

    def forward(self, input: Tensor) -> Any:
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max of (N, C, H, W) over an ``output_size`` grid of bins (None keeps that dim)."""

    def forward(self, input: Tensor) -> Any:
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)
