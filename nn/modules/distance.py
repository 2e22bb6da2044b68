"""``CosineSimilarity`` and ``PairwiseDistance``: Modules over ``nn.functional``'s (nn/functional/distance.py)."""

from __future__ import annotations

from autograd import Tensor

from ..functional import distance as D
from ..module import Module


class CosineSimilarity(Module):
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return D.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 − x2 + eps‖_p along the last dimension."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return D.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
