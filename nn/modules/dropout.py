"""``Dropout``: inverted dropout, active in training mode only."""

from __future__ import annotations

from autograd import Tensor

from .. import functional as F
from ..module import Module


class Dropout(Module):
    """During training, zero each element with probability ``p`` and scale the rest by 1/(1 − p); in eval mode,
    the identity. The mask comes from ``autograd.random.get_rng()``, so ``autograd.manual_seed`` fixes it."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
