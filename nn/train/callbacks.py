"""Callbacks for ``fit``: hooks called at fixed points of the loop, with the ``TrainState``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .state import TrainState


class Callback:
    """Base class: override the hooks you need. Order per step: forward, backward, ``on_after_backward``
    (gradients as computed, before clipping), clip, ``optimizer.step()``, ``on_batch_end``."""

    def on_train_begin(self, state: TrainState) -> None: ...
    def on_epoch_begin(self, state: TrainState) -> None: ...
    def on_after_backward(self, state: TrainState) -> None: ...
    def on_batch_end(self, state: TrainState, loss: float) -> None: ...
    def on_epoch_end(self, state: TrainState) -> None: ...
    def on_train_end(self, state: TrainState) -> None: ...


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda s: print(s.logs))``."""

    def __init__(self, **hooks: Callable[..., Any]) -> None:
        for name, fn in hooks.items():
            if not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Stopping early is a regulariser: the weights stay near where they started, so the network has less room to fit
    noise. With ``restore_best_weights``, the model ends with the weights of its best epoch, not its last.
    ``mode`` is "min" or "max"; by default "max" for names containing "acc", else "min".
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str | None = None, restore_best_weights: bool = False) -> None:
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = abs(min_delta)
        self.mode = mode or ("max" if "acc" in monitor else "min")
        if self.mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, state: TrainState) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, state: TrainState) -> None:
        if self.monitor not in state.logs:
            raise KeyError(f"EarlyStopping: no metric {self.monitor!r} this epoch; have {sorted(state.logs)} "
                           "(val_* metrics need fit(..., val_loader=...))")
        value = state.logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, state.epoch, 0
            if self.restore_best_weights:
                # copies: state_dict tensors share the live arrays, which the optimiser keeps changing
                self.best_weights = {k: v.array.copy() for k, v in state.model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = state.epoch
                state.stop_training = True

    def on_train_end(self, state: TrainState) -> None:
        if self.restore_best_weights and self.best_weights is not None and self.best_epoch != state.epoch:
            state.model.load_state_dict(self.best_weights)


class GradNormTracker(Callback):
    """Records the gradient norm of each layer (parameters grouped by the module that owns them) at every
    ``every``-th step, before clipping: ``norms["0"]`` is the list for the first layer of a Sequential.
    Vanishing or exploding gradients show up as curves that fall or grow by orders of magnitude across layers."""

    def __init__(self, every: int = 1) -> None:
        self.every = every
        self.steps: list[int] = []
        self.norms: dict[str, list[float]] = {}

    def on_after_backward(self, state: TrainState) -> None:
        if state.step % self.every:
            return
        sums: dict[str, float] = {}
        for name, p in state.model.named_parameters():
            if p.grad is not None:
                layer = name.rpartition(".")[0] or name
                sums[layer] = sums.get(layer, 0.0) + float(np.sum(np.square(p.grad.array, dtype=np.float64)))
        self.steps.append(state.step)
        for layer, s in sums.items():
            self.norms.setdefault(layer, []).append(math.sqrt(s))
