"""``TrainState``: what callbacks see of a running ``fit``, and ``History``: what ``fit`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class History(dict):
    """Per-epoch metrics by name (``"loss"``, ``"accuracy"``, ``"val_loss"``, ``"val_accuracy"``, ``"lr"``), each a
    list with one entry per epoch run; ``epoch`` lists the epoch numbers (1-based) and ``stopped_early`` tells
    whether a callback ended training before ``epochs``."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.stopped_early = False

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            # a metric that appears late (none so far) is padded so every list lines up with ``epoch``
            self.setdefault(key, [float("nan")] * (len(self.epoch) - 1)).append(value)


@dataclass
class TrainState:
    """The loop's state, handed to every callback. Set ``stop_training = True`` to end after this epoch."""

    model: Any
    optimizer: Any
    epochs: int
    history: History
    epoch: int = 0  # 1-based once training starts
    step: int = 0  # optimiser steps taken so far
    logs: dict[str, float] = field(default_factory=dict)  # this epoch's metrics, complete at on_epoch_end
    stop_training: bool = False
