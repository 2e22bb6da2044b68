"""``fit`` and ``evaluate``: the PyTorch training loop with its bookkeeping written once."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from autograd import Tensor, no_grad

from ..utils import clip_grad_norm_, clip_grad_value_
from .callbacks import Callback
from .metrics import RunningMetrics
from .state import History, TrainState

LossFn = Callable[[Tensor, Tensor], Tensor]


def _split(batch: Any) -> tuple[Any, Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise TypeError("fit: each batch must be a pair (inputs, targets), as DataLoader(TensorDataset(X, y)) gives")
    return batch[0], batch[1]


def evaluate(model: Any, loader: Iterable[Any], loss_fn: LossFn, prefix: str = "") -> dict[str, float]:
    """Mean loss (and accuracy, for (N, C) logits against (N,) labels) over ``loader``, in eval mode and without
    recording a graph; the model's train/eval mode is restored afterwards."""
    was_training = getattr(model, "training", False)
    model.eval()
    metrics = RunningMetrics()
    try:
        with no_grad():
            for batch in loader:
                x, y = _split(batch)
                out = model(x)
                metrics.update(loss_fn(out, y).item(), out, y)
    finally:
        model.train(was_training)
    return metrics.result(prefix)


def _fmt(logs: dict[str, float]) -> dict[str, str]:
    short = {"loss": "loss", "accuracy": "acc", "val_loss": "val_loss", "val_accuracy": "val_acc"}
    return {short[k]: (f"{v:.1%}" if "accuracy" in k else f"{v:.4f}") for k, v in logs.items() if k in short}


def fit(model: Any, train_loader: Iterable[Any], *, loss_fn: LossFn, optimizer: Any, epochs: int = 1,
        val_loader: Iterable[Any] | None = None, callbacks: Sequence[Callback] = (), scheduler: Any = None,
        clip_grad_norm: float | None = None, clip_grad_value: float | None = None,
        progress: bool = True, file: TextIO | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the per-epoch ``History``.

    Each step is the plain loop: ``optimizer.zero_grad()``, ``loss = loss_fn(model(x), y)``, ``loss.backward()``,
    optional clipping (``clip_grad_norm``: rescale so the total norm is at most this; ``clip_grad_value``: clamp
    each entry), ``optimizer.step()``. After each epoch: ``val_loader`` is evaluated (``val_loss``,
    ``val_accuracy``), ``scheduler.step()`` is called (``ReduceLROnPlateau`` gets ``val_loss``, else ``loss``),
    then the callbacks' ``on_epoch_end``, which may stop training. ``accuracy`` is reported for (N, C) logits
    against (N,) integer labels. ``progress`` shows a tqdm bar per epoch on ``file`` (stderr by default).
    """
    history = History()
    state = TrainState(model=model, optimizer=optimizer, epochs=epochs, history=history)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for cb in callbacks:
        cb.on_train_begin(state)
    try:
        for epoch in range(1, epochs + 1):
            state.epoch, state.logs = epoch, {"lr": float(optimizer.param_groups[0]["lr"])}
            for cb in callbacks:
                cb.on_epoch_begin(state)
            bar = _bar(state, train_loader, file) if progress else None
            try:
                model.train()
                metrics = RunningMetrics()
                for batch in train_loader:
                    x, y = _split(batch)
                    optimizer.zero_grad()
                    out = model(x)
                    loss = loss_fn(out, y)
                    loss.backward()
                    for cb in callbacks:
                        cb.on_after_backward(state)
                    if clip_grad_norm is not None:
                        clip_grad_norm_(params, clip_grad_norm)
                    if clip_grad_value is not None:
                        clip_grad_value_(params, clip_grad_value)
                    optimizer.step()
                    state.step += 1
                    value = loss.item()
                    metrics.update(value, out, y)
                    for cb in callbacks:
                        cb.on_batch_end(state, value)
                    if bar is not None:
                        bar.set_postfix(_fmt(metrics.result()), refresh=False)
                        bar.update(1)
                state.logs.update(metrics.result())
                if val_loader is not None:
                    state.logs.update(evaluate(model, val_loader, loss_fn, prefix="val_"))
                if bar is not None:
                    bar.set_postfix(_fmt(state.logs), refresh=True)
            finally:
                if bar is not None:
                    bar.close()
            if scheduler is not None:
                _step_scheduler(scheduler, state.logs)
            history.append(epoch, state.logs)
            for cb in callbacks:
                cb.on_epoch_end(state)
            if state.stop_training:
                history.stopped_early = epoch < epochs
                break
    finally:
        model.train()
        for cb in callbacks:
            cb.on_train_end(state)
    return history


def _bar(state: TrainState, loader: Iterable[Any], file: TextIO | None) -> Any:
    from tqdm.auto import tqdm  # a dependency, imported here so that importing nn.train stays cheap

    total = len(loader) if hasattr(loader, "__len__") else None
    width = len(str(state.epochs))
    return tqdm(total=total, desc=f"epoch {state.epoch:{width}d}/{state.epochs}", file=file or sys.stderr,
                leave=True, dynamic_ncols=True, unit="batch")


def _step_scheduler(scheduler: Any, logs: dict[str, float]) -> None:
    from optim.lr_scheduler import ReduceLROnPlateau

    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()
