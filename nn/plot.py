"""Plots for training: loss curves, decision boundaries, per-layer gradient norms (matplotlib, an optional extra).

Each function returns a matplotlib ``Figure``. With ``path`` it is written there through the Agg backend (no window,
no display needed, pyplot's global state untouched); without, it is made with pyplot, so Jupyter shows it inline.
Install matplotlib with ``pip install "pathgrad[plot]"`` (from a clone: ``pip install ".[plot]"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

INSTALL_HINT = 'pip install "pathgrad[plot]" (from a clone of the repository: pip install ".[plot]")'


def require_matplotlib() -> Any:
    """Import matplotlib, or raise ModuleNotFoundError saying how to install it."""
    try:
        import matplotlib
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(f"nn.plot needs matplotlib, an optional extra: {INSTALL_HINT}") from e
    return matplotlib


def _figure(path: str | Path | None, ncols: int = 1, figsize: tuple[float, float] = (6.0, 4.0)) -> tuple[Any, Any]:
    require_matplotlib()
    if path is None:
        import matplotlib.pyplot as plt

        return plt.subplots(1, ncols, figsize=figsize, squeeze=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)  # attaches itself to fig: savefig renders with Agg whatever the session's backend
    return fig, fig.subplots(1, ncols, squeeze=False)


def _finish(fig: Any, path: str | Path | None) -> Any:
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return fig


def plot_history(history: Mapping[str, Sequence[float]], path: str | Path | None = None,
                 val_label: str = "validation") -> Any:
    """Loss (and ``val_loss``) per epoch; a second panel for accuracy when ``history`` has it. ``val_label`` names
    the ``val_*`` curves in the legend."""
    has_acc = "accuracy" in history or "val_accuracy" in history
    fig, axes = _figure(path, ncols=2 if has_acc else 1, figsize=(10.0 if has_acc else 6.0, 4.0))
    panels = [("loss", axes[0][0])] + ([("accuracy", axes[0][1])] if has_acc else [])
    for metric, ax in panels:
        for key, label in ((metric, "train"), ("val_" + metric, val_label)):
            if key in history:
                values = list(history[key])
                ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    losses = [v for k in ("loss", "val_loss") for v in history.get(k, [])]
    if losses and min(losses) > 0:
        axes[0][0].set_yscale("log")  # loss falls by orders of magnitude; a log scale keeps the tail visible
    return _finish(fig, path)


def plot_decision_boundary(model: Any, X: np.ndarray, y: np.ndarray, path: str | Path | None = None,
                           resolution: int = 200, margin: float = 0.5) -> Any:
    """The class ``model`` predicts over the plane around the 2-D points ``X``, with the points coloured by ``y``.

    ``model`` maps an (N, 2) float tensor to (N, C) logits, or to (N,) or (N, 1) logits for two classes.
    """
    import autograd

    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {X.shape}")
    (x0, y0), (x1, y1) = X.min(0) - margin, X.max(0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], 1).astype(X.dtype if X.dtype.kind == "f" else np.float32)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with autograd.no_grad():
            out = np.asarray(model(autograd.tensor(grid)).array)
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    pred = out.argmax(1) if out.ndim == 2 and out.shape[1] > 1 else (out.reshape(-1) > 0).astype(np.int64)
    fig, axes = _figure(path)
    ax = axes[0][0]
    ax.contourf(gx, gy, pred.reshape(gx.shape), alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=20)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_title("decision boundary")
    return _finish(fig, path)


def plot_grad_norms(norms: Mapping[str, Sequence[float]], steps: Sequence[int] | None = None,
                    path: str | Path | None = None) -> Any:
    """Gradient norm of each layer over training steps, on a log scale: ``GradNormTracker().norms`` (and its
    ``steps``). Curves orders of magnitude apart show vanishing or exploding gradients."""
    fig, axes = _figure(path)
    ax = axes[0][0]
    for layer, values in norms.items():
        xs = list(steps) if steps is not None and len(steps) == len(values) else range(len(values))
        ax.plot(xs, values, label=layer or "(model)", linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm")
    ax.grid(alpha=0.3)
    ax.legend(title="layer")
    return _finish(fig, path)
