"""Running sums of loss and accuracy over batches, weighted by batch size."""

from __future__ import annotations

import numpy as np

from autograd import Tensor


def _is_classification(output: Tensor, target: Tensor) -> bool:
    # (N, C) logits against (N,) integer labels: the case where "accuracy" has one obvious meaning
    return output.ndim == 2 and target.ndim == 1 and target.dtype.kind in "iu" and output.shape[0] == target.shape[0]


class RunningMetrics:
    """Accumulates loss (and accuracy for classification batches) so the epoch means are exact, not per-batch."""

    def __init__(self) -> None:
        self.n = 0
        self.loss_sum = 0.0
        self.correct = 0
        self.n_classified = 0

    def update(self, loss: float, output: Tensor, target: Tensor) -> None:
        n = int(target.shape[0]) if target.ndim else 1
        self.n += n
        self.loss_sum += loss * n
        if _is_classification(output, target):
            self.correct += int(np.sum(np.argmax(output.array, axis=1) == target.array))
            self.n_classified += n

    def result(self, prefix: str = "") -> dict[str, float]:
        out = {prefix + "loss": self.loss_sum / max(self.n, 1)}
        if self.n_classified:
            out[prefix + "accuracy"] = self.correct / self.n_classified
        return out
