"""``Dropout1d``, ``Dropout2d``, ``Dropout3d``: channel-wise dropout, active in training mode only."""

from __future__ import annotations

from autograd import Tensor

from ..functional.channel_dropout import dropout1d, dropout2d, dropout3d
from ..module import Module


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """During training, zero whole channels of (N, C, L) or (C, L) with probability p; scale the rest by
    1/(1 − p)."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """During training, zero whole channels of (N, C, H, W) with probability p; scale the rest by 1/(1 − p)."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """During training, zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training, self.inplace)
